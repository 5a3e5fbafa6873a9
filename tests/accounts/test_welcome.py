"""The first administrator's welcome shows after two-factor authentication is set up."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client

from baken.accounts.setup import setup_link
from tests.support import totp_code

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

WELCOME = "Welkom, demo-beheer. Begin met het toevoegen van de organisaties"


def test_welcome_waits_for_two_factor_set_up() -> None:
    """After the first-run form the 2FA set-up page shows no welcome; once the app is set
    up, the management page shows it, and only once."""
    link = setup_link("http://127.0.0.1:8000")
    assert link is not None
    client = Client()
    created = client.post(
        urlsplit(link).path,
        {
            "username": "demo-beheer",
            "email": "beheer@voorbeeld.invalid",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        follow=True,
    )
    assert created.redirect_chain[-1][0] == "/account/2fa/totp/activate/"
    html = created.content.decode()
    assert WELCOME not in html
    key = re.search(r'id="authenticator_secret" type="text" value="([A-Z2-7]+)"', html)
    assert key is not None
    done = client.post("/account/2fa/totp/activate/", {"code": totp_code(key.group(1))})
    assert done["Location"] == "/account/2fa/recovery-codes/"
    assert WELCOME not in client.get("/account/2fa/recovery-codes/").content.decode()
    assert WELCOME in client.get("/beheer/").content.decode()
    assert WELCOME not in client.get("/beheer/").content.decode()
