"""What a page reads once per request (issue 13) never stands in for what a change decides
on: the chain's picture of a dossier and the partner links are kept for the request, and a
send decides on the dossier row it locked, read fresh."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.utils import timezone

from baken.accounts.models import User
from baken.chain import services as chain
from baken.chain.cases import picture
from baken.chain.links import links
from baken.chain.models import PartnerRole, Share, ShareKind, ShareStatus
from baken.dossiers.models import Dossier
from baken.dossiers.selectors import access_to
from baken.memo import request_scope
from tests.chain.conftest import REPORT, Partners


def test_a_melding_that_arrived_after_the_page_read_blocks_the_send(
    professional: User, partners: Partners, walked: Callable[..., Dossier]
) -> None:
    """The page read the dossier's picture (no melding waiting); another melding from the
    dossier is then waiting; the send, in the same request, is refused as ``pending``: it
    decides on the locked row's own, fresh picture, not on what the page kept."""
    dossier = walked(5)
    access = access_to(professional, dossier.pk)
    assert chain.report_allowed(access) == (True, "")
    Share.objects.create(
        kind=ShareKind.REPORT,
        sender_dossier=dossier,
        sender_organisation=dossier.organisation,
        sent_by=professional,
        sent_at=timezone.now(),
        recipient=partners.vt,
        status=ShareStatus.PENDING,
        status_at=timezone.now(),
    )
    with pytest.raises(chain.ChainRefused) as refused:
        chain.send_report(access, REPORT, [1, 4])
    assert (refused.value.code, chain.report_allowed(access)) == ("pending", (True, ""))


def test_the_picture_is_read_once_for_a_dossier_and_again_after_a_new_entry(
    professional: User, partners: Partners, walked: Callable[..., Dossier]
) -> None:
    """The same dossier object gives the same picture until it has a newer entry (every
    change in the chain records one in it): then it is read again."""
    dossier = walked(5)
    first = picture(dossier)
    again = picture(dossier)
    dossier.last_sequence += 1
    later = picture(dossier)
    assert (again is first, later is first) == (True, False)


def test_links_are_read_once_per_request_and_again_after_a_change(
    administrator: User, unlinked: Partners
) -> None:
    """Inside a request the links are read once; linking an organisation in the same request
    shows at once; outside a request every call reads them."""
    with request_scope():
        before = links()
        same = links()
        chain.link_partner(administrator, unlinked.vt.pk, PartnerRole.VEILIG_THUIS)
        after = links().organisation(PartnerRole.VEILIG_THUIS)
    outside = links() is links()
    assert (same is before, before.organisation(PartnerRole.VEILIG_THUIS), after, outside) == (
        True,
        None,
        unlinked.vt,
        False,
    )
