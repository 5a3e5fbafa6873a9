"""Findings of the security review of issue 4, each pinned by a test: the authenticator
code cannot be guessed by trying, a move to another organisation ends the old case teams,
rotation covers every encrypted field, a 2FA reset ends open sessions, and odd input on the
review list gets an answer instead of an error."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user
from django.db import connection
from django.test import Client

from baken.accounts.models import Organisation, OrganisationKind, Role, User
from baken.accounts.services import change_role, reset_two_factor
from baken.crypto import Keyring
from baken.crypto.fields import _keyring, keyring
from baken.crypto.rotate import rotate
from baken.dossiers import services
from baken.dossiers.break_glass import open_with_break_glass, review
from baken.dossiers.models import Dossier
from baken.dossiers.selectors import access_to
from tests.fixtures import PASSWORD
from tests.support import totp_code

pytestmark = pytest.mark.django_db

REASON = "Melding bij Veilig Thuis over deze casus; afstemming met het wijkteam nodig."
OBSERVATION = {"nature": "fact", "observed_on": "2026-11-20", "source": "x", "description": "x"}


@pytest.fixture
def adviser(make_user: Callable[..., User]) -> User:
    vt = Organisation.objects.create(name="Veilig Thuis Proef", kind=OrganisationKind.VEILIG_THUIS)
    return make_user("proef-vt", Role.VEILIG_THUIS_ADVISER, vt)


def _wrong(secret: str) -> str:
    return "000000" if totp_code(secret) != "000000" else "111111"


def test_the_authenticator_code_cannot_be_guessed_by_trying(professional: User) -> None:
    """After the password, ten wrong codes stop the login: even the right code is then
    refused for a while."""
    client = Client()
    client.post("/account/login/", {"login": professional.username, "password": PASSWORD})
    for _ in range(10):
        client.post("/account/2fa/authenticate/", {"code": _wrong(professional.totp_secret)})
    right = client.post("/account/2fa/authenticate/", {"code": totp_code(professional.totp_secret)})
    assert right.get("Location") != "/dossiers/"
    assert not get_user(client).is_authenticated


def test_a_move_to_another_organisation_ends_the_old_case_teams(
    professional: User,
    administrator: User,
    other_organisation: Organisation,
    open_dossier: Callable[..., Dossier],
    login: Callable[..., Client],
) -> None:
    """Case teams are one organisation's: a user moved elsewhere no longer reads, exports
    or records in the old organisation's dossiers."""
    dossier = open_dossier()
    change_role(
        by=administrator, user=professional, role=Role.PROFESSIONAL, organisation=other_organisation
    )
    moved = User.objects.get(pk=professional.pk)
    client = login(moved, reauthenticated=True)
    assert client.get(f"/dossiers/{dossier.pk}/").status_code == 404
    assert client.get(f"/dossiers/{dossier.pk}/export.json").status_code == 404
    with pytest.raises(Exception, match="no such dossier"):
        services.record(access_to(moved, dossier.pk), "observation", OBSERVATION, seen_sequence=0)


def test_rotation_covers_break_glass_reasons_and_review_notes(
    adviser: User,
    administrator: User,
    open_dossier: Callable[..., Dossier],
    settings: object,
) -> None:
    """Every encrypted field is rotated, found from the models: the break-glass reason and
    the review note too, so the old key can be dropped."""
    grant = open_with_break_glass(adviser, open_dossier().pk, REASON)
    review(administrator, grant.pk, "Gecontroleerd, terecht.")
    old = settings.BAKEN_ENCRYPTION_KEYS  # type: ignore[attr-defined]
    settings.BAKEN_ENCRYPTION_KEYS = f"{Keyring.generate()},{old}"  # type: ignore[attr-defined]
    try:
        rotate()
        with connection.cursor() as cursor:
            cursor.execute("SELECT reason, review_note FROM dossiers_breakglassgrant")
            tokens = cursor.fetchone()
        assert not any(keyring().needs_rotation(token) for token in tokens)
    finally:
        _keyring.cache_clear()


def test_a_two_factor_reset_ends_the_users_open_sessions(
    professional: User, administrator: User, login: Callable[..., Client]
) -> None:
    """A session left open on a lost phone or laptop is logged out by the reset, so it
    cannot set up its own authenticator app."""
    left_open = login(professional)
    assert left_open.get("/dossiers/").status_code == 200
    other = login(administrator)
    reset_two_factor(by=administrator, user=professional)
    answer = left_open.get("/account/2fa/totp/activate/")
    assert answer.status_code == 302 and "/account/login/" in answer["Location"]
    assert other.get("/beheer/").status_code == 200


@pytest.mark.parametrize("grant", ["²", "9" * 5000, "", "abc"])
def test_odd_grant_ids_on_the_review_list_get_a_message(
    administrator: User, login: Callable[..., Client], grant: str
) -> None:
    """A grant id that is not a number from the list is answered with a Dutch message, not
    an error page."""
    client = login(administrator)
    body = urlencode({"grant": grant, f"g{grant}-note": "Gecontroleerd, terecht."})
    response = client.post(
        "/beheer/noodtoegang/",
        body,
        content_type="application/x-www-form-urlencoded",
        follow=True,
    )
    assert response.status_code == 200
    assert "Kies een noodtoegang uit de lijst." in response.content.decode()


def test_break_glass_pages_offer_no_forms(
    adviser: User, open_dossier: Callable[..., Dossier], login: Callable[..., Client]
) -> None:
    """Under break-glass the dossier pages show no acute-danger button, no details link, no
    step forms and no way to add a colleague: the access is read-only."""
    dossier = open_dossier()
    open_with_break_glass(adviser, dossier.pk, REASON)
    client = login(adviser)
    for url in (f"/dossiers/{dossier.pk}/stap/1/", f"/dossiers/{dossier.pk}/team/"):
        html = client.get(url).content.decode()
        assert 'method="post"' not in html.split('id="inhoud"', 1)[1].replace(
            'action="/account/logout/"', ""
        ), url
