"""The access log (NEN 7513): who did what with which dossier, when, why, and on what grounds.

Lines are append-only (model, query set and database triggers) and form a hash chain:
each line's hash covers its content and the previous line's hash, so a changed, removed
or reordered line is found by :func:`baken.audit.chain.verify`. Lines hold ids, never
names or free text from a dossier, and no foreign keys: the log outlives a purged dossier.

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


class AccessEventQuerySet(models.QuerySet["AccessEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("the access log is append-only")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("the access log is append-only")


class AccessEvent(models.Model):
    """One line of the access log."""

    position = models.PositiveBigIntegerField(unique=True)
    """1, 2, 3, ... in the order the lines were written; part of the hash."""
    at = models.DateTimeField()
    user_id = models.BigIntegerField(null=True)
    role = models.CharField(max_length=32, blank=True)
    organisation_id = models.BigIntegerField(null=True)
    responsible_organisation_id = models.BigIntegerField(null=True)
    """On whose responsibility: the organisation that holds the dossier."""
    dossier_id = models.UUIDField(null=True, db_index=True)
    entry_sequence = models.PositiveIntegerField(null=True)
    code = models.CharField(max_length=1, choices=Code.choices)
    action = models.CharField(max_length=40)
    purpose = models.CharField(max_length=40)
    authorised = models.BooleanField(default=True)
    case_team = models.BooleanField(default=False)
    consent = models.CharField(max_length=16, default="not_applicable")
    break_glass = models.BooleanField(default=False)
    detail = models.CharField(max_length=200, blank=True)
    """A short machine value (a username for account events, a break-glass reason id)."""
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"#{self.position} {self.at:%Y-%m-%dT%H:%M:%S} {self.code} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("the access log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("the access log is append-only")


class ChainHead(models.Model):
    """The newest line's position and hash; locked while a line is written (one row)."""

    position = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"head #{self.position}"


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
