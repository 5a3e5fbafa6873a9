"""Berichten and reminders: who gets them, and that a reminder is sent once.

The clock is frozen by passing ``now`` to the sweep: the same moment twice, or a fresh
call as after a worker restart, sends nothing a second time.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from baken.accounts.models import Role, User
from baken.dossiers import services as dossier_services
from baken.dossiers.models import CaseTeamMember, Dossier
from baken.notifications import selectors
from baken.notifications.models import Notification, NotificationKind, Reminder
from baken.notifications.services import (
    NotificationError,
    cancel_reminders,
    notify,
    notify_organisation,
    schedule_reminder,
    send_due_reminders,
)
from tests.notifications.conftest import Chain

pytestmark = pytest.mark.django_db

DUE = datetime(2026, 12, 9, 9, 0, tzinfo=UTC)
URL = "/dossiers/inbox/"


def _recipients(kind: str = NotificationKind.DEADLINE_NEAR) -> list[str]:
    return sorted(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


def _schedule_for_vt(chain: Chain, key: str = "report:proef:veiligheidsbeoordeling:near") -> None:
    schedule_reminder(
        key,
        DUE,
        NotificationKind.DEADLINE_NEAR,
        URL,
        organisation=chain.vt,
        role=Role.VEILIG_THUIS_ADVISER,
    )


def _dossier_with_team(chain: Chain) -> Dossier:
    dossier = dossier_services.open_dossier(
        chain.professional, dossier_services.NewDossier("Casus Proef", None, 16, ["sexual"])
    )
    CaseTeamMember.objects.create(
        dossier=dossier,
        user=chain.colleague,
        added_by=chain.professional,
        added_at=timezone.now(),
    )
    return dossier


def test_notify_organisation_reaches_every_active_user_with_that_role_there(chain: Chain) -> None:
    """All active Veilig Thuis advisers of that Veilig Thuis get a bericht: not the
    inactive one, not the care coordinator there, not the advisers of another Veilig Thuis."""
    notify_organisation(chain.vt, Role.VEILIG_THUIS_ADVISER, NotificationKind.NEW_REPORT, URL)
    assert _recipients(NotificationKind.NEW_REPORT) == ["vt-een", "vt-twee"]


def test_notify_names_the_organisation_and_the_link_and_nothing_else(chain: Chain) -> None:
    """A bericht holds its kind, the organisation it is about, the link and when: no text."""
    made = notify(
        [chain.professional],
        NotificationKind.ADVICE_ANSWERED,
        "/dossiers/00000000-0000-4000-8000-000000000000/",
        organisation=chain.vt,
    )
    row = Notification.objects.values().get(pk=made[0].pk)
    assert {k: v for k, v in row.items() if k not in {"id", "created_at"}} == {
        "user_id": chain.professional.pk,
        "kind": "advice_answered",
        "organisation_id": chain.vt.pk,
        "url": "/dossiers/00000000-0000-4000-8000-000000000000/",
        "read_at": None,
        "emailed_at": None,
    }


def test_notify_gives_each_user_one_bericht_and_skips_inactive_users(chain: Chain) -> None:
    """The same user twice in the list gets one bericht; an inactive user gets none."""
    notify(
        [chain.adviser, chain.adviser, chain.inactive_adviser],
        NotificationKind.NEW_ADVICE_REQUEST,
        URL,
    )
    assert _recipients(NotificationKind.NEW_ADVICE_REQUEST) == ["vt-een"]


@pytest.mark.parametrize(
    "url",
    ["https://elders.example/", "//elders.example/pad/", "dossiers/", "/\\elders.example", ""],
)
def test_a_bericht_links_only_inside_baken(chain: Chain, url: str) -> None:
    """A link elsewhere (or not a path) is refused: the bericht's link view redirects to it."""
    with pytest.raises(NotificationError):
        notify([chain.adviser], NotificationKind.NEW_REPORT, url)


def test_an_unknown_kind_is_refused(chain: Chain) -> None:
    """Only the kinds of NotificationKind exist."""
    with pytest.raises(NotificationError):
        notify([chain.adviser], "case_content", URL)


def test_scheduling_the_same_key_twice_keeps_one_reminder_at_the_new_moment(chain: Chain) -> None:
    """Idempotent by key: one row, moved to the later due_at."""
    _schedule_for_vt(chain)
    schedule_reminder(
        "report:proef:veiligheidsbeoordeling:near",
        DUE + timedelta(days=1),
        NotificationKind.DEADLINE_NEAR,
        URL,
        organisation=chain.vt,
        role=Role.VEILIG_THUIS_ADVISER,
    )
    assert list(Reminder.objects.values_list("key", "due_at")) == [
        ("report:proef:veiligheidsbeoordeling:near", DUE + timedelta(days=1))
    ]


def test_a_reminder_is_sent_once_however_often_the_sweep_runs(chain: Chain) -> None:
    """With the clock frozen past the due moment, the first sweep sends it, and a second
    sweep at the same moment, or a fresh one later (a restarted worker), sends nothing."""
    _schedule_for_vt(chain)
    moment = DUE + timedelta(minutes=1)
    sweeps = [
        send_due_reminders(moment),
        send_due_reminders(moment),
        send_due_reminders(moment + timedelta(hours=5)),
    ]
    assert (sweeps, _recipients()) == ([1, 0, 0], ["vt-een", "vt-twee"])


def test_a_reminder_is_not_sent_before_it_is_due(chain: Chain) -> None:
    """One second before due_at the sweep sends nothing and the reminder stays pending."""
    _schedule_for_vt(chain)
    assert (send_due_reminders(DUE - timedelta(seconds=1)), Notification.objects.count()) == (0, 0)


def test_rescheduling_after_it_was_sent_sends_nothing_again(chain: Chain) -> None:
    """A sent reminder scheduled again (a chain service that runs twice) stays sent."""
    _schedule_for_vt(chain)
    send_due_reminders(DUE)
    _schedule_for_vt(chain)
    assert (send_due_reminders(DUE + timedelta(days=1)), len(_recipients())) == (0, 2)


def test_a_cancelled_reminder_is_not_sent(chain: Chain) -> None:
    """cancel_reminders(prefix) cancels every pending reminder of that case, and the sweep
    then sends none of them; another case's reminder is still sent."""
    _schedule_for_vt(chain, "report:eerste:veiligheidsbeoordeling:near")
    _schedule_for_vt(chain, "report:eerste:onderzoek:near")
    _schedule_for_vt(chain, "report:tweede:veiligheidsbeoordeling:near")
    cancelled = cancel_reminders("report:eerste:")
    sent = send_due_reminders(DUE)
    pending = Reminder.objects.filter(sent_at__isnull=True, cancelled_at__isnull=True).count()
    assert (cancelled, sent, pending) == (2, 1, 0)


def test_cancelling_needs_a_prefix(chain: Chain) -> None:
    """An empty prefix would cancel every reminder, so it is refused."""
    with pytest.raises(NotificationError):
        cancel_reminders("")


def test_the_audience_is_resolved_when_the_reminder_is_sent(chain: Chain) -> None:
    """An adviser who joins after scheduling gets it; one deactivated meanwhile does not."""
    _schedule_for_vt(chain)
    chain.second_adviser.is_active = False
    chain.second_adviser.save(update_fields=["is_active"])
    User.objects.create_user(
        username="vt-nieuw", role=Role.VEILIG_THUIS_ADVISER, organisation=chain.vt
    )
    send_due_reminders(DUE)
    assert _recipients() == ["vt-een", "vt-nieuw"]


def test_a_case_team_reminder_reaches_the_active_team_in_the_dossiers_organisation(
    chain: Chain,
) -> None:
    """The dossier's case team gets it; a member who moved to another organisation (whose
    old case teams no longer count) and an inactive one do not, nor anyone outside."""
    dossier = _dossier_with_team(chain)
    mover = User.objects.create_user(
        username="p-verhuisd", role=Role.PROFESSIONAL, organisation=chain.team
    )
    CaseTeamMember.objects.create(
        dossier=dossier, user=mover, added_by=chain.professional, added_at=timezone.now()
    )
    mover.organisation = chain.vt
    mover.save(update_fields=["organisation"])
    gone = User.objects.create_user(
        username="p-weg", role=Role.PROFESSIONAL, organisation=chain.team, is_active=False
    )
    CaseTeamMember.objects.create(
        dossier=dossier, user=gone, added_by=chain.professional, added_at=timezone.now()
    )
    schedule_reminder(
        f"dossier:{dossier.pk}:feedback:passed",
        DUE,
        NotificationKind.DEADLINE_PASSED,
        f"/dossiers/{dossier.pk}/",
        dossier=dossier,
    )
    send_due_reminders(DUE)
    assert _recipients(NotificationKind.DEADLINE_PASSED) == ["p-collega", "p-noord"]


@pytest.mark.parametrize(
    ("kind", "audience"),
    [
        (NotificationKind.NEW_REPORT, "organisation"),  # not a deadline
        (NotificationKind.DEADLINE_NEAR, "none"),
        (NotificationKind.DEADLINE_NEAR, "both"),
        (NotificationKind.DEADLINE_NEAR, "organisation-without-role"),
    ],
)
def test_a_reminder_needs_a_deadline_kind_and_one_audience(
    chain: Chain, kind: str, audience: str
) -> None:
    """A reminder is about a deadline, for an organisation's role or for a case team."""
    dossier = _dossier_with_team(chain) if audience == "both" else None
    organisation = chain.vt if audience != "none" else None
    role = Role.VEILIG_THUIS_ADVISER if audience in {"organisation", "both"} else None
    with pytest.raises(NotificationError):
        schedule_reminder(
            "x:1", DUE, kind, URL, organisation=organisation, role=role, dossier=dossier
        )


def test_a_naive_due_moment_is_refused(chain: Chain) -> None:
    """due_at must carry its time zone, or "9:00" would mean a different moment per server."""
    with pytest.raises(NotificationError):
        schedule_reminder(
            "x:1",
            datetime(2026, 12, 9, 9, 0),  # noqa: DTZ001 (the naive moment under test)
            NotificationKind.DEADLINE_NEAR,
            URL,
            organisation=chain.vt,
            role=Role.VEILIG_THUIS_ADVISER,
        )


def test_unread_count_and_the_list_are_the_users_own(chain: Chain) -> None:
    """unread_count and notifications_for see only the user's own berichten, newest first,
    and a read one no longer counts."""
    first = notify([chain.adviser], NotificationKind.NEW_ADVICE_REQUEST, URL)[0]
    notify([chain.adviser, chain.other_vt_adviser], NotificationKind.NEW_REPORT, URL)
    Notification.objects.filter(pk=first.pk).update(read_at=timezone.now())
    listed = [n.kind for n in selectors.notifications_for(chain.adviser, limit=10)]
    assert (selectors.unread_count(chain.adviser), listed) == (
        1,
        ["new_report", "new_advice_request"],
    )


@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_at_once_send_each_reminder_once(chain: Chain) -> None:
    """Two sweeps started together in two threads (two workers, each with its own database
    connection) share 20 due reminders between them: each is sent by one of them, so every
    reminder makes exactly one bericht per adviser."""
    for n in range(20):
        _schedule_for_vt(chain, f"report:proef-{n}:veiligheidsbeoordeling:near")
    start = threading.Barrier(2)
    sent: list[int] = []

    def sweep() -> None:
        try:
            start.wait()
            sent.append(send_due_reminders(DUE))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (sum(sent), Notification.objects.count()) == (20, 40)
