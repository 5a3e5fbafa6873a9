"""Every share's legal basis is in the access log on both sides (§2.1 Convenant; art. 5.2.6
Wmo 2015): the sender's dossier, the recipient's side and the recipient's new dossier."""

from __future__ import annotations

from baken.audit.models import AccessEvent
from baken.chain import services as chain
from baken.chain.models import Share
from tests.chain.conftest import Partners


def test_an_accepted_melding_names_the_meldrecht_on_every_line(
    partners: Partners, reported: Share
) -> None:
    """Accepting a melding sent on the meldrecht logs ``basis:meldrecht`` on the sender's
    dossier (the transfer back), on Veilig Thuis' side and on Veilig Thuis' new dossier."""
    opened = chain.accept_report(partners.adviser, reported.pk)
    lines = {
        (
            event.action,
            "sender" if event.dossier_id == reported.sender_dossier_id else "vt",
        ): event.detail
        for event in AccessEvent.objects.filter(action__in=["share_accepted", "opened_from_report"])
    }
    assert lines == {
        ("share_accepted", "sender"): "basis:meldrecht",
        ("share_accepted", "vt"): f"share:{reported.pk} basis:meldrecht",
        ("opened_from_report", "vt"): "basis:meldrecht",
    }
    assert opened.pk != reported.sender_dossier_id
