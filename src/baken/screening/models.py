"""The screeningsoverleg mensenhandel in the Veiligheidshuis (§2.1, §2.2).

A :class:`Meeting` is one screening, chaired by a procesregisseur mensenhandel. The
zorgcoördinator puts a case on its agenda (§2.1: "zet de signalen door naar het
screeningsoverleg"): an :class:`AgendaItem` holds what the Veiligheidshuis registration
pattern names (identity, reason, goal, partners involved, with contact details), encrypted
and never changed after it was made, and never the dossier. The screening records the
outcome on the item once; the outcome goes back to the dossier that brought the case in,
and an inbreng in the RIEC to the ketenregisseur, who records when it was brought in.
"""

from __future__ import annotations

import uuid
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from baken.crypto.fields import EncryptedJSONField, EncryptedTextField


class RegistrationFixed(Exception):
    """Raised on any attempt to change an agenda item's registration content."""


class Meeting(models.Model):
    """One screeningsoverleg of a Veiligheidshuis: its date, chair and attendees."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("Veiligheidshuis"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    held_on = models.DateField(_("date"))
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chair"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    """A procesregisseur mensenhandel of the Veiligheidshuis (§2.2)."""
    attendees = models.JSONField(_("attendees"), default=list)
    """Ids of the protocol's partners that attend (``chain.screening.attendees``)."""
    other_attendees = EncryptedTextField(_("other attendees"), blank=True, default="")
    """Who else attends, as typed (names, so encrypted)."""
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["held_on", "created_at"]
        verbose_name = _("screeningsoverleg")
        verbose_name_plural = _("screeningsoverleggen")

    def __str__(self) -> str:
        return f"meeting {self.pk} on {self.held_on}"


class AgendaItemQuerySet(models.QuerySet["AgendaItem"]):
    def update(self, **kwargs: Any) -> int:
        if "content" in kwargs:
            raise RegistrationFixed("an agenda item's registration is never changed")
        return super().update(**kwargs)


class AgendaItem(models.Model):
    """A case on a screening's agenda: the registration (what the screening receives), and
    the outcome, recorded once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="items")
    chain_case = models.ForeignKey(
        "chain.ChainCase", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    """The person in the chain it is about; emptied if that case is ever deleted."""
    brought_by = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    """The organisation that put the case on the agenda (the zorgcoördinatie)."""
    brought_by_dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    """The zorgcoördinator's dossier the case came from, where the outcome goes back;
    emptied when that dossier is purged (the registration stays the Veiligheidshuis')."""
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(_("placed at"))
    protocol_id = models.CharField(max_length=100)
    """The protocol of the dossier it came from: its outcomes are the ones offered."""
    content = EncryptedJSONField(default=dict)
    """The registration, never changed: ``identity`` (``name``, ``birth_date``),
    ``reason``, ``goal``, ``partners`` (lines: a partner with its contact details)."""
    outcomes = models.JSONField(default=list)
    """Ids of the protocol's screening outcomes (``chain.screening.outcomes``)."""
    for_riec = models.BooleanField(default=False)
    """The outcome includes an inbreng in the RIEC by the ketenregisseur."""
    outcome_reason = EncryptedTextField(blank=True, default="")
    """Why no further action follows (required with that outcome)."""
    outcome_note = EncryptedTextField(blank=True, default="")
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    outcome_at = models.DateTimeField(null=True)
    riec_on = models.DateField(null=True)
    """The day the ketenregisseur brought the case into the RIEC-overleg."""
    riec_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    riec_at = models.DateTimeField(null=True)

    objects = AgendaItemQuerySet.as_manager()

    class Meta:
        ordering = ["placed_at"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self) -> str:
        return f"agenda item {self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if not self._state.adding and (update_fields is None or "content" in update_fields):
            raise RegistrationFixed("save an agenda item with update_fields, never its content")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise RegistrationFixed("an agenda item is the Veiligheidshuis' record")

    @property
    def has_outcome(self) -> bool:
        return self.outcome_at is not None
