"""Synthetic organisations and users for the accounts tests, with two-factor authentication
set up (see tests/support.py)."""

from __future__ import annotations

import pytest

from baken.accounts.models import Organisation, OrganisationKind, Role, User
from tests.support import enrol_totp

PASSWORD = "Vuurtoren-Noord-2031!"  # noqa: S105 (synthetic test password)


@pytest.fixture
def organisation(db: None) -> Organisation:
    return Organisation.objects.create(
        name="Wijkteam Voorbeeld-Noord", kind=OrganisationKind.NEIGHBOURHOOD_TEAM
    )


@pytest.fixture
def administrator(db: None) -> User:
    user = User.objects.create_user(
        username="demo-beheer", password=PASSWORD, role=Role.ADMINISTRATOR
    )
    enrol_totp(user)
    return user


@pytest.fixture
def professional(organisation: Organisation) -> User:
    user = User.objects.create_user(
        username="demo-wijkteam",
        password=PASSWORD,
        role=Role.PROFESSIONAL,
        organisation=organisation,
    )
    enrol_totp(user)
    return user
