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
    """From the handbook's overview, the handbook navigation leads to the social map with a
    tel: link (the header also has the main menu; the handbook's own nav is picked by name)."""
    from django.urls import reverse

    page.goto(f"{live_server}{reverse('web:home')}")
    handbook_nav = page.get_by_role("navigation", name="Handboek", exact=True)
    expect(handbook_nav).to_have_count(1)
    handbook_nav.get_by_role("link", name="Sociale kaart").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sociale kaart")
    expect(page.locator('a[href="tel:08005151"]')).to_be_visible()


def test_the_skip_link_moves_focus_to_the_content(page: Page, live_server: object) -> None:
    """Keyboard users can skip the navigation: the first Tab reaches the skip link, Enter
    moves focus to the main content."""
    from django.urls import reverse

    page.goto(f"{live_server}{reverse('web:steps')}")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Naar de inhoud")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#inhoud")).to_be_focused()
