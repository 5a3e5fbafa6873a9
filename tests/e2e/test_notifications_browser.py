"""The berichten page in a real Chromium, at phone (360×740) and desktop size: it fits, no
text is clipped, axe finds nothing serious, and the menu shows the unread count.

Uses the browser fixtures of tests/e2e/conftest.py and the layout check.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext

from baken.accounts.models import Organisation, OrganisationKind, Role, User
from baken.notifications.models import Notification, NotificationKind
from baken.notifications.services import notify
from tests.e2e.conftest import log_in
from tests.e2e.test_layout_browser import _check
from tests.support import enrol_totp

SHOTS = Path(tempfile.gettempdir())
"""Where the phone screenshot goes, to look at by hand (never into docs/)."""

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_berichten_page_fits_a_phone_and_a_desktop(
    new_context: Callable[..., BrowserContext],
    live_server: Any,
) -> None:
    """A Veilig Thuis adviser with a bericht of every kind, about an organisation with a
    long name, some read: the list passes the layout and axe checks at both sizes, and the
    menu's count is the number of unread berichten."""
    vt = Organisation.objects.create(
        name="Veilig Thuis Proef-Gelderland-Midden-en-omstreken", kind=OrganisationKind.VEILIG_THUIS
    )
    adviser = User.objects.create_user(
        username="proef-vt",
        password="proef-wachtwoord-42!",
        role=Role.VEILIG_THUIS_ADVISER,
        organisation=vt,
    )
    enrol_totp(adviser)
    for kind in NotificationKind:
        notify([adviser], kind, "/dossiers/", organisation=vt)
    read = Notification.objects.filter(kind=NotificationKind.NEW_REPORT)
    read.update(read_at=read.get().created_at)
    page = new_context().new_page()
    log_in(page, live_server.url, adviser.username)
    problems = _check(page, f"{live_server.url}/berichten/", "berichten", dossier_page=False)
    page.set_viewport_size({"width": 360, "height": 740})
    page.screenshot(path=str(SHOTS / "berichten-phone.png"), full_page=True)
    count = page.locator(".baken-count").first.inner_text()
    assert (problems, re.sub(r"\D", "", count)) == ([], str(len(NotificationKind) - 1))
