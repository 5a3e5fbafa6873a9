"""Dossiers in a real browser: the five steps end to end, need-to-know (404 for outsiders),
the acute-danger button, no serious accessibility violations, and forms without JavaScript.

Only synthetic organisations, users and cases appear here (and in the screenshot).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import BrowserContext, Locator, Page, expect

from baken.accounts.models import Organisation, OrganisationKind, Role, User
from baken.dossiers import services
from baken.dossiers.models import Dossier, Entry
from baken.engine.rules.acute import police_numbers
from baken.protocol import default_registry
from baken.web.templatetags.baken import tel
from tests.e2e.conftest import PASSWORD, describe, fill, log_in, serious_violations, submit
from tests.support import enrol_totp, mark_reauthenticated

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOCS_SCREENSHOT = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "dossier-step-5.png"
)
# The screenshot in docs/ is refreshed on purpose (`make screenshots`), not by every test run.
SCREENSHOT = (
    DOCS_SCREENSHOT
    if os.environ.get("BAKEN_UPDATE_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "baken-dossier-step-5.png"
)
LABEL = "Casus Proef-Linde"


def _day() -> str:
    """A date safely in the past (forms refuse future dates)."""
    return (timezone.localdate() - timedelta(days=3)).isoformat()


def _people() -> dict[str, User]:
    """Two synthetic organisations, their professionals, a colleague and the administrator."""
    north = Organisation.objects.create(
        name="Wijkteam Proef-Noord", kind=OrganisationKind.NEIGHBOURHOOD_TEAM
    )
    south = Organisation.objects.create(name="School Proef-Zuid", kind=OrganisationKind.SCHOOL)

    def user(username: str, role: str, organisation: Organisation | None) -> User:
        made = User.objects.create_user(
            username=username, password=PASSWORD, role=role, organisation=organisation
        )
        enrol_totp(made)
        return made

    return {
        "professional": user("proef-professional", Role.PROFESSIONAL, north),
        "colleague": user("proef-collega", Role.PROFESSIONAL, north),
        "outsider": user("proef-buiten", Role.PROFESSIONAL, south),
        "administrator": user("proef-beheer", Role.ADMINISTRATOR, None),
    }


def _url(live_server: Any, name: str, *args: Any) -> str:
    return f"{live_server.url}{reverse(name, args=args)}"


def _entry_form(page: Page, kind: str) -> Locator:
    """The form of one entry kind on a step page (its section is labelled ``form-<kind>``)."""
    return page.locator(f'section[aria-labelledby="form-{kind}"] form')


def _record(page: Page, kind: str, values: dict[str, str]) -> None:
    """Fill and save one entry form on the current step page; it must be saved."""
    form = _entry_form(page, kind)
    fill(form, kind, values)
    submit(page, form)
    expect(page.locator(".baken-messages [role=status]")).to_have_text("Vastgelegd.")


def _checkbox(form: Locator, name: str, item_id: str) -> Locator:
    """One enabled checkbox of the step-1 checklist."""
    return form.locator(f'input[type=checkbox][name="signals-{name}"][value="{item_id}"]')


def _tick(form: Locator, name: str, item_id: str, *, note: str = "") -> None:
    """Tick one signal or profile on the checklist (opening its group), with a note if given."""
    box = _checkbox(form, name, item_id)
    inner = form.page.locator(f'input[type=checkbox][name="signals-{name}"][value="{item_id}"]')
    group = form.locator("details.baken-checklist__group", has=inner)
    if group.count() and group.get_attribute("open") is None:
        group.locator("summary").first.click()
    box.check()
    if note:
        item = form.locator(".baken-checklist__item", has=inner).last
        item.locator("details.baken-checklist__note > summary").first.click()
        item.locator(f"#id_signals-note-{item_id}").fill(note)


def _advice(page: Page) -> dict[str, str]:
    """What the advice panel says now: conclusion, report and help."""
    return {
        key: (page.locator(f"#advies-{key}").text_content() or "").strip()
        for key in ("conclusie", "melden", "hulp")
    }


def _steps_done(page: Page) -> str:
    """The 'steps done' line of the advice panel."""
    panel = page.locator("aside[aria-labelledby=advies-titel] dl.baken-advice")
    return (panel.locator("dd").first.text_content() or "").strip()


OBSERVATION = {
    "nature": "fact",
    "source": "mentor",
    "description": "Nieuwe dure telefoon, herkomst onbekend",
}
CONSULTATION = {"consulted": "designated_expert", "advice": "Gesprek voeren met de jongere"}
CONVERSATION = {
    "held": "yes",
    "discussed": "Zorgen over de telefoon besproken",
    "consent_to_involve": "no",
    "consent_to_report": "no",
}
WEIGHING = {
    "expert_consulted": "aandachtsfunctionaris",
    "discussed_with_person": "yes",
    "q1": "yes",
    "q2": "no",
    "q3": "no",
    "q4": "yes",
    "q5": "yes",
    **{f"q{n}_motivation": f"Proefmotivering vraag {n}" for n in range(1, 6)},
}
DECISION = {
    "report": "yes",
    "report_motivation": "Melden is noodzakelijk volgens de afweging",
    "help": "no",
    "help_motivation": "Hulp is niet mogelijk zonder medewerking",
}


def test_a_professional_walks_a_dossier_through_the_five_steps_and_no_outsider_sees_it(
    new_context: Callable[..., BrowserContext], live_server: Any
) -> None:
    """A professional logs in, opens a dossier for a 16-year-old and records steps 1 to 5: the
    advice panel marks step 1 done, and after the weighing (q1 yes, q2 no, q3 no, q4 yes,
    q5 yes) the report to Veilig Thuis becomes required and help not possible. The dossier is
    closed with the four evaluation answers and shows as closed. A professional of another
    organisation and the functioneel beheerder get 404 on every URL of that dossier, POST
    included. A full-page screenshot of step 5 is taken (into docs/screenshots/ with
    BAKEN_UPDATE_SCREENSHOTS=1)."""
    people = _people()
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in(page, live_server.url, "proef-professional")
    expect(page).to_have_url(_url(live_server, "dossiers:list"))

    # Open a dossier.
    page.goto(_url(live_server, "dossiers:new"))
    form = page.locator("main form.baken-form")
    fill(form, "", {"label": LABEL, "age": "16", "exploitation_forms": "sexual"})
    submit(page, form)
    # The label is encrypted at rest, so it cannot be looked up in the database.
    dossier = next(d for d in Dossier.objects.all() if d.label == LABEL)
    expect(page).to_have_url(_url(live_server, "dossiers:step", dossier.pk, 1))
    expect(page.locator(".baken-tags")).to_contain_text("16 jaar")
    start = _advice(page)
    assert _steps_done(page) != "1"

    # Step 1: an observation, then signals and a profile ticked on the checklist, the filter
    # narrowing it live while typing, and everything saved in one go.
    _record(page, "observation", {**OBSERVATION, "observed_on": _day()})
    checklist = _entry_form(page, "signals")
    _tick(checklist, "signal", "sex-1-01", note="Gezien door mentor")
    checklist.get_by_label("Filter de lijsten").press_sequentially("mobiel")
    expect(_checkbox(checklist, "signal", "sex-3-12")).to_be_visible()
    expect(_checkbox(checklist, "signal", "sex-1-01")).to_have_count(0)
    expect(checklist.locator('input[type=hidden][name="signals-signal"]')).to_have_attribute(
        "value", "sex-1-01"
    )
    _tick(checklist, "signal", "sex-3-12")
    checklist.get_by_label("Filter de lijsten").fill("")
    expect(_checkbox(checklist, "signal", "sex-1-01")).to_be_checked()
    expect(checklist.locator("#id_signals-note-sex-1-01")).to_have_value("Gezien door mentor")
    _tick(checklist, "profile", "profiel-1")
    with page.expect_navigation():
        checklist.get_by_role("button", name="Aangevinkte signalen en profielen opslaan").click()
    expect(page.locator(".baken-messages [role=status]")).to_have_text(
        "3 aangevinkte signalen en profielen vastgelegd."
    )
    assert sorted(
        (e.kind, e.data.get("signal_id") or e.data.get("profile_id"), e.data["note"])
        for e in Entry.objects.filter(dossier=dossier, kind__in=["signal", "profile"])
    ) == [
        ("profile", "profiel-1", ""),
        ("signal", "sex-1-01", "Gezien door mentor"),
        ("signal", "sex-3-12", ""),
    ]
    assert _steps_done(page) == "1"
    dossier_nav = page.get_by_role("navigation", name="Dossier", exact=True)
    expect(dossier_nav.locator("li.baken-step--done")).to_have_count(1)
    expect(dossier_nav.locator("li.baken-step--done")).to_contain_text("Stap 1")
    assert _advice(page) == start, "steps before the weighing do not decide the report"

    # Step 2: a consultation.
    page.goto(_url(live_server, "dossiers:step", dossier.pk, 2))
    _record(page, "consultation", {**CONSULTATION, "held_on": _day()})
    assert _steps_done(page) == "1, 2"
    assert _advice(page) == start

    # Step 3: the conversation (held; no consent to report).
    page.goto(_url(live_server, "dossiers:step", dossier.pk, 3))
    _record(page, "conversation", {**CONVERSATION, "held_on": _day()})
    assert _steps_done(page) == "1, 2, 3"
    before_weighing = _advice(page)
    assert before_weighing == start

    # Step 4: the weighing changes the advice.
    page.goto(_url(live_server, "dossiers:step", dossier.pk, 4))
    _record(page, "weighing", WEIGHING)
    after_weighing = _advice(page)
    assert after_weighing["melden"] != before_weighing["melden"]
    assert after_weighing["hulp"] != before_weighing["hulp"]
    assert after_weighing["conclusie"] != before_weighing["conclusie"]
    expect(page.locator("#advies-melden")).to_have_text("Noodzakelijk")
    expect(page.locator("#advies-hulp")).to_have_text("Nee")
    expect(page.locator("#advies-conclusie")).to_have_text("Vermoeden blijft bestaan")

    # Step 5: the advice beside the decision form; the screenshot shows both.
    page.goto(_url(live_server, "dossiers:step", dossier.pk, 5))
    expect(_entry_form(page, "decision")).to_be_visible()
    expect(page.locator("#advies-melden")).to_have_text("Noodzakelijk")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    for other in ("proef-buiten", "Proef-Zuid", "proef-beheer"):
        assert other not in page.content()

    _record(page, "decision", DECISION)
    dossier.refresh_from_db()
    assert dossier.steps_done == "12345"
    assert dossier.deviates is False
    assert _advice(page) == after_weighing, "following the advice leaves it as it was"

    # Close with the four evaluation questions.
    page.goto(_url(live_server, "dossiers:close", dossier.pk))
    form = page.locator("main form.baken-form")
    fill(form, "evaluation", {f"evaluatie-{n}": f"Proefantwoord {n}" for n in range(1, 5)})
    fill(form, "evaluation", {"worked": "ketensamenwerking-ja"})
    submit(page, form)
    expect(page).to_have_url(_url(live_server, "dossiers:detail", dossier.pk))
    expect(page.locator(".baken-tags")).to_contain_text("Afgesloten")
    expect(page.locator(".baken-acute-button")).to_have_count(0)
    dossier.refresh_from_db()
    assert dossier.closed_at is not None
    observation = Entry.objects.get(dossier=dossier, kind="observation")

    # Need to know: another organisation, and the functioneel beheerder, get 404 everywhere.
    urls = [
        _url(live_server, "dossiers:detail", dossier.pk),
        *(_url(live_server, "dossiers:step", dossier.pk, n) for n in range(1, 6)),
        _url(live_server, "dossiers:acute", dossier.pk),
        _url(live_server, "dossiers:team", dossier.pk),
        _url(live_server, "dossiers:close", dossier.pk),
        _url(live_server, "dossiers:correct", dossier.pk, 1),
        _url(live_server, "dossiers:correct", dossier.pk, observation.sequence),
    ]
    entries = Entry.objects.filter(dossier=dossier).count()
    for who in (people["outsider"], people["administrator"]):
        context = new_context()
        other_page = context.new_page()
        log_in(other_page, live_server.url, who.username)
        for url in urls:
            response = other_page.request.get(url)
            assert response.status == 404, f"{who.username} GET {url}: {response.status}"
            assert LABEL not in response.text()
            shown = other_page.goto(url)
            assert shown is not None and shown.status == 404, f"{who.username} opened {url}"
        csrf = next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")
        record = _url(live_server, "dossiers:record", dossier.pk, "observation")
        response = other_page.request.post(
            record,
            headers={"X-CSRFToken": csrf, "Referer": record},
            form={
                "observation-seen": str(dossier.last_sequence),
                **{f"observation-{k}": v for k, v in OBSERVATION.items()},
                "observation-observed_on": _day(),
            },
        )
        assert response.status == 404, f"{who.username} POST {record}: {response.status}"
        assert Entry.objects.filter(dossier=dossier).count() == entries


# --- Accessibility: every page type --------------------------------------------------------


def _dossier_with_steps(professional: User) -> tuple[Dossier, Client]:
    """A synthetic dossier with steps 1 to 4 recorded, through the forms (test client)."""
    dossier = services.open_dossier(
        professional,
        services.NewDossier(
            label=LABEL, birth_date=None, age=16, exploitation_forms=["sexual", "labour"]
        ),
    )
    client = Client()
    client.force_login(professional, backend="baken.web.auth.ModelBackend")
    for kind, values in (
        ("observation", {**OBSERVATION, "observed_on": _day()}),
        ("signal", {"signal_id": "sex-1-01", "note": "Gezien"}),
        ("consultation", {**CONSULTATION, "held_on": _day()}),
        ("conversation", {**CONVERSATION, "held_on": _day()}),
        ("weighing", WEIGHING),
    ):
        dossier.refresh_from_db()
        data: dict[str, Any] = {f"{kind}-seen": dossier.last_sequence}
        data.update({f"{kind}-{key}": value for key, value in values.items()})
        response = client.post(reverse("dossiers:record", args=[dossier.pk, kind]), data)
        assert response.status_code == 302, (kind, response.status_code)
    dossier.refresh_from_db()
    return dossier, client


def _logged_in_page(
    new_context: Callable[..., BrowserContext], live_server: Any, client: Client | None
) -> Page:
    """A page whose context carries the test client's session (or nobody's)."""
    context = new_context(viewport={"width": 1280, "height": 900})
    if client is not None:
        session = client.cookies["sessionid"].value
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    return context.new_page()


PAGE_TYPES = [
    "login",
    "list",
    "new",
    "detail",
    "step-1",
    "step-2",
    "step-3",
    "step-4",
    "step-5",
    "acute",
    "team",
    "close",
    "correct",
    "details",
    "step-1-with-errors",
    "access-log",
    "export",
    "print",
]


@pytest.mark.parametrize("page_type", PAGE_TYPES)
def test_each_dossier_page_type_passes_axe(
    new_context: Callable[..., BrowserContext], live_server: Any, page_type: str
) -> None:
    """Every page type of the dossier part (login, list, new dossier, overview, steps 1 to 5,
    acute danger, case team, close, correction, details, a form re-rendered with errors, who
    looked, the inspection export and the print view) has no serious or critical axe-core
    violation."""
    people = _people()
    if page_type == "login":
        page = _logged_in_page(new_context, live_server, None)
        page.goto(f"{live_server.url}/account/login/")
        expect(page.locator('[name="login"]')).to_be_visible()
    else:
        dossier, client = _dossier_with_steps(people["professional"])
        mark_reauthenticated(client, people["professional"])
        page = _logged_in_page(new_context, live_server, client)
        observation = Entry.objects.get(dossier=dossier, kind="observation")
        targets: dict[str, tuple[str, tuple[Any, ...]]] = {
            "list": ("dossiers:list", ()),
            "new": ("dossiers:new", ()),
            "detail": ("dossiers:detail", (dossier.pk,)),
            **{f"step-{n}": ("dossiers:step", (dossier.pk, n)) for n in range(1, 6)},
            "acute": ("dossiers:acute", (dossier.pk,)),
            "team": ("dossiers:team", (dossier.pk,)),
            "close": ("dossiers:close", (dossier.pk,)),
            "correct": ("dossiers:correct", (dossier.pk, observation.sequence)),
            "details": ("dossiers:details", (dossier.pk,)),
            "step-1-with-errors": ("dossiers:step", (dossier.pk, 1)),
            "access-log": ("dossiers:access_log", (dossier.pk,)),
            "export": ("dossiers:export", (dossier.pk,)),
            "print": ("dossiers:print", (dossier.pk,)),
        }
        name, args = targets[page_type]
        response = page.goto(_url(live_server, name, *args))
        assert response is not None and response.status == 200
        if page_type == "step-1-with-errors":
            form = _entry_form(page, "observation")
            with page.expect_response(re.compile(r"/vastleggen/observation/$")) as answer:
                form.locator('button[type="submit"]').click()
            assert answer.value.status == 400
            expect(page.locator(".baken-error-summary")).to_be_visible()
    violations = serious_violations(page)
    assert not violations, describe(violations)


# --- The acute-danger button ---------------------------------------------------------------


def test_the_acute_danger_button_records_it_and_shows_the_police_route(
    new_context: Callable[..., BrowserContext], live_server: Any
) -> None:
    """On a dossier page the 'Acuut gevaar' button records acute danger (the dossier is
    flagged) and leads to the police route, whose first tel: link is the number that applies
    now (tel:0889657700 within office hours, tel:112 outside)."""
    people = _people()
    dossier, client = _dossier_with_steps(people["professional"])
    page = _logged_in_page(new_context, live_server, client)
    page.goto(_url(live_server, "dossiers:step", dossier.pk, 2))
    assert not dossier.acute_danger

    button = page.locator("header form.baken-acute-button").get_by_role("button")
    expect(button).to_have_text("Acuut gevaar")
    with page.expect_navigation():
        button.click()
    expect(page).to_have_url(_url(live_server, "dossiers:acute", dossier.pk))
    expect(page.locator(".baken-messages [role=alert]")).to_contain_text("Acuut gevaar vastgelegd")
    expect(page.locator(".baken-tags .baken-tag--danger")).to_have_text("Acuut gevaar")
    dossier.refresh_from_db()
    assert dossier.acute_danger is True

    links = page.locator(".baken-acute a[href^='tel:']")
    expect(links.first).to_be_visible()
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert set(hrefs) <= {"tel:112", "tel:0889657700"}, hrefs
    numbers = police_numbers(default_registry().get(), timezone.now())
    assert hrefs[0] == tel(numbers[0][1]), (hrefs, [n[1] for n in numbers])
    assert hrefs == [tel(phone) for _, phone, _ in numbers]


# --- Without JavaScript --------------------------------------------------------------------


def test_without_javascript_a_professional_logs_in_and_records_an_observation(
    new_context: Callable[..., BrowserContext], live_server: Any
) -> None:
    """With JavaScript switched off, the login form and the observation form still work: the
    observation is saved and appears on the step page."""
    people = _people()
    dossier = services.open_dossier(
        people["professional"],
        services.NewDossier(label=LABEL, birth_date=None, age=16, exploitation_forms=["sexual"]),
    )
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, live_server.url, "proef-professional")
    expect(page.get_by_role("link", name=LABEL)).to_be_visible()

    page.goto(_url(live_server, "dossiers:step", dossier.pk, 1))
    _record(page, "observation", {**OBSERVATION, "observed_on": _day()})
    expect(page).to_have_url(_url(live_server, "dossiers:step", dossier.pk, 1))
    expect(page.locator(".baken-dossier__main")).to_contain_text(OBSERVATION["description"])
    assert Entry.objects.filter(dossier=dossier, kind="observation").count() == 1


def test_without_javascript_signals_are_filtered_ticked_and_saved_in_one_go(
    new_context: Callable[..., BrowserContext], live_server: Any
) -> None:
    """With JavaScript switched off the step-1 checklist still works: the filter button narrows
    the lists on the server while keeping what was ticked (with its note), and one save records
    every ticked signal."""
    people = _people()
    dossier = services.open_dossier(
        people["professional"],
        services.NewDossier(label=LABEL, birth_date=None, age=16, exploitation_forms=["sexual"]),
    )
    context = new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = context.new_page()
    log_in(page, live_server.url, "proef-professional")
    page.goto(_url(live_server, "dossiers:step", dossier.pk, 1))
    checklist = _entry_form(page, "signals")
    _tick(checklist, "signal", "sex-1-02", note="Andere kleding sinds de zomer")
    checklist.get_by_label("Filter de lijsten").fill("mobiel")
    with page.expect_navigation():
        checklist.get_by_role("button", name="Filteren").click()
    checklist = _entry_form(page, "signals")
    expect(_checkbox(checklist, "signal", "sex-1-02")).to_have_count(0)
    expect(
        page.get_by_text("Wat je hebt aangevinkt en hier niet past, blijft bewaard.")
    ).to_be_visible()
    _tick(checklist, "signal", "sex-3-12")
    save = checklist.get_by_role("button", name="Aangevinkte signalen en profielen opslaan")
    with page.expect_navigation():
        save.click()
    expect(page.locator(".baken-messages [role=status]")).to_have_text(
        "2 aangevinkte signalen en profielen vastgelegd."
    )
    # At 360 px the checklist fits its column: nothing in it sticks out to the right, and the
    # checkboxes are tap targets of at least 24 px. (That the column fits the page is the
    # layout's test, tests/e2e/test_layout_browser.py.)
    section = page.locator('section[aria-labelledby="form-signals"]')
    sticking_out = section.evaluate(
        """s => [...s.querySelectorAll('*')].filter(
            e => e.getBoundingClientRect().right > s.getBoundingClientRect().right + 1
        ).length"""
    )
    assert sticking_out == 0
    box = _checkbox(_entry_form(page, "signals"), "signal", "sex-1-03").bounding_box()
    assert box is not None and min(box["width"], box["height"]) >= 24
    assert sorted(
        (e.data["signal_id"], e.data["note"])
        for e in Entry.objects.filter(dossier=dossier, kind="signal")
    ) == [("sex-1-02", "Andere kleding sinds de zomer"), ("sex-3-12", "")]
