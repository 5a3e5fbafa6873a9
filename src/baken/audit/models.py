"""The access log (NEN 7513): who did what with which dossier, when, why, and on what grounds.

Lines are append-only (model, query set and database triggers) and are the leaves of a
transparency log (docs/adr/0009-transparency-log.md): each line carries a MAC made when it
was written; the integrator (:mod:`baken.audit.log`) later gives it its place in a Merkle
tree (RFC 9162), in :class:`LogLeaf` and :class:`LogNode`, and signs the tree's head in a
:class:`Checkpoint` that is also kept outside the database. Lines hold ids, never names or
free text from a dossier, and no foreign keys: the log outlives a purged dossier.

:class:`PurgeRecord` keeps, for every dossier purged at the end of its retention term,
what was deleted, when and why, without any of its content; append-only in the same way.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an access-log line."""


class Code(models.TextChoices):
    CREATE = "C", _("Create")
    READ = "R", _("Read")
    UPDATE = "U", _("Update")
    DELETE = "D", _("Delete (purge)")
    EXECUTE = "E", _("Execute (login, export, management)")


class Action(models.TextChoices):
    """What an access-log line records; the label is what "Who looked" shows."""

    # Reading
    LIST = "list", _("saw it in the dossier list")
    VIEW = "view", _("opened it")
    VIEW_ACCESS_LOG = "view_access_log", _("looked at who looked")
    EXPORT_VIEW = "export_view", _("looked at the export")
    PRINT = "print", _("printed it")
    EXPORT = "export", _("exported it")
    EXPORT_JSON = "export_json", _("downloaded it as a file")
    # Writing
    DOSSIER_OPENED = "dossier_opened", _("started the dossier")
    ENTRY_ADDED = "entry_added", _("recorded something")
    ENTRY_CORRECTED = "entry_corrected", _("corrected something")
    TEAM_MEMBER_ADDED = "team_member_added", _("added a colleague to the case team")
    DETAILS_CHANGED = "details_changed", _("changed the details")
    DOSSIER_CLOSED = "dossier_closed", _("closed the dossier")
    BREAK_GLASS_OPENED = "break_glass_opened", _("opened it with emergency access")
    PURGED = "purged", _("deleted it at the end of the retention term")
    # The chain: what went to another organisation, and what came back
    SHARE_SENT = "share_sent", _("sent it through Baken")
    SHARE_OPENED = "share_opened", _("opened what was sent")
    SHARE_ACCEPTED = "share_accepted", _("accepted the report")
    SHARE_DECLINED = "share_declined", _("declined what was sent")
    SHARE_FORWARDED = "share_forwarded", _("forwarded what was sent")
    SHARE_WITHDRAWN = "share_withdrawn", _("withdrew what was sent")
    ADVICE_ANSWERED = "advice_answered", _("answered the advice request")
    FEEDBACK_GIVEN = "feedback_given", _("gave feedback to the reporter")
    OPENED_FROM_REPORT = "opened_from_report", _("opened a dossier from a report")
    REGISTRATION_ACCEPTED = "registration_accepted", _("accepted the registration")
    OPENED_FROM_REGISTRATION = "opened_from_registration", _("opened a dossier from a registration")
    # The screeningsoverleg (Veiligheidshuis), on the convenant
    SCREENING_MEETING_PLANNED = "screening_meeting_planned", _("planned a screeningsoverleg")
    SCREENING_PLACED = "screening_placed", _("put it on the agenda of the screeningsoverleg")
    SCREENING_ITEM_OPENED = "screening_item_opened", _("read an agenda item of the screening")
    SCREENING_OUTCOME = "screening_outcome", _("recorded the outcome of the screeningsoverleg")
    SCREENING_TO_RIEC = "screening_to_riec", _("passed the case to the ketenregisseur for the RIEC")
    SCREENING_RIEC = "screening_riec", _("recorded that the case was brought into the RIEC")
    # The zorgcoördinator's trajectory, to every organisation of the person's chain
    CASE_DIRECTION_HANDED_OVER = "case_direction_handed_over", _("handed over casusregie")
    PROGRESS_SENT = "progress_sent", _("sent a progress update (stand van zaken)")
    # CoMensha registration, agreed once per person in the chain
    COMENSHA_AGREED = "comensha_agreed", _("agreed who registers with CoMensha")
    COMENSHA_REGISTERED = "comensha_registered", _("recorded the registration with CoMensha")
    COMENSHA_PRINTED = "comensha_printed", _("printed the registration form for CoMensha")
    COMENSHA_EXPORTED = "comensha_exported", _("downloaded the registration for CoMensha")
    # The lessons from the chain (counts only, no dossier)
    LESSONS_VIEWED = "lessons_viewed", _("looked at the lessons from the chain")
    # Signing in and out (NEN 7513 and ASVS V7: every attempt, the failed ones too)
    LOGGED_IN = "logged_in", _("logged in")
    LOGGED_OUT = "logged_out", _("logged out")
    LOGIN_FAILED = "login_failed", _("failed to log in")
    TWO_FACTOR_FAILED = "two_factor_failed", _("entered a wrong two-factor code")
    LOCKED_OUT = "locked_out", _("was locked out after too many failed logins")
    # A dossier that exists but is not the user's: refused (404), logged with authorised=False
    READ_REFUSED = "read_refused", _("was refused a dossier that is not theirs")
    # Management (not about one dossier)
    BREAK_GLASS_REVIEWED = "break_glass_reviewed", _("reviewed an emergency access")
    ORGANISATION_CREATED = "organisation_created", _("added an organisation")
    CHAIN_PARTNER_LINKED = "chain_partner_linked", _("linked an organisation to a chain partner")
    CHAIN_PARTNER_UNLINKED = "chain_partner_unlinked", _("unlinked a chain partner")
    FIRST_ADMINISTRATOR_CREATED = "first_administrator_created", _("set up the first administrator")
    USER_CREATED = "user_created", _("added a user")
    USER_DEACTIVATED = "user_deactivated", _("deactivated a user")
    USER_REACTIVATED = "user_reactivated", _("reactivated a user")
    USER_ROLE_CHANGED = "user_role_changed", _("changed a user's role")
    TWO_FACTOR_RESET = "two_factor_reset", _("reset a user's two-factor authentication")
    KEYS_ROTATED = "keys_rotated", _("replaced the encryption keys")


class Purpose(models.TextChoices):
    """Why: the grounds the access rests on."""

    CARE = "care", _("care for the person")
    BREAK_GLASS = "break_glass", _("emergency access")
    ADMINISTRATION = "administration", _("administration")
    RETENTION = "retention", _("retention term ended")
    ADVICE_REQUEST = "advice_request", _("advice from a chain partner, without personal data")
    REPORT = "report", _("report to Veilig Thuis")
    CHAIN_FOLLOW_UP = "chain_follow_up", _("the chain's follow-up of a report")
    REGISTRATION = "registration", _("registration with the zorgcoördinatie, with consent")
    SCREENING = "screening", _("the screeningsoverleg, on the regional convenant")
    AUTHENTICATION = "authentication", _("signing in and out")


class AccessEventQuerySet(models.QuerySet["AccessEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("the access log is append-only")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("the access log is append-only")


class AccessEvent(models.Model):
    """One line of the access log."""

    at = models.DateTimeField()
    user_id = models.BigIntegerField(null=True)
    role = models.CharField(max_length=32, blank=True)
    organisation_id = models.BigIntegerField(null=True)
    responsible_organisation_id = models.BigIntegerField(null=True)
    """On whose responsibility: the organisation that holds the dossier."""
    dossier_id = models.UUIDField(null=True, db_index=True)
    entry_sequence = models.PositiveIntegerField(null=True)
    code = models.CharField(max_length=1, choices=Code.choices)
    action = models.CharField(max_length=40, choices=Action.choices)
    purpose = models.CharField(max_length=40, choices=Purpose.choices)
    authorised = models.BooleanField(default=True)
    case_team = models.BooleanField(default=False)
    consent = models.CharField(max_length=16, default="not_applicable")
    break_glass = models.BooleanField(default=False)
    detail = models.CharField(max_length=200, blank=True)
    """A short machine value (a username for account events, a break-glass reason id)."""
    uid = models.UUIDField(unique=True)
    """Made when the line is written (time-ordered, then random: UUID version 7) and covered
    by its MAC: a copy is found."""
    mac = models.CharField(max_length=64)
    """HMAC-SHA256 of the line's content with the log's line key (baken.audit.keys)."""

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        indexes = [
            # "Wie keek er" pages one dossier's lines newest first, by id (keyset): an
            # ordered range of this index, however many lines the log holds.
            models.Index(fields=["dossier_id", "id"], name="access_event_dossier_order"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.at:%Y-%m-%dT%H:%M:%S} {self.code} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("the access log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("the access log is append-only")


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("the access log's tree is append-only")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("the access log's tree is append-only")


class AppendOnly(models.Model):
    """A row that is written once: no save of an existing row, no delete."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("the access log's tree is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("the access log's tree is append-only")


class LogLeaf(AppendOnly):
    """A line's place in the tree: leaf ``index`` (0-based; "line index + 1" to people)
    holds the line ``event`` with this leaf hash (RFC 9162 §2.1.1, over the line's
    canonical content and its MAC). Written by the integrator, in batches."""

    index = models.BigIntegerField(primary_key=True)
    event = models.OneToOneField(
        AccessEvent,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="leaf",
    )
    """Never empty when written; nullable and without a constraint so that a join still
    finds a leaf whose line was deleted (verify names it as missing)."""
    hash = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["index"]

    def __str__(self) -> str:
        return f"leaf {self.index}"


class LogNode(AppendOnly):
    """The hash of a complete subtree above the leaves: the 2**level leaves from
    ``index * 2**level``. Proofs and the tree's root are O(log n) look-ups of these."""

    level = models.PositiveSmallIntegerField()
    index = models.BigIntegerField()
    hash = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["level", "index"], name="audit_node_at")]

    def __str__(self) -> str:
        return f"node {self.level}/{self.index}"


class Checkpoint(AppendOnly):
    """A signed checkpoint as made (C2SP tlog-checkpoint): the database's copy. The copies
    that count are outside the database (BAKEN_AUDIT_CHECKPOINT_DIR, a witness)."""

    size = models.BigIntegerField(unique=True)
    root = models.CharField(max_length=64)
    note = models.TextField()
    made_at = models.DateTimeField()

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["size", "pk"]

    def __str__(self) -> str:
        return f"checkpoint of {self.size}"


RETENTION_TERM = "retention_term"
"""The purge reason when the retention term after closing has passed (BAKEN_RETENTION_YEARS)."""


class PurgeRecordQuerySet(models.QuerySet["PurgeRecord"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("purge records are append-only")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("purge records are append-only")


class PurgeRecord(models.Model):
    """A dossier that was purged: which, of which organisation, when it was opened, closed
    and purged, and why. Ids, moments and counts only: no label, no date of birth, nothing
    from an entry. No foreign keys: the dossier and its rows are gone."""

    dossier_id = models.UUIDField(unique=True)
    organisation_id = models.BigIntegerField()
    """The organisation that held the dossier (responsible for it)."""
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField()
    purged_at = models.DateTimeField()
    retention_years = models.PositiveSmallIntegerField()
    """The term (BAKEN_RETENTION_YEARS) the purge applied."""
    reason = models.CharField(max_length=40)
    """A short machine value: :data:`RETENTION_TERM`."""
    entry_count = models.PositiveIntegerField()
    """How many entries the dossier's record held when it was deleted."""

    objects = PurgeRecordQuerySet.as_manager()

    class Meta:
        ordering = ["purged_at", "pk"]

    def __str__(self) -> str:
        return f"purge of {self.dossier_id} ({self.reason})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("purge records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("purge records are append-only")
