"""The functioneel beheerder's pages and the first-run set-up page in Chromium: axe-core finds
no serious or critical violation, empty and with errors shown."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, expect

from baken.accounts.models import Organisation, OrganisationKind, Role, User
from baken.accounts.setup import setup_link
from tests.e2e.conftest import PASSWORD, describe, log_in, serious_violations
from tests.support import enrol_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("path", "submit_empty"),
    [
        ("/beheer/", False),
        ("/beheer/organisaties/nieuw/", False),
        ("/beheer/organisaties/nieuw/", True),
        ("/beheer/gebruikers/nieuw/", False),
        ("/beheer/gebruikers/nieuw/", True),
        ("/beheer/noodtoegang/", False),
    ],
)
def test_management_pages_pass_axe(
    new_context: Callable[..., BrowserContext], live_server: Any, path: str, submit_empty: bool
) -> None:
    """The overview and both forms (also re-shown with errors) have no serious axe finding."""
    Organisation.objects.create(
        name="Wijkteam Proef-Noord", kind=OrganisationKind.NEIGHBOURHOOD_TEAM
    )
    enrol_totp(
        User.objects.create_user(
            username="proef-beheer", password=PASSWORD, role=Role.ADMINISTRATOR, organisation=None
        )
    )
    page = new_context().new_page()
    log_in(page, live_server.url, "proef-beheer")
    page.goto(f"{live_server.url}{path}")
    if submit_empty:
        form = page.locator("main form").last
        form.evaluate("form => { form.noValidate = true; }")  # let the server say what is wrong
        form.locator('button[type="submit"]').click()
        expect(page.locator(".utrecht-form-field-error-message").first).to_be_visible()
    violations = serious_violations(page)
    assert not violations, describe(violations)


def test_the_first_run_setup_page_passes_axe(
    new_context: Callable[..., BrowserContext], live_server: Any
) -> None:
    """With no users yet, the one-time set-up page renders from localhost without findings."""
    link = setup_link(live_server.url)
    assert link is not None
    page = new_context().new_page()
    response = page.goto(link)
    assert response is not None and response.status == 200
    violations = serious_violations(page)
    assert not violations, describe(violations)
