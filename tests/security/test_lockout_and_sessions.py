"""Brute-force lockout (django-axes) and the idle session timeout."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from baken.accounts.models import User
from baken.accounts.sessions import UserSession as Session
from tests.fixtures import PASSWORD
from tests.support import log_in_with_code


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(
    professional: User,
) -> None:
    """The fifth failure locks the account; the next attempt, right password included, is
    refused with a Dutch message (HTTP 429) and no session."""
    client = Client()
    for attempt in range(5):
        response = client.post(
            "/account/login/", {"login": professional.username, "password": "fout-wachtwoord-1"}
        )
        assert response.status_code == (429 if attempt == 4 else 200)
    locked = client.post("/account/login/", {"login": professional.username, "password": PASSWORD})
    assert locked.status_code == 429
    assert "tijdelijk geblokkeerd" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_successful_login_resets_the_failure_count(professional: User) -> None:
    """Four failures, then a whole login (password and authenticator code): the counter
    starts again, no lockout."""
    client = Client()
    for _ in range(4):
        client.post("/account/login/", {"login": professional.username, "password": "fout-1234567"})
    landing = log_in_with_code(client, professional.username, PASSWORD, professional.totp_secret)
    assert landing == "/dossiers/"
    client.post("/account/logout/")
    again = Client().post("/account/login/", {"login": professional.username, "password": "nee"})
    assert again.status_code == 200


def test_sessions_end_after_thirty_idle_minutes(
    professional: User, login: Callable[[User], Client]
) -> None:
    """The server-side session expires 30 minutes after the last request that renewed it;
    once expired, the next request is sent to the login page."""
    client = login(professional)
    assert client.get("/dossiers/").status_code == 200
    session = Session.objects.get(session_key=client.session.session_key)
    remaining = (session.expire_date - timezone.now()).total_seconds()
    assert 29 * 60 < remaining <= 30 * 60
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/dossiers/")
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_a_session_only_read_is_renewed_at_most_once_a_minute(
    professional: User, login: Callable[[User], Client]
) -> None:
    """A request within a minute of the session's last renewal writes nothing (its expiry
    stays as it was); one after more than a minute renews it to 30 minutes from now."""
    client = login(professional)
    client.get("/dossiers/")
    key = client.session.session_key
    recent = timezone.now() + timedelta(minutes=29, seconds=30)
    Session.objects.filter(pk=key).update(expire_date=recent)
    client.get("/dossiers/")
    kept = Session.objects.get(pk=key).expire_date
    stale = timezone.now() + timedelta(minutes=28)
    Session.objects.filter(pk=key).update(expire_date=stale)
    client.get("/dossiers/")
    renewed = (Session.objects.get(pk=key).expire_date - timezone.now()).total_seconds()
    assert (kept == recent, 29 * 60 < renewed <= 30 * 60) == (True, True)
