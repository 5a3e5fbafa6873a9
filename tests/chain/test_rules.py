"""The chain's smaller rules: who may withdraw a melding, no request to one's own inbox, an
outdated decision, what a recipient still reads after a decline, the forward's note, who
is named to whom, the recipient side of the access log, and when reminders end."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from baken.accounts.models import User
from baken.audit.models import AccessEvent
from baken.chain import services as chain
from baken.chain.models import Share
from baken.chain.selectors import share_for_recipient
from baken.dossiers import services as dossier_services
from baken.dossiers.models import Dossier, Entry, EntryKind
from baken.dossiers.selectors import access_to
from baken.notifications.models import Reminder
from tests.chain.conftest import QUESTION, REPORT, Partners, report
from tests.web.stages import EVALUATION, OBSERVATION, WEIGHING, add, seen


def _code(call: Callable[[], Any]) -> str:
    with pytest.raises(chain.ChainRefused) as refused:
        call()
    return refused.value.code


def test_a_volunteer_in_the_team_cannot_withdraw_a_melding(
    professional: User, volunteer: User, reported: Share
) -> None:
    """Withdrawing a melding is for who may report, as sending it: a volunteer in the case
    team is refused (volunteer) and the melding stays pending."""
    dossier = Dossier.objects.get(pk=reported.sender_dossier_id)
    dossier_services.add_colleague(
        access_to(professional, dossier.pk), volunteer.pk, seen_sequence=seen(dossier)
    )
    code = _code(lambda: chain.withdraw(access_to(volunteer, dossier.pk), reported.pk))
    assert (code, Share.objects.get(pk=reported.pk).status) == ("volunteer", "pending")


def test_veilig_thuis_does_not_send_to_its_own_inbox(
    partners: Partners, open_dossier: Callable[..., Dossier]
) -> None:
    """An advice request from a Veilig Thuis dossier to Veilig Thuis is refused (own_inbox)."""
    dossier = open_dossier(partners.adviser)
    add(partners.adviser, dossier, "observation", OBSERVATION)
    code = _code(lambda: chain.ask_advice(access_to(partners.adviser, dossier.pk), QUESTION, [1]))
    assert code == "own_inbox"


def test_a_decision_outdated_by_a_newer_weighing_needs_a_motivation(
    professional: User, partners: Partners, walked: Callable[..., Dossier]
) -> None:
    """After a new weighing the step-5 "report" decision no longer counts: a melding without
    a departure motivation is refused (decision_missing)."""
    dossier = walked(5)
    add(professional, dossier, "weighing", WEIGHING)
    code = _code(lambda: chain.send_report(access_to(professional, dossier.pk), report(), [1]))
    assert code == "decision_missing"


def test_after_a_decline_the_recipient_no_longer_reads_the_melding(
    partners: Partners, reported: Share, login: Callable[..., Any]
) -> None:
    """Once declined, the share page still says what happened, but no longer shows the
    reporter, the person or the concerns."""
    chain.decline(partners.adviser, reported.pk, "Andere regio")
    page = login(partners.second_adviser).get(reverse("chain:share", args=[reported.pk]))
    text = page.content.decode()
    assert (page.status_code, REPORT.person_name in text, REPORT.reporter_phone in text) == (
        200,
        False,
        False,
    )


def test_the_forward_note_reaches_the_sender_and_the_next_recipient(
    partners: Partners, reported: Share, login: Callable[..., Any]
) -> None:
    """The note with a forward is in the sender's news entry and on the zorgcoördinatie's
    page, beside who forwarded it."""
    onward = chain.forward(partners.adviser, reported.pk, partners.care.pk, "Past beter bij jullie")
    news = Entry.objects.filter(
        dossier_id=reported.sender_dossier_id, kind=EntryKind.CHAIN_STATUS
    ).get()
    page = login(partners.coordinator).get(reverse("chain:share", args=[onward.pk]))
    text = page.content.decode()
    assert (news.data["note"], "Past beter bij jullie" in text, partners.vt.name in text) == (
        "Past beter bij jullie",
        True,
        True,
    )


def test_news_in_the_senders_dossier_is_attributed_to_the_organisation(
    partners: Partners, reported: Share, professional: User, login: Callable[..., Any]
) -> None:
    """The accepted-news entry names Veilig Thuis, not the adviser, on the sender's page."""
    chain.accept_report(partners.adviser, reported.pk)
    page = login(professional).get(reverse("dossiers:detail", args=[reported.sender_dossier_id]))
    text = page.content.decode()
    news = Entry.objects.filter(
        dossier_id=reported.sender_dossier_id, kind=EntryKind.CHAIN_STATUS
    ).get()
    assert (news.data["from_organisation"], str(partners.adviser) in text) == (
        partners.vt.name,
        False,
    )


def test_the_recipient_side_is_logged_with_purpose_and_basis(
    partners: Partners, reported: Share
) -> None:
    """Opening and accepting a melding write lines on Veilig Thuis' own responsibility, with
    the purpose and the melding's legal basis; the sender's share_sent line has the basis."""
    share_for_recipient(partners.adviser, reported.pk)
    chain.accept_report(partners.adviser, reported.pk)
    own = AccessEvent.objects.filter(responsible_organisation_id=partners.vt.pk).filter(
        action__in=["share_opened", "share_accepted"]
    )
    sent = AccessEvent.objects.get(action="share_sent", dossier_id=reported.sender_dossier_id)
    assert (
        sorted((e.action, e.purpose, e.detail.split(" ")[-1]) for e in own),
        sent.detail,
    ) == (
        [
            ("share_accepted", "report", "basis:meldrecht"),
            ("share_opened", "report", "basis:meldrecht"),
        ],
        "basis:meldrecht",
    )


def test_closing_veilig_thuis_dossier_ends_its_reminders(
    partners: Partners, reported: Share
) -> None:
    """When Veilig Thuis closes the dossier opened from the melding, the melding's pending
    reminders are cancelled; none is left to be sent."""
    received = chain.accept_report(partners.adviser, reported.pk)
    dossier_services.close_dossier(
        access_to(partners.adviser, received.pk), EVALUATION, seen_sequence=seen(received)
    )
    left = Reminder.objects.filter(
        key__startswith=f"share:{reported.pk}:", sent_at__isnull=True, cancelled_at__isnull=True
    ).count()
    assert left == 0


def test_no_trajectory_after_the_assessment_ends_every_reminder(
    partners: Partners, reported: Share
) -> None:
    """Feedback after the safety assessment saying no trajectory started leaves no term
    (the investigation's included) to remind of."""
    received = chain.accept_report(partners.adviser, reported.pk)
    chain.give_feedback(
        access_to(partners.adviser, received.pk),
        chain.Feedback("after_safety_assessment", False, "Niemand: geen vervolg", ""),
    )
    left = Reminder.objects.filter(
        key__startswith=f"share:{reported.pk}:", cancelled_at__isnull=True
    ).count()
    assert left == 0
