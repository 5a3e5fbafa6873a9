"""Every page type fits a phone (360×740) and a desktop (1280×800) in a real Chromium: no
sideways scrolling, no text cut off or squeezed into a sliver, nothing past the right
edge, the police ``tel:`` link within the first screen of every dossier page, and no
serious or critical axe violations.

One browser context per role, logged in once (password and authenticator code), visits all
of that role's pages at both sizes. With BAKEN_UPDATE_SCREENSHOTS=1 the phone and desktop
screenshots in docs/screenshots/ are refreshed (synthetic data only).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import BrowserContext, Page

from baken.accounts.models import Organisation, OrganisationKind, Role, User
from baken.dossiers import services
from baken.dossiers.break_glass import open_with_break_glass
from baken.dossiers.models import Dossier
from baken.web.pages import PAGES
from tests.e2e.conftest import describe, log_in, serious_violations
from tests.web.stages import ACUTE_RAISED, OBSERVATION, add, closed, walk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
SIZES = {"phone": PHONE, "desktop": DESKTOP}

SCREENSHOTS = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("BAKEN_UPDATE_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "baken-screenshots"
)
SCREENSHOT_PAGES = {"dossier-overview", "dossier-step-1", "dossier-acute", "dossier-list"}

LAYOUT_PROBLEMS = """() => {
  const width = window.innerWidth;
  const problems = [];
  // Visually hidden text (for screen readers) and the skip link (until focused) are clipped
  // on purpose; so is a table's header row on a phone, where each cell names its column.
  const hidden = (el) => el.closest('.baken-visually-hidden, .utrecht-skip-link')
    || (el.closest('thead') && getComputedStyle(el.closest('thead')).clipPath !== 'none');
  const name = (el) => el.tagName.toLowerCase()
    + (typeof el.className === 'string' ? '.' + el.className.trim().replace(/\\s+/g, '.') : '')
    + ' “' + (el.textContent || '').trim().slice(0, 40) + '”';
  if (document.documentElement.scrollWidth > width) {
    problems.push('page is ' + document.documentElement.scrollWidth + ' px wide');
  }
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || hidden(el)) continue;
    if (box.right > width + 0.5) problems.push('past the right edge: ' + name(el));
    const style = getComputedStyle(el);
    // A text box scrolls its own value; that is not clipped text.
    if (['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName)) continue;
    const clips = ['hidden', 'clip'].includes(style.overflowX) || style.textOverflow === 'ellipsis';
    if (clips && el.scrollWidth > el.clientWidth + 1) problems.push('text clipped: ' + name(el));
  }
  return problems;
}"""

SQUEEZED = """() => {
  // Text squeezed into a sliver: a heading, paragraph, list item or term of some length in
  // a box narrower than 4em (as when a flex row puts a heading, a list and a paragraph side
  // by side on a phone). The layout check does not see it: nothing overflows or is clipped,
  // the words just wrap a few letters per line.
  const found = [];
  for (const el of document.querySelectorAll('main :is(h1, h2, h3, h4, p, li, dt, dd)')) {
    const box = el.getBoundingClientRect();
    const text = (el.textContent || '').trim();
    if (box.width === 0 || text.length < 12) continue;
    if (box.width < 4 * (parseFloat(getComputedStyle(el).fontSize) || 16)) {
      found.push('text squeezed to ' + Math.round(box.width) + ' px: '
        + el.tagName.toLowerCase() + ' “' + text.slice(0, 40) + '”');
    }
  }
  return found;
}"""

FIRST_POLICE_LINK_BOTTOM = """() => {
  const link = document.querySelector('.baken-acute a[href^="tel:"]');
  if (!link) return null;
  const box = link.getBoundingClientRect();
  return box.width > 0 ? box.bottom + window.scrollY : null;
}"""


def _url(base: str, name: str, *args: Any) -> str:
    return f"{base}{reverse(name, args=args)}"


def _check(page: Page, url: str, name: str, *, dossier_page: bool) -> list[str]:
    """Visit ``url`` at both sizes; every layout problem found, named by page and size."""
    found: list[str] = []
    for size_name, size in SIZES.items():
        page.set_viewport_size(size)
        response = page.goto(url)
        assert response is not None
        where = f"{name} at {size['width']}×{size['height']} ({url})"
        if response.status >= 500:
            found.append(f"{where}: status {response.status}")
            continue
        found += [f"{where}: {problem}" for problem in page.evaluate(LAYOUT_PROBLEMS)]
        found += [f"{where}: {problem}" for problem in page.evaluate(SQUEEZED)]
        if dossier_page:
            bottom = page.evaluate(FIRST_POLICE_LINK_BOTTOM)
            if bottom is None or bottom > size["height"]:
                found.append(f"{where}: police tel: link not in the first screen ({bottom})")
        violations = serious_violations(page)
        if violations:
            found.append(f"{where}: axe\n{describe(violations)}")
        if name in SCREENSHOT_PAGES:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{size_name}.png"), full_page=True)
    return found


def _people() -> dict[str, User]:
    from tests.support import enrol_totp

    north = Organisation.objects.create(
        name="Wijkteam Proef-Noord", kind=OrganisationKind.NEIGHBOURHOOD_TEAM
    )
    vt = Organisation.objects.create(name="Veilig Thuis Proef", kind=OrganisationKind.VEILIG_THUIS)

    def user(username: str, role: str, organisation: Organisation | None) -> User:
        made = User.objects.create_user(
            username=username, password="proef-wachtwoord-42!", role=role, organisation=organisation
        )
        enrol_totp(made)
        return made

    return {
        "professional": user("proef-professional", Role.PROFESSIONAL, north),
        "colleague": user("proef-collega", Role.PROFESSIONAL, north),
        "adviser": user("proef-vt", Role.VEILIG_THUIS_ADVISER, vt),
        "administrator": user("proef-beheer", Role.ADMINISTRATOR, None),
    }


def _dossier(owner: User, label: str, **fields: Any) -> Dossier:
    return services.open_dossier(
        owner,
        services.NewDossier(
            label=label,
            birth_date=None,
            age=fields.get("age", 16),
            exploitation_forms=fields.get("forms", ["sexual", "labour"]),
        ),
    )


def test_every_page_fits_a_phone_and_a_desktop_with_the_police_route_in_the_first_screen(
    new_context: Callable[..., BrowserContext], live_server: Any
) -> None:
    """Every page type (the handbook, login, the dossier list, a new dossier, a dossier's
    overview, steps 1–5, acute danger, close, case team, who looked, details, correction,
    export, break-glass, its review, management, 2FA and the 404 page) at 360×740 and at
    1280×800: the page is no wider than the window, no element's text is clipped or extends
    past the right edge, the police tel: link ends within the first screen on every dossier
    page, and axe finds no serious or critical violation."""
    people = _people()
    owner = people["professional"]
    fresh = _dossier(owner, "Casus Proef-Nieuw", age=None, forms=["sexual"])
    walking = walk(
        owner, _dossier(owner, "Casus Proef-Onderweg-met-een-heel-lange-naam"), to_step=5
    )
    acute = walk(owner, _dossier(owner, "Casus Proef-Acuut"), to_step=3)
    add(owner, acute, "acute_danger", ACUTE_RAISED)
    done = closed(owner, _dossier(owner, "Casus Proef-Klaar"))
    open_with_break_glass(people["adviser"], walking.pk, "Melding binnengekomen, dossier nodig")
    base = live_server.url
    problems: list[str] = []

    # Nobody logged in: the handbook and the login page.
    anonymous = new_context().new_page()
    for page in PAGES:
        problems += _check(
            anonymous, _url(base, f"web:{page.name}"), f"handbook-{page.name}", dossier_page=False
        )
    problems += _check(anonymous, _url(base, "account_login"), "login", dossier_page=False)

    # The professional: the list and every page of a dossier.
    professional = new_context().new_page()
    log_in(professional, base, owner.username)
    pages: list[tuple[str, str, bool]] = [
        ("dossier-list", _url(base, "dossiers:list"), False),
        ("dossier-new", _url(base, "dossiers:new"), False),
        ("two-factor", _url(base, "mfa_index"), False),
        ("not-found", _url(base, "dossiers:detail", "00000000-0000-4000-8000-000000000000"), False),
        ("dossier-overview", _url(base, "dossiers:detail", walking.pk), True),
        ("dossier-overview-new", _url(base, "dossiers:detail", fresh.pk), True),
        ("dossier-overview-closed", _url(base, "dossiers:detail", done.pk), True),
        *[
            (f"dossier-step-{n}", _url(base, "dossiers:step", walking.pk, n), True)
            for n in range(1, 6)
        ],
        ("dossier-step-1-new", _url(base, "dossiers:step", fresh.pk, 1), True),
        ("dossier-acute", _url(base, "dossiers:acute", acute.pk), True),
        ("dossier-acute-overview", _url(base, "dossiers:detail", acute.pk), True),
        ("dossier-close", _url(base, "dossiers:close", walking.pk), True),
        ("dossier-evaluation", _url(base, "dossiers:close", done.pk), True),
        ("dossier-team", _url(base, "dossiers:team", walking.pk), True),
        ("dossier-who-looked", _url(base, "dossiers:access_log", walking.pk), True),
        ("dossier-details", _url(base, "dossiers:details", walking.pk), True),
        ("dossier-correct", _url(base, "dossiers:correct", walking.pk, 1), True),
        ("dossier-export", _url(base, "dossiers:export", walking.pk), True),
    ]
    for name, url, dossier_page in pages:
        problems += _check(professional, url, name, dossier_page=dossier_page)

    # The Veilig Thuis adviser: break-glass, and a dossier read under it.
    adviser = new_context().new_page()
    log_in(adviser, base, people["adviser"].username)
    problems += _check(
        adviser, _url(base, "dossiers:break_glass"), "break-glass", dossier_page=False
    )
    problems += _check(
        adviser, _url(base, "dossiers:detail", walking.pk), "break-glass-dossier", dossier_page=True
    )

    # The functioneel beheerder: management and the break-glass review.
    administrator = new_context().new_page()
    log_in(administrator, base, people["administrator"].username)
    problems += _check(administrator, _url(base, "accounts:manage"), "manage", dossier_page=False)
    problems += _check(
        administrator,
        _url(base, "accounts:break_glass_review"),
        "break-glass-review",
        dossier_page=False,
    )

    assert problems == [], "\n".join(problems)


def test_the_page_links_fit_a_phone_and_lead_back_and_forth(
    new_context: Callable[..., BrowserContext], live_server: Any
) -> None:
    """With more dossiers than a page of the list holds (27, 25 a page) and a timeline
    longer than a page (24 entries, 20 a page), the list's "Volgende" leads to a second page
    with the other 2 dossiers and a "Vorige" back to 25, and the timeline's "Vorige" to its
    oldest entries; every one of those pages is no wider than a phone (360×740), nothing on it is
    clipped, squeezed or past the right edge, and axe finds no serious violation."""
    owner = _people()["professional"]
    for n in range(26):
        _dossier(owner, f"Casus Proef-Lijst-{n:02d}")
    long = _dossier(owner, "Casus Proef-Lang")
    for n in range(24):
        add(owner, long, "observation", {**OBSERVATION, "description": f"Waarneming {n + 1}"})
    base = live_server.url
    page = new_context(viewport=PHONE).new_page()
    log_in(page, base, owner.username)
    problems: list[str] = []

    page.goto(_url(base, "dossiers:list"))
    first = page.locator("main tbody tr").count()
    problems += _check_phone(page, "dossier list, first page")
    page.get_by_role("link", name="Volgende", exact=True).first.click()
    page.wait_for_load_state()
    second = page.locator("main tbody tr").count()
    problems += _check_phone(page, "dossier list, second page")
    page.get_by_role("link", name="Vorige", exact=True).first.click()
    page.wait_for_load_state()
    back = page.locator("main tbody tr").count()

    page.goto(_url(base, "dossiers:detail", long.pk))
    newest = page.locator("article.baken-entry").count()
    problems += _check_phone(page, "timeline, newest entries")
    page.get_by_role("link", name="Vorige", exact=True).first.click()
    page.wait_for_load_state()
    oldest = page.locator("article.baken-entry").first.get_attribute("id")
    problems += _check_phone(page, "timeline, older entries")

    assert (first, second, back, newest, oldest, problems) == (25, 2, 25, 20, "regel-1", [])


def _check_phone(page: Page, where: str) -> list[str]:
    """The layout problems and serious axe violations of the page shown, at 360×740."""
    found = [f"{where}: {p}" for p in page.evaluate(LAYOUT_PROBLEMS) + page.evaluate(SQUEEZED)]
    violations = serious_violations(page)
    return found + ([f"{where}: axe\n{describe(violations)}"] if violations else [])
