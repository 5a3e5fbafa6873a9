"""A real Chromium (Debian's /usr/bin/chromium) driven by Playwright, and an axe scan helper."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Locator, Page, sync_playwright

from tests.e2e.smtp import smtp_server, smtp_settings  # noqa: F401 (fixtures: a real SMTP server)
from tests.support import SECRETS, totp_code

# Playwright's sync API runs an event loop in this thread; Django's async-safety check would
# otherwise refuse the live server's database set-up and teardown from the test thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("BAKEN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BLOCKING_IMPACTS = {"serious", "critical"}


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}; install Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam")
    page = context.new_page()
    yield page
    context.close()


_AXE = Axe()


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core violations of serious or critical impact on the current page."""
    results = _AXE.run(page)
    return [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]


def describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
    )


# --- Dossier pages: synthetic people, logging in, filling the prefixed forms -----------------

PASSWORD = "proef-wachtwoord-42!"
"""The password of every synthetic user (at least 12 characters, as the validators ask)."""


@pytest.fixture
def new_context(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """Make extra browser contexts (Dutch, Amsterdam time); all are closed after the test."""
    made: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam", **options)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


def log_in(page: Page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Log in through django-allauth's form at /account/login/: the password, then the code
    of the user's authenticator app (see tests/support.py), and wait for the next page."""
    submit_password(page, base_url, username, password)
    assert "/account/login/" not in page.url, f"login of {username} failed: {page.url}"
    if page.url.endswith("/account/2fa/authenticate/") and username in SECRETS:
        enter_code(page, SECRETS[username])
        assert "/account/2fa/" not in page.url, f"the code of {username} failed: {page.url}"


def submit_password(page: Page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """The first step of logging in: username and password on /account/login/."""
    page.goto(f"{base_url}/account/login/")
    form = page.locator('form:has([name="login"])')
    form.locator('[name="login"]').fill(username)
    form.locator('[name="password"]').fill(password)
    with page.expect_navigation():
        form.get_by_role("button").click()


def enter_code(page: Page, secret: str) -> None:
    """Type the authenticator app's current code into the page's code field and submit."""
    form = page.locator('main form:has([name="code"])')
    form.locator('[name="code"]').fill(totp_code(secret))
    with page.expect_navigation():
        form.locator('button[type="submit"]').first.click()


def fill(form: Locator, prefix: str, values: dict[str, str]) -> None:
    """Fill a form's fields by name (``<prefix>-<field>``): text, date, select or radio."""
    for field, value in values.items():
        name = f"{prefix}-{field}" if prefix else field
        control = form.locator(f'[name="{name}"]')
        tag = control.first.evaluate("element => element.tagName.toLowerCase()")
        kind = control.first.get_attribute("type")
        if tag == "select":
            control.select_option(value)
        elif kind in {"radio", "checkbox"}:
            form.locator(f'[name="{name}"][value="{value}"]').check()
        else:
            control.fill(value)


def submit(page: Page, form: Locator) -> None:
    """Press the form's submit button and wait for the page that answers."""
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
