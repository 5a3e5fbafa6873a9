"""Dossiers and their append-only record.

A dossier is about one (possible) victim, under a pseudonymous label. What the
professional records is a timeline of :class:`Entry` rows that are never changed
or deleted: a correction is a new entry pointing at the one it corrects. The
protocol id and version are pinned on the dossier when it is opened.

Reads go through :meth:`DossierQuerySet.restrict` (need to know) and the access decision
of :mod:`baken.dossiers.access`; writes go through :mod:`baken.dossiers.services`, which
authorise and log in one transaction.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baken.accounts.models import Role, User
from baken.crypto.fields import EncryptedDateField, EncryptedJSONField, EncryptedTextField


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete a record that is append-only."""


BREAK_GLASS_ROLES = frozenset({Role.DESIGNATED_EXPERT, Role.VEILIG_THUIS_ADVISER})
"""Who may open a dossier outside their case team after stating a reason (noodtoegang)."""


class DossierQuerySet(models.QuerySet["Dossier"]):
    def restrict(self, user: Any, act: str = "read") -> DossierQuerySet:
        """The dossiers on which ``user`` may do ``act`` (need to know): the rule lives in
        :func:`baken.dossiers.access.restrict`, beside the one-dossier decision."""
        from baken.dossiers.access import restrict

        return restrict(self, user, act)


class Dossier(models.Model):
    """One (possible) victim, as seen by one organisation."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="dossiers"
    )
    label = EncryptedTextField(_("label"))
    """A pseudonym the professional chooses; never the person's real name."""
    birth_date = EncryptedDateField(_("date of birth"), null=True, blank=True)
    age_at_opening = models.PositiveSmallIntegerField(_("age when opened"), null=True, blank=True)
    exploitation_forms = models.JSONField(_("exploitation forms"), default=list)
    protocol_id = models.CharField(max_length=100)
    protocol_version = models.CharField(max_length=50)
    reporter = models.CharField(max_length=20)
    """``professional`` or ``volunteer``: whether the afwegingskader applies (§1.2 Stap 5)."""
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    last_sequence = models.PositiveIntegerField(default=0)
    """The sequence number of the newest entry; entries are numbered 1, 2, 3, ..."""
    steps_done = models.CharField(max_length=5, default="", blank=True)
    """The steps done, as digits (``"124"``), kept by the services for the list and its filter."""
    next_step = models.PositiveSmallIntegerField(default=1)
    """The first step not yet done (6 when all five are)."""
    deviates = models.BooleanField(default=False)
    """The step-5 decision departs from what the protocol requires (with a motivation)."""
    acute_danger = models.BooleanField(default=False)
    # The exploitation forms again, one plain column each, for the list's filter in SQL
    # (ADR 11): kept in step with ``exploitation_forms`` by the services (set_forms).
    form_sexual = models.BooleanField(default=False, db_default=False)
    form_labour = models.BooleanField(default=False, db_default=False)
    form_criminal = models.BooleanField(default=False, db_default=False)
    form_organ = models.BooleanField(default=False, db_default=False)
    form_other = models.BooleanField(default=False, db_default=False)

    objects = DossierQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        constraints = [
            models.CheckConstraint(
                condition=Q(next_step__gte=1) & Q(next_step__lte=6), name="dossier_next_step_1_6"
            )
        ]
        indexes = [
            # The list's order and keyset (newest first, then id), per organisation: every
            # reader's scope is within the user's own organisation (except break-glass).
            models.Index(fields=["organisation", "opened_at", "id"], name="dossier_list_order"),
            # `baken purge` pages the closed dossiers oldest closing first (keyset).
            models.Index(fields=["closed_at", "id"], name="dossier_closed_order"),
        ]

    def __str__(self) -> str:
        return str(self.label)

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def set_forms(self, forms: list[str]) -> list[str]:
        """Set the exploitation forms: the list and its columns (:data:`FORM_COLUMNS`)
        together; returns the fields changed, for ``save(update_fields=...)``."""
        self.exploitation_forms = sorted(set(forms))
        for form, column in FORM_COLUMNS.items():
            setattr(self, column, form in self.exploitation_forms)
        return ["exploitation_forms", *FORM_COLUMNS.values()]


FORM_COLUMNS: dict[str, str] = {
    "sexual": "form_sexual",
    "labour": "form_labour",
    "criminal": "form_criminal",
    "organ": "form_organ",
    "other": "form_other",
}
"""Each exploitation form (``baken.protocol.schema.ExploitationForm``) and the dossier's
column that says whether it names it (ADR 11); a test checks both name the same forms."""


class CaseTeamMember(models.Model):
    """A user in a dossier's case team: who opened it and the colleagues they added."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="team")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dossier", "user"], name="one_membership_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.dossier}"


class EntryKind(models.TextChoices):
    OBSERVATION = "observation", _("Observation")
    SIGNAL = "signal", _("Signal from the protocol's lists")
    PROFILE = "profile", _("Victim profile")
    CONSULTATION = "consultation", _("Consultation")
    CONVERSATION = "conversation", _("Conversation with the person")
    WEIGHING = "weighing", _("Weighing")
    DECISION = "decision", _("Decision")
    ACUTE_DANGER = "acute_danger", _("Acute danger")
    EVALUATION = "evaluation", _("Case evaluation")
    TEAM_MEMBER = "team_member", _("Colleague added to the case team")
    DETAILS = "details", _("Details of the person changed")
    ADVICE_REQUEST = "advice_request", _("Advice asked through Baken")
    REPORT = "report", _("Report to Veilig Thuis (melding)")
    CHAIN_STATUS = "chain_status", _("News from the chain")
    FEEDBACK = "feedback", _("Feedback to the reporter")
    REGISTRATION = "registration", _("Registration with care coordination (aanmelding)")
    INTAKE = "intake", _("Intake by the care coordinator")
    PROCEDURE = "procedure", _("Procedure in the trajectory")
    CASE_DIRECTION = "case_direction", _("Casusregie handed over")
    PROGRESS = "progress", _("Progress update (stand van zaken)")
    TRAJECTORY_CLOSED = "trajectory_closed", _("Trajectory closed")
    SCREENING = "screening", _("Screeningsoverleg")
    COMENSHA = "comensha", _("Registration with CoMensha")


STEP_OF_KIND: dict[str, int | None] = {
    EntryKind.OBSERVATION: 1,
    EntryKind.SIGNAL: 1,
    EntryKind.PROFILE: 1,
    EntryKind.CONSULTATION: 2,
    EntryKind.CONVERSATION: 3,
    EntryKind.WEIGHING: 4,
    EntryKind.DECISION: 5,
    EntryKind.ACUTE_DANGER: None,
    EntryKind.EVALUATION: None,
    EntryKind.TEAM_MEMBER: None,
    EntryKind.DETAILS: None,
    EntryKind.ADVICE_REQUEST: None,
    EntryKind.REPORT: None,
    EntryKind.CHAIN_STATUS: None,
    EntryKind.FEEDBACK: None,
    EntryKind.REGISTRATION: None,
    EntryKind.INTAKE: None,
    EntryKind.PROCEDURE: None,
    EntryKind.CASE_DIRECTION: None,
    EntryKind.PROGRESS: None,
    EntryKind.TRAJECTORY_CLOSED: None,
    EntryKind.SCREENING: None,
    EntryKind.COMENSHA: None,
}

CHAIN_KINDS = frozenset(
    {
        EntryKind.ADVICE_REQUEST,
        EntryKind.REPORT,
        EntryKind.CHAIN_STATUS,
        EntryKind.FEEDBACK,
        EntryKind.REGISTRATION,
        EntryKind.INTAKE,
        EntryKind.PROCEDURE,
        EntryKind.CASE_DIRECTION,
        EntryKind.PROGRESS,
        EntryKind.TRAJECTORY_CLOSED,
        EntryKind.SCREENING,
        EntryKind.COMENSHA,
    }
)
"""Entries the chain writes (baken.chain): never typed into a dossier form, never corrected."""


class EntryQuerySet(models.QuerySet["Entry"]):
    """Entries can be added and read, never changed or deleted in bulk either."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("dossier entries are append-only; add a correction instead")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("dossier entries are append-only; they are never deleted")

    def current(self) -> EntryQuerySet:
        """The entries no later entry corrects."""
        return self.filter(corrected_by__isnull=True)


class Entry(models.Model):
    """One recorded fact, in order. Never updated, never deleted (also enforced in the database)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="entries")
    sequence = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    data = EncryptedJSONField(default=dict)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    corrects = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrected_by",
    )
    """The entry this one corrects; each entry is corrected at most once (then the correction)."""
    correction_reason = EncryptedTextField(blank=True)

    encryption_identity: ClassVar[tuple[str, ...]] = ("dossier", "sequence")
    """What its encrypted values are bound to (ADR 10): unique, known before the INSERT,
    never changed."""

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["sequence"]
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        constraints = [
            models.UniqueConstraint(fields=["dossier", "sequence"], name="entry_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.dossier} #{self.sequence} ({self.kind})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("dossier entries are append-only; add a correction instead")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("dossier entries are append-only; they are never deleted")

    @property
    def step(self) -> int | None:
        return STEP_OF_KIND[self.kind]

    @property
    def withdrawn(self) -> bool:
        """A correction that withdraws the corrected entry instead of replacing it."""
        return bool(self.data.get("withdrawn"))

    @property
    def correctable(self) -> bool:
        """Whether a form can correct it: not what the chain wrote (nor an answer that came
        through Baken), not a case-team change, not a withdrawal."""
        return (
            self.kind not in CHAIN_KINDS
            and self.kind != EntryKind.TEAM_MEMBER
            and not self.withdrawn
            and not self.data.get("via_baken")
        )


class BreakGlassQuerySet(models.QuerySet["BreakGlassGrant"]):
    def running_for(self, user: Any) -> BreakGlassQuerySet:
        return self.filter(user_id=user.pk, expires_at__gt=timezone.now())


class BreakGlassGrant(models.Model):
    """Noodtoegang: a designated expert or Veilig Thuis adviser opened a dossier outside
    their case team, with a reason, for a limited time. Every read under it is logged as
    break-glass, and the grant waits for review by the functioneel beheerder."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = EncryptedTextField(_("reason"))
    granted_at = models.DateTimeField(_("granted at"))
    expires_at = models.DateTimeField(_("expires at"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = EncryptedTextField(_("review note"), blank=True, default="")
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    """The row's identity for its encrypted values (ADR 10): the primary key is assigned
    by the database at the INSERT, after the reason is encrypted."""

    reviewed = models.GeneratedField(
        expression=models.ExpressionWrapper(
            models.Q(reviewed_at__isnull=False), output_field=models.BooleanField()
        ),
        output_field=models.BooleanField(),
        db_persist=True,
    )
    """Whether it was reviewed, kept by the database from ``reviewed_at``: the review page
    reads those still waiting first, newest first, from an index."""

    encryption_identity: ClassVar[tuple[str, ...]] = ("uid",)

    objects = BreakGlassQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_at"]
        verbose_name = _("break-glass access")
        verbose_name_plural = _("break-glass accesses")
        indexes = [
            models.Index(fields=["reviewed", "-granted_at", "-id"], name="breakglass_review_order")
        ]

    def __str__(self) -> str:
        return f"break-glass {self.pk}"

    @property
    def is_running(self) -> bool:
        return self.expires_at > timezone.now()


__all__ = [
    "BREAK_GLASS_ROLES",
    "FORM_COLUMNS",
    "AppendOnlyError",
    "BreakGlassGrant",
    "CaseTeamMember",
    "Dossier",
    "Entry",
    "EntryKind",
    "User",
]
