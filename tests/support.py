"""Helpers for tests that need two-factor authentication and re-authentication."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from allauth.account.internal.flows.login import (
    _AUTHENTICATION_METHODS_USER_SESSION_KEY as AUTHENTICATION_METHODS_USER_SESSION_KEY,
)
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from baken.accounts.models import User

SECRETS: dict[str, str] = {}
"""The authenticator secret of every synthetic user set up here, by username (for the
browser tests, which log in as a person does)."""


def enrol_totp(user: User) -> str:
    """Set up an authenticator app (and recovery codes) for ``user``; returns the secret,
    which is also kept on the object as ``user.totp_secret`` for the test's convenience."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    user.totp_secret = secret  # type: ignore[attr-defined]
    SECRETS[user.username] = secret
    return secret


def totp_code(secret: str, *, offset: int = 0) -> str:
    """The code an authenticator app shows now (``offset`` periods later or earlier)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))


def mark_reauthenticated(client: Client, user: User) -> None:
    """Record in the client's session that ``user`` confirmed their password just now, as
    django-allauth's re-authentication page does."""
    session = client.session
    session[AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    records = list(session.get("account_authentication_methods", []))
    records.append({"method": "password", "at": time.time(), "reauthenticated": True})
    session["account_authentication_methods"] = records
    session.save()


def log_in_with_code(client: Client, username: str, password: str, secret: str) -> str:
    """Log in as a person does: password, then the authenticator code. Returns where Baken
    sends the user afterwards."""
    first = client.post("/account/login/", {"login": username, "password": password})
    assert first.status_code == 302, "the password was not accepted"
    assert first["Location"] == "/account/2fa/authenticate/", first["Location"]
    second = client.post("/account/2fa/authenticate/", {"code": totp_code(secret)})
    assert second.status_code == 302, "the authenticator code was not accepted"
    return str(second["Location"])


LOG_FIELDS = (
    "user_id",
    "role",
    "organisation_id",
    "responsible_organisation_id",
    "dossier_id",
    "entry_sequence",
    "code",
    "action",
    "purpose",
    "authorised",
    "case_team",
    "consent",
    "break_glass",
    "detail",
)
"""The fields of an access-log line a test compares (all but id, uid, time and MAC)."""


def newest() -> int:
    """The id of the newest access-log line, 0 when there is none."""
    from baken.audit.models import AccessEvent

    return AccessEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def lines_after(position: int) -> list[tuple[Any, ...]]:
    """The access-log lines after id ``position``, oldest first, as LOG_FIELDS tuples."""
    from baken.audit.models import AccessEvent

    return list(AccessEvent.objects.filter(pk__gt=position).order_by("pk").values_list(*LOG_FIELDS))


def our_urls() -> Iterator[tuple[str, URLPattern]]:
    """(name, pattern) for every URL of Baken's own apps (django-allauth's are its own)."""

    def walk(patterns: list[Any], namespace: str) -> Iterator[tuple[str, URLPattern]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if "allauth" in str(pattern.urlconf_name):
                    continue
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, inner)
            else:
                yield f"{namespace}{pattern.name}", pattern

    yield from walk(get_resolver().url_patterns, "")


def conversation(consent: str) -> dict[str, Any]:
    """A conversation entry's answers (synthetic), with ``consent`` to involve others."""
    return {
        "held": "yes",
        "held_on": "2026-11-20",
        "discussed": "Het gesprek.",
        "reaction": "",
        "risk_factors": "",
        "protective_factors": "",
        "consent_to_involve": consent,
        "consent_to_report": "not_asked",
        "follow_up": "",
        "not_held_reason": "",
    }
