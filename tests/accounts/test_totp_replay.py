"""An authenticator code is accepted once, at login, re-authentication and set-up alike: it
is remembered in the shared "two_factor" cache (Django's database cache here) for as long
as it stays valid, and every refused code is an access-log line (``two_factor_failed``)."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user
from django.db import connection
from django.test import Client
from django.utils.dateparse import parse_datetime
from hypothesis import given
from hypothesis import strategies as st

from baken.accounts.models import Organisation, Role, User
from baken.accounts.two_factor import Check, use_code, used_code_seconds
from baken.audit.models import AccessEvent, Action
from tests.accounts.conftest import PASSWORD
from tests.support import log_in_with_code, totp_code

USED = "Deze code is net al gebruikt. Wacht tot je app een nieuwe code toont."
WRONG = "Deze code klopt niet."


def _password_step(username: str) -> Client:
    """A fresh session that gave the right password and now stands at the code."""
    client = Client()
    first = client.post("/account/login/", {"login": username, "password": PASSWORD})
    assert first["Location"] == "/account/2fa/authenticate/"
    return client


def _failures() -> list[tuple[object, ...]]:
    return list(
        AccessEvent.objects.filter(action=Action.TWO_FACTOR_FAILED).values_list(
            "code", "purpose", "user_id", "role", "organisation_id", "authorised", "detail"
        )
    )


def _stored_expiry() -> list[datetime]:
    """The expiry of every row of the used-code table of the database cache."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM baken_cache_2fa")
        rows = [value for (value,) in cursor.fetchall()]
    moments = [parse_datetime(value) if isinstance(value, str) else value for value in rows]
    return [m if m.tzinfo else m.replace(tzinfo=UTC) for m in moments if m is not None]


@pytest.mark.django_db
def test_a_code_used_to_log_in_is_refused_in_another_session(professional: User) -> None:
    """The code that just logged in is refused for a second login (another session, same
    password), with a Dutch message; the session stays at the code step."""
    code = totp_code(professional.totp_secret)
    first = _password_step(professional.username)
    assert first.post("/account/2fa/authenticate/", {"code": code}).status_code == 302
    second = _password_step(professional.username)
    replay = second.post("/account/2fa/authenticate/", {"code": code})
    assert (replay.status_code, USED in replay.content.decode(), get_user(second).is_anonymous) == (
        200,
        True,
        True,
    )


@pytest.mark.django_db
def test_the_used_code_is_remembered_for_its_whole_validity_window(professional: User) -> None:
    """A used code's cache entry expires (2 x tolerance + 1) x period + one period of clock
    skew after its use: 120 s with Baken's settings, so it outlives the 90 s the code is
    valid (allauth kept it for 30 s). The stored key holds neither the code nor the secret."""
    code = totp_code(professional.totp_secret)
    before = datetime.now(UTC).replace(microsecond=0)
    log_in_with_code(Client(), professional.username, PASSWORD, professional.totp_secret)
    after = datetime.now(UTC)
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM baken_cache_2fa")
        keys = [key for (key,) in cursor.fetchall()]
    (expires,) = _stored_expiry()
    assert used_code_seconds() == 120
    assert before + timedelta(seconds=120) <= expires <= after + timedelta(seconds=120)
    assert len(keys) == 1 and code not in keys[0] and professional.totp_secret not in keys[0]


@pytest.mark.django_db
def test_a_code_used_to_log_in_does_not_reauthenticate(
    professional: User, login: Callable[..., Client]
) -> None:
    """Re-authentication with the code that just logged in is refused and logged as a
    replay; the next code of the app (one period on, within the tolerance) confirms."""
    code = totp_code(professional.totp_secret)
    client = Client()
    log_in_with_code(client, professional.username, PASSWORD, professional.totp_secret)
    replay = client.post("/account/2fa/reauthenticate/", {"code": code})
    assert USED in replay.content.decode()
    fresh = client.post(
        "/account/2fa/reauthenticate/", {"code": totp_code(professional.totp_secret, offset=1)}
    )
    assert (fresh.status_code, [row[-1] for row in _failures()]) == (
        302,
        ["reauthentication:replayed"],
    )


@pytest.mark.django_db
def test_the_code_that_confirmed_the_set_up_does_not_log_in(
    organisation: Organisation, login: Callable[..., Client]
) -> None:
    """Setting up the app uses its code too: a new login with that same code is refused,
    the app's next code logs in."""
    newcomer = User.objects.create_user(
        username="demo-nieuw", password=PASSWORD, role=Role.PROFESSIONAL, organisation=organisation
    )
    setting_up = login(newcomer)
    page = setting_up.get("/account/2fa/totp/activate/").content.decode()
    found = re.search(r'id="authenticator_secret" type="text" value="([A-Z2-7]+)"', page)
    assert found is not None
    secret = found.group(1)
    code = totp_code(secret)
    assert setting_up.post("/account/2fa/totp/activate/", {"code": code}).status_code == 302
    client = _password_step(newcomer.username)
    replay = client.post("/account/2fa/authenticate/", {"code": code})
    assert USED in replay.content.decode()
    fresh = client.post("/account/2fa/authenticate/", {"code": totp_code(secret, offset=1)})
    assert (fresh.status_code, get_user(client).pk) == (302, newcomer.pk)


@pytest.mark.django_db
def test_a_wrong_code_at_login_is_an_access_log_line(professional: User) -> None:
    """A wrong code after the password: one line, code E, purpose authentication, the
    user's id, role and organisation, not authorised; the code itself is not in it."""
    wrong = "000000" if totp_code(professional.totp_secret) != "000000" else "111111"
    client = _password_step(professional.username)
    refused = client.post("/account/2fa/authenticate/", {"code": wrong})
    assert WRONG in refused.content.decode()
    assert _failures() == [
        (
            "E",
            "authentication",
            professional.pk,
            "professional",
            professional.organisation_id,
            False,
            "login:wrong",
        )
    ]


@pytest.mark.django_db
def test_a_wrong_code_at_reauthentication_is_an_access_log_line(
    administrator: User, login: Callable[..., Client]
) -> None:
    """A wrong code instead of the password before a sensitive action: one line for the
    functioneel beheerder (no organisation), not authorised."""
    wrong = "000000" if totp_code(administrator.totp_secret) != "000000" else "111111"
    refused = login(administrator).post("/account/2fa/reauthenticate/", {"code": wrong})
    assert (refused.status_code, _failures()) == (
        200,
        [
            (
                "E",
                "authentication",
                administrator.pk,
                "administrator",
                None,
                False,
                "reauthentication:wrong",
            )
        ],
    )


@pytest.mark.django_db(transaction=True)
def test_of_simultaneous_uses_of_one_code_exactly_one_is_accepted(professional: User) -> None:
    """Eight requests with the same right code at the same moment, each on its own
    database connection: the cache's atomic add accepts one, the other seven are replays."""
    code = totp_code(professional.totp_secret)
    start = threading.Barrier(8)
    results: list[Check] = []

    def submit() -> None:
        start.wait()
        try:
            results.append(use_code(professional.pk, professional.totp_secret, code))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(r.value for r in results) == ["accepted"] + ["replayed"] * 7


@given(
    tolerance=st.integers(min_value=0, max_value=5),
    period=st.integers(min_value=1, max_value=300),
    counter=st.integers(min_value=10, max_value=10**9),
    data=st.data(),
)
def test_the_remembered_time_covers_every_moment_a_code_is_accepted(
    tolerance: int, period: int, counter: int, data: st.DataObject
) -> None:
    """RFC 6238 with a tolerance: the code of time step c is accepted while the current
    step lies in c - t .. c + t. From any first use in that span until the last accepted
    moment is at most (2t + 1) x period, which the remembered time exceeds by one period
    (the clock skew between two servers)."""
    first_use = data.draw(
        st.integers(
            min_value=(counter - tolerance) * period,
            max_value=(counter + tolerance + 1) * period - 1,
        )
    )
    last_accepted = (counter + tolerance + 1) * period - 1
    remembered = used_code_seconds(tolerance=tolerance, period=period)
    assert remembered - (last_accepted - first_use) > period


@pytest.mark.django_db
def test_a_code_is_accepted_once_and_another_code_still_works(professional: User) -> None:
    """use_code on its own: the right code once, then a replay; the app's next code is
    accepted; a wrong code is wrong. Nothing is slept: the check is the cache, not time."""
    secret = professional.totp_secret
    now, next_one = totp_code(secret), totp_code(secret, offset=1)
    wrong = "000000" if "000000" not in {now, next_one} else "111111"
    outcomes = [use_code(professional.pk, secret, c) for c in (now, now, next_one, wrong)]
    assert [o.value for o in outcomes] == ["accepted", "replayed", "accepted", "wrong"]
