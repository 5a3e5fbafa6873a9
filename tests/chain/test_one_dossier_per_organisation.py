"""A person has one dossier per organisation in the chain (ADR 0008): a second melding or
aanmelding that would give an organisation a second dossier about the same person is
refused, at sending when it can be seen then, and at accepting when two were on their way
at once — never a database error."""

from __future__ import annotations

import pytest

from baken.chain import services as chain
from baken.chain.models import ChainMember, Share, ShareStatus
from baken.dossiers.models import Dossier
from baken.dossiers.selectors import access_to
from tests.chain.conftest import REGISTRATION, Partners
from tests.web.stages import OBSERVATION, add


def _both_on_their_way(partners: Partners, reported: Share) -> tuple[Share, Share]:
    """Veilig Thuis accepted the melding; then the professional and Veilig Thuis each
    registered the person with the zorgcoördinatie before either was accepted."""
    vt = chain.accept_report(partners.adviser, reported.pk)
    add(partners.adviser, vt, "observation", OBSERVATION)
    sender = Dossier.objects.get(pk=reported.sender_dossier_id)
    from_professional = chain.send_registration(
        access_to(reported.sent_by, sender.pk), REGISTRATION, [1]
    )
    from_vt = chain.send_registration(access_to(partners.adviser, vt.pk), REGISTRATION, [2])
    return from_professional, from_vt


def test_the_second_acceptance_is_refused_and_nothing_changes(
    partners: Partners, reported: Share
) -> None:
    """Accepting the second aanmelding is refused (``recipient_in_chain``): it stays
    pending, and the case keeps three dossiers, one per organisation."""
    first, second = _both_on_their_way(partners, reported)
    chain.accept(partners.coordinator, first.pk)
    with pytest.raises(chain.ChainRefused) as refused:
        chain.accept(partners.coordinator, second.pk)
    second.refresh_from_db()
    assert (refused.value.code, second.status, ChainMember.objects.count()) == (
        "recipient_in_chain",
        ShareStatus.PENDING,
        3,
    )


def test_no_new_aanmelding_goes_once_the_zorgcoordinatie_keeps_a_dossier(
    partners: Partners, reported: Share
) -> None:
    """After the zorgcoördinatie accepted Veilig Thuis' aanmelding, the professional's
    dossier (in the same case) cannot send one any more: ``in_chain``."""
    vt = chain.accept_report(partners.adviser, reported.pk)
    add(partners.adviser, vt, "observation", OBSERVATION)
    passed_on = chain.send_registration(access_to(partners.adviser, vt.pk), REGISTRATION, [2])
    chain.accept(partners.coordinator, passed_on.pk)
    sender = Dossier.objects.get(pk=reported.sender_dossier_id)
    with pytest.raises(chain.ChainRefused) as refused:
        chain.send_registration(access_to(reported.sent_by, sender.pk), REGISTRATION, [1])
    assert (refused.value.code, chain.registration_blocked(sender)) == ("in_chain", "in_chain")


def test_after_veilig_thuis_closed_its_dossier_a_new_melding_takes_its_place(
    partners: Partners, reported: Share
) -> None:
    """Veilig Thuis closed its dossier; a new melding from the same dossier is accepted, and
    the case then holds the sender's dossier and Veilig Thuis' new one (two members)."""
    from baken.dossiers import services as dossier_services
    from tests.chain.conftest import REPORT

    received = chain.accept_report(partners.adviser, reported.pk)
    dossier_services.close_dossier(
        access_to(partners.adviser, received.pk),
        {f"evaluatie-{n}": "Afgerond" for n in range(1, 5)},
        seen_sequence=Dossier.objects.get(pk=received.pk).last_sequence,
    )
    again = chain.send_report(access_to(reported.sent_by, reported.sender_dossier_id), REPORT, [1])
    newer = chain.accept_report(partners.adviser, again.pk)
    assert sorted(str(m.dossier_id) for m in ChainMember.objects.all()) == sorted(
        [str(reported.sender_dossier_id), str(newer.pk)]
    )
