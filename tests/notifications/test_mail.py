"""A bericht's e-mail: enqueued after commit only, one per bericht, sent once, saying only
that something is waiting, with the link to the berichten (never to the case).

The tasks run on the same database backend as in production: enqueuing writes a task row,
and the test runs the worker (``run_ready_tasks``) to send it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from baken.accounts.models import Role
from baken.notifications.models import Notification, NotificationKind
from baken.notifications.services import notify, schedule_reminder, send_due_reminders
from baken.notifications.tasks import mail_content, send_notification_email
from baken.notifications.worker import run_ready_tasks
from tests.e2e.smtp import SMTPServer
from tests.notifications.conftest import Chain

pytestmark = pytest.mark.django_db

CASE_URL = "/dossiers/00000000-0000-4000-8000-000000000000/stap/2/"
BASE = "https://baken.proef.invalid"


def _mail_tasks() -> int:
    return DBTaskResult.objects.filter(task_path=send_notification_email.module_path).count()


@override_settings(BAKEN_BASE_URL=BASE)
def test_the_mail_says_only_that_something_is_waiting_and_links_the_berichten(
    chain: Chain, django_capture_on_commit_callbacks: Any
) -> None:
    """Subject and body are the fixed text and the absolute link to /berichten/: no kind,
    no organisation, no case link, no name."""
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            [chain.professional], NotificationKind.FEEDBACK_GIVEN, CASE_URL, organisation=chain.vt
        )
    run_ready_tasks()
    subject, body = mail_content()
    sent = mail.outbox[0]
    assert (len(mail.outbox), sent.to, sent.subject, sent.body) == (
        1,
        ["p-noord@proef.invalid"],
        subject,
        body,
    )
    assert body.endswith(f"\n\n{BASE}/berichten/\n")


@override_settings(BAKEN_BASE_URL=BASE)
def test_the_mail_text_carries_no_case_content(chain: Chain) -> None:
    """Nothing of the bericht is in the mail: not its link into the case, not the kind's
    label, not the organisation's name, not the user's name."""
    subject, body = mail_content()
    text = f"{subject}\n{body}"
    forbidden = [CASE_URL, "/dossiers/", chain.vt.name, chain.professional.username]
    forbidden += [str(label) for label in NotificationKind.labels]
    assert [word for word in forbidden if word in text] == []


def test_no_mail_is_enqueued_before_the_transaction_commits(
    chain: Chain, django_capture_on_commit_callbacks: Any
) -> None:
    """Inside the chain's transaction the bericht exists but no mail task does; it is
    enqueued by the commit."""
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            notify([chain.adviser], NotificationKind.NEW_REPORT, "/dossiers/")
            before = _mail_tasks()
    assert (before, _mail_tasks()) == (0, 1)


def test_a_rolled_back_transaction_mails_nobody(
    chain: Chain, django_capture_on_commit_callbacks: Any
) -> None:
    """A chain write that fails after notify() leaves no bericht and no mail task."""

    class Refused(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(Refused), transaction.atomic():
            notify([chain.adviser], NotificationKind.NEW_REPORT, "/dossiers/")
            raise Refused
    assert (Notification.objects.count(), _mail_tasks()) == (0, 0)


def test_one_mail_per_bericht_and_only_for_users_with_an_address(
    chain: Chain, django_capture_on_commit_callbacks: Any
) -> None:
    """Two advisers of whom one has no e-mail address: two berichten, one mail task, one mail."""
    with django_capture_on_commit_callbacks(execute=True):
        made = notify(
            [chain.adviser, chain.second_adviser], NotificationKind.NEW_REPORT, "/dossiers/"
        )
    run_ready_tasks()
    assert (len(made), _mail_tasks(), [m.to for m in mail.outbox]) == (
        2,
        1,
        [["vt-een@proef.invalid"]],
    )


def test_a_bericht_is_mailed_once_even_when_its_task_runs_twice(
    chain: Chain, django_capture_on_commit_callbacks: Any
) -> None:
    """Running the mail task again (enqueued twice, or retried) sends nothing more, and
    emailed_at keeps the first moment."""
    with django_capture_on_commit_callbacks(execute=True):
        made = notify([chain.adviser], NotificationKind.NEW_REPORT, "/dossiers/")
    run_ready_tasks()
    first = Notification.objects.get(pk=made[0].pk).emailed_at
    again = send_notification_email.call(made[0].pk)
    assert (again, len(mail.outbox), Notification.objects.get(pk=made[0].pk).emailed_at) == (
        False,
        1,
        first,
    )


@override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_PORT=9)
def test_a_refused_mail_fails_its_task_without_the_servers_message_and_can_go_again(
    chain: Chain, django_capture_on_commit_callbacks: Any
) -> None:
    """When no mail server takes it, the task fails with the kind of error only (the
    server's message may quote the address), and emailed_at stays empty."""
    with override_settings(EMAIL_HOST="127.0.0.1"):
        with django_capture_on_commit_callbacks(execute=True):
            made = notify([chain.adviser], NotificationKind.NEW_REPORT, "/dossiers/")
        run_ready_tasks()
    result = DBTaskResult.objects.get(task_path=send_notification_email.module_path)
    row = Notification.objects.get(pk=made[0].pk)
    assert (
        result.status,
        result.exception_class_path,
        "vt-een@proef.invalid" in result.traceback,
        row.emailed_at,
    ) == (
        TaskResultStatus.FAILED,
        "baken.notifications.tasks.NotificationMailError",
        False,
        None,
    )


def test_a_due_reminder_arrives_as_mail_at_a_real_smtp_server(
    chain: Chain, smtp_settings: SMTPServer, django_capture_on_commit_callbacks: Any
) -> None:
    """The whole path with real parts: a reminder is due, the sweep makes the berichten,
    the commit enqueues their mail, the worker sends it through Django's SMTP backend to an
    aiosmtpd server on 127.0.0.1, which receives the fixed text and the link."""
    schedule_reminder(
        "report:proef:veiligheidsbeoordeling:passed",
        datetime(2026, 12, 9, 9, 0, tzinfo=UTC),
        NotificationKind.DEADLINE_PASSED,
        "/dossiers/",
        organisation=chain.vt,
        role=Role.VEILIG_THUIS_ADVISER,
    )
    with django_capture_on_commit_callbacks(execute=True):
        send_due_reminders(datetime(2026, 12, 9, 9, 1, tzinfo=UTC))
    run_ready_tasks()
    subject, body = mail_content()
    received = [
        (m.recipients, m.subject, m.body.replace("\r\n", "\n")) for m in smtp_settings.messages
    ]
    assert received == [(("vt-een@proef.invalid",), subject, body)]
