"""Writes: berichten, their e-mail, and reminders.

These authorise nothing a user asks for: the chain's services call them inside their own
transactions, after deciding who may do what. A bericht's e-mail is enqueued only after
that transaction commits (``transaction.on_commit``), so a rolled-back write mails nobody,
and the e-mail carries no case content (:mod:`.tasks`).

Reminders are sent once: :func:`send_due_reminders` locks each due reminder, makes its
berichten and marks it sent in one transaction. A second sweep, a restarted worker or a
second worker at the same moment finds it sent (or locked) and leaves it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import partial
from uuid import UUID

from django.db import connection, transaction
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from baken.accounts.models import Organisation, Role, User
from baken.dossiers.models import CaseTeamMember, Dossier
from baken.notifications.models import (
    KEY_MAX_LENGTH,
    REMINDER_KINDS,
    URL_MAX_LENGTH,
    Notification,
    NotificationKind,
    Reminder,
)


class NotificationError(ValueError):
    """A bericht or reminder that cannot be made as asked (a programming error of the caller)."""


def _local_path(url: str) -> str:
    """``url`` when it is a path inside Baken; a bericht never links elsewhere (and its
    link view redirects there, so this also keeps it from being an open redirect)."""
    if (
        not isinstance(url, str)
        or not url.startswith("/")
        or url.startswith("//")
        or "\\" in url
        or len(url) > URL_MAX_LENGTH
        or not url_has_allowed_host_and_scheme(url, allowed_hosts=None)
    ):
        raise NotificationError(f"a bericht links to a path inside Baken, not to {url!r}")
    return url


def _kind(kind: str) -> NotificationKind:
    try:
        return NotificationKind(kind)
    except ValueError:
        raise NotificationError(f"unknown kind of bericht: {kind!r}") from None


def notify(
    users: Iterable[User],
    kind: str,
    url: str,
    *,
    organisation: Organisation | None = None,
) -> list[Notification]:
    """One bericht for each active user in ``users`` (each user once), linking to ``url``.

    Each user with an e-mail address also gets one e-mail per bericht, enqueued as a
    background task after the surrounding transaction commits.
    """
    kind = _kind(kind)
    url = _local_path(url)
    recipients = {user.pk: user for user in users if user.is_active}
    if not recipients:
        return []
    now = timezone.now()
    made = Notification.objects.bulk_create(
        Notification(user=user, kind=kind, url=url, organisation=organisation, created_at=now)
        for user in recipients.values()
    )
    mail = [n.pk for n in made if n.user.email]
    if mail:
        transaction.on_commit(partial(_enqueue_mail, mail), robust=True)
    return made


def _enqueue_mail(notification_ids: list[int]) -> None:
    from baken.notifications.tasks import send_notification_email

    for notification_id in notification_ids:
        send_notification_email.enqueue(notification_id)


def notify_organisation(
    organisation: Organisation, role: str, kind: str, url: str
) -> list[Notification]:
    """A bericht for every active user of ``organisation`` with ``role`` (e.g. all the
    Veilig Thuis advisers of one Veilig Thuis), about that organisation."""
    return notify(_organisation_audience(organisation, role), kind, url, organisation=organisation)


def mark_read(notification: Notification) -> None:
    """Mark ``notification`` read, once: opening it again keeps the first moment."""
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now


def _role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise NotificationError(f"unknown role: {role!r}") from None


def _organisation_audience(organisation: Organisation, role: str) -> list[User]:
    return list(
        User.objects.filter(organisation=organisation, role=_role(role), is_active=True).order_by(
            "pk"
        )
    )


def _case_team_audience(dossier_id: UUID) -> list[User]:
    """The dossier's case team as it is now: active users still in the organisation that
    holds the dossier (after a move, an old organisation's case team no longer counts)."""
    members = CaseTeamMember.objects.filter(dossier_id=dossier_id).values("user_id")
    holder = Dossier.objects.filter(pk=dossier_id).values("organisation_id")
    return list(
        User.objects.filter(pk__in=members, organisation_id__in=holder, is_active=True).order_by(
            "pk"
        )
    )


def schedule_reminder(
    key: str,
    due_at: datetime,
    kind: str,
    url: str,
    *,
    organisation: Organisation | None = None,
    role: str | None = None,
    dossier: Dossier | None = None,
) -> Reminder:
    """Schedule the reminder ``key`` for ``due_at``, for ``organisation`` and ``role`` or
    for ``dossier``'s case team. Idempotent by key: scheduling the same key again moves a
    pending reminder to the new ``due_at`` (and link), and leaves one that was already sent
    or cancelled as it is."""
    if not key or len(key) > KEY_MAX_LENGTH:
        raise NotificationError(f"a reminder needs a key of at most {KEY_MAX_LENGTH} characters")
    if timezone.is_naive(due_at):
        raise NotificationError("a reminder's due_at must be an aware datetime")
    kind = _kind(kind)
    if kind not in REMINDER_KINDS:
        raise NotificationError(f"a reminder is about a deadline, not {kind.value!r}")
    url = _local_path(url)
    if dossier is not None and (organisation is not None or role):
        raise NotificationError("a reminder goes to an organisation's role or a case team")
    if dossier is None and (organisation is None or not role):
        raise NotificationError("a reminder needs an organisation and a role, or a dossier")
    audience_role = "" if dossier is not None else _role(role or "")
    with transaction.atomic():
        reminder, created = Reminder.objects.select_for_update().get_or_create(
            key=key,
            defaults={
                "due_at": due_at,
                "kind": kind,
                "url": url,
                "organisation": organisation,
                "role": audience_role,
                "dossier": dossier,
                "created_at": timezone.now(),
            },
        )
        if (
            not created
            and reminder.is_pending
            and (reminder.due_at, reminder.url)
            != (
                due_at,
                url,
            )
        ):
            reminder.due_at = due_at
            reminder.url = url
            reminder.save(update_fields=["due_at", "url"])
    return reminder


def cancel_reminders(prefix: str) -> int:
    """Cancel every pending reminder whose key starts with ``prefix`` (a case closed or
    declined); returns how many. Sent reminders stay as they are."""
    if not prefix:
        raise NotificationError("cancel_reminders needs a key prefix (it would cancel all)")
    return Reminder.objects.filter(
        key__startswith=prefix, sent_at__isnull=True, cancelled_at__isnull=True
    ).update(cancelled_at=timezone.now())


def _due(now: datetime) -> dict[str, object]:
    return {"due_at__lte": now, "sent_at__isnull": True, "cancelled_at__isnull": True}


def send_due_reminders(now: datetime | None = None) -> int:
    """Send every reminder due at ``now`` (default: the current time) that is neither sent
    nor cancelled; returns how many were sent.

    Each reminder is sent in its own transaction: lock it (``SELECT … FOR UPDATE SKIP
    LOCKED`` on PostgreSQL, so a second worker skips it instead of waiting; SQLite takes
    its one write lock when the transaction starts), check again that it is still due, make
    its berichten, set ``sent_at``. So it is sent once, however many sweeps or workers run.
    """
    now = now or timezone.now()
    candidates = list(Reminder.objects.filter(**_due(now)).values_list("pk", flat=True))
    skip_locked = connection.features.has_select_for_update_skip_locked
    sent = 0
    for pk in candidates:
        with transaction.atomic():
            reminder = (
                Reminder.objects.select_for_update(skip_locked=skip_locked)
                .filter(pk=pk, **_due(now))
                .first()
            )
            if reminder is None:
                continue  # sent, cancelled or moved meanwhile, or another worker has it
            if reminder.dossier_id is not None:
                notify(_case_team_audience(reminder.dossier_id), reminder.kind, reminder.url)
            elif reminder.organisation is not None:
                notify(
                    _organisation_audience(reminder.organisation, reminder.role),
                    reminder.kind,
                    reminder.url,
                    organisation=reminder.organisation,
                )
            reminder.sent_at = now
            reminder.save(update_fields=["sent_at"])
            sent += 1
    return sent
