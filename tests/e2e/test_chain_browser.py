"""The chain in a real Chromium, through the whole route of §2.1: a professional asks
Veilig Thuis for advice and the answer counts as step 2; the professional reports, Veilig
Thuis accepts and casusregie moves, with the deadlines shown; the reminder mail reaches a
local SMTP server when the clock passes a deadline; the feedback lands in the reporter's
timeline; a declined request shows its reason; a volunteer asks advice but cannot report.
Every new page passes the layout and axe checks at phone and desktop size.

Only synthetic organisations, users and cases appear here.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from playwright.sync_api import BrowserContext, Locator, Page, expect

from baken.accounts.models import Organisation, OrganisationKind, Role, User
from baken.chain import services as chain
from baken.chain.models import PartnerRole, Share, ShareStatus
from baken.dossiers import services
from baken.dossiers.models import Dossier, Entry
from baken.dossiers.selectors import access_to
from baken.notifications.services import send_due_reminders
from baken.notifications.worker import run_ready_tasks
from tests.e2e.conftest import PASSWORD, describe, log_in, serious_violations
from tests.e2e.smtp import SMTPServer
from tests.e2e.test_layout_browser import LAYOUT_PROBLEMS, SIZES, SQUEEZED, _check
from tests.support import enrol_totp
from tests.web.stages import OBSERVATION, SIGNAL, walk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LABEL = "Casus Proef-Berk"
VT_NAME = "Veilig Thuis Proef-Midden"
ADVISER_MAIL = "vt-adviseur@proef.invalid"
QUESTION = "Wat raden jullie aan bij deze signalen van een jongere?"
ANSWER = "Bespreek de signalen met de aandachtsfunctionaris en voer een gesprek."
PERSON = "Persoon Proefnaam"
MAIL_TEXT = "Er staat iets nieuws voor je klaar in Baken"
SHOTS = Path(tempfile.gettempdir()) / "baken-screenshots"
"""Where the phone screenshots go, to look at by hand (never into docs/)."""


@dataclass(frozen=True)
class People:
    """The chain of one installation: a wijkteam that sends, a Veilig Thuis linked as the
    protocol's ``veilig-thuis``, a volunteer organisation and the functioneel beheerder."""

    professional: User
    adviser: User
    volunteer: User
    administrator: User


def _people() -> People:
    north = Organisation.objects.create(
        name="Wijkteam Proef-Noord", kind=OrganisationKind.NEIGHBOURHOOD_TEAM
    )
    vt = Organisation.objects.create(name=VT_NAME, kind=OrganisationKind.VEILIG_THUIS)
    helpers = Organisation.objects.create(
        name="Vrijwilligers Proef-West", kind=OrganisationKind.VOLUNTEERS
    )

    def user(username: str, role: str, organisation: Organisation | None, email: str = "") -> User:
        made = User.objects.create_user(
            username=username,
            password=PASSWORD,
            role=role,
            organisation=organisation,
            email=email,
            first_name=username.title(),
        )
        enrol_totp(made)
        return made

    people = People(
        professional=user("proef-professional", Role.PROFESSIONAL, north),
        adviser=user("proef-vt", Role.VEILIG_THUIS_ADVISER, vt, ADVISER_MAIL),
        volunteer=user("proef-vrijwilliger", Role.VOLUNTEER, helpers),
        administrator=user("proef-beheer", Role.ADMINISTRATOR, None),
    )
    chain.link_partner(people.administrator, vt.pk, PartnerRole.VEILIG_THUIS)
    return people


def _dossier(owner: User, label: str = LABEL, *, to_step: int) -> Dossier:
    opened = services.open_dossier(owner, services.NewDossier(label, None, 15, ["sexual"]))
    return walk(owner, opened, to_step=to_step)


def _url(base: str, name: str, *args: Any) -> str:
    return f"{base}{reverse(name, args=args)}"


def _sequence(dossier: Dossier, kind: str) -> str:
    """The sequence number of the dossier's (first) entry of ``kind``, as the form sends it."""
    return str(Entry.objects.filter(dossier=dossier, kind=kind).order_by("sequence")[0].sequence)


def _day(moment: Any) -> str:
    """A date as Baken shows it ("2 december 2026")."""
    with translation.override("nl"):
        return date_format(moment, "DATE_FORMAT")


def _click(page: Page, target: Locator) -> None:
    with page.expect_navigation():
        target.click()


def _inspect(page: Page, name: str) -> list[str]:
    """The layout and axe checks of ``_check`` on the page as it is now (a form's answer,
    such as a preview, that a new GET would not show), at both sizes."""
    found: list[str] = []
    for size in SIZES.values():
        page.set_viewport_size(size)
        where = f"{name} at {size['width']}×{size['height']}"
        found += [f"{where}: {problem}" for problem in page.evaluate(LAYOUT_PROBLEMS)]
        found += [f"{where}: {problem}" for problem in page.evaluate(SQUEEZED)]
        violations = serious_violations(page)
        if violations:
            found.append(f"{where}: axe\n{describe(violations)}")
    page.set_viewport_size(SIZES["desktop"])
    return found


def _inbox_count(page: Page) -> str:
    """The number beside "Binnengekomen" in the main menu ("" when nothing waits)."""
    link = page.get_by_role("navigation").locator('a[href="/binnengekomen/"]')
    count = link.locator(".baken-count")
    return re.sub(r"\D", "", count.inner_text()) if count.count() else ""


def _entry(page: Page, heading: str) -> Locator:
    """The timeline entry whose heading contains ``heading``."""
    return page.locator("article.baken-entry").filter(
        has=page.get_by_role("heading", name=re.compile(re.escape(heading)))
    )


def _done_steps(page: Page) -> list[str]:
    nav = page.get_by_role("navigation", name="Dossier", exact=True)
    return [
        re.sub(r"\s+", " ", text).strip()
        for text in nav.locator("li.baken-step--done").all_inner_texts()
    ]


def test_a_professional_asks_advice_and_the_answer_counts_as_step_2(
    new_context: Callable[..., BrowserContext], live_server: Any
) -> None:
    """A professional follows "Versturen via Baken" in the advice of a dossier at step 1,
    writes a question, ticks the observation and sees exactly what goes (the question and
    the observation; not the label, not the signal's note); sends it. The Veilig Thuis
    adviser sees 1 beside "Binnengekomen", opens the request and answers. The answer is a
    step-2 consultation in the professional's timeline ("Veilig Thuis …, adviesvraag van
    <date>") and step 2 is ticked done."""
    people = _people()
    dossier = _dossier(people.professional, to_step=1)
    base = live_server.url

    sender = new_context().new_page()
    log_in(sender, base, people.professional.username)
    sender.goto(_url(base, "dossiers:detail", dossier.pk))
    assert _done_steps(sender) == ["Stap 1 ✓ gedaan"]
    expect(sender.get_by_role("link", name="Advies vragen aan Veilig Thuis")).to_be_visible()
    contacts = sender.locator("aside details", has=sender.locator(".baken-advice-contacts"))
    contacts.locator("summary").click()
    _click(sender, contacts.get_by_role("link", name="Versturen via Baken"))
    expect(sender).to_have_url(_url(base, "chain:ask_advice", dossier.pk))
    form = sender.locator("main form.baken-form")
    form.locator('[name="question"]').fill(QUESTION)
    form.locator(f'[name="entries"][value="{_sequence(dossier, "observation")}"]').check()
    _click(sender, form.get_by_role("button", name="Laat zien wat er wordt verstuurd"))
    preview = sender.locator("#voorbeeld")
    expect(preview).to_contain_text(QUESTION)
    expect(preview).to_contain_text(OBSERVATION["description"])
    preview_text = preview.inner_text()
    assert (LABEL in preview_text, SIGNAL["note"] in preview_text) == (False, False)
    _click(sender, form.get_by_role("button", name="Versturen naar Veilig Thuis"))
    expect(sender).to_have_url(_url(base, "dossiers:detail", dossier.pk))
    expect(sender.locator(".baken-messages [role=status]")).to_be_visible()
    sent = Share.objects.get(sender_dossier=dossier)
    assert (sent.kind, sent.status, LABEL in json.dumps(sent.snapshot.content)) == (
        "advice_request",
        ShareStatus.PENDING,
        False,
    )

    adviser = new_context().new_page()
    log_in(adviser, base, people.adviser.username)
    assert _inbox_count(adviser) == "1"
    _click(adviser, adviser.get_by_role("link", name=re.compile("^Binnengekomen")))
    _click(adviser, adviser.locator("main").get_by_role("link", name="Adviesvraag", exact=True))
    expect(adviser.locator("main")).to_contain_text(QUESTION)
    expect(adviser.locator("main")).not_to_contain_text(LABEL)
    adviser.locator('[name="answer-answer"]').fill(ANSWER)
    _click(adviser, adviser.get_by_role("button", name="Advies versturen"))
    expect(adviser).to_have_url(_url(base, "chain:inbox"))
    expect(adviser.locator("main")).to_contain_text("Er wacht niets.")
    assert _inbox_count(adviser) == ""

    sender.goto(_url(base, "dossiers:detail", dossier.pk))
    answer = _entry(sender, "Consultatie")
    expect(answer).to_have_count(1)
    expect(answer.get_by_role("heading")).to_contain_text("(stap 2)")
    expect(answer).to_contain_text(f"{VT_NAME}, adviesvraag van {_day(timezone.localdate())}")
    expect(answer).to_contain_text(ANSWER)
    expect(sender.locator("section.baken-chain li", has_text="Adviesvraag")).to_contain_text(
        f"aan {VT_NAME}: beantwoord"
    )
    assert _done_steps(sender) == ["Stap 1 ✓ gedaan", "Stap 2 ✓ gedaan"]


def _fill_report(form: Locator, entry: str) -> None:
    """The melding form as the professional fills it: name and organisation (Baken fills
    them in; typed again here), phone, the person, what was done so far, the meldrecht
    and why, and one entry ticked."""
    form.locator('[name="reporter_name"]').fill("Proef Melder")
    form.locator('[name="reporter_organisation"]').fill("Wijkteam Proef-Noord")
    form.locator('[name="reporter_phone"]').fill("030 000 0000")
    form.locator('[name="person_name"]').fill(PERSON)
    form.locator('[name="done_so_far"]').fill("Gesprek met de jongere en de mentor")
    form.locator('[name="consent"]').select_option("no")
    form.locator('[name="legal_basis"][value="meldrecht"]').check()
    form.locator('[name="legal_basis_reason"]').fill("Geen toestemming; de veiligheid gaat voor")
    form.locator(f'[name="entries"][value="{entry}"]').check()


def test_a_report_moves_casusregie_then_the_reminder_mail_and_the_feedback_arrive(
    new_context: Callable[..., BrowserContext], live_server: Any, smtp_settings: SMTPServer
) -> None:
    """A professional whose step-5 decision says report fills the melding form, ticks the
    observation, previews and sends it, and confirms the password. The Veilig Thuis
    adviser accepts it and lands on Veilig Thuis' own dossier: "Casusregie: <VT>, sinds
    <today>" and both due dates; the professional's dossier shows the same casusregie.
    When the clock passes the safety assessment's term, the worker mails the adviser twice
    (the day before, the day after) at the local SMTP server: "Er staat iets nieuws voor je
    klaar in Baken", without the label or the person's name. The adviser's feedback then
    shows in the professional's timeline, from Veilig Thuis."""
    people = _people()
    dossier = _dossier(people.professional, to_step=5)
    base = live_server.url
    today = _day(timezone.localdate())
    casusregie = f"Casusregie: {VT_NAME}, sinds {today}"

    sender = new_context().new_page()
    log_in(sender, base, people.professional.username)
    sender.goto(_url(base, "dossiers:detail", dossier.pk))
    panel = sender.locator('section[aria-labelledby="keten-titel"]')
    _click(sender, panel.get_by_role("link", name="Melden bij Veilig Thuis"))
    form = sender.locator("main form.baken-form")
    _fill_report(form, _sequence(dossier, "observation"))
    _click(sender, form.get_by_role("button", name="Laat zien wat er wordt verstuurd"))
    expect(sender.locator("#voorbeeld")).to_contain_text(OBSERVATION["description"])
    _click(sender, form.get_by_role("button", name="Melding versturen"))
    expect(sender).to_have_url(re.compile(r"/account/reauthenticate/"))
    sender.locator('main [name="password"]').fill(PASSWORD)
    _click(sender, sender.locator('main button[type="submit"]').first)
    expect(sender).to_have_url(_url(base, "dossiers:detail", dossier.pk))
    expect(sender.locator(".baken-messages [role=status]")).to_be_visible()
    share = Share.objects.get(sender_dossier=dossier)
    assert (share.kind, share.status, share.snapshot.content["person"]["name"]) == (
        "report",
        ShareStatus.PENDING,
        PERSON,
    )

    adviser = new_context().new_page()
    log_in(adviser, base, people.adviser.username)
    adviser.goto(_url(base, "chain:inbox"))
    _click(adviser, adviser.locator("main").get_by_role("link", name="Melding", exact=True))
    expect(adviser.locator("main")).to_contain_text(PERSON)
    _click(adviser, adviser.get_by_role("button", name="Melding aannemen"))
    share.refresh_from_db()
    assert share.receiving_dossier_id is not None
    expect(adviser).to_have_url(_url(base, "dossiers:detail", share.receiving_dossier_id))
    panel = adviser.locator('section[aria-labelledby="keten-titel"]')
    expect(panel).to_contain_text(casusregie)
    expect(panel).to_contain_text(
        f"Geopend vanuit een melding van Wijkteam Proef-Noord op {today}."
    )
    dues = chain.deadlines_of(share)
    assert [d[0] for d in dues] == ["termijn-veiligheidsbeoordeling", "termijn-onderzoek"]
    for _id, what, due, _cite in dues:
        expect(panel).to_contain_text(f"{what}: {_day(due)}")
    sender.goto(_url(base, "dossiers:detail", dossier.pk))
    expect(sender.locator('section[aria-labelledby="keten-titel"]')).to_contain_text(casusregie)

    # The reminder: drain the mail of the berichten so far, then let the clock pass the
    # safety assessment's term and run the worker's sweep and its mail.
    run_ready_tasks()
    before = len(smtp_settings.messages)
    safety_due = dues[0][2]
    after_term = timezone.make_aware(datetime.combine(safety_due + timedelta(days=1), time(9, 1)))
    assert send_due_reminders(now=after_term) == 2
    run_ready_tasks()
    reminders = smtp_settings.wait_for(before + 2)[before:]
    assert [
        (
            mail.recipients,
            MAIL_TEXT in mail.body,
            LABEL in mail.body + mail.subject,
            PERSON in mail.body + mail.subject,
        )
        for mail in reminders
    ] == [((ADVISER_MAIL,), True, False, False)] * 2

    # The feedback, after the safety assessment.
    _click(adviser, adviser.get_by_role("link", name="Terugkoppeling geven aan de melder"))
    feedback = adviser.locator("main form.baken-form")
    feedback.locator('[name="moment"][value="after_safety_assessment"]').check()
    feedback.locator('[name="trajectory_started"][value="yes"]').check()
    feedback.locator('[name="parties"]').fill("Wijkteam Proef-Noord en de jeugdarts")
    feedback.locator('[name="conditions"]').fill("Het wijkteam ziet de jongere wekelijks")
    _click(adviser, feedback.get_by_role("button", name="Terugkoppeling versturen"))
    expect(adviser.locator(".baken-messages [role=status]")).to_be_visible()
    sender.goto(_url(base, "dossiers:detail", dossier.pk))
    entry = _entry(sender, "Terugkoppeling aan de melder")
    expect(entry).to_have_count(1)
    expect(entry.locator(".baken-entry__meta")).to_contain_text(VT_NAME)
    expect(entry).to_contain_text("Wijkteam Proef-Noord en de jeugdarts")


def test_a_declined_request_shows_its_reason_and_a_volunteer_asks_advice_but_cannot_report(
    new_context: Callable[..., BrowserContext], live_server: Any
) -> None:
    """The adviser declines an advice request: without a reason Baken asks for one and keeps
    the page; with one, the sender's dossier shows the request as declined with that reason.
    A volunteer's dossier offers "Advies vragen aan Veilig Thuis" and no "Melden bij Veilig
    Thuis"; the volunteer's GET of the melding page is the 404 page."""
    people = _people()
    dossier = _dossier(people.professional, to_step=1)
    asked = chain.ask_advice(access_to(people.professional, dossier.pk), QUESTION, [])
    reason = "Dit hoort bij een andere regio: vraag Veilig Thuis Proef-Oost."
    base = live_server.url

    adviser = new_context().new_page()
    log_in(adviser, base, people.adviser.username)
    adviser.goto(_url(base, "chain:share", asked.pk))
    decline = adviser.locator('details:has(input[name="action"][value="decline"])')
    decline.locator("summary").click()
    _click(adviser, decline.get_by_role("button", name="Afwijzen"))
    expect(decline).to_have_attribute("open", "")
    expect(decline.locator(".baken-error-summary")).to_contain_text("Waarom je het afwijst")
    asked.refresh_from_db()
    assert asked.status == ShareStatus.PENDING
    decline.locator('[name="decline-reason"]').fill(reason)
    _click(adviser, decline.get_by_role("button", name="Afwijzen"))
    expect(adviser).to_have_url(_url(base, "chain:inbox"))

    sender = new_context().new_page()
    log_in(sender, base, people.professional.username)
    sender.goto(_url(base, "dossiers:detail", dossier.pk))
    expect(sender.locator("section.baken-chain li", has_text="Adviesvraag")).to_contain_text(
        f"afgewezen — {reason}"
    )

    own = _dossier(people.volunteer, "Casus Proef-Vrijwillig", to_step=1)
    volunteer = new_context().new_page()
    log_in(volunteer, base, people.volunteer.username)
    volunteer.goto(_url(base, "dossiers:detail", own.pk))
    panel = volunteer.locator('section[aria-labelledby="keten-titel"]')
    expect(panel.get_by_role("link", name="Advies vragen aan Veilig Thuis")).to_have_count(1)
    expect(volunteer.get_by_role("link", name="Melden bij Veilig Thuis")).to_have_count(0)
    response = volunteer.goto(_url(base, "chain:report", own.pk))
    assert response is not None and response.status == 404
    expect(volunteer.get_by_role("heading", level=1)).to_have_text("Pagina niet gevonden")


def test_every_chain_page_fits_a_phone_and_a_desktop_and_passes_axe(
    new_context: Callable[..., BrowserContext], live_server: Any
) -> None:
    """The advice request with its preview, the melding with its preview, the inbox, an
    advice request and a melding as Veilig Thuis opens them and as their sender reads them
    back, the feedback page, the chain partners and a dossier with the chain panel
    (sender's and Veilig Thuis' side), each at
    360×740 and 1280×800: nothing wider than the window or clipped, the police route in
    the first screen of a dossier page, and no serious or critical axe violation."""
    people = _people()
    asking = _dossier(people.professional, "Casus Proef-Vraag-met-een-heel-lange-naam", to_step=1)
    reporting = _dossier(people.professional, "Casus Proef-Melding", to_step=5)
    accepted = _dossier(people.professional, "Casus Proef-Aangenomen", to_step=5)
    advice = chain.ask_advice(access_to(people.professional, asking.pk), QUESTION, [1])
    melding = chain.send_report(
        access_to(people.professional, accepted.pk),
        chain.ReportDetails(
            reporter_name="Proef Melder",
            reporter_organisation="Wijkteam Proef-Noord",
            reporter_phone="030 000 0000",
            reporter_email="",
            person_name=PERSON,
            person_birth_date=None,
            person_address="Proefstraat 1, Proefdorp",
            parents="Ouders Proefnaam",
            network="Een tante in Proefdorp",
            done_so_far="Gesprek met de mentor",
            consent="no",
            legal_basis="meldrecht",
            legal_basis_reason="Zonder toestemming, op grond van het meldrecht",
            family_hidden="Niet voor het gezin",
            non_disclosure=True,
            departure_motivation="",
        ),
        [int(_sequence(accepted, "observation"))],
    )
    base = live_server.url
    problems: list[str] = []

    def visit(page: Page, name: str, url: str | None = None, *, dossier_page: bool = False) -> None:
        """Check ``url`` (or, without one, the page as it is now), then keep a phone
        screenshot to look at by hand."""
        if url is None:
            problems.extend(_inspect(page, name))
        else:
            problems.extend(_check(page, url, name, dossier_page=dossier_page))
        page.set_viewport_size(SIZES["phone"])
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"chain-{name}-phone.png"), full_page=True)

    sender = new_context().new_page()
    log_in(sender, base, people.professional.username)
    visit(sender, "dossier-sent", _url(base, "dossiers:detail", asking.pk), dossier_page=True)
    visit(sender, "ask-advice", _url(base, "chain:ask_advice", asking.pk))
    form = sender.locator("main form.baken-form")
    form.locator('[name="question"]').fill(QUESTION)
    form.locator(f'[name="entries"][value="{_sequence(asking, "observation")}"]').check()
    _click(sender, form.get_by_role("button", name="Laat zien wat er wordt verstuurd"))
    expect(sender.locator("#voorbeeld")).to_be_visible()
    visit(sender, "ask-advice-preview")
    visit(sender, "report", _url(base, "chain:report", reporting.pk))
    form = sender.locator("main form.baken-form")
    _fill_report(form, _sequence(reporting, "observation"))
    form.locator('[name="reporter_phone"]').fill("")
    _click(sender, form.get_by_role("button", name="Laat zien wat er wordt verstuurd"))
    expect(sender.locator(".baken-error-summary")).to_be_visible()
    visit(sender, "report-errors")
    form.locator('[name="reporter_phone"]').fill("030 000 0000")
    _click(sender, form.get_by_role("button", name="Laat zien wat er wordt verstuurd"))
    expect(sender.locator("#voorbeeld")).to_be_visible()
    visit(sender, "report-preview")

    adviser = new_context().new_page()
    log_in(adviser, base, people.adviser.username)
    visit(adviser, "inbox", _url(base, "chain:inbox"))
    visit(adviser, "share-advice", _url(base, "chain:share", advice.pk))
    visit(adviser, "share-report", _url(base, "chain:share", melding.pk))
    opened = chain.accept_report(people.adviser, melding.pk)
    visit(adviser, "dossier-vt", _url(base, "dossiers:detail", opened.pk), dossier_page=True)
    visit(adviser, "feedback", _url(base, "chain:feedback", opened.pk))
    visit(
        sender, "dossier-casusregie", _url(base, "dossiers:detail", accepted.pk), dossier_page=True
    )
    visit(sender, "sent-advice", _url(base, "chain:sent", asking.pk, advice.pk))
    visit(sender, "sent-report", _url(base, "chain:sent", accepted.pk, melding.pk))

    administrator = new_context().new_page()
    log_in(administrator, base, people.administrator.username)
    visit(administrator, "partners", _url(base, "chain:partners"))

    assert problems == [], "\n".join(problems)
