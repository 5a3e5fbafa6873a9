"""The 2FA set-up page keeps its pending key for the session until it is confirmed."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.test import Client

from baken.accounts.models import Organisation, Role, User
from tests.support import totp_code

pytestmark = pytest.mark.django_db

SET_UP = "/account/2fa/totp/activate/"


def _key(client: Client) -> str:
    page = client.get(SET_UP)
    assert page.status_code == 200
    found = re.search(
        r'id="authenticator_secret" type="text" value="([A-Z2-7]+)"', page.content.decode()
    )
    assert found is not None
    return found.group(1)


@pytest.fixture
def newcomer(make_user: Callable[..., User], organisation: Organisation) -> User:
    return make_user("proef-sleutel", Role.PROFESSIONAL, organisation, two_factor=False)


def test_reloading_the_set_up_page_shows_the_same_key(
    newcomer: User, login: Callable[..., Client]
) -> None:
    """Two loads of the set-up page in one session show the same key, and a code from an
    app that scanned the first load activates two-factor authentication."""
    client = login(newcomer)
    first = _key(client)
    assert _key(client) == first
    done = client.post(SET_UP, {"code": totp_code(first)})
    assert done.status_code == 302
    assert done["Location"] == "/account/2fa/recovery-codes/"
    assert Authenticator.objects.filter(user=newcomer, type=Authenticator.Type.TOTP).count() == 1


def test_a_wrong_code_keeps_the_pending_key(newcomer: User, login: Callable[..., Client]) -> None:
    """A wrong code is refused and the page shows the same key again."""
    client = login(newcomer)
    first = _key(client)
    wrong = client.post(SET_UP, {"code": "000000"})
    assert wrong.status_code == 200
    assert first in wrong.content.decode()
    assert _key(client) == first


def test_confirming_drops_the_pending_key(newcomer: User, login: Callable[..., Client]) -> None:
    """Once the key is confirmed it is no longer kept in the session."""
    client = login(newcomer)
    key = _key(client)
    assert client.session[SECRET_SESSION_KEY] == key
    client.post(SET_UP, {"code": totp_code(key)})
    assert SECRET_SESSION_KEY not in client.session


def test_another_session_gets_another_key(newcomer: User, login: Callable[..., Client]) -> None:
    """Each session has its own pending key: a second login gets a different one."""
    assert _key(login(newcomer)) != _key(login(newcomer))
