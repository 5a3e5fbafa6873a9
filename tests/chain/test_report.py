"""A melding to Veilig Thuis: professionals only, never anonymously (§2.2), when the step-5
decision says report or with a motivation for departing from it, one at a time, never from
a closed dossier. What was sent is a snapshot nobody changes or deletes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import DatabaseError, connection, transaction

from baken.accounts.models import User
from baken.audit.models import AccessEvent
from baken.chain import services as chain
from baken.chain.models import AppendOnlyError, Share, ShareKind, ShareStatus, Snapshot
from baken.dossiers import services as dossier_services
from baken.dossiers.models import Dossier, Entry, EntryKind
from baken.dossiers.selectors import access_to
from baken.notifications.models import Reminder
from tests.chain.conftest import REPORT, Partners, report
from tests.web.stages import DECISION, WEIGHING, closed, seen


def refusal(user: User, dossier: Dossier, details: chain.ReportDetails, selected: list[int]) -> str:
    """The code the melding is refused with (the test fails if it is sent)."""
    with pytest.raises(chain.ChainRefused) as refused:
        chain.send_report(access_to(user, dossier.pk), details, selected)
    return refused.value.code


def test_a_melding_goes_to_veilig_thuis(reported: Share, partners: Partners) -> None:
    """The melding is pending in Veilig Thuis's inbox."""
    assert (reported.kind, reported.status, reported.recipient) == (
        ShareKind.REPORT,
        ShareStatus.PENDING,
        partners.vt,
    )


def test_a_melding_carries_the_reporter_and_the_selected_entries(reported: Share) -> None:
    """Unlike an advice request it names the reporter; its entries are the two selected."""
    content = reported.snapshot.content
    assert (content["reporter"]["phone"], [e["kind"] for e in content["entries"]]) == (
        REPORT.reporter_phone,
        ["observation", "conversation"],
    )


def test_the_senders_dossier_records_the_melding(reported: Share) -> None:
    """The sender's dossier gets one melding entry (sent, with its legal basis)."""
    found = [
        entry.data
        for entry in Entry.objects.filter(
            dossier_id=reported.sender_dossier_id, kind=EntryKind.REPORT
        )
    ]
    assert [(d["share"], d["legal_basis"]) for d in found] == [(str(reported.pk), "meldrecht")]


def test_sending_a_melding_is_logged_with_purpose_report(reported: Share) -> None:
    """One share_sent line on the sender's dossier, purpose report."""
    purposes = list(
        AccessEvent.objects.filter(
            dossier_id=reported.sender_dossier_id, action="share_sent"
        ).values_list("purpose", flat=True)
    )
    assert purposes == ["report"]


def test_a_volunteer_does_not_report(
    volunteer: User, partners: Partners, open_dossier: Callable[..., Dossier]
) -> None:
    """A volunteer working on their own dossier is refused (volunteer), §1.2 Stap 5."""
    dossier = open_dossier(volunteer)
    assert refusal(volunteer, dossier, REPORT, [1]) == "volunteer"


@pytest.mark.parametrize("field", ["reporter_name", "reporter_organisation", "reporter_phone"])
def test_a_melding_is_never_anonymous(
    field: str, professional: User, partners: Partners, walked: Callable[..., Dossier]
) -> None:
    """Without the reporter's name, organisation or phone it is refused (reporter_missing)."""
    dossier = walked(5)
    assert refusal(professional, dossier, report(**{field: "  "}), [1]) == "reporter_missing"


def test_a_melding_needs_a_legal_basis_of_the_protocol(
    professional: User, partners: Partners, walked: Callable[..., Dossier]
) -> None:
    """A legal basis that is not one of the protocol's is refused (legal_basis_missing)."""
    dossier = walked(5)
    assert refusal(professional, dossier, report(legal_basis=""), [1]) == "legal_basis_missing"


def test_a_melding_needs_something_selected(
    professional: User, partners: Partners, walked: Callable[..., Dossier]
) -> None:
    """With no entry selected it is refused (nothing_selected)."""
    dossier = walked(5)
    assert refusal(professional, dossier, REPORT, []) == "nothing_selected"


@pytest.mark.parametrize(
    "selected",
    [pytest.param([2], id="only-the-signal"), pytest.param([99], id="no-such-entry")],
)
def test_a_melding_needs_a_concern_among_the_selected(
    selected: list[int], professional: User, partners: Partners, walked: Callable[..., Dossier]
) -> None:
    """Selecting only what is not an entry one sends (the signal goes as such; #99 does
    not exist) leaves the melding without concerns: nothing_selected, nothing sent."""
    dossier = walked(5)
    assert (refusal(professional, dossier, REPORT, selected), Share.objects.count()) == (
        "nothing_selected",
        0,
    )


def test_without_a_decision_a_melding_needs_a_departure_motivation(
    professional: User, partners: Partners, walked: Callable[..., Dossier]
) -> None:
    """At step 4 (no step-5 decision yet), without a motivation: decision_missing."""
    dossier = walked(4)
    assert refusal(professional, dossier, REPORT, [1]) == "decision_missing"


def test_a_decision_not_to_report_needs_a_departure_motivation(
    professional: User, partners: Partners, walked: Callable[..., Dossier]
) -> None:
    """The decision says do not report; a melding without motivation: decision_missing."""
    dossier = walked(4)
    dossier_services.record_decision(
        access_to(professional, dossier.pk),
        {**DECISION, "report": "no", "deviation_motivation": "Eerst hulp proberen"},
        seen_sequence=seen(dossier),
    )
    assert refusal(professional, dossier, REPORT, [1]) == "decision_missing"


def test_with_a_departure_motivation_the_melding_goes(
    professional: User, partners: Partners, walked: Callable[..., Dossier]
) -> None:
    """At step 4 with a motivation for departing from the step-5 decision, it is sent."""
    dossier = walked(4)
    share = chain.send_report(
        access_to(professional, dossier.pk),
        report(departure_motivation="Acute zorgen, melden kan niet wachten"),
        [1],
    )
    assert share.status == ShareStatus.PENDING


def test_one_melding_at_a_time(professional: User, reported: Share) -> None:
    """A second melding while the first is pending is refused (pending)."""
    dossier = Dossier.objects.get(pk=reported.sender_dossier_id)
    assert refusal(professional, dossier, REPORT, [1]) == "pending"


def test_no_new_melding_while_veilig_thuis_holds_the_case(
    professional: User, partners: Partners, reported: Share
) -> None:
    """After Veilig Thuis accepted the melding (casusregie with them, their dossier open), a
    new one is refused (accepted); once their dossier is closed, one may go again."""
    dossier = Dossier.objects.get(pk=reported.sender_dossier_id)
    received = chain.accept_report(partners.adviser, reported.pk)
    while_open = refusal(professional, dossier, REPORT, [1])
    dossier_services.close_dossier(
        access_to(partners.adviser, received.pk),
        {f"evaluatie-{n}": "Afgerond" for n in range(1, 5)},
        seen_sequence=Dossier.objects.get(pk=received.pk).last_sequence,
    )
    again = chain.send_report(access_to(professional, dossier.pk), REPORT, [1])
    assert (while_open, again.status) == ("accepted", ShareStatus.PENDING)


def test_after_a_withdrawal_a_new_melding_may_go(professional: User, reported: Share) -> None:
    """Once the first is withdrawn, a second one is sent: two shares, one pending."""
    access = access_to(professional, reported.sender_dossier_id)
    chain.withdraw(access, reported.pk)
    chain.send_report(access_to(professional, reported.sender_dossier_id), REPORT, [1])
    assert sorted(Share.objects.values_list("status", flat=True)) == [
        ShareStatus.PENDING,
        ShareStatus.WITHDRAWN,
    ]


def test_a_closed_dossier_reports_nothing(
    professional: User, partners: Partners, open_dossier: Callable[..., Dossier]
) -> None:
    """From a closed dossier the melding is refused (closed)."""
    dossier = closed(professional, open_dossier())
    assert refusal(professional, dossier, REPORT, [1]) == "closed"


def test_a_melding_schedules_the_deadline_reminders(reported: Share) -> None:
    """Two deadlines (safety assessment, investigation), each a reminder the day before
    and one the day after: four pending reminders keyed by the share."""
    keys = sorted(
        Reminder.objects.filter(
            key__startswith=f"share:{reported.pk}:", cancelled_at__isnull=True
        ).values_list("key", flat=True)
    )
    assert keys == sorted(
        f"share:{reported.pk}:{deadline}:{kind}"
        for deadline in ("termijn-veiligheidsbeoordeling", "termijn-onderzoek")
        for kind in ("deadline_near", "deadline_passed")
    )


def test_a_withdrawal_cancels_the_reminders(professional: User, reported: Share) -> None:
    """Withdrawing the melding leaves none of its reminders pending."""
    chain.withdraw(access_to(professional, reported.sender_dossier_id), reported.pk)
    assert not Reminder.objects.filter(
        key__startswith=f"share:{reported.pk}:", cancelled_at__isnull=True
    ).exists()


def test_the_weighing_is_sent_as_answers_not_as_motivations(reported: Share) -> None:
    """The melding's weighing holds one answer per question and no motivation."""
    weighing = reported.snapshot.content["weighing"]
    assert (len(weighing), any("Motivering" in a for _q, a in weighing)) == (
        len(WEIGHING["answers"]),
        False,
    )


# The snapshot is append-only ---------------------------------------------------------------


def test_saving_a_snapshot_again_is_refused(reported: Share) -> None:
    """Changing the content and saving raises AppendOnlyError; the stored one is unchanged."""
    snapshot = Snapshot.objects.get(share=reported)
    snapshot.content = {"kind": "report", "reporter": {}}
    with pytest.raises(AppendOnlyError):
        snapshot.save()
    assert Snapshot.objects.get(share=reported).content["reporter"]["phone"] == (
        REPORT.reporter_phone
    )


def test_deleting_a_snapshot_is_refused(reported: Share) -> None:
    """Snapshot.delete raises AppendOnlyError; the snapshot stays."""
    with pytest.raises(AppendOnlyError):
        Snapshot.objects.get(share=reported).delete()
    assert Snapshot.objects.filter(share=reported).exists()


def test_the_query_set_refuses_update_and_delete(reported: Share) -> None:
    """QuerySet.update and QuerySet.delete both raise AppendOnlyError."""
    with pytest.raises(AppendOnlyError):
        Snapshot.objects.filter(share=reported).update(content={})
    with pytest.raises(AppendOnlyError):
        Snapshot.objects.filter(share=reported).delete()
    assert Snapshot.objects.filter(share=reported).count() == 1


def test_the_database_refuses_an_update_of_a_snapshot(reported: Share) -> None:
    """A raw SQL UPDATE fails on SQLite and PostgreSQL alike (a trigger)."""
    snapshot = Snapshot.objects.get(share=reported)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE chain_snapshot SET created_at = created_at WHERE id = %s", [snapshot.pk]
        )
    assert Snapshot.objects.get(pk=snapshot.pk).created_at == snapshot.created_at


def test_postgresql_refuses_a_raw_delete_of_a_snapshot(reported: Share) -> None:
    """In production (PostgreSQL) a DELETE by hand fails too."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite leaves DELETE to the application; see chain migration 0002")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM chain_snapshot")
    assert Snapshot.objects.filter(share=reported).exists()
