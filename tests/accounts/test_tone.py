"""The account pages speak Baken's Dutch: "je", never "u", and one term per thing
(docs/glossary.md, section Tone), django-allauth's own texts included."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from django.test import Client

from baken.accounts.models import Organisation, Role, User
from tests.accounts.conftest import PASSWORD
from tests.support import totp_code

pytestmark = pytest.mark.django_db

FORMAL = re.compile(r"\b(?:[Uu]|[Uu]w|[Uu]we|alstublieft|a\.u\.b\.)\b")
"""Formal address: "u", "uw", "de uwe", "alstublieft"."""

OTHER_TERMS = re.compile(
    r"twee-factor|tweefactor|authenticator code|authenticatiecode|authenticeer|"
    r"aanmeld|afmeld|afgemeld|---------",
    re.IGNORECASE,
)
"""Words Baken does not use: the glossary's term is used instead."""


class _VisibleText(HTMLParser):
    """The text a person sees or hears: text nodes, and alt, aria-label, placeholder and
    title attributes; not scripts or styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._hidden += 1
        for name, value in attrs:
            if name in {"alt", "aria-label", "placeholder", "title"} and value:
                self.parts.append(value)
        if tag == "option":
            self.parts.append("|")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def assert_in_tone(html: str) -> str:
    text = visible_text(html)
    assert FORMAL.findall(text) == [], text
    assert OTHER_TERMS.findall(text) == [], text
    return text


@pytest.fixture
def newcomer(make_user: Callable[..., User], organisation: Organisation) -> User:
    return make_user("proef-toon", Role.PROFESSIONAL, organisation, two_factor=False)


def test_login_and_its_errors_say_je(client: Client, professional: User) -> None:
    """The login page, and the page after a wrong password, use "je" and no other term."""
    assert "Inloggen" in assert_in_tone(client.get("/account/login/").content.decode())
    wrong = client.post("/account/login/", {"login": professional.username, "password": "x"})
    text = assert_in_tone(wrong.content.decode())
    assert "De gebruikersnaam of het wachtwoord klopt niet." in text


def test_code_entry_after_the_password(client: Client, professional: User) -> None:
    """The code page after the password says "tweestapsverificatie" and "verificatiecode";
    a wrong code is refused in the same tone."""
    client.post("/account/login/", {"login": professional.username, "password": PASSWORD})
    page = assert_in_tone(client.get("/account/2fa/authenticate/").content.decode())
    assert "Je account is beveiligd met tweestapsverificatie." in page
    assert "verificatiecode" in page
    wrong = assert_in_tone(
        client.post("/account/2fa/authenticate/", {"code": "000000"}).content.decode()
    )
    assert "Deze code klopt niet." in wrong


def test_set_up_page(newcomer: User, login: Callable[..., Client]) -> None:
    """The 2FA set-up page uses the glossary's terms and has one "Uitloggen" (the menu's)."""
    client = login(newcomer)
    html = client.get("/account/2fa/totp/activate/").content.decode()
    text = assert_in_tone(html)
    assert "Tweestapsverificatie instellen" in text
    assert "Verificatiecode" in text
    assert text.count("Uitloggen") == 1
    wrong = client.post("/account/2fa/totp/activate/", {"code": "000000"}).content.decode()
    assert "Deze code klopt niet." in assert_in_tone(wrong)


def test_re_authentication_pages(professional: User, login: Callable[..., Client]) -> None:
    """Confirming with the password or with a verificatiecode: "Bevestig dat jij het bent"."""
    client = login(professional)
    for url in ("/account/reauthenticate/", "/account/2fa/reauthenticate/"):
        text = assert_in_tone(client.get(url).content.decode())
        assert "Bevestig dat jij het bent" in text, url
        assert "Log opnieuw in om door te gaan." in text, url


def test_recovery_codes_and_the_2fa_overview(
    professional: User, login: Callable[..., Client]
) -> None:
    """The recovery codes, making new ones, and the 2FA overview, all in tone."""
    client = login(professional, reauthenticated=True)
    assert "Herstelcodes" in assert_in_tone(
        client.get("/account/2fa/recovery-codes/").content.decode()
    )
    assert "Je oude herstelcodes werken daarna niet meer." in assert_in_tone(
        client.get("/account/2fa/recovery-codes/generate/").content.decode()
    )
    assert "Tweestapsverificatie" in assert_in_tone(client.get("/account/2fa/").content.decode())


def test_logging_out(professional: User, login: Callable[..., Client]) -> None:
    """The logout page asks "Wil je uitloggen?"; afterwards the login page says "Je bent
    uitgelogd."."""
    client = login(professional)
    assert "Wil je uitloggen?" in assert_in_tone(client.get("/account/logout/").content.decode())
    after = client.post("/account/logout/", follow=True)
    assert "Je bent uitgelogd." in assert_in_tone(after.content.decode())


def test_management_forms_offer_kies_not_dashes(
    administrator: User, login: Callable[..., Client]
) -> None:
    """The select lists of the management forms start with "Kies…", not "---------"."""
    client = login(administrator)
    for url in ("/beheer/gebruikers/nieuw/", "/beheer/organisaties/nieuw/"):
        text = assert_in_tone(client.get(url).content.decode())
        assert "| Kies…" in text, url


@pytest.mark.django_db(transaction=True)
def test_a_code_from_the_app_finishes_set_up_in_tone(
    newcomer: User, login: Callable[..., Client]
) -> None:
    """After a correct code the recovery codes page says "Tweestapsverificatie is ingesteld."
    (allauth adds that message when the transaction commits: a real commit here)."""
    client = login(newcomer)
    html = client.get("/account/2fa/totp/activate/").content.decode()
    key = re.search(r'id="authenticator_secret" type="text" value="([A-Z2-7]+)"', html)
    assert key is not None
    done = client.post("/account/2fa/totp/activate/", {"code": totp_code(key.group(1))})
    page = client.get(done["Location"]).content.decode()
    assert "Tweestapsverificatie is ingesteld." in assert_in_tone(page)


def test_break_glass_says_once_that_access_is_logged(
    expert: User, login: Callable[..., Client]
) -> None:
    """The emergency-access page has one notice that access and reason are logged and
    reviewed, not a second one in the reason's help text; and it is in tone."""
    text = assert_in_tone(login(expert).get("/dossiers/noodtoegang/").content.decode())
    assert text.count("beoordeeld") == 1
    assert "Waarom je dit dossier nu nodig hebt, buiten het casusteam." in text
