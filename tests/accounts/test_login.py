"""Logging in with django-allauth in Baken's own layout, in Dutch; no sign-up."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user
from django.test import Client

from baken.accounts.models import User
from tests.support import log_in_with_code

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_page_is_dutch_in_bakens_layout(client: Client) -> None:
    """The login page extends web/base.html, uses the utrecht classes and speaks Dutch."""
    response = client.get("/account/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="nl"' in html
    assert "utrecht-heading-1" in html
    assert "utrecht-textbox" in html
    assert "utrecht-button utrecht-button--primary-action" in html
    assert "utrecht-form-field" in html
    assert "Gebruikersnaam" in html
    assert "Wachtwoord" in html
    assert "Inloggen" in html
    assert "/account/signup/" not in html
    assert "Naar de inhoud" in html  # the skip link of web/base.html


def test_professional_logs_in_and_lands_on_the_dossiers(client: Client, professional: User) -> None:
    """A professional with the right password and authenticator code is logged in and sent
    to the dossier list."""
    landing = log_in_with_code(client, "demo-wijkteam", PASSWORD, professional.totp_secret)
    assert landing == "/dossiers/"
    assert get_user(client).pk == professional.pk


def test_administrator_logs_in_and_lands_on_management(client: Client, administrator: User) -> None:
    """The functioneel beheerder starts at management, not at the dossiers."""
    landing = log_in_with_code(client, "demo-beheer", PASSWORD, administrator.totp_secret)
    assert landing == "/beheer/"


def test_wrong_password_gives_a_dutch_error(client: Client, professional: User) -> None:
    """A wrong password keeps the user out with a Dutch message and keeps the username."""
    response = client.post(
        "/account/login/", {"login": "demo-wijkteam", "password": "niet-het-wachtwoord"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "De gebruikersnaam of het wachtwoord klopt niet." in html
    assert 'value="demo-wijkteam"' in html
    assert not get_user(client).is_authenticated


def test_deactivated_user_cannot_log_in(client: Client, professional: User) -> None:
    """A deactivated user is not logged in, even with the right password."""
    professional.is_active = False
    professional.save()
    client.post("/account/login/", {"login": "demo-wijkteam", "password": PASSWORD})
    assert not get_user(client).is_authenticated


def test_sign_up_is_closed(client: Client) -> None:
    """The sign-up URL offers no form, in Dutch; posting to it makes no user."""
    response = client.get("/account/signup/")
    html = response.content.decode()
    assert "<form" not in html.split('id="inhoud"', 1)[1].split("</main>", 1)[0]
    assert "password1" not in html
    assert "Je kunt niet zelf een account aanmaken" in html
    client.post(
        "/account/signup/",
        {"username": "demo-indringer", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert not User.objects.filter(username="demo-indringer").exists()


def test_logout_by_post(client: Client, professional: User) -> None:
    """Logging out is a POST to account_logout and ends the session."""
    client.force_login(professional)
    response = client.post("/account/logout/")
    assert response.status_code == 302
    assert not get_user(client).is_authenticated


def test_logout_and_password_reset_pages_in_bakens_layout(
    client: Client, professional: User
) -> None:
    """The logout confirmation and the password reset page use web/base.html and utrecht."""
    client.force_login(professional)
    logout = client.get("/account/logout/").content.decode()
    assert "utrecht-heading-1" in logout
    assert "utrecht-button utrecht-button--primary-action" in logout
    assert "Wil je uitloggen?" in logout
    client.logout()
    reset = client.get("/account/password/reset/").content.decode()
    assert "utrecht-heading-1" in reset
    assert "utrecht-textbox" in reset
    assert "Naar de inhoud" in reset
