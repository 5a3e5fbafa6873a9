"""Organisations and users. A user belongs to one organisation and has one role.

The roles follow the protocol's chain (§2.1, §2.2): the professional who signals,
the volunteer (no afwegingskader, §1.2 Stap 5), the organisation's
aandachtsfunctionaris (consulted in step 2), the Veilig Thuis adviser, the
zorgcoördinator, and the functioneel beheerder who manages organisations and
users but never reads a dossier.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    NEIGHBOURHOOD_TEAM = "neighbourhood_team", _("Neighbourhood team")
    YOUTH_CARE = "youth_care", _("Youth care")
    SCHOOL = "school", _("School")
    GP_PRACTICE = "gp_practice", _("GP practice")
    SHELTER = "shelter", _("Shelter")
    VOLUNTEERS = "volunteers", _("Volunteer organisation")
    VEILIG_THUIS = "veilig_thuis", _("Veilig Thuis")
    CARE_COORDINATION = "care_coordination", _("Care coordination for trafficking victims")
    SAFETY_HOUSE = "safety_house", _("Veiligheidshuis")
    MUNICIPALITY = "municipality", _("Municipality")
    OTHER = "other", _("Other")


class Organisation(models.Model):
    """An organisation whose users keep dossiers: a wijkteam, a school, Veilig Thuis, ..."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    PROFESSIONAL = "professional", _("Professional")
    VOLUNTEER = "volunteer", _("Volunteer")
    DESIGNATED_EXPERT = "designated_expert", _("Designated expert (aandachtsfunctionaris)")
    VEILIG_THUIS_ADVISER = "veilig_thuis_adviser", _("Veilig Thuis adviser")
    CARE_COORDINATOR = "care_coordinator", _("Care coordinator (zorgcoördinator)")
    ADMINISTRATOR = "administrator", _("Application manager (functioneel beheerder)")
    PROCESS_DIRECTOR = "process_director", _("Procesregisseur mensenhandel")
    CHAIN_DIRECTOR = "chain_director", _("Ketenregisseur mensenhandel")


SCREENING_ROLES = frozenset({Role.PROCESS_DIRECTOR, Role.CHAIN_DIRECTOR})
"""The procesregisseur (Veiligheidshuis) and the ketenregisseur (municipality): they act only
on the screening's outcome (§2.2) and never open a dossier."""

DOSSIER_ROLES = frozenset(Role) - {Role.ADMINISTRATOR} - SCREENING_ROLES
"""Roles that work with dossiers; the functioneel beheerder never does, nor do the
procesregisseur and the ketenregisseur."""


class User(AbstractUser):
    """A person who logs in. Everyone but the functioneel beheerder belongs to an organisation."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        indexes = [
            # The management page's order (active first, then by username), read from the index.
            models.Index(fields=["-is_active", "username"], name="accounts_user_manage_order")
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role="administrator") | models.Q(organisation__isnull=False),
                name="user_outside_administration_has_organisation",
            )
        ]

    @property
    def works_with_dossiers(self) -> bool:
        """Whether this user may open and read dossiers at all."""
        return self.is_active and self.role in DOSSIER_ROLES

    @property
    def is_administrator(self) -> bool:
        return self.is_active and self.role == Role.ADMINISTRATOR

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class SetupToken(models.Model):
    """A one-time secret for creating the first functioneel beheerder (see :mod:`.setup`).

    Only the SHA-256 hash of the token is stored; the token itself is printed once, by
    ``baken serve``, on the machine that runs Baken.
    """

    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("setup token")
        verbose_name_plural = _("setup tokens")

    def __str__(self) -> str:
        return f"setup token {self.pk}"


# The session model lives in its own module (the engine names it); importing it here
# registers it with the accounts app.
from baken.accounts.sessions import UserSession  # noqa: E402,F401
