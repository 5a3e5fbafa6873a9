"""Passwords are stored as Baken's settings say (Django's PBKDF2), not as the tests' fast
hasher does: the swap in tests/conftest.py must not reach production."""

from __future__ import annotations

import pytest
from django.conf import global_settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher

from baken.accounts import services
from baken.accounts.models import Role, User
from tests.conftest import FAST_PASSWORD_HASHERS, REAL_PASSWORD_HASHERS

PASSWORD = "proef-wachtwoord-42!"  # noqa: S105 (synthetic test password)


def test_bakens_settings_keep_djangos_password_hashers() -> None:
    """Baken's settings leave PASSWORD_HASHERS at Django's default list, PBKDF2-SHA256 first;
    only the test configuration puts MD5 in front."""
    assert REAL_PASSWORD_HASHERS == global_settings.PASSWORD_HASHERS
    assert REAL_PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.PBKDF2PasswordHasher"
    assert FAST_PASSWORD_HASHERS[0] not in REAL_PASSWORD_HASHERS


def test_tests_without_the_marker_use_the_fast_hasher() -> None:
    """Fixture users are hashed with MD5, which is what keeps the suite fast."""
    assert get_hasher().algorithm == "md5"


@pytest.mark.real_password_hasher
def test_a_new_users_password_is_stored_with_pbkdf2_at_djangos_iteration_count(
    db: None,
) -> None:
    """A user made as the functioneel beheerder makes one has a password stored as
    PBKDF2-SHA256 with Django's iteration count (1,000,000 in Django 5.2) and a fresh salt;
    the right password matches and a wrong one does not."""
    admin = User.objects.create_user(
        username="proef-beheer", password=PASSWORD, role=Role.ADMINISTRATOR
    )
    user = services.create_user(
        by=admin,
        username="proef-hash",
        password=PASSWORD,
        role=Role.ADMINISTRATOR,
        organisation=None,
    )
    user.refresh_from_db()
    algorithm, iterations, salt, _digest = user.password.split("$")
    assert algorithm == "pbkdf2_sha256"
    assert int(iterations) == PBKDF2PasswordHasher.iterations == 1_000_000
    assert salt != admin.password.split("$")[2]
    assert user.check_password(PASSWORD)
    assert not user.check_password(PASSWORD + "x")
