"""The handbook in a real browser: every page reachable, the acute box visible, no serious
accessibility violations (axe-core)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from baken.web.pages import PAGES
from tests.e2e.conftest import describe, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("name", [p.name for p in PAGES])
def test_each_handbook_page_passes_axe_and_shows_the_police_numbers(
    page: Page, live_server: object, name: str
) -> None:
    """Every page renders in Chromium with the acute box and no serious/critical axe finding."""
    from django.urls import reverse

    page.goto(f"{live_server}{reverse(f'web:{name}')}")
    box = page.get_by_role("region", name=re.compile("Acuut gevaar"))
    expect(box).to_be_visible()
    expect(box.locator('a[href="tel:112"]')).to_be_visible()
    violations = serious_violations(page)
    assert not violations, describe(violations)


def test_a_professional_finds_the_labour_inspectorate_number_from_the_overview(
    page: Page, live_server: object
) -> None:
    """From the overview, the navigation leads to the social map with a tel: link."""
    page.goto(f"{live_server}/")
    page.get_by_role("navigation").get_by_role("link", name="Sociale kaart").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sociale kaart")
    expect(page.locator('a[href="tel:08005151"]')).to_be_visible()


def test_the_skip_link_moves_focus_to_the_content(page: Page, live_server: object) -> None:
    """Keyboard users can skip the navigation."""
    page.goto(f"{live_server}/stappenplan/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Naar de inhoud")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#inhoud")).to_be_focused()
