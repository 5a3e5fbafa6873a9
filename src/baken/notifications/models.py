"""Berichten and reminders.

A :class:`Notification` (bericht) tells one user that something needs their attention, and
where: its kind, optionally the organisation it is about, and a path inside Baken. It holds
no case content at all (no label, no name, no free text), so neither the list of berichten
nor the e-mail that announces one can leak any. The page it links to decides, as always,
whether the user may see what is there.

A :class:`Reminder` is a bericht that is due at a moment (a deadline near or passed), for an
audience resolved when it is sent: the active users of an organisation with a role, or a
dossier's case team. The background worker sends it once (:mod:`.services`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from baken.accounts.models import Role


class NotificationKind(models.TextChoices):
    """What a bericht is about. The label is all the list and the e-mail ever say of it."""

    NEW_ADVICE_REQUEST = "new_advice_request", pgettext_lazy("bericht", "New advice request")
    ADVICE_ANSWERED = (
        "advice_answered",
        pgettext_lazy("bericht", "Your advice request was answered"),
    )
    ADVICE_DECLINED = (
        "advice_declined",
        pgettext_lazy("bericht", "Your advice request was declined"),
    )
    ADVICE_FORWARDED = (
        "advice_forwarded",
        pgettext_lazy("bericht", "Your advice request was forwarded"),
    )
    NEW_REPORT = "new_report", pgettext_lazy("bericht", "New report")
    REPORT_ACCEPTED = "report_accepted", pgettext_lazy("bericht", "Your report was accepted")
    REPORT_DECLINED = "report_declined", pgettext_lazy("bericht", "Your report was declined")
    REPORT_FORWARDED = "report_forwarded", pgettext_lazy("bericht", "Your report was forwarded")
    FEEDBACK_GIVEN = "feedback_given", pgettext_lazy("bericht", "Feedback on your report")
    NEW_REGISTRATION = "new_registration", pgettext_lazy("bericht", "New registration")
    REGISTRATION_ACCEPTED = (
        "registration_accepted",
        pgettext_lazy("bericht", "Your registration was accepted"),
    )
    REGISTRATION_DECLINED = (
        "registration_declined",
        pgettext_lazy("bericht", "Your registration was declined"),
    )
    REGISTRATION_FORWARDED = (
        "registration_forwarded",
        pgettext_lazy("bericht", "Your registration was forwarded"),
    )
    NEW_AGENDA_ITEM = (
        "new_agenda_item",
        pgettext_lazy("bericht", "A case was put on the agenda of the screening"),
    )
    SCREENING_OUTCOME = (
        "screening_outcome",
        pgettext_lazy("bericht", "The outcome of the screeningsoverleg"),
    )
    FOR_THE_RIEC = "for_the_riec", pgettext_lazy("bericht", "A case for the RIEC")
    BROUGHT_INTO_RIEC = (
        "brought_into_riec",
        pgettext_lazy("bericht", "The case was brought into the RIEC"),
    )
    DEADLINE_NEAR = "deadline_near", pgettext_lazy("bericht", "A deadline is near")
    DEADLINE_PASSED = "deadline_passed", pgettext_lazy("bericht", "A deadline has passed")
    CASE_DIRECTION_HANDED_OVER = (
        "case_direction_handed_over",
        pgettext_lazy("bericht", "Casusregie was handed over"),
    )
    PROGRESS_UPDATE = (
        "progress_update",
        pgettext_lazy("bericht", "A new progress update (stand van zaken)"),
    )
    COMENSHA_AGREED = (
        "comensha_agreed",
        pgettext_lazy("bericht", "It was agreed who registers with CoMensha"),
    )
    COMENSHA_REGISTERED = (
        "comensha_registered",
        pgettext_lazy("bericht", "The person was registered with CoMensha"),
    )


REMINDER_KINDS = frozenset({NotificationKind.DEADLINE_NEAR, NotificationKind.DEADLINE_PASSED})
"""The kinds a reminder can have."""

URL_MAX_LENGTH = 500
KEY_MAX_LENGTH = 200


class Notification(models.Model):
    """A bericht for one user: what kind of thing needs their attention, and where.

    ``read_at`` is set when the user opens it, ``emailed_at`` when its e-mail was handed to
    the mail server; each is set once and never cleared.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind.choices)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    """The organisation the bericht is about (e.g. the Veilig Thuis that answered), if any."""
    url = models.CharField(_("link"), max_length=URL_MAX_LENGTH)
    """A path inside Baken (``/dossiers/…/``), never an address elsewhere."""
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_user_newest"),
            models.Index(
                fields=["user"],
                condition=Q(read_at__isnull=True),
                name="notification_user_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.pk})"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Reminder(models.Model):
    """A bericht due at ``due_at``, sent once by the background worker.

    ``key`` names what it reminds of (``report:<uuid>:veiligheidsbeoordeling:due``), so
    scheduling the same reminder again changes the one row instead of adding another. The
    audience is an organisation and a role, or a dossier's case team, and is resolved when
    the reminder is sent: whoever holds that role or is in that team then.
    """

    key = models.CharField(_("key"), max_length=KEY_MAX_LENGTH, unique=True)
    due_at = models.DateTimeField(_("due at"))
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind.choices)
    url = models.CharField(_("link"), max_length=URL_MAX_LENGTH)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("dossier"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    """Its case team is the audience; a purged dossier takes its reminders with it."""
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=Q(sent_at__isnull=True, cancelled_at__isnull=True),
                name="reminder_pending_due",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(organisation__isnull=False, dossier__isnull=True) & ~Q(role="")
                    | Q(organisation__isnull=True, dossier__isnull=False, role="")
                ),
                name="reminder_one_audience",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=sorted(REMINDER_KINDS)), name="reminder_deadline_kind"
            ),
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True) | Q(cancelled_at__isnull=True),
                name="reminder_sent_or_cancelled",
            ),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def is_pending(self) -> bool:
        return self.sent_at is None and self.cancelled_at is None
