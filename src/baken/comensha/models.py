"""Registration with CoMensha, agreed once per person in the chain (§2.2 CoMensha; §1.2
Casusevaluatie: "Afstemming met ketenpartners over wie melding maakt bij CoMensha").

An :class:`Agreement` says which organisation of a person's chain
(:class:`~baken.chain.models.ChainCase`) registers the person with CoMensha: one per case
(a one-to-one, so the database refuses a second one even when two partners agree at the
same moment). A :class:`Registration` is what that organisation's case team recorded when it
registered: CoMensha's category of exploitation, country of origin, age and sex, the
aanmelder, the kind of registration, the day, and the written consent as evidence. Both are
written once and never changed; their personal fields are encrypted at rest.

No CoMensha API exists: the registration reaches CoMensha through its own registration
form or helpdesk (protocol data ``chain.comensha.submission``); Baken keeps the record,
prints it and exports it as JSON.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from baken.crypto.fields import EncryptedTextField


class NeverChangedError(Exception):
    """Raised on any attempt to change an agreement or a registration once written."""


class _WrittenOnce(models.Model):
    """A row written once: saving it again is refused (a correction is not offered)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise NeverChangedError(f"{type(self).__name__} is written once")
        super().save(*args, **kwargs)


class Agreement(_WrittenOnce):
    """Which organisation of the person's chain registers them with CoMensha, agreed by
    whom and when, with a note every organisation of the chain reads."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.OneToOneField(
        "chain.ChainCase",
        verbose_name=_("person in the chain"),
        on_delete=models.CASCADE,
        related_name="comensha_agreement",
    )
    """One agreement per person: the one-to-one is the unique constraint."""
    registering = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("registering organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    agreed_by_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    agreed_at = models.DateTimeField(_("agreed at"))
    note = EncryptedTextField(_("note"), blank=True, default="")

    class Meta:
        verbose_name = _("CoMensha agreement")
        verbose_name_plural = _("CoMensha agreements")

    def __str__(self) -> str:
        return f"comensha agreement {self.pk}"


class Sex(models.TextChoices):
    """The person's sex as CoMensha registers it. "Other" and "unknown" are kept apart: they
    are different facts, and whoever fills in CoMensha's form can give either."""

    MALE = "male", _("Man")
    FEMALE = "female", _("Woman")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class ConsentSigner(models.TextChoices):
    """Who signed the written consent (toestemmingsverklaring): the person from 16, below
    that the parents or guardian (protocol data ``chain.comensha.consent``)."""

    PERSON = "person", _("The person themselves")
    PARENTS_OR_GUARDIAN = "parents_or_guardian", _("The parents or guardian")


class Registration(_WrittenOnce):
    """The registration with CoMensha as the registering organisation recorded it, once."""

    agreement = models.OneToOneField(
        Agreement, on_delete=models.CASCADE, related_name="registration"
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="comensha_registrations"
    )
    """The registering organisation's own dossier it was recorded in (goes when it is
    purged: the registration is that organisation's record)."""
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    category = models.CharField(_("form of exploitation"), max_length=100)
    """A protocol id of ``chain.comensha.categories``."""
    country_of_origin = EncryptedTextField(_("country of origin"))
    age = models.PositiveSmallIntegerField(_("age at registration"))
    sex = EncryptedTextField(_("sex"))
    """A :class:`Sex` value."""
    reporter_organisation = EncryptedTextField(_("aanmelder (organisation)"))
    contact_name = EncryptedTextField(_("contact person"))
    contact_phone = EncryptedTextField(_("phone number"))
    contact_email = EncryptedTextField(_("e-mail address"), blank=True, default="")
    kind = models.CharField(_("kind of registration"), max_length=100)
    """A protocol id of ``chain.comensha.kinds``."""
    registered_on = models.DateField(_("registered on"))
    consent_signed_by = models.CharField(
        _("consent signed by"), max_length=32, choices=ConsentSigner.choices
    )
    consent_signed_on = models.DateField(_("consent signed on"))
    consent_kept_at = EncryptedTextField(_("where the signed consent is kept"))

    encryption_identity: ClassVar[tuple[str, ...]] = ("agreement",)
    """What its encrypted values are bound to (ADR 10): one registration per agreement,
    known before the INSERT, never changed."""

    class Meta:
        verbose_name = _("CoMensha registration")
        verbose_name_plural = _("CoMensha registrations")
        constraints = [
            models.CheckConstraint(
                condition=Q(consent_signed_by__in=[c.value for c in ConsentSigner]),
                name="comensha_consent_signed_by_known",
            ),
            models.CheckConstraint(
                condition=Q(consent_signed_on__lte=models.F("registered_on")),
                name="comensha_consent_before_registration",
            ),
        ]

    def __str__(self) -> str:
        return f"comensha registration {self.pk}"
