"""The chain's second part in a real Chromium, through the whole route of §2.1 and §2.2: a
professional registers a person with the zorgcoördinatie (aanmelding), with consent; the
zorgcoördinator accepts it and records the intake and two procedures of the trajectory;
the procesregisseur plans a screeningsoverleg and the zorgcoördinator puts the case on
its agenda; the procesregisseur records the outcome, the ketenregisseur the inbreng in the
RIEC, and the zorgcoördinator sees both; the organisations agree who registers with
CoMensha, which records and prints the registration; both organisations close their
dossiers with their own evaluation; the ketenregisseur's lessons show nothing below 11
cases. Bad input on the way gets a Dutch message and keeps what was typed. Every new page
passes the layout and axe checks at phone and desktop size.

Only synthetic organisations, users and cases appear here.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from playwright.sync_api import BrowserContext, Locator, Page, expect

from baken.accounts.models import Organisation, OrganisationKind, Role, User
from baken.chain import services as chain
from baken.chain.models import PartnerRole, Share, ShareStatus
from baken.comensha.models import Agreement, Registration
from baken.dossiers import services
from baken.dossiers.models import Dossier
from baken.lessons.models import EvaluationFigure
from baken.screening.models import AgendaItem, Meeting
from tests.e2e.conftest import PASSWORD, fill, log_in
from tests.e2e.test_chain_browser import (
    _click,
    _day,
    _inbox_count,
    _inspect,
    _sequence,
    _url,
)
from tests.e2e.test_layout_browser import SIZES, _check
from tests.support import enrol_totp
from tests.web.stages import walk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LABEL = "Casus Proef-Linde"
PERSON = "Persoon Proef-Linde"
WIJKTEAM = "Wijkteam Proef-Noord"
CARE = "Zorgcoördinatie Proef-Oost"
SAFETY_HOUSE = "Veiligheidshuis Proef-Midden"
MUNICIPALITY = "Gemeente Proefstad"
CONSENT_CITE = "§2.2 CoMensha; art. 7:450 Burgerlijk Wetboek"
NEEDS = "Een veilige slaapplek en hulp bij school"
EVIDENT = "Moet 's nachts werken in een nagelstudio en krijgt geen loon"
CONSENT_NOTE = "Toestemmingsformulier getekend, in het papieren dossier"
AGENDA_REASON = "Signalen van arbeidsuitbuiting bij een minderjarige"
AGENDA_GOAL = "Afstemmen of een MDO en afstemming met justitie nodig zijn"
OUTCOME_NOTE = "MDO binnen twee weken, de zorgcoördinator sluit aan"
CHAIN_PANEL = 'section[aria-labelledby="keten-titel"]'
"""The dossier's chain panel ("De keten"; the trajectory and CoMensha panels share its class)."""
SHOTS = Path(tempfile.gettempdir()) / "baken-screenshots"
"""Where the phone screenshots go, to look at by hand (never into docs/)."""


@dataclass(frozen=True)
class People:
    """The chain of one installation: a wijkteam that registers, the zorgcoördinatie linked
    as ``zorgcoordinator``, a Veiligheidshuis linked as the ``screeningsoverleg`` with its
    procesregisseur, a municipality linked as the ``ketenregisseur``, and the functioneel
    beheerder who linked them."""

    professional: User
    coordinator: User
    director: User
    chain_director: User
    wijkteam: Organisation
    care: Organisation


def _people() -> People:
    wijkteam = Organisation.objects.create(name=WIJKTEAM, kind=OrganisationKind.NEIGHBOURHOOD_TEAM)
    care = Organisation.objects.create(name=CARE, kind=OrganisationKind.CARE_COORDINATION)
    safety_house = Organisation.objects.create(
        name=SAFETY_HOUSE, kind=OrganisationKind.SAFETY_HOUSE
    )
    municipality = Organisation.objects.create(
        name=MUNICIPALITY, kind=OrganisationKind.MUNICIPALITY
    )

    def user(username: str, role: str, organisation: Organisation | None) -> User:
        made = User.objects.create_user(
            username=username,
            password=PASSWORD,
            role=role,
            organisation=organisation,
            first_name=username.removeprefix("proef-").title(),
            last_name="Proef",
        )
        enrol_totp(made)
        return made

    administrator = user("proef-beheer", Role.ADMINISTRATOR, None)
    chain.link_partner(administrator, care.pk, PartnerRole.CARE_COORDINATOR)
    chain.link_partner(administrator, safety_house.pk, PartnerRole.SCREENING)
    chain.link_partner(administrator, municipality.pk, PartnerRole.CHAIN_DIRECTOR)
    return People(
        professional=user("proef-professional", Role.PROFESSIONAL, wijkteam),
        coordinator=user("proef-zorgcoordinator", Role.CARE_COORDINATOR, care),
        director=user("proef-procesregisseur", Role.PROCESS_DIRECTOR, safety_house),
        chain_director=user("proef-ketenregisseur", Role.CHAIN_DIRECTOR, municipality),
        wijkteam=wijkteam,
        care=care,
    )


def _confirm_password(page: Page) -> None:
    """Answer django-allauth's re-authentication: the first sensitive action after logging
    in asks for the password again (then not for five minutes)."""
    expect(page).to_have_url(re.compile(r"/account/reauthenticate/"))
    page.locator('main [name="password"]').fill(PASSWORD)
    _click(page, page.locator('main button[type="submit"]').first)


def _status(page: Page) -> Locator:
    """The page's success message (the flash message after a redirect)."""
    return page.locator(".baken-messages [role=status]")


def _error(page: Page, field: str) -> Locator:
    """The error message beside a form field (``id_<field>_fout``)."""
    return page.locator(f"#id_{field}_fout")


def test_an_aanmelding_goes_through_care_coordination_screening_comensha_and_closing(
    new_context: Callable[..., BrowserContext], live_server: Any
) -> None:
    """The whole story, in the browser, with exactly these results:

    1. The professional follows "Aanmelden bij de zorgcoördinatie" from the chain panel of a
       dossier of a 14-year-old. Consent given by "De betrokkene zelf" is refused: "Voor
       iemand van 14 jaar geven de betrokkene en de ouders of de voogd samen toestemming:
       kies “de betrokkene samen met de ouders of de voogd” (<cite>)." with every typed
       value still there. With the person and the parents the preview shows, and after the
       password the aanmelding waits at the zorgcoördinatie.
    2. The zorgcoördinator sees 1 beside "Binnengekomen", accepts the aanmelding, lands on
       the own new dossier with casusregie, records the intake (three topics) and two
       procedures (residence permit, "Aangevraagd"; shelter, "Lopend"), then moves the
       permit to "Lopend". The wijkteam's dossier shows the casusregie at the
       zorgcoördinatie.
    3. The procesregisseur plans today's screeningsoverleg; the zorgcoördinator puts the
       case on its agenda (preview, then the password): "nog geen uitkomst".
    4. "Geen verdere actie" without a reason: "Vul in waarom er geen verdere actie volgt.",
       the tick and the note kept. MDO and RIEC then go through; the ketenregisseur records
       the inbreng in the RIEC; the zorgcoördinator's screening panel shows both outcomes
       and the RIEC date, and the advice's "Uitkomst van het screeningsoverleg" lists the
       two outcomes' texts.
    5. The zorgcoördinatie agrees it registers with CoMensha; the wijkteam's second
       agreement, from a page opened before, is refused: "Er is al afgesproken dat
       Zorgcoördinatie Proef-Oost meldt bij CoMensha (op <today>).", its note kept. The
       registration is recorded (parents sign at 14), its printable form opens and its
       JSON export downloads; the wijkteam sees that the zorgcoördinatie registered today.
    6. Each organisation closes its own dossier with its evaluation (the structured
       choices of questions 2 and 3): two evaluation figures.
    7. The ketenregisseur's lessons show "Minder dan 11 casussen: niet getoond".

    Every new page (the aanmelding with its refusal and preview, the inbox and the
    aanmelding as the zorgcoördinator opens it, every trajectory page, the screening's
    meetings, new meeting, meeting, placing with its preview, outcome with its error, the
    RIEC list and item, the CoMensha pages with the refusal, the registration and its print
    form, both dossiers with the new panels, the close page and the lessons) fits 360×740
    and 1280×800 (nothing wider than the window or clipped, the police route in the first
    screen of a dossier page) without a serious or critical axe violation."""
    people = _people()
    opened = services.open_dossier(
        people.professional, services.NewDossier(LABEL, None, 14, ["labour"])
    )
    dossier = walk(people.professional, opened, to_step=1)
    base = live_server.url
    today = timezone.localdate()
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
        page.screenshot(path=str(SHOTS / f"chain-care-{name}-phone.png"), full_page=True)
        page.set_viewport_size(SIZES["desktop"])

    # 1. The aanmelding, with consent.
    professional = new_context().new_page()
    log_in_as(professional, base, people.professional)
    professional.goto(_url(base, "dossiers:detail", dossier.pk))
    _click(
        professional,
        professional.locator(CHAIN_PANEL).get_by_role(
            "link", name="Aanmelden bij de zorgcoördinatie"
        ),
    )
    expect(professional).to_have_url(_url(base, "chain:registration", dossier.pk))
    visit(professional, "registration", _url(base, "chain:registration", dossier.pk))
    form = professional.locator("main form.baken-form")
    observation = _sequence(dossier, "observation")
    typed = {
        "sender_phone": "030 000 0000",
        "person_name": PERSON,
        "person_contact": "Proefstraat 3, Proefdorp",
        "needs": NEEDS,
        "reason": EVIDENT,
        "consent_given_on": today.isoformat(),
        "consent_note": CONSENT_NOTE,
    }
    fill(form, "", typed)
    fill(form, "", {"entries": observation, "consent_given_by": "person", "consent_how": "written"})
    _click(professional, form.get_by_role("button", name="Laat zien wat er wordt verstuurd"))
    expect(professional.locator(".baken-error-summary")).to_be_visible()
    expect(_error(professional, "consent_given_by")).to_have_text(
        "Voor iemand van 14 jaar geven de betrokkene en de ouders of de voogd samen "
        "toestemming: kies “de betrokkene samen met de ouders of de voogd” "
        f"({CONSENT_CITE})."
    )
    for field, value in typed.items():
        expect(form.locator(f'[name="{field}"]')).to_have_value(value)
    for field, value in {
        "entries": observation,
        "consent_given_by": "person",
        "consent_how": "written",
    }.items():
        expect(form.locator(f'[name="{field}"][value="{value}"]')).to_be_checked()
    visit(professional, "registration-refused")
    fill(form, "", {"consent_given_by": "person_and_parents"})
    _click(professional, form.get_by_role("button", name="Laat zien wat er wordt verstuurd"))
    expect(professional.locator(".baken-error-summary")).to_have_count(0)
    consent = professional.locator('section[aria-labelledby="toestemming-titel"] dd strong')
    expect(consent).to_have_text("De betrokkene samen met de ouders of de voogd")
    visit(professional, "registration-preview")
    _click(professional, form.get_by_role("button", name="Aanmelding versturen"))
    _confirm_password(professional)
    expect(professional).to_have_url(_url(base, "dossiers:detail", dossier.pk))
    expect(_status(professional)).to_have_text(
        "Je aanmelding is verstuurd naar de zorgcoördinatie."
    )
    sent = Share.objects.get(sender_dossier=dossier)
    assert (sent.kind, sent.status, sent.recipient_id) == (
        "registration",
        ShareStatus.PENDING,
        people.care.pk,
    )
    expect(professional.locator(CHAIN_PANEL).locator("li", has_text="Aanmelding")).to_contain_text(
        f"Aanmelding van {_day(today)} aan {CARE}: wacht op afhandeling"
    )

    # 2. The zorgcoördinator accepts and records the intake and two procedures.
    coordinator = new_context().new_page()
    log_in_as(coordinator, base, people.coordinator)
    assert _inbox_count(coordinator) == "1"
    _click(coordinator, coordinator.get_by_role("link", name=re.compile("^Binnengekomen")))
    visit(coordinator, "inbox", _url(base, "chain:inbox"))
    _click(
        coordinator, coordinator.locator("main").get_by_role("link", name="Aanmelding", exact=True)
    )
    expect(coordinator).to_have_url(_url(base, "chain:share", sent.pk))
    expect(coordinator.locator("main")).to_contain_text(PERSON)
    expect(coordinator.locator("main")).to_contain_text(NEEDS)
    visit(coordinator, "share-registration", _url(base, "chain:share", sent.pk))
    _click(coordinator, coordinator.get_by_role("button", name="Aanmelding aannemen"))
    sent.refresh_from_db()
    assert (sent.status, sent.receiving_dossier_id is not None) == (ShareStatus.ACCEPTED, True)
    care_dossier = Dossier.objects.get(pk=sent.receiving_dossier_id)
    expect(coordinator).to_have_url(_url(base, "dossiers:detail", care_dossier.pk))
    expect(coordinator.locator(CHAIN_PANEL)).to_contain_text(
        f"Casusregie: {CARE}, sinds {_day(today)}"
    )
    _click(coordinator, coordinator.get_by_role("link", name="Naar het traject"))
    trajectory = _url(base, "trajectory:detail", care_dossier.pk)
    expect(coordinator).to_have_url(trajectory)
    visit(coordinator, "trajectory", trajectory)
    _click(coordinator, coordinator.get_by_role("link", name="Leg de intake vast"))
    visit(coordinator, "trajectory-intake", _url(base, "trajectory:intake", care_dossier.pk))
    form = coordinator.locator("main form.baken-form")
    fill(form, "", {"held_on": today.isoformat(), "needs": NEEDS})
    for topic in ("informatie-strafrecht", "informatie-verblijfsrecht", "informatie-zorgaanbod"):
        fill(form, "", {"informed": topic})
    _click(coordinator, form.locator('button[type="submit"]'))
    expect(coordinator).to_have_url(trajectory)
    expect(_status(coordinator)).to_have_text("De intake is vastgelegd.")
    intake = coordinator.locator('section[aria-labelledby="intake-titel"] dl')
    expect(intake).to_contain_text(NEEDS)
    expect(intake).to_contain_text("Strafrecht, Verblijfsrecht, Zorgaanbod")
    for procedure, organisation, status in (
        ("procedure-verblijfsvergunning", "IND Proef", "requested"),
        ("procedure-opvang", "Opvang Proef-Oost", "running"),
    ):
        _click(coordinator, coordinator.get_by_role("link", name="Voeg een procedure toe"))
        form = coordinator.locator("main form.baken-form")
        fill(
            form,
            "",
            {
                "procedure_type": procedure,
                "started_on": today.isoformat(),
                "organisation": organisation,
                "status": status,
            },
        )
        _click(coordinator, form.locator('button[type="submit"]'))
        expect(_status(coordinator)).to_have_text("De procedure is toegevoegd.")
    visit(
        coordinator, "trajectory-procedures", _url(base, "trajectory:procedures", care_dossier.pk)
    )
    coordinator.goto(trajectory)
    procedures = coordinator.locator('section[aria-labelledby="procedures-titel"] article')
    expect(procedures.get_by_role("heading")).to_have_text(
        ["Verblijfsvergunning voor slachtoffers van mensenhandel", "Opvang"]
    )
    expect(procedures.nth(0)).to_contain_text(f"Aangevraagd, sinds {_day(today)}")
    expect(procedures.nth(1)).to_contain_text(f"Lopend, sinds {_day(today)}")
    _click(coordinator, procedures.nth(0).get_by_role("link"))
    visit(coordinator, "trajectory-procedure", coordinator.url)
    form = coordinator.locator("main form.baken-form")
    fill(form, "", {"status": "running", "on": today.isoformat()})
    _click(coordinator, form.locator('button[type="submit"]'))
    expect(procedures.nth(0)).to_contain_text(f"Lopend, sinds {_day(today)}")
    for name in ("casusregie", "progress", "close"):
        visit(coordinator, f"trajectory-{name}", _url(base, f"trajectory:{name}", care_dossier.pk))

    # 3. The procesregisseur plans a screeningsoverleg; the zorgcoördinator puts the case on it.
    director = new_context().new_page()
    log_in_as(director, base, people.director)
    visit(director, "screening-meetings", _url(base, "screening:meetings"))
    _click(director, director.get_by_role("link", name="Plan een screeningsoverleg"))
    visit(director, "screening-meeting-new", _url(base, "screening:meeting_new"))
    form = director.locator("main form.baken-form")
    fill(form, "", {"held_on": today.isoformat()})
    fill(form, "", {"attendees": "politie"})
    fill(form, "", {"attendees": "zorgcoordinator"})
    _click(director, form.locator('button[type="submit"]'))
    meeting = Meeting.objects.get()
    expect(director).to_have_url(_url(base, "screening:meeting", meeting.pk))
    expect(_status(director)).to_have_text("Het screeningsoverleg is gepland.")

    coordinator.goto(_url(base, "dossiers:detail", care_dossier.pk))
    _click(
        coordinator,
        coordinator.locator("section.baken-screening").get_by_role(
            "link", name="Op de agenda van het screeningsoverleg"
        ),
    )
    place = _url(base, "screening:place", care_dossier.pk)
    expect(coordinator).to_have_url(place)
    visit(coordinator, "screening-place", place)
    form = coordinator.locator("main form.baken-form")
    fill(form, "", {"name": PERSON, "reason": AGENDA_REASON, "goal": AGENDA_GOAL})
    _click(coordinator, form.get_by_role("button", name="Laat zien wat de screening krijgt"))
    preview = coordinator.locator("#voorbeeld")
    expect(preview).to_contain_text(AGENDA_GOAL)
    expect(preview).not_to_contain_text(NEEDS)
    visit(coordinator, "screening-place-preview")
    _click(coordinator, form.get_by_role("button", name="Zet op de agenda"))
    _confirm_password(coordinator)
    expect(coordinator).to_have_url(_url(base, "dossiers:detail", care_dossier.pk))
    expect(_status(coordinator)).to_have_text(
        "De casus staat op de agenda van het screeningsoverleg."
    )
    panel = coordinator.locator("section.baken-screening")
    expect(panel.locator("li")).to_have_text(
        f"Op de agenda van {SAFETY_HOUSE} voor {_day(today)}: nog geen uitkomst"
    )

    # 4. The outcome: first without the reason for "no further action", then MDO and RIEC.
    item = AgendaItem.objects.get()
    director.goto(_url(base, "screening:meeting", meeting.pk))
    visit(director, "screening-meeting", _url(base, "screening:meeting", meeting.pk))
    _click(
        director, director.get_by_role("link", name=re.compile(f"^Leg de uitkomst vast.*{PERSON}$"))
    )
    expect(director).to_have_url(_url(base, "screening:item", item.pk))
    visit(director, "screening-item", _url(base, "screening:item", item.pk))
    form = director.locator("main form.baken-form")
    fill(form, "", {"outcomes": "screening-geen-vervolg", "note": OUTCOME_NOTE})
    _click(director, form.get_by_role("button", name="Leg de uitkomst vast"))
    expect(director.locator(".baken-error-summary")).to_be_visible()
    expect(_error(director, "reason")).to_have_text("Vul in waarom er geen verdere actie volgt.")
    expect(form.locator('[name="outcomes"][value="screening-geen-vervolg"]')).to_be_checked()
    expect(form.locator('[name="note"]')).to_have_value(OUTCOME_NOTE)
    visit(director, "screening-item-refused")
    item.refresh_from_db()
    assert item.has_outcome is False
    form.locator('[name="outcomes"][value="screening-geen-vervolg"]').uncheck()
    fill(form, "", {"outcomes": "screening-mdo"})
    fill(form, "", {"outcomes": "screening-riec"})
    _click(director, form.get_by_role("button", name="Leg de uitkomst vast"))
    expect(director).to_have_url(_url(base, "screening:meeting", meeting.pk))
    expect(_status(director)).to_have_text(f"De uitkomst is vastgelegd en naar {CARE} gestuurd.")

    chain_director = new_context().new_page()
    log_in_as(chain_director, base, people.chain_director)
    visit(chain_director, "screening-riec", _url(base, "screening:riec"))
    _click(
        chain_director, chain_director.locator(f'a[href="{_path("screening:riec_item", item.pk)}"]')
    )
    visit(chain_director, "screening-riec-item", _url(base, "screening:riec_item", item.pk))
    form = chain_director.locator("main form.baken-form")
    fill(form, "", {"contributed_on": today.isoformat()})
    _click(chain_director, form.locator('button[type="submit"]'))
    expect(chain_director).to_have_url(_url(base, "screening:riec"))

    coordinator.goto(_url(base, "dossiers:detail", care_dossier.pk))
    expect(coordinator.locator("section.baken-screening li")).to_have_text(
        f"Op de agenda van {SAFETY_HOUSE} voor {_day(today)}: Een MDO in het Veiligheidshuis, "
        f"Inbreng in het RIEC · ingebracht in het RIEC-overleg op {_day(today)}"
    )
    advice = coordinator.locator("section.baken-advice-screening")
    expect(advice.get_by_role("heading")).to_have_text("Uitkomst van het screeningsoverleg")
    expect(advice.locator("li")).to_have_text(
        [
            "Het screeningsoverleg kan een multidisciplinair overleg (MDO) in het "
            "Veiligheidshuis laten organiseren naar aanleiding van een casus. "
            "§2.2 Procesregisseur en ketenregisseur mensenhandel",
            "De ketenregisseur mensenhandel kan een casus inbrengen in het RIEC-overleg. "
            "§2.2 Procesregisseur en ketenregisseur mensenhandel",
        ]
    )

    visit(
        coordinator,
        "dossier-care",
        _url(base, "dossiers:detail", care_dossier.pk),
        dossier_page=True,
    )
    professional.goto(_url(base, "dossiers:detail", dossier.pk))
    expect(professional.locator(CHAIN_PANEL)).to_contain_text(
        f"Casusregie: {CARE}, sinds {_day(today)}"
    )
    visit(
        professional,
        "dossier-wijkteam",
        _url(base, "dossiers:detail", dossier.pk),
        dossier_page=True,
    )

    # 5. Who registers with CoMensha, agreed once; the registration, printed.
    own_comensha = _url(base, "comensha:detail", dossier.pk)
    visit(professional, "comensha-wijkteam", own_comensha)
    late = professional.locator("main form.baken-form")
    fill(late, "", {"registering": str(people.wijkteam.pk), "note": "Afgesproken per telefoon"})

    care_comensha = _url(base, "comensha:detail", care_dossier.pk)
    visit(coordinator, "comensha", care_comensha)
    form = coordinator.locator("main form.baken-form")
    fill(form, "", {"registering": str(people.care.pk), "note": "Afgesproken in het MDO"})
    _click(coordinator, form.get_by_role("button", name="Afspraak vastleggen"))
    expect(coordinator).to_have_url(care_comensha)
    expect(_status(coordinator)).to_have_text("De afspraak is vastgelegd.")

    _click(professional, late.get_by_role("button", name="Afspraak vastleggen"))
    expect(professional.locator(".baken-error-summary li")).to_have_text(
        f"Er is al afgesproken dat {CARE} meldt bij CoMensha (op {_day(today)})."
    )
    expect(late.locator('[name="note"]')).to_have_value("Afgesproken per telefoon")
    visit(professional, "comensha-refused")
    assert [a.registering_id for a in Agreement.objects.all()] == [people.care.pk]

    coordinator.goto(care_comensha)
    _click(coordinator, coordinator.get_by_role("link", name="Registratie vastleggen"))
    register = _url(base, "comensha:register", care_dossier.pk)
    expect(coordinator).to_have_url(register)
    visit(coordinator, "comensha-register", register)
    form = coordinator.locator("main form.baken-form")
    fill(
        form,
        "",
        {
            "category": "comensha-arbeid",
            "country_of_origin": "Nederland",
            "age": "14",
            "sex": "female",
            "reporter_organisation": CARE,
            "contact_name": "Zorgcoordinator Proef",
            "contact_phone": "026 000 0000",
            "kind": "comensha-registratie-opvang",
            "registered_on": today.isoformat(),
            "consent_signed_by": "parents_or_guardian",
            "consent_signed_on": today.isoformat(),
            "consent_kept_at": "In de papieren map op kantoor",
        },
    )
    _click(coordinator, form.get_by_role("button", name="Registratie vastleggen"))
    expect(coordinator).to_have_url(care_comensha)
    expect(_status(coordinator)).to_have_text("De registratie bij CoMensha is vastgelegd.")
    assert Registration.objects.get().registered_on == today
    visit(coordinator, "comensha-registered", care_comensha)
    # No password this time: the zorgcoördinator confirmed it when placing the case.
    _click(coordinator, coordinator.get_by_role("link", name="Registratieformulier afdrukken"))
    expect(coordinator).to_have_url(_url(base, "comensha:print", care_dossier.pk))
    expect(coordinator.get_by_role("heading", level=1)).to_have_text(
        f"Registratie bij CoMensha: {care_dossier.label}"
    )
    expect(coordinator.locator("main dl.baken-facts")).to_contain_text("Nederland")
    visit(coordinator, "comensha-print")
    _click(coordinator, coordinator.get_by_role("link", name="Terug naar de registratie"))
    with coordinator.expect_download() as downloading:
        coordinator.get_by_role("link", name="Downloaden als JSON").click()
    download = downloading.value
    exported = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert (
        download.suggested_filename,
        exported["agreement"]["registering_organisation"],
        exported["registration"]["category"]["title"],
        exported["registration"]["age"],
    ) == (
        f"comensha-registratie-{slugify(care_dossier.label)}-{today.isoformat()}.json",
        CARE,
        "Arbeidsuitbuiting buiten de seksindustrie",
        14,
    )
    professional.goto(own_comensha)
    expect(professional.locator("#afspraak strong")).to_have_text(
        f"{CARE} heeft de persoon op {_day(today)} gemeld bij CoMensha."
    )

    # 6. Each organisation closes its own dossier with its evaluation.
    for page, own, worked, gap, lesson in (
        (
            professional,
            dossier,
            "ketensamenwerking-deels",
            "hiaat-terugkoppeling",
            "les-eerder-advies",
        ),
        (
            coordinator,
            care_dossier,
            "ketensamenwerking-ja",
            "hiaat-justitie",
            "les-afspraken-keten",
        ),
    ):
        close = _url(base, "dossiers:close", own.pk)
        visit(page, f"close-{slugify(own.organisation.name)}", close, dossier_page=True)
        form = page.locator("main form.baken-form")
        fill(form, "evaluation", {f"evaluatie-{n}": f"Proefantwoord {n}" for n in range(1, 5)})
        fill(form, "evaluation", {"worked": worked, "gaps": gap, "lessons": lesson})
        _click(page, form.locator('button[type="submit"]'))
        own.refresh_from_db()
        assert own.closed_at is not None
    assert sorted(f.worked for f in EvaluationFigure.objects.all()) == [
        "ketensamenwerking-deels",
        "ketensamenwerking-ja",
    ]

    # 7. The lessons: two closed cases, below 11, so nothing is shown.
    visit(chain_director, "lessons", _url(base, "lessons:index"))
    overall = chain_director.locator('section[aria-labelledby="alle"]')
    expect(overall.locator("p")).to_have_text("Minder dan 11 casussen: niet getoond")
    expect(chain_director.locator("main table")).to_have_count(0)

    assert problems == [], "\n".join(problems)


def log_in_as(page: Page, base: str, user: User) -> None:
    """Log ``user`` in (password and authenticator code)."""
    log_in(page, base, user.username)


def _path(name: str, *args: Any) -> str:
    return reverse(name, args=args)
