"""Synthetic organisations and users for the accounts tests."""

from __future__ import annotations

import pytest

from baken.accounts.models import Organisation, OrganisationKind, Role, User

PASSWORD = "Vuurtoren-Noord-2031!"  # noqa: S105 (synthetic test password)


@pytest.fixture
def organisation(db: None) -> Organisation:
    return Organisation.objects.create(
        name="Wijkteam Voorbeeld-Noord", kind=OrganisationKind.NEIGHBOURHOOD_TEAM
    )


@pytest.fixture
def administrator(db: None) -> User:
    return User.objects.create_user(
        username="demo-beheer", password=PASSWORD, role=Role.ADMINISTRATOR
    )


@pytest.fixture
def professional(organisation: Organisation) -> User:
    return User.objects.create_user(
        username="demo-wijkteam",
        password=PASSWORD,
        role=Role.PROFESSIONAL,
        organisation=organisation,
    )
