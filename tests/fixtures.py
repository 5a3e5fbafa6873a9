"""Synthetic organisations, users and dossiers shared by the dossier, audit and security
tests (no real names, ever). Registered for every test module by the root conftest.

Every user made here has two-factor authentication set up, as Baken demands before it
shows anything (see :mod:`baken.accounts.two_factor`); ``login`` gives a client that is
logged in, and with ``reauthenticated=True`` one that has just confirmed its password.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import BaseDatabaseCache
from django.test import Client

from baken.accounts.models import Organisation, OrganisationKind, Role, User
from baken.dossiers import services
from baken.dossiers.models import Dossier
from tests.support import enrol_totp, mark_reauthenticated

PASSWORD = "proef-wachtwoord-42!"  # noqa: S105 (synthetic test password)


@pytest.fixture(autouse=True)
def _fresh_cache(request: pytest.FixtureRequest, django_db_blocker: Any) -> Iterator[None]:
    """django-allauth counts failed logins and codes, and Baken remembers used two-factor
    codes, in the cache: Django's database cache, tables of the test database (one database
    per xdist worker). Each test starts clean, as the synthetic usernames and user ids repeat
    from test to test: a rolled-back test leaves nothing behind, and after a test that
    committed (transactional, the live server) the cache tables are emptied here. Only
    database caches: a Redis cache (BAKEN_CACHE_URL) may be shared, so it is never flushed."""
    yield
    if "_django_db_helper" not in request.fixturenames:
        return  # no database access, so nothing was cached
    with django_db_blocker.unblock():
        for alias in settings.CACHES:
            if isinstance(caches[alias], BaseDatabaseCache):
                caches[alias].clear()


@pytest.fixture(autouse=True)
def _real_password_hasher(request: pytest.FixtureRequest) -> None:
    """Tests marked ``real_password_hasher`` hash as Baken's settings do (PBKDF2); every
    other test uses the fast hasher that tests/conftest.py swaps in."""
    if request.node.get_closest_marker("real_password_hasher") is None:
        return
    from tests.conftest import REAL_PASSWORD_HASHERS

    request.getfixturevalue("settings").PASSWORD_HASHERS = REAL_PASSWORD_HASHERS


@pytest.fixture
def organisation(db: None) -> Organisation:
    return Organisation.objects.create(
        name="Wijkteam Proef-Noord", kind=OrganisationKind.NEIGHBOURHOOD_TEAM
    )


@pytest.fixture
def other_organisation(db: None) -> Organisation:
    return Organisation.objects.create(name="School Proef-Zuid", kind=OrganisationKind.SCHOOL)


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    def make(
        username: str, role: str, organisation: Organisation | None, *, two_factor: bool = True
    ) -> User:
        user = User.objects.create_user(
            username=username, password=PASSWORD, role=role, organisation=organisation
        )
        if two_factor:
            enrol_totp(user)
        return user

    return make


@pytest.fixture
def professional(make_user: Callable[..., User], organisation: Organisation) -> User:
    return make_user("proef-professional", Role.PROFESSIONAL, organisation)


@pytest.fixture
def colleague(make_user: Callable[..., User], organisation: Organisation) -> User:
    return make_user("proef-collega", Role.PROFESSIONAL, organisation)


@pytest.fixture
def expert(make_user: Callable[..., User], organisation: Organisation) -> User:
    return make_user("proef-aandacht", Role.DESIGNATED_EXPERT, organisation)


@pytest.fixture
def outsider(make_user: Callable[..., User], other_organisation: Organisation) -> User:
    return make_user("proef-buiten", Role.PROFESSIONAL, other_organisation)


@pytest.fixture
def administrator(make_user: Callable[..., User]) -> User:
    return make_user("proef-beheer", Role.ADMINISTRATOR, None)


@pytest.fixture
def open_dossier(professional: User) -> Callable[..., Dossier]:
    def make(user: User | None = None, **fields: Any) -> Dossier:
        new = services.NewDossier(
            label=fields.get("label", "Casus Proef"),
            birth_date=fields.get("birth_date"),
            age=fields.get("age", 16),
            exploitation_forms=fields.get("exploitation_forms", ["sexual"]),
        )
        return services.open_dossier(user or professional, new)

    return make


@pytest.fixture
def login() -> Callable[..., Client]:
    def make(user: User, *, reauthenticated: bool = False) -> Client:
        client = Client()
        client.force_login(user, backend="baken.web.auth.ModelBackend")
        if reauthenticated:
            mark_reauthenticated(client, user)
        return client

    return make
