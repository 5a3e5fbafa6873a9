"""Every error a user can meet is a Dutch page in Baken's layout: the acute-danger box with
the police number, the menu and a way to log out. The 404 is the same page for a dossier
that does not exist and for one outside the user's need to know, and the 500 page is shown
while the database cannot be reached."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator

import pytest
from allauth.core.ratelimit import respond_429
from django.conf import settings
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse

from baken.accounts.models import User
from baken.dossiers.models import Dossier
from baken.web.views import error_page

pytestmark = pytest.mark.django_db

ACUTE_BOX = 'class="utrecht-alert utrecht-alert--error baken-acute"'
POLICE_LINK = 'href="tel:112"'
LOGOUT_FORM = f'action="{reverse("account_logout")}"'


def _normalised(html: str) -> str:
    """The page without what differs from response to response: the CSRF token (masked
    anew each time) and the CSP nonce."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken"', html)
    return re.sub(r'nonce="[^"]*"', 'nonce=""', html)


def _assert_dutch_layout(html: str, heading: str) -> None:
    """The page is Dutch, has the given heading in the base layout, the acute-danger box with
    the 112 link, and the main menu."""
    assert '<html lang="nl"' in html
    assert f'<h1 class="utrecht-heading-1">{heading}</h1>' in html
    assert ACUTE_BOX in html
    assert POLICE_LINK in html
    assert 'aria-label="Hoofdmenu"' in html
    for english in ("Not Found", "Server Error", "Forbidden", "Bad Request"):
        assert english not in html


def test_a_missing_dossier_and_one_outside_the_need_to_know_get_the_same_dutch_404(
    login: Callable[..., Client], open_dossier: Callable[..., Dossier], outsider: User
) -> None:
    """A professional of another organisation asks for a colleague's dossier and for a dossier
    id that does not exist: both answers are 404 with the same bytes (apart from the CSRF
    token and the CSP nonce), the Dutch 'Pagina niet gevonden' page in the layout with the
    logout button."""
    theirs = open_dossier()
    client = login(outsider)
    not_yours = client.get(reverse("dossiers:detail", args=[theirs.pk]))
    missing = client.get(reverse("dossiers:detail", args=[uuid.uuid4()]))
    assert (not_yours.status_code, missing.status_code) == (404, 404)
    assert _normalised(not_yours.text) == _normalised(missing.text)
    _assert_dutch_layout(missing.text, "Pagina niet gevonden")
    assert LOGOUT_FORM in missing.text
    assert str(theirs.pk) not in not_yours.text


def test_a_step_of_a_dossier_outside_the_need_to_know_is_the_same_404_as_a_missing_one(
    login: Callable[..., Client], open_dossier: Callable[..., Dossier], outsider: User
) -> None:
    """Deeper dossier URLs answer the same: step 2 of a colleague's dossier and of a missing
    dossier give byte-identical Dutch 404 pages."""
    theirs = open_dossier()
    client = login(outsider)
    not_yours = client.get(reverse("dossiers:step", args=[theirs.pk, 2]))
    missing = client.get(reverse("dossiers:step", args=[uuid.uuid4(), 2]))
    assert (not_yours.status_code, missing.status_code) == (404, 404)
    assert _normalised(not_yours.text) == _normalised(missing.text)


def test_a_malformed_request_gets_the_dutch_400_page() -> None:
    """A request for a host Baken does not serve (Django refuses it as suspicious) gets the
    Dutch 400 page in the layout."""
    response = Client().get(reverse("web:home"), HTTP_HOST="niet-baken.example")
    assert response.status_code == 400
    _assert_dutch_layout(response.text, "Het verzoek is niet begrepen")


def test_a_form_without_its_csrf_token_gets_the_dutch_403_page(
    login: Callable[..., Client], professional: User
) -> None:
    """Logging out with a form whose CSRF token is missing (an expired form) gets the Dutch
    403 page in the layout, not Django's English CSRF page."""
    client = login(professional)
    client.handler.enforce_csrf_checks = True
    response = client.post(reverse("account_logout"))
    assert response.status_code == 403
    _assert_dutch_layout(response.text, "Niet toegestaan")
    assert "CSRF" not in response.text


def test_a_wrong_method_gets_the_dutch_405_page_with_the_allowed_methods(
    login: Callable[..., Client], open_dossier: Callable[..., Dossier], professional: User
) -> None:
    """Opening the save address of a form in the browser (GET where only POST is accepted)
    gets 405 with 'Allow: POST' and the Dutch page in the layout."""
    dossier = open_dossier()
    client = login(professional)
    response = client.get(reverse("dossiers:record", args=[dossier.pk, "observation"]))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    _assert_dutch_layout(response.text, "Dit kan hier niet")
    assert LOGOUT_FORM in response.text


def test_a_bare_conflict_gets_the_dutch_409_page(professional: User) -> None:
    """The one helper every bare error response goes through renders the Dutch 409 page in
    the layout, with status 409."""
    request = RequestFactory().get("/dossiers/")
    request.user = professional
    response = error_page(request, 409)
    assert response.status_code == 409
    html = response.content.decode()
    _assert_dutch_layout(html, "Intussen veranderd")
    assert LOGOUT_FORM in html


def test_a_rate_limit_gets_the_dutch_429_page(professional: User) -> None:
    """django-allauth's rate limit answer (it looks up ``handler429`` in the URL
    configuration) is the Dutch 429 page in the layout."""
    request = RequestFactory().post("/account/login/")
    request.user = professional
    response = respond_429(request)
    assert response.status_code == 429
    _assert_dutch_layout(response.content.decode(), "Te veel pogingen")


@pytest.fixture
def logged_in(login: Callable[..., Client], professional: User) -> Client:
    """A professional's client, logged in while the database still answers."""
    return login(professional)


@pytest.fixture
def database_unreachable(logged_in: Client) -> Iterator[None]:
    """Point the database connection at a SQLite file in a directory that does not exist for
    the duration of the test (after logging in), so every query fails as with a database
    that is down."""
    real = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = str(settings.VAR_DIR / "bestaat-niet" / "weg.sqlite3")
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = real


@pytest.mark.django_db(transaction=True)
def test_the_503_page_shows_while_the_database_is_unreachable(
    logged_in: Client, database_unreachable: None
) -> None:
    """A logged-in professional opens the dossier list while the database cannot be reached
    (its session cannot even be read): the answer is 503 with the Dutch 'Baken is even niet
    bereikbaar' page in the layout, with the acute-danger box, the menu and the way to the
    logout page, and no 'Er ging iets mis'."""
    logged_in.raise_request_exception = False
    response = logged_in.get(reverse("dossiers:list"))
    assert response.status_code == 503
    _assert_dutch_layout(response.text, "Baken is even niet bereikbaar")
    assert "Er ging iets mis" not in response.text
    assert f'href="{reverse("account_logout")}"' in response.text
