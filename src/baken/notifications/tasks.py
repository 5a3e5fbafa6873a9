"""Background tasks (Django's tasks framework; the worker is ``baken worker``).

Their arguments are ids only: the task table (django-tasks-db) keeps them, so no name, no
address and no case content goes there. A failed e-mail is recorded as a failed task with
the kind of error only, not the server's message (which may quote the address).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_tasks import task

from baken.notifications.models import Notification
from baken.notifications.services import send_due_reminders


class NotificationMailError(Exception):
    """The mail server did not take a bericht's e-mail (the cause's type is the message)."""


def mail_content() -> tuple[str, str]:
    """The subject and body of every bericht's e-mail: that there is something new, and
    the link to the list of berichten (never to the case, never what it is about)."""
    link = f"{settings.BAKEN_BASE_URL}{reverse('notifications:list')}"
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("Something new for you in Baken")
        body = gettext("Something new is waiting for you in Baken.")
    return subject, f"{body}\n\n{link}\n"


@task()
def send_notification_email(notification_id: int) -> bool:
    """E-mail the user of bericht ``notification_id`` that something is waiting, once.

    ``emailed_at`` is claimed before the mail is sent (a conditional update, outside a
    long transaction), so two runs never both send; if the server refuses, the claim is
    given back and the task fails. Returns whether a mail was sent.
    """
    notification = (
        Notification.objects.select_related("user")
        .filter(pk=notification_id, emailed_at__isnull=True)
        .first()
    )
    if notification is None or not notification.user.is_active or not notification.user.email:
        return False
    claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return False
    subject, body = mail_content()
    try:
        send_mail(subject, body, None, [notification.user.email])
    except Exception as exc:
        Notification.objects.filter(pk=notification_id).update(emailed_at=None)
        raise NotificationMailError(type(exc).__name__) from None
    return True


@task()
def send_due_reminders_task() -> int:
    """The reminder sweep, as a task: send every reminder that is due now. Returns how
    many were sent."""
    return send_due_reminders()
