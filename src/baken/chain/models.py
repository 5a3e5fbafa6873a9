"""The chain inside one Baken installation: organisations linked to the protocol partner
they are, and what one organisation sends another through Baken (§2.1, §2.2).

A :class:`Share` is one advice request (adviesvraag) or one report (melding) from a
dossier to a chain partner's inbox. What was sent is a :class:`Snapshot`: encrypted and
append-only, like dossier entries (model, query set and database trigger). The share's
status moves pending -> answered (advice) / accepted (melding) / declined / forwarded /
withdrawn, once, under a row lock, so two advisers acting at once cannot both win.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from baken.crypto.fields import EncryptedJSONField, EncryptedTextField


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete a snapshot."""


class PartnerRole(models.TextChoices):
    """The protocol partners an organisation can be in Baken; the values are the partner ids
    of the protocol data (§2.2)."""

    VEILIG_THUIS = "veilig-thuis", _("Veilig Thuis")
    CARE_COORDINATOR = "zorgcoordinator", _("Care coordination for trafficking victims")
    SCREENING = "screeningsoverleg", _("Screeningsoverleg mensenhandel (Veiligheidshuis)")
    CHAIN_DIRECTOR = "ketenregisseur", _("Ketenregisseur mensenhandel (municipality)")


class ChainPartner(models.Model):
    """A Baken organisation that is one of the protocol's chain partners, linked by the
    functioneel beheerder. One organisation per partner in an installation (one region)."""

    organisation = models.OneToOneField(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="chain_partner",
    )
    partner = models.CharField(
        _("chain partner"), max_length=40, choices=PartnerRole.choices, unique=True
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    linked_at = models.DateTimeField(_("linked at"))

    class Meta:
        ordering = ["partner"]
        verbose_name = _("chain partner")
        verbose_name_plural = _("chain partners")

    def __str__(self) -> str:
        return f"{self.organisation} ({self.partner})"


class ShareKind(models.TextChoices):
    ADVICE_REQUEST = "advice_request", _("Advice request")
    REPORT = "report", _("Report (melding)")
    REGISTRATION = "registration", _("Registration with care coordination (aanmelding)")


class ShareStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be picked up")
    ANSWERED = "answered", _("Answered")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    FORWARDED = "forwarded", _("Forwarded")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = frozenset({ShareStatus.PENDING})


class Share(models.Model):
    """One advice request or melding from a dossier to a chain partner's inbox."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=20, choices=ShareKind.choices)
    sender_dossier = models.ForeignKey(
        "dossiers.Dossier",
        on_delete=models.SET_NULL,
        null=True,
        related_name="shares_sent",
    )
    """The dossier it came from; emptied when that dossier is purged (the snapshot stays the
    recipient's record)."""
    sender_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent at"))
    recipient = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="shares_received"
    )
    status = models.CharField(
        max_length=20, choices=ShareStatus.choices, default=ShareStatus.PENDING
    )
    status_at = models.DateTimeField(_("status since"))
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    reason = EncryptedTextField(blank=True, default="")
    """Why it was declined, or the note with a forward."""
    forwarded_to = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, related_name="forwarded_from"
    )
    receiving_dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.SET_NULL, null=True, related_name="shares_received"
    )
    """The recipient's own dossier, opened from the snapshot when a melding is accepted."""
    report_rank = models.GeneratedField(
        expression=models.Case(
            models.When(kind=ShareKind.REPORT, then=models.Value(0)), default=models.Value(1)
        ),
        output_field=models.SmallIntegerField(),
        db_persist=True,
    )
    """0 for a melding, 1 for anything else, kept by the database: Veilig Thuis' inbox puts
    the meldingen first (their terms run, Uitvoeringsbesluit Wmo 2015 art. 4.1.7) and reads
    its page in that order from an index instead of sorting every waiting share."""

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("sent request or report")
        verbose_name_plural = _("sent requests and reports")
        indexes = [
            # An inbox's page in its order, read from the index whatever the number waiting:
            # Veilig Thuis' (meldingen first) and every other partner's (oldest first).
            models.Index(
                fields=["recipient", "status", "report_rank", "sent_at", "id"],
                name="chain_share_inbox_vt",
            ),
            models.Index(fields=["recipient", "status", "sent_at", "id"], name="chain_share_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_report(self) -> bool:
        return self.kind == ShareKind.REPORT

    @property
    def is_registration(self) -> bool:
        return self.kind == ShareKind.REGISTRATION

    @property
    def opens_dossier(self) -> bool:
        """A melding or an aanmelding: accepting it opens the recipient's own dossier."""
        return self.kind in (ShareKind.REPORT, ShareKind.REGISTRATION)

    @property
    def final(self) -> Share:
        """Where it is now: the end of its forwards (itself when never forwarded)."""
        share = self
        while (following := share.forwarded_to_id) is not None:
            # The next share when it was read with this one (select_related), else a query.
            ahead = share.forwarded_to if Share.forwarded_to.is_cached(share) else None
            share = ahead or Share.objects.select_related("recipient").get(pk=following)
        return share

    @property
    def content_readable(self) -> bool:
        """Whether its recipient may still read what was sent: while it waits, and once
        answered or accepted; not after it was declined, forwarded on or withdrawn."""
        return self.status in (ShareStatus.PENDING, ShareStatus.ANSWERED, ShareStatus.ACCEPTED)


class SnapshotQuerySet(models.QuerySet["Snapshot"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("snapshots are append-only")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("snapshots are append-only")


class Snapshot(models.Model):
    """Exactly what was sent with a share, encrypted; never changed or deleted."""

    share = models.OneToOneField(Share, on_delete=models.PROTECT, related_name="snapshot")
    content = EncryptedJSONField(default=dict)
    created_at = models.DateTimeField()

    encryption_identity: ClassVar[tuple[str, ...]] = ("share",)
    """What its content is bound to (ADR 10): one snapshot per share, known before the
    INSERT, never changed."""

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")

    def __str__(self) -> str:
        return f"snapshot of {self.share_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("snapshots are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("snapshots are append-only")


class ChainCase(models.Model):
    """One person in the chain: the dossiers that organisations keep about them, joined
    when a melding or an aanmelding is accepted (§2.1). Who holds casusregie is agreed per
    case ("Per casus wordt afgestemd wie de regie voert") and changes only by a logged
    hand-over. Nobody reads another organisation's dossier through it: it only says which
    organisations are involved, so progress updates and the CoMensha agreement reach them."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    opened_at = models.DateTimeField(_("opened at"))
    direction = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("casusregie"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    """The organisation holding casusregie for this person."""
    direction_since = models.DateTimeField(_("casusregie since"))

    class Meta:
        verbose_name = _("person in the chain")
        verbose_name_plural = _("people in the chain")

    def __str__(self) -> str:
        return f"chain case {self.pk}"


class ChainMember(models.Model):
    """An organisation's own dossier about the person of a :class:`ChainCase`."""

    case = models.ForeignKey(ChainCase, on_delete=models.CASCADE, related_name="members")
    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="chain_member"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    joined_at = models.DateTimeField(_("joined at"))
    via = models.ForeignKey(Share, on_delete=models.SET_NULL, null=True, related_name="+")
    """The accepted melding or aanmelding that brought this dossier in (none for the first)."""

    class Meta:
        ordering = ["joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "organisation"], name="one_dossier_per_organisation_in_a_case"
            )
        ]
        verbose_name = _("dossier in the chain")
        verbose_name_plural = _("dossiers in the chain")

    def __str__(self) -> str:
        return f"{self.organisation_id} in {self.case_id}"
