"""The first-run setup link: only with no users, only from this machine, only once."""

from __future__ import annotations

import argparse
import hashlib
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user
from django.test import Client

from baken import cli
from baken.accounts.models import Role, SetupToken, User
from baken.accounts.setup import setup_link
from baken.audit.models import AccessEvent

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

BASE = "http://127.0.0.1:8000"


def _path(link: str) -> str:
    return urlsplit(link).path


def _form(**overrides: str) -> dict[str, str]:
    return {
        "username": "demo-beheer",
        "email": "beheer@voorbeeld.invalid",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }


def test_link_only_when_there_are_no_users(professional: User) -> None:
    """With any user in the database there is no setup link and no token is made."""
    assert setup_link(BASE) is None
    assert not SetupToken.objects.exists()


def test_link_stores_only_a_hash_and_replaces_older_links() -> None:
    """The link holds a token whose SHA-256 hash is stored; a new link disables the old one."""
    first = setup_link(BASE)
    assert first is not None
    assert first.startswith(f"{BASE}/beheer/installatie/")
    assert first.endswith("/")
    token = _path(first).rstrip("/").rsplit("/", 1)[1]
    stored = SetupToken.objects.get()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in stored.token_hash

    second = setup_link(BASE)
    assert second is not None and second != first
    assert SetupToken.objects.filter(used_at__isnull=True).count() == 1
    assert Client().get(_path(first)).status_code == 404
    assert Client().get(_path(second)).status_code == 200


def test_setup_creates_the_first_administrator_and_logs_them_in(client: Client) -> None:
    """A good form creates an active administrator without organisation, logged in, who
    must set up two-factor authentication before management opens."""
    link = setup_link(BASE)
    assert link is not None
    response = client.post(_path(link), _form())
    assert response.status_code == 302
    assert response["Location"] == "/beheer/"
    user = User.objects.get()
    assert user.username == "demo-beheer"
    assert user.role == Role.ADMINISTRATOR
    assert user.organisation is None
    assert user.is_active and user.check_password(PASSWORD)
    assert get_user(client).pk == user.pk
    assert SetupToken.objects.get().used_at is not None
    assert AccessEvent.objects.filter(
        action="first_administrator_created", detail="demo-beheer", dossier_id=None
    ).exists()
    manage = client.get("/beheer/")
    assert manage.status_code == 302 and manage["Location"] == "/account/2fa/totp/activate/"


def test_setup_works_only_once(client: Client) -> None:
    """After the first administrator exists, the same link answers 404 and makes nobody."""
    link = setup_link(BASE)
    assert link is not None
    client.post(_path(link), _form())
    again = Client()
    assert again.get(_path(link)).status_code == 404
    assert again.post(_path(link), _form(username="demo-tweede")).status_code == 404
    assert list(User.objects.values_list("username", flat=True)) == ["demo-beheer"]


def test_used_token_is_refused_even_without_users() -> None:
    """A token marked used stays dead, also if the database had no user for another reason."""
    link = setup_link(BASE)
    assert link is not None
    SetupToken.objects.update(used_at="2030-01-01T00:00:00Z")
    assert Client().get(_path(link)).status_code == 404


def test_setup_only_from_this_machine() -> None:
    """From another address, or through a proxy on this machine, the setup page is 404."""
    link = setup_link(BASE)
    assert link is not None
    path = _path(link)
    assert Client(REMOTE_ADDR="192.0.2.10").get(path).status_code == 404
    assert Client(REMOTE_ADDR="192.0.2.10").post(path, _form()).status_code == 404
    assert Client().get(path, HTTP_X_FORWARDED_FOR="192.0.2.10").status_code == 404
    assert Client(REMOTE_ADDR="::1").get(path).status_code == 200
    assert Client(REMOTE_ADDR="127.0.0.1").get(path).status_code == 200
    assert not User.objects.exists()


def test_unknown_token_is_404(client: Client) -> None:
    """A made-up token is 404, also while a real one exists."""
    setup_link(BASE)
    assert client.get("/beheer/installatie/verzonnen-token/").status_code == 404


def test_bad_password_keeps_the_username_but_not_the_passwords(client: Client) -> None:
    """A password the validators refuse gives a Dutch error; the username stays, passwords go."""
    link = setup_link(BASE)
    assert link is not None
    response = client.post(
        _path(link),
        _form(password1="12345678", password2="12345678"),  # noqa: S106
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="demo-beheer"' in html
    assert 'value="beheer@voorbeeld.invalid"' in html
    assert "12345678" not in html
    assert "Dit wachtwoord is te kort" in html
    assert 'aria-describedby="id_password2_helptext id_password2_error"' in html
    assert 'aria-invalid="true"' in html
    assert not User.objects.exists()
    assert SetupToken.objects.get().used_at is None


def test_mismatched_passwords_error_in_dutch(client: Client) -> None:
    """Two different passwords give Django's Dutch mismatch message."""
    link = setup_link(BASE)
    assert link is not None
    response = client.post(_path(link), _form(password2=PASSWORD + "x"))
    assert response.status_code == 200
    assert "De twee wachtwoordvelden komen niet overeen." in response.content.decode()


def test_serve_prints_the_link_when_there_are_no_users(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``baken serve`` prints the one-time link after migrating, before it starts serving."""
    import waitress

    served: list[object] = []
    monkeypatch.setattr(waitress, "serve", lambda app, **kwargs: served.append(kwargs))
    cli.cmd_serve(argparse.Namespace(host="127.0.0.1", port=8123, with_worker=False))
    out = capsys.readouterr().out
    assert (
        "No users yet. Create the first administrator (functioneel beheerder), once, "
        "from this machine:\n  http://127.0.0.1:8123/beheer/installatie/" in out
    )
    assert served
    assert SetupToken.objects.filter(used_at__isnull=True).count() == 1


def test_serve_prints_no_link_when_users_exist(
    administrator: User,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """With users, ``baken serve`` prints no setup link."""
    import waitress

    monkeypatch.setattr(waitress, "serve", lambda app, **kwargs: None)
    cli.cmd_serve(argparse.Namespace(host="127.0.0.1", port=8123, with_worker=False))
    assert "installatie" not in capsys.readouterr().out
