"""The export asks for the password or code again unless the user confirmed it within the
re-authentication window (ACCOUNT_REAUTHENTICATION_TIMEOUT, five minutes): Baken reads the
window from the session itself (``baken.accounts.two_factor.sensitive``), and lets
django-allauth decide whenever it is not plainly open."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from baken.accounts.models import User
from baken.dossiers.models import Dossier
from tests.support import AUTHENTICATION_METHODS_USER_SESSION_KEY


def _confirmed(client: Client, user: User, seconds_ago: float | None) -> None:
    """Record in the session a re-authentication ``seconds_ago`` (None: only the login), as
    django-allauth's pages record it."""
    session = client.session
    session[AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    records = [{"method": "password", "at": time.time() - 3600}]
    if seconds_ago is not None:
        records.append(
            {"method": "password", "at": time.time() - seconds_ago, "reauthenticated": True}
        )
    session["account_authentication_methods"] = records
    session.save()


@pytest.mark.parametrize(
    ("seconds_ago", "where"),
    [
        (None, "/account/reauthenticate/"),
        (settings.ACCOUNT_REAUTHENTICATION_TIMEOUT + 1, "/account/reauthenticate/"),
        (10, ""),
    ],
    ids=["never", "outside the window", "within the window"],
)
def test_the_export_asks_again_outside_the_window(
    professional: User,
    open_dossier: Callable[..., Dossier],
    login: Callable[[User], Client],
    seconds_ago: float | None,
    where: str,
) -> None:
    """No re-authentication, or one just over five minutes ago: the export sends the user
    to confirm their password; one ten seconds ago: the export is shown (200)."""
    dossier = open_dossier()
    client = login(professional)
    _confirmed(client, professional, seconds_ago)
    response = client.get(reverse("dossiers:export", args=[dossier.pk]))
    found = (response.status_code, response.get("Location", "").split("?")[0])
    assert found == ((302, where) if where else (200, ""))
