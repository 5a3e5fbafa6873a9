"""Signing in and out in the access log (NEN 7513; ASVS V7): a login, a logout, a failed
login and a lockout each write exactly one line, with ids only (code E, purpose
``authentication``), through the real login pages (django-allauth, django-axes)."""

from __future__ import annotations

from typing import Any

from django.test import Client

from baken.accounts.models import User
from baken.audit.models import AccessEvent
from tests.fixtures import PASSWORD
from tests.support import LOG_FIELDS, lines_after, log_in_with_code, newest, totp_code


def line(user: User | None, action: str, *, authorised: bool, detail: str = "") -> tuple[Any, ...]:
    """The exact line expected for an authentication event of ``user``."""
    return (
        user.pk if user else None,
        user.role if user else "",
        user.organisation_id if user else None,
        None,
        None,
        None,
        "E",
        action,
        "authentication",
        authorised,
        False,
        "not_applicable",
        False,
        detail,
    )


def wrong_password(client: Client, username: str) -> int:
    return client.post(
        "/account/login/", {"login": username, "password": "fout-wachtwoord-1"}
    ).status_code


def test_a_login_writes_one_line_after_the_second_factor_and_none_for_the_password_alone(
    professional: User,
) -> None:
    """The password alone is not yet a login: no line. After the authenticator code, one
    ``logged_in`` line (allauth's own login signal adds none)."""
    client = Client()
    start = newest()
    first = client.post("/account/login/", {"login": professional.username, "password": PASSWORD})
    after_password = lines_after(start)
    second = client.post(
        "/account/2fa/authenticate/", {"code": totp_code(professional.totp_secret)}
    )
    assert (
        first.status_code,
        after_password,
        second.status_code,
        lines_after(start),
    ) == (
        302,
        [],
        302,
        [line(professional, "logged_in", authorised=True)],
    )


def test_a_logout_writes_one_logged_out_line(professional: User) -> None:
    """Logging out (POST, as the page's button does) writes one ``logged_out`` line."""
    client = Client()
    log_in_with_code(client, professional.username, PASSWORD, professional.totp_secret)
    start = newest()
    response = client.post("/account/logout/")
    assert (response.status_code, lines_after(start)) == (
        302,
        [line(professional, "logged_out", authorised=True)],
    )


def test_a_wrong_password_writes_one_failed_line_for_the_account(professional: User) -> None:
    """A wrong password for an existing account: one ``login_failed`` line with the
    account's id, role and organisation, ``authorised`` false and no detail."""
    start = newest()
    status = wrong_password(Client(), professional.username)
    assert (status, lines_after(start)) == (
        200,
        [line(professional, "login_failed", authorised=False)],
    )


def test_the_username_in_other_case_is_the_same_account(professional: User) -> None:
    """allauth accepts the username in any case; the failed line names that account."""
    start = newest()
    wrong_password(Client(), professional.username.upper())
    assert lines_after(start) == [line(professional, "login_failed", authorised=False)]


def test_a_username_of_no_account_writes_a_line_without_it(professional: User) -> None:
    """A failed login for a username that belongs to no account writes one line with no
    user, role or organisation; what was typed appears in no field of it."""
    typed = "proef-profesional-typo"
    start = newest()
    status = wrong_password(Client(), typed)
    written = lines_after(start)
    stored = AccessEvent.objects.filter(pk__gt=start).values()
    assert (status, written, any(typed in str(v) for row in stored for v in row.values())) == (
        200,
        [line(None, "login_failed", authorised=False)],
        False,
    )


def test_five_failures_write_five_failed_lines_and_one_lockout_line(professional: User) -> None:
    """The five failures that lock the account write five ``login_failed`` lines, then one
    ``locked_out``; a sixth attempt (the right password) is one ``login_failed`` marked
    ``locked``, and no second lockout line."""
    client = Client()
    start = newest()
    statuses = [wrong_password(client, professional.username) for _ in range(5)]
    after_five = lines_after(start)
    middle = newest()
    sixth = client.post("/account/login/", {"login": professional.username, "password": PASSWORD})
    failed = line(professional, "login_failed", authorised=False)
    assert (statuses, after_five, sixth.status_code, lines_after(middle)) == (
        [200, 200, 200, 200, 429],
        [failed] * 5 + [line(professional, "locked_out", authorised=False)],
        429,
        [line(professional, "login_failed", authorised=False, detail="locked")],
    )


def test_a_lockout_of_an_unknown_username_names_no_account(professional: User) -> None:
    """Five failures with a username of no account: the lockout line, like the failures,
    has no user, role or organisation."""
    client = Client()
    start = newest()
    for _ in range(5):
        wrong_password(client, "proef-niemand")
    assert lines_after(start) == [line(None, "login_failed", authorised=False)] * 5 + [
        line(None, "locked_out", authorised=False)
    ]


def test_a_wrong_code_after_the_right_password_is_no_failed_login(professional: User) -> None:
    """The password was right, so no ``login_failed`` line, and no ``logged_in``: the only
    line there may be is the two-factor check's own ``two_factor_failed``."""
    client = Client()
    client.post("/account/login/", {"login": professional.username, "password": PASSWORD})
    start = newest()
    client.post("/account/2fa/authenticate/", {"code": "000000"})
    actions = [row[LOG_FIELDS.index("action")] for row in lines_after(start)]
    assert [action for action in actions if action != "two_factor_failed"] == []


def test_a_wrong_password_on_the_confirm_page_is_a_failed_login_of_the_user(
    professional: User,
) -> None:
    """A logged-in user who confirms their password wrongly (before a change to two-factor
    authentication) writes one ``login_failed`` line for their account."""
    client = Client()
    log_in_with_code(client, professional.username, PASSWORD, professional.totp_secret)
    start = newest()
    response = client.post("/account/reauthenticate/", {"password": "fout-wachtwoord-1"})
    assert (response.status_code, lines_after(start)) == (
        200,
        [line(professional, "login_failed", authorised=False)],
    )
