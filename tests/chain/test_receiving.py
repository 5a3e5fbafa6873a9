"""Veilig Thuis takes the case: it accepts a melding (its own dossier, casusregie moves,
§2.1), declines it with a reason, or forwards it to another chain partner; and it gives
feedback to the reporter (Wmo 2015, art. 4.1.1 lid 2 sub g). A share changes status once."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.utils import timezone

from baken.accounts.models import User
from baken.chain import services as chain
from baken.chain.models import Share, ShareKind, ShareStatus, Snapshot
from baken.chain.selectors import casusregie_of
from baken.dossiers.models import CaseTeamMember, Dossier, Entry, EntryKind
from baken.dossiers.selectors import access_to, chain_state, current_entries, timeline
from baken.notifications.models import Reminder
from baken.protocol.schema import CaseDirection
from tests.chain.conftest import Partners

FEEDBACK = chain.Feedback(
    moment="after_safety_assessment",
    trajectory_started=True,
    parties="Wijkteam Proef-Noord en de huisarts",
    conditions="Wekelijks contact met de mentor",
)


def newest(dossier_id: object) -> Entry:
    """The newest entry of a dossier."""
    return Entry.objects.filter(dossier_id=dossier_id).order_by("-sequence")[0]


def pending_reminders(share: Share) -> int:
    return Reminder.objects.filter(
        key__startswith=f"share:{share.pk}:", sent_at__isnull=True, cancelled_at__isnull=True
    ).count()


# Accept --------------------------------------------------------------------------------


def test_accepting_opens_a_dossier_in_veilig_thuis(partners: Partners, reported: Share) -> None:
    """The dossier opened from the melding is Veilig Thuis's own."""
    opened = chain.accept_report(partners.adviser, reported.pk)
    assert opened.organisation_id == partners.vt.pk


def test_the_new_dossier_is_pinned_to_the_senders_protocol(
    partners: Partners, reported: Share
) -> None:
    """Same protocol id and version as the dossier the melding came from."""
    opened = chain.accept_report(partners.adviser, reported.pk)
    sender = Dossier.objects.get(pk=reported.sender_dossier_id)
    assert (opened.protocol_id, opened.protocol_version) == (
        sender.protocol_id,
        sender.protocol_version,
    )


def test_the_accepting_adviser_is_the_case_team(partners: Partners, reported: Share) -> None:
    """Only the adviser who accepted is in the new dossier's case team."""
    opened = chain.accept_report(partners.adviser, reported.pk)
    team = list(CaseTeamMember.objects.filter(dossier=opened).values_list("user_id", flat=True))
    assert team == [partners.adviser.pk]


def test_the_new_dossier_starts_with_the_melding_received(
    partners: Partners, reported: Share
) -> None:
    """Its first entry is the melding, received from the sender's organisation."""
    opened = chain.accept_report(partners.adviser, reported.pk)
    entry = newest(opened.pk)
    assert (entry.kind, entry.data["direction"], entry.data["from"]) == (
        EntryKind.REPORT,
        "received",
        reported.sender_organisation.name,
    )


def test_the_share_points_at_the_new_dossier(partners: Partners, reported: Share) -> None:
    """The share is accepted, by the adviser, with the new dossier as the receiving one."""
    opened = chain.accept_report(partners.adviser, reported.pk)
    share = Share.objects.get(pk=reported.pk)
    assert (share.status, share.handled_by, share.receiving_dossier) == (
        ShareStatus.ACCEPTED,
        partners.adviser,
        opened,
    )


def test_the_sender_is_told_of_the_acceptance(partners: Partners, reported: Share) -> None:
    """The sender's dossier gets a chain-status entry: accepted by Veilig Thuis, the
    protocol's veilig-thuis partner."""
    chain.accept_report(partners.adviser, reported.pk)
    entry = newest(reported.sender_dossier_id)
    assert (entry.kind, entry.data["event"], entry.data["by"], entry.data["partner"]) == (
        EntryKind.CHAIN_STATUS,
        "accepted",
        partners.vt.name,
        "veilig-thuis",
    )


@pytest.mark.parametrize("side", ["sender", "veilig-thuis"])
def test_casusregie_moves_to_veilig_thuis_on_both_dossiers(
    side: str, partners: Partners, reported: Share
) -> None:
    """After acceptance both dossiers show casusregie with Veilig Thuis (§2.1)."""
    opened = chain.accept_report(partners.adviser, reported.pk)
    dossier = Dossier.objects.get(pk=reported.sender_dossier_id) if side == "sender" else opened
    regie = casusregie_of(dossier)
    assert (regie and (regie.organisation, regie.partner)) == (partners.vt.name, "veilig-thuis")


def test_the_senders_engine_knows_veilig_thuis_has_the_case(
    partners: Partners, reported: Share
) -> None:
    """The sender's situation for the engine: melding made today, case with Veilig Thuis."""
    chain.accept_report(partners.adviser, reported.pk)
    current = current_entries(timeline(Dossier.objects.get(pk=reported.sender_dossier_id)))
    assert chain_state(current) == (
        timezone.localdate(reported.sent_at),
        CaseDirection.VEILIG_THUIS,
    )


def test_a_melding_forwarded_and_accepted_puts_the_case_with_the_zorgcoordinator(
    partners: Partners, reported: Share
) -> None:
    """Forwarded to the zorgcoördinatie and accepted there: the sender's case direction is
    care_coordinator, the melding still dated the day it was sent."""
    onward = chain.forward(partners.adviser, reported.pk, partners.care.pk, "Evident")
    chain.accept_report(partners.coordinator, onward.pk)
    current = current_entries(timeline(Dossier.objects.get(pk=reported.sender_dossier_id)))
    assert chain_state(current) == (
        timezone.localdate(reported.sent_at),
        CaseDirection.CARE_COORDINATOR,
    )


def test_a_declined_melding_leaves_the_case_with_the_sender(
    partners: Partners, reported: Share
) -> None:
    """After a decline the sender's situation has no melding and the case is its own."""
    chain.decline(partners.adviser, reported.pk, "Andere regio")
    current = current_entries(timeline(Dossier.objects.get(pk=reported.sender_dossier_id)))
    assert chain_state(current) == (None, CaseDirection.OWN)


def test_accepting_keeps_the_deadline_reminders(partners: Partners, reported: Share) -> None:
    """The four deadline reminders of the melding stay pending once it is accepted (the
    terms run from the melding)."""
    chain.accept_report(partners.adviser, reported.pk)
    assert pending_reminders(reported) == 4


def test_a_melding_is_accepted_once(partners: Partners, reported: Share) -> None:
    """The second adviser accepting after the first gets Handled."""
    chain.accept_report(partners.adviser, reported.pk)
    with pytest.raises(chain.Handled):
        chain.accept_report(partners.second_adviser, reported.pk)


def test_accepting_twice_opens_one_dossier(partners: Partners, reported: Share) -> None:
    """After the second (refused) acceptance, Veilig Thuis holds exactly one dossier."""
    chain.accept_report(partners.adviser, reported.pk)
    with pytest.raises(chain.Handled):
        chain.accept_report(partners.second_adviser, reported.pk)
    assert Dossier.objects.filter(organisation=partners.vt).count() == 1


def test_an_advice_request_is_not_accepted(partners: Partners, asked: Share) -> None:
    """Accepting an advice request is refused (not_a_report); it stays pending."""
    with pytest.raises(chain.ChainRefused) as refused:
        chain.accept_report(partners.adviser, asked.pk)
    assert (refused.value.code, Share.objects.get(pk=asked.pk).status) == (
        "not_a_report",
        ShareStatus.PENDING,
    )


def test_a_melding_is_not_answered_as_advice(partners: Partners, reported: Share) -> None:
    """Answering a melding as if it were an advice request is refused."""
    with pytest.raises(chain.ChainRefused) as refused:
        chain.answer_advice(partners.adviser, reported.pk, "Antwoord")
    assert refused.value.code == "not_an_advice_request"


@pytest.mark.parametrize("who", ["unlinked_adviser", "school_professional", "coordinator"])
def test_only_the_recipients_accept(who: str, partners: Partners, reported: Share) -> None:
    """An adviser of another Veilig Thuis, a third organisation's professional or the
    zorgcoördinator gets 404 for a melding sent to Veilig Thuis."""
    with pytest.raises(Http404):
        chain.accept_report(getattr(partners, who), reported.pk)


def test_an_unknown_share_is_404(partners: Partners) -> None:
    """A share id that is not a UUID is 404, not an error."""
    with pytest.raises(Http404):
        chain.accept_report(partners.adviser, "geen-uuid")


# Decline -------------------------------------------------------------------------------


def test_declining_needs_a_reason(partners: Partners, reported: Share) -> None:
    """Without a reason it is refused (reason_missing); the melding stays pending."""
    with pytest.raises(chain.ChainRefused) as refused:
        chain.decline(partners.adviser, reported.pk, "   ")
    assert (refused.value.code, Share.objects.get(pk=reported.pk).status) == (
        "reason_missing",
        ShareStatus.PENDING,
    )


def test_the_sender_sees_the_decline_and_its_reason(partners: Partners, reported: Share) -> None:
    """The sender's dossier gets a chain-status entry: declined, with the reason."""
    chain.decline(partners.adviser, reported.pk, "Andere regio: Proef-Zuid")
    entry = newest(reported.sender_dossier_id)
    assert (entry.kind, entry.data["event"], entry.data["reason"]) == (
        EntryKind.CHAIN_STATUS,
        "declined",
        "Andere regio: Proef-Zuid",
    )


def test_declining_cancels_the_reminders(partners: Partners, reported: Share) -> None:
    """None of the melding's deadline reminders stays pending."""
    chain.decline(partners.adviser, reported.pk, "Andere regio")
    assert pending_reminders(reported) == 0


def test_a_declined_melding_is_not_accepted(partners: Partners, reported: Share) -> None:
    """Accepting after a colleague declined raises Handled (declined)."""
    chain.decline(partners.adviser, reported.pk, "Andere regio")
    with pytest.raises(chain.Handled) as handled:
        chain.accept_report(partners.second_adviser, reported.pk)
    assert handled.value.share.status == ShareStatus.DECLINED


# Forward -------------------------------------------------------------------------------


def test_forwarding_outside_the_chain_is_refused(partners: Partners, reported: Share) -> None:
    """A school is no chain partner: not_a_partner, and no new share."""
    with pytest.raises(chain.ChainRefused) as refused:
        chain.forward(partners.adviser, reported.pk, partners.school.pk, "")
    assert (refused.value.code, Share.objects.count()) == ("not_a_partner", 1)


def test_forwarding_to_itself_is_refused(partners: Partners, reported: Share) -> None:
    """Veilig Thuis cannot forward to Veilig Thuis (not_a_partner)."""
    with pytest.raises(chain.ChainRefused) as refused:
        chain.forward(partners.adviser, reported.pk, partners.vt.pk, "")
    assert refused.value.code == "not_a_partner"


def test_forwarding_sends_a_new_pending_share(partners: Partners, reported: Share) -> None:
    """The zorgcoördinatie gets a new pending melding."""
    onward = chain.forward(partners.adviser, reported.pk, partners.care.pk, "Evident")
    assert (onward.kind, onward.status, onward.recipient) == (
        ShareKind.REPORT,
        ShareStatus.PENDING,
        partners.care,
    )


def test_forwarding_carries_the_same_snapshot(partners: Partners, reported: Share) -> None:
    """The forwarded share's snapshot holds exactly what the sender sent."""
    onward = chain.forward(partners.adviser, reported.pk, partners.care.pk, "Evident")
    assert Snapshot.objects.get(share=onward).content == reported.snapshot.content


def test_the_original_is_forwarded(partners: Partners, reported: Share) -> None:
    """The original share is forwarded, pointing at the new one, with the note."""
    onward = chain.forward(partners.adviser, reported.pk, partners.care.pk, "Evident")
    original = Share.objects.get(pk=reported.pk)
    assert (original.status, original.forwarded_to, original.reason) == (
        ShareStatus.FORWARDED,
        onward,
        "Evident",
    )


def test_the_sender_sees_where_it_went(partners: Partners, reported: Share) -> None:
    """The sender's dossier gets a chain-status entry: forwarded to the zorgcoördinatie."""
    chain.forward(partners.adviser, reported.pk, partners.care.pk, "Evident")
    entry = newest(reported.sender_dossier_id)
    assert (entry.data["event"], entry.data["to"]) == ("forwarded", partners.care.name)


def test_the_zorgcoordinator_accepts_a_forwarded_melding(
    partners: Partners, reported: Share
) -> None:
    """The zorgcoördinator opens the case in the zorgcoördinatie's own dossier."""
    onward = chain.forward(partners.adviser, reported.pk, partners.care.pk, "Evident")
    opened = chain.accept_report(partners.coordinator, onward.pk)
    assert opened.organisation_id == partners.care.pk


def test_veilig_thuis_no_longer_handles_what_it_forwarded(
    partners: Partners, reported: Share
) -> None:
    """Accepting the original after forwarding it raises Handled (forwarded)."""
    chain.forward(partners.adviser, reported.pk, partners.care.pk, "Evident")
    with pytest.raises(chain.Handled) as handled:
        chain.accept_report(partners.second_adviser, reported.pk)
    assert handled.value.share.status == ShareStatus.FORWARDED


# Feedback ------------------------------------------------------------------------------


@pytest.fixture
def accepted(partners: Partners, reported: Share) -> Dossier:
    """Veilig Thuis's dossier, opened from the melding."""
    return chain.accept_report(partners.adviser, reported.pk)


def test_feedback_lands_in_the_senders_timeline(
    partners: Partners, reported: Share, accepted: Dossier
) -> None:
    """A feedback entry in the sender's dossier, attributed to Veilig Thuis."""
    chain.give_feedback(access_to(partners.adviser, accepted.pk), FEEDBACK)
    entry = newest(reported.sender_dossier_id)
    assert (entry.kind, entry.data["from_organisation"], entry.data["parties"]) == (
        EntryKind.FEEDBACK,
        partners.vt.name,
        FEEDBACK.parties,
    )


def test_feedback_is_kept_in_veilig_thuiss_dossier_too(
    partners: Partners, accepted: Dossier
) -> None:
    """Veilig Thuis's own dossier records the feedback it gave."""
    chain.give_feedback(access_to(partners.adviser, accepted.pk), FEEDBACK)
    assert newest(accepted.pk).kind == EntryKind.FEEDBACK


def test_feedback_names_the_parties(partners: Partners, accepted: Dossier) -> None:
    """Feedback without the parties it went to is refused (feedback_incomplete)."""
    incomplete = chain.Feedback("after_safety_assessment", True, "  ", "")
    with pytest.raises(chain.ChainRefused) as refused:
        chain.give_feedback(access_to(partners.adviser, accepted.pk), incomplete)
    assert refused.value.code == "feedback_incomplete"


def test_feedback_has_a_known_moment(partners: Partners, accepted: Dossier) -> None:
    """A moment that is not one of the two feedback moments is refused."""
    unknown = chain.Feedback("whenever", True, "Wijkteam", "")
    with pytest.raises(chain.ChainRefused) as refused:
        chain.give_feedback(access_to(partners.adviser, accepted.pk), unknown)
    assert refused.value.code == "feedback_incomplete"


def test_feedback_after_the_safety_assessment_ends_its_reminders(
    partners: Partners, reported: Share, accepted: Dossier
) -> None:
    """Feedback after the safety assessment cancels that deadline's two reminders; the
    investigation's two stay pending."""
    chain.give_feedback(access_to(partners.adviser, accepted.pk), FEEDBACK)
    keys = sorted(
        Reminder.objects.filter(
            key__startswith=f"share:{reported.pk}:", cancelled_at__isnull=True
        ).values_list("key", flat=True)
    )
    assert keys == [
        f"share:{reported.pk}:termijn-onderzoek:deadline_near",
        f"share:{reported.pk}:termijn-onderzoek:deadline_passed",
    ]


def test_feedback_needs_a_dossier_opened_from_a_melding(
    professional: User, partners: Partners, reported: Share
) -> None:
    """On the sender's own dossier there is no melding received: no_report."""
    with pytest.raises(chain.ChainRefused) as refused:
        chain.give_feedback(access_to(professional, reported.sender_dossier_id), FEEDBACK)
    assert refused.value.code == "no_report"


# Races, one after the other --------------------------------------------------------------


def test_a_decline_after_an_acceptance_changes_nothing(partners: Partners, reported: Share) -> None:
    """The second adviser declining a melding the first accepted gets Handled, and the
    sender's dossier holds the one acceptance only."""
    chain.accept_report(partners.adviser, reported.pk)
    with pytest.raises(chain.Handled):
        chain.decline(partners.second_adviser, reported.pk, "Andere regio")
    events = [
        e.data["event"]
        for e in Entry.objects.filter(
            dossier_id=reported.sender_dossier_id, kind=EntryKind.CHAIN_STATUS
        )
    ]
    assert events == ["accepted"]


def test_the_sender_cannot_withdraw_an_accepted_melding(
    professional: User, partners: Partners, reported: Share
) -> None:
    """Withdrawing after Veilig Thuis accepted raises Handled (accepted)."""
    chain.accept_report(partners.adviser, reported.pk)
    with pytest.raises(chain.Handled) as handled:
        chain.withdraw(access_to(professional, reported.sender_dossier_id), reported.pk)
    assert handled.value.share.status == ShareStatus.ACCEPTED
