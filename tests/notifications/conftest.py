"""Synthetic organisations and users for the berichten and reminder tests, and the real
SMTP server of tests/e2e/smtp.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from baken.accounts.models import Organisation, OrganisationKind, Role, User
from tests.e2e.smtp import smtp_server, smtp_settings  # noqa: F401 (fixtures)


@dataclass(frozen=True)
class Chain:
    """Two Veilig Thuis organisations and a wijkteam, with their people."""

    vt: Organisation
    other_vt: Organisation
    team: Organisation
    adviser: User
    second_adviser: User
    inactive_adviser: User
    coordinator_at_vt: User
    other_vt_adviser: User
    professional: User
    colleague: User


@pytest.fixture
def chain(make_user: Callable[..., User]) -> Chain:
    vt = Organisation.objects.create(
        name="Veilig Thuis Proef-Midden", kind=OrganisationKind.VEILIG_THUIS
    )
    other_vt = Organisation.objects.create(
        name="Veilig Thuis Proef-Zuid", kind=OrganisationKind.VEILIG_THUIS
    )
    team = Organisation.objects.create(
        name="Wijkteam Proef-Noord", kind=OrganisationKind.NEIGHBOURHOOD_TEAM
    )

    def user(name: str, role: str, organisation: Organisation, *, email: bool = True) -> User:
        made = make_user(name, role, organisation)
        if email:
            made.email = f"{name}@proef.invalid"
            made.save(update_fields=["email"])
        return made

    inactive = user("vt-oud", Role.VEILIG_THUIS_ADVISER, vt)
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    return Chain(
        vt=vt,
        other_vt=other_vt,
        team=team,
        adviser=user("vt-een", Role.VEILIG_THUIS_ADVISER, vt),
        second_adviser=user("vt-twee", Role.VEILIG_THUIS_ADVISER, vt, email=False),
        inactive_adviser=inactive,
        coordinator_at_vt=user("vt-zc", Role.CARE_COORDINATOR, vt),
        other_vt_adviser=user("vt-zuid", Role.VEILIG_THUIS_ADVISER, other_vt),
        professional=user("p-noord", Role.PROFESSIONAL, team),
        colleague=user("p-collega", Role.PROFESSIONAL, team),
    )
