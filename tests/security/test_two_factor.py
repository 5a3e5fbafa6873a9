"""Two-factor authentication is mandatory, its secrets are encrypted, and the functioneel
beheerder resets it after a lost phone; sensitive management needs re-authentication."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user
from django.db import connection
from django.test import Client

from baken.accounts.models import Organisation, Role, User
from baken.audit.models import AccessEvent
from tests.fixtures import PASSWORD
from tests.support import log_in_with_code, totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(make_user: Callable[..., User], organisation: Organisation) -> User:
    return make_user("proef-nieuw", Role.PROFESSIONAL, organisation, two_factor=False)


def test_without_an_authenticator_app_every_page_leads_to_its_set_up(
    newcomer: User, login: Callable[..., Client]
) -> None:
    """A logged-in user without 2FA is sent to the set-up page from the dossiers and the
    management pages; only the set-up, logging out and the public handbook stay open."""
    client = login(newcomer)
    for url in ("/", "/dossiers/", "/dossiers/nieuw/", "/beheer/", "/account/password/change/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == "/account/2fa/totp/activate/", url
    assert client.get("/handboek/").status_code == 200
    page = client.get("/account/2fa/totp/activate/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Tweestapsverificatie instellen" in html
    assert 'src="data:image/svg+xml;base64,' in html


def test_htmx_requests_are_sent_to_the_set_up_page_whole(
    newcomer: User, login: Callable[..., Client]
) -> None:
    """An htmx request gets HX-Redirect, so the set-up page is not swapped into a fragment."""
    response = login(newcomer).get("/dossiers/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == "/account/2fa/totp/activate/"


def test_setting_up_the_app_opens_baken_and_shows_recovery_codes(
    newcomer: User, login: Callable[..., Client]
) -> None:
    """Entering the app's code activates TOTP, shows ten recovery codes, and opens the
    dossiers; a wrong code is refused in Dutch and activates nothing."""
    client = login(newcomer)
    page = client.get("/account/2fa/totp/activate/").content.decode()
    secret = re.search(r'id="authenticator_secret" type="text" value="([A-Z2-7]+)"', page)
    assert secret is not None
    wrong = client.post("/account/2fa/totp/activate/", {"code": "000000"})
    assert wrong.status_code == 200
    assert "Deze code klopt niet." in wrong.content.decode()
    assert not Authenticator.objects.filter(user=newcomer).exists()
    done = client.post("/account/2fa/totp/activate/", {"code": totp_code(secret.group(1))})
    assert done.status_code == 302 and done["Location"] == "/account/2fa/recovery-codes/"
    codes = client.get(done["Location"]).content.decode()
    assert codes.count('<code class="utrecht-code">') == 10
    assert client.get("/dossiers/").status_code == 200


def test_login_asks_for_the_code_and_a_recovery_code_works_once(
    client: Client, professional: User
) -> None:
    """After the password Baken asks for the authenticator code; without it nothing opens.
    A recovery code stands in for the app once, not twice."""
    first = client.post("/account/login/", {"login": professional.username, "password": PASSWORD})
    assert first["Location"] == "/account/2fa/authenticate/"
    assert not get_user(client).is_authenticated
    assert client.get("/dossiers/").status_code == 302
    wrong = client.post("/account/2fa/authenticate/", {"code": "123456"})
    assert wrong.status_code == 200 and not get_user(client).is_authenticated
    recovery = Authenticator.objects.get(user=professional, type="recovery_codes")
    code = recovery.wrap().get_unused_codes()[0]
    assert client.post("/account/2fa/authenticate/", {"code": code}).status_code == 302
    assert get_user(client).pk == professional.pk
    client.post("/account/logout/")
    again = Client()
    again.post("/account/login/", {"login": professional.username, "password": PASSWORD})
    reused = again.post("/account/2fa/authenticate/", {"code": code})
    assert reused.status_code == 200 and not get_user(again).is_authenticated
    assert log_in_with_code(again, professional.username, PASSWORD, professional.totp_secret)


def test_the_secret_is_stored_encrypted(professional: User) -> None:
    """The TOTP secret is not in the database as plain text: only Baken's ciphertext."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT data FROM mfa_authenticator WHERE user_id = %s AND type = 'totp'",
            [professional.pk],
        )
        (stored,) = cursor.fetchone()
    assert professional.totp_secret not in str(stored)
    assert "enc2:" in str(stored)


def test_two_factor_cannot_be_switched_off(
    professional: User, login: Callable[..., Client]
) -> None:
    """Deactivating the authenticator app is refused; the app stays active."""
    client = login(professional, reauthenticated=True)
    response = client.post("/account/2fa/totp/deactivate/", {})
    assert response.status_code == 200
    assert Authenticator.objects.filter(user=professional, type="totp").exists()


def test_the_administrator_resets_two_factor_after_reauthentication(
    administrator: User, professional: User, login: Callable[..., Client]
) -> None:
    """Resetting another user's 2FA first asks the functioneel beheerder to confirm their
    password; then it removes the authenticators, is logged, and the user must set up 2FA
    again."""
    url = f"/beheer/gebruikers/{professional.pk}/tweestapsverificatie-herstellen/"
    client = login(administrator)
    ask = client.post(url)
    assert ask.status_code == 302 and ask["Location"].startswith("/account/reauthenticate/")
    assert Authenticator.objects.filter(user=professional).exists()
    confirmed = client.post(ask["Location"], {"password": PASSWORD})
    assert confirmed.status_code == 302
    assert not Authenticator.objects.filter(user=professional).exists()
    assert AccessEvent.objects.filter(action="two_factor_reset", detail=professional.username)
    own = login(administrator, reauthenticated=True).post(
        f"/beheer/gebruikers/{administrator.pk}/tweestapsverificatie-herstellen/", follow=True
    )
    assert "niet je eigen tweestapsverificatie" in own.content.decode()


def test_role_change_needs_reauthentication_and_is_logged(
    administrator: User, professional: User, login: Callable[..., Client]
) -> None:
    """The role page asks for re-authentication; then a role change applies at once and is
    logged; a role without organisation is refused in Dutch with the choice kept."""
    url = f"/beheer/gebruikers/{professional.pk}/rol/"
    assert login(administrator).get(url).status_code == 302
    client = login(administrator, reauthenticated=True)
    assert client.get(url).status_code == 200
    refused = client.post(url, {"role": Role.DESIGNATED_EXPERT, "organisation": ""})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "Kies de organisatie" in html
    assert 'value="designated_expert" selected' in html
    done = client.post(
        url, {"role": Role.DESIGNATED_EXPERT, "organisation": professional.organisation_id}
    )
    assert done.status_code == 302
    professional.refresh_from_db()
    assert professional.role == Role.DESIGNATED_EXPERT
    line = AccessEvent.objects.get(action="user_role_changed")
    assert line.user_id == administrator.pk and "professional>designated_expert" in line.detail
