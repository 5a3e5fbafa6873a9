"""Synthetic demo data for a development database (``baken demo``).

Everything here is made up: organisations with "Demo" or "Proef" in their name,
users called ``demo-...`` with the first name "Demo", and dossiers under a
single pseudonymous word ("Casus Merel"). No realistic name of a person appears.

All dossier writes go through :mod:`baken.dossiers.services`, exactly as the
views make them, so the demo shows what the application itself records: the
steps done, the engine's advice beside each decision, the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TextIO

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from baken.accounts import services as account_services
from baken.accounts.models import Organisation, OrganisationKind, Role, User
from baken.dossiers import services
from baken.dossiers.models import Dossier, Entry, EntryKind
from baken.dossiers.selectors import access_to

DEMO_PASSWORD = "demo-wachtwoord-2026"  # noqa: S105 (synthetic, printed on purpose)
"""The one password of every demo user; printed when the demo is filled."""

LOGIN_HINT = (
    "Log in at http://127.0.0.1:8000/account/login/ ; at the first login each user sets up "
    "two-factor authentication with an authenticator app (the key is also shown as text)"
)

ORGANISATIONS: dict[str, tuple[str, str]] = {
    "wijkteam": ("Wijkteam Demo-Oost", OrganisationKind.NEIGHBOURHOOD_TEAM),
    "school": ("Scholengemeenschap De Proeftuin", OrganisationKind.SCHOOL),
    "veilig_thuis": ("Veilig Thuis Demo-regio", OrganisationKind.VEILIG_THUIS),
    "zorgcoordinatie": ("Zorgcoördinatie Demo", OrganisationKind.CARE_COORDINATION),
    "veiligheidshuis": ("Veiligheidshuis Demo-regio", OrganisationKind.SAFETY_HOUSE),
    "gemeente": ("Gemeente Demostad", OrganisationKind.MUNICIPALITY),
}

USERS: list[tuple[str, str, str, str | None]] = [
    # username, last name (the first name is always "Demo"), role, organisation key
    ("demo-beheerder", "Beheerder", Role.ADMINISTRATOR, None),
    ("demo-professional", "Professional", Role.PROFESSIONAL, "wijkteam"),
    ("demo-collega", "Collega", Role.PROFESSIONAL, "wijkteam"),
    ("demo-vrijwilliger", "Vrijwilliger", Role.VOLUNTEER, "wijkteam"),
    ("demo-aandachtsfunctionaris", "Aandachtsfunctionaris", Role.DESIGNATED_EXPERT, "wijkteam"),
    ("demo-mentor", "Mentor", Role.PROFESSIONAL, "school"),
    ("demo-veilig-thuis", "Adviseur", Role.VEILIG_THUIS_ADVISER, "veilig_thuis"),
    ("demo-zorgcoordinator", "Zorgcoördinator", Role.CARE_COORDINATOR, "zorgcoordinatie"),
    ("demo-procesregisseur", "Procesregisseur", Role.PROCESS_DIRECTOR, "veiligheidshuis"),
    ("demo-ketenregisseur", "Ketenregisseur", Role.CHAIN_DIRECTOR, "gemeente"),
]


class DemoRefused(Exception):
    """The demo data is not written: production settings, or a database already in use."""


@dataclass
class Case:
    """A dossier being filled, with a clock that moves forward one day per entry."""

    dossier: Dossier
    clock: datetime
    entries: list[Entry] = field(default_factory=list)

    def tick(self) -> datetime:
        self.clock = min(self.clock + timedelta(days=1), timezone.now())
        return self.clock

    @property
    def seen(self) -> int:
        """The dossier's newest entry number as stored now, as a form would carry it."""
        return Dossier.objects.get(pk=self.dossier.pk).last_sequence


def open_case(
    user: User,
    label: str,
    *,
    days_ago: int,
    age: int | None = None,
    birth_date: date | None = None,
    forms: list[str],
) -> Case:
    moment = timezone.now() - timedelta(days=days_ago)
    new = services.NewDossier(label=label, birth_date=birth_date, age=age, exploitation_forms=forms)
    return Case(services.open_dossier(user, new, now=moment), moment)


def _record(case: Case, user: User, kind: str, data: dict[str, Any], **kwargs: Any) -> Entry:
    entry = services.record(
        access_to(user, case.dossier.pk),
        kind,
        data,
        seen_sequence=case.seen,
        now=case.tick(),
        **kwargs,
    )
    case.entries.append(entry)
    return entry


def _day(case: Case) -> str:
    """The (local) date of the next entry, as the forms store dates."""
    return timezone.localdate(min(case.clock + timedelta(days=1), timezone.now())).isoformat()


def observe(case: Case, user: User, nature: str, source: str, text: str) -> Entry:
    data = {"nature": nature, "observed_on": _day(case), "source": source, "description": text}
    return _record(case, user, EntryKind.OBSERVATION, data)


def _signal(case: Case, user: User, signal_id: str, note: str = "") -> Entry:
    return _record(case, user, EntryKind.SIGNAL, {"signal_id": signal_id, "note": note})


def _profile(case: Case, user: User, profile_id: str, note: str = "") -> Entry:
    return _record(case, user, EntryKind.PROFILE, {"profile_id": profile_id, "note": note})


def _consultation(
    case: Case, user: User, consulted: str, advice: str, agreements: str = ""
) -> Entry:
    data = {
        "consulted": consulted,
        "held_on": _day(case),
        "advice": advice,
        "agreements": agreements,
    }
    return _record(case, user, EntryKind.CONSULTATION, data)


def _conversation(case: Case, user: User, **fields: str) -> Entry:
    held = fields.get("held", "yes")
    data: dict[str, Any] = {
        "held": held,
        "held_on": _day(case) if held == "yes" else None,
        "discussed": "",
        "reaction": "",
        "risk_factors": "",
        "protective_factors": "",
        "consent_to_involve": "not_asked",
        "consent_to_report": "not_asked",
        "follow_up": "",
        "not_held_reason": "",
    }
    data.update(fields)
    return _record(case, user, EntryKind.CONVERSATION, data)


def weigh(
    case: Case,
    user: User,
    answers: dict[str, str],
    *,
    expert: str = "aandachtsfunctionaris",
    discussed: str = "yes",
) -> Entry:
    motivations = {
        "q1": "De signalen uit stap 1 en het gesprek in stap 3 wijzen samen op uitbuiting.",
        "q2": "Beoordeeld met de aandachtsfunctionaris op herhaling en direct gevaar.",
        "q3": "Nagegaan welke hulp het eigen team zelf kan bieden of organiseren.",
        "q4": "Afgeleid uit de afspraken die wel en niet zijn nagekomen.",
        "q5": "Ingeschat of de hulp de onveilige situatie blijvend stopt.",
    }
    data = {
        "expert_consulted": expert,
        "discussed_with_person": discussed,
        "answers": answers,
        "motivations": {qid: motivations[qid] for qid in answers},
    }
    return _record(case, user, EntryKind.WEIGHING, data)


def step_5(case: Case, user: User, data: dict[str, str]) -> Entry:
    entry = services.record_decision(
        access_to(user, case.dossier.pk), data, seen_sequence=case.seen
    )
    case.entries.append(entry)
    return entry


def steps_one_to_three(case: Case, user: User, signal_id: str, conversation: str) -> None:
    observe(
        case,
        user,
        "own_observation",
        "eigen waarneming",
        "Komt telkens met nieuwe spullen en wil niet zeggen waar die vandaan komen.",
    )
    _signal(case, user, signal_id)
    _consultation(
        case,
        user,
        "designated_expert",
        "Signalen serieus nemen en een gesprek voeren over wat er speelt.",
        "Binnen twee weken een gesprek; daarna opnieuw overleggen.",
    )
    _conversation(
        case,
        user,
        held="yes",
        discussed=conversation,
        reaction="Eerst terughoudend, later opgelucht dat iemand het vroeg.",
        risk_factors="Afhankelijk van een oudere 'vriend' voor onderdak en geld.",
        protective_factors="Goed contact met een tante; gaat nog naar school of werk.",
        consent_to_involve="yes",
        consent_to_report="yes",
        follow_up="Over een week opnieuw afspreken.",
    )


ALL_YES = {"q1": "yes", "q2": "yes", "q3": "yes", "q4": "yes", "q5": "yes"}


def _fill_dossiers(users: dict[str, User]) -> list[Dossier]:
    professional = users["demo-professional"]
    colleague = users["demo-collega"]
    volunteer = users["demo-vrijwilliger"]
    mentor = users["demo-mentor"]
    adviser = users["demo-veilig-thuis"]
    coordinator = users["demo-zorgcoordinator"]
    today = timezone.localdate()
    cases: list[Case] = []

    # 1. Just opened: nothing recorded yet (next step 1).
    cases.append(open_case(professional, "Casus Merel", days_ago=1, age=16, forms=["sexual"]))

    # 2. Step 1: observations, signals and a victim profile (next step 2). A 15-year-old
    #    whose date of birth is known, at the school.
    case = open_case(
        mentor,
        "Casus Linde",
        days_ago=12,
        birth_date=today - timedelta(days=round(15.5 * 365.25)),
        forms=["sexual"],
    )
    observe(
        case,
        mentor,
        "fact",
        "mentor",
        "Verzuimt sinds drie weken op maandag en vrijdag; wordt na school opgehaald in een auto.",
    )
    observe(
        case,
        mentor,
        "interpretation",
        "mentor",
        "Lijkt een nieuwe, oudere vriend te hebben die bepaalt met wie zij omgaat.",
    )
    _signal(case, mentor, "sex-1-01", "Gezien in de gymles.")
    _signal(case, mentor, "sex-2-01")
    _profile(case, mentor, "profiel-1", "Veel conflicten thuis sinds de zomer.")
    cases.append(case)

    # 3. Step 2: consulted the aandachtsfunctionaris (next step 3); an observation is
    #    corrected afterwards (a correction is a new entry, the old one stays visible).
    case = open_case(professional, "Casus Wilg", days_ago=20, age=24, forms=["labour"])
    wrong = observe(
        case,
        professional,
        "fact",
        "buurvrouw (melding aan het wijkteam)",
        "Woont met acht anderen in een bovenwoning aan de rand van het dorp.",
    )
    _signal(case, professional, "lab-1-01")
    _consultation(
        case,
        professional,
        "designated_expert",
        "Eerst meer zicht krijgen op werk en woonsituatie; signalenlijst arbeid doorlopen.",
        "Huisbezoek plannen met een collega.",
    )
    _record(
        case,
        professional,
        EntryKind.OBSERVATION,
        {
            "nature": "fact",
            "observed_on": wrong.data["observed_on"],
            "source": "buurvrouw (melding aan het wijkteam)",
            "description": "Woont met vijf anderen in een bovenwoning aan de rand van het dorp.",
        },
        corrects=wrong.sequence,
        reason="Het aantal medebewoners was verkeerd overgenomen uit de melding.",
    )
    cases.append(case)

    # 4. Step 3: a conversation was not possible (next step 4); a colleague joins the team.
    case = open_case(professional, "Casus Vlinder", days_ago=25, age=19, forms=["criminal"])
    observe(
        case,
        professional,
        "event",
        "jongerenwerker",
        "Is 's nachts gezien bij een woning waar volgens de buurt drugs worden verhandeld.",
    )
    _consultation(
        case,
        professional,
        "veilig_thuis",
        "Anoniem advies: niet alleen een gesprek voeren, eerst met een collega afstemmen.",
    )
    _conversation(
        case,
        professional,
        held="no",
        not_held_reason=(
            "Wordt steeds vergezeld door een oudere jongen; alleen spreken is nu niet veilig."
        ),
    )
    entry = services.add_colleague(
        access_to(professional, case.dossier.pk), colleague.pk, seen_sequence=case.seen
    )
    case.entries.append(entry)
    cases.append(case)

    # 5. Step 4: the weighing leads to "report required" (next step 5).
    case = open_case(professional, "Casus Reiger", days_ago=30, age=31, forms=["labour"])
    steps_one_to_three(
        case,
        professional,
        "lab-3-01",
        "Werktijden, loon en de schuld aan de uitzendbemiddelaar.",
    )
    weigh(case, professional, {"q1": "yes", "q2": "yes", "q3": "yes", "q4": "no", "q5": "unknown"})
    cases.append(case)

    # 6. Step 5: a decision that follows the advice (report and help) (next step 6).
    case = open_case(professional, "Casus Eik", days_ago=40, age=16, forms=["sexual"])
    steps_one_to_three(case, professional, "sex-3-01", "Het contact met de nieuwe vriend.")
    _profile(case, professional, "profiel-3")
    weigh(case, professional, ALL_YES)
    step_5(
        case,
        professional,
        {
            "report": "yes",
            "report_motivation": "Structurele onveiligheid: melden is de professionele norm.",
            "help": "yes",
            "help_motivation": "Hulp via het wijkteam, afgestemd met Veilig Thuis.",
            "deviation_motivation": "",
        },
    )
    cases.append(case)

    # 7. Step 5: a decision that departs from the advice, with its motivation.
    case = open_case(professional, "Casus Berk", days_ago=45, age=27, forms=["criminal", "labour"])
    steps_one_to_three(case, professional, "lab-2-01", "Het werk in de loods en de schuld.")
    weigh(case, professional, {"q1": "yes", "q2": "no", "q3": "yes", "q4": "no", "q5": "unknown"})
    step_5(
        case,
        professional,
        {
            "report": "no",
            "report_motivation": "De persoon heeft zelf aangifte gedaan bij de politie.",
            "help": "no",
            "help_motivation": "Werkt nu niet mee aan hulp van het wijkteam.",
            "deviation_motivation": (
                "Politie en zorgcoördinator zijn al betrokken na de aangifte; een melding "
                "voegt nu niets toe. Over vier weken opnieuw wegen."
            ),
        },
    )
    cases.append(case)

    # 8. Closed with the case evaluation, after a decision that follows the advice.
    case = open_case(professional, "Casus Zwaluw", days_ago=60, age=22, forms=["sexual"])
    steps_one_to_three(case, professional, "sex-2-02", "Wat zij wil en welke hulp past.")
    weigh(case, professional, {"q1": "yes", "q2": "no", "q3": "yes", "q4": "yes", "q5": "yes"})
    step_5(
        case,
        professional,
        {
            "report": "no",
            "report_motivation": "Geen acute of structurele onveiligheid meer; hulp loopt.",
            "help": "yes",
            "help_motivation": "Opvang en begeleiding via de zorgcoördinator.",
            "deviation_motivation": "",
        },
    )
    entry = services.close_dossier(
        access_to(professional, case.dossier.pk),
        {
            "evaluatie-1": "Ja, veilig in de opvang; het contact met de uitbuiter is gestopt.",
            "evaluatie-2": "Eerder de aandachtsfunctionaris inschakelen bij de eerste signalen.",
            "evaluatie-3": "Goed met de zorgcoördinator; de overdracht na het weekend liep traag.",
            "evaluatie-4": "De zorgcoördinator meldt bij CoMensha.",
        },
        seen_sequence=case.seen,
    )
    case.entries.append(entry)
    cases.append(case)

    # 9. Acute danger: the button, then the follow-up form (still acute, police called).
    case = open_case(mentor, "Casus Storm", days_ago=2, age=15, forms=["sexual"])
    _record(case, mentor, EntryKind.ACUTE_DANGER, {"active": True, "raised": True})
    _record(
        case,
        mentor,
        EntryKind.ACUTE_DANGER,
        {
            "active": True,
            "police_called": "yes",
            "victim_consent": "not_possible",
            "note": "Belde in paniek vanaf een onbekend adres; politie is onderweg.",
        },
    )
    cases.append(case)

    # 10. A volunteer's dossier: no afwegingskader, advice asked from Veilig Thuis.
    case = open_case(volunteer, "Casus Kompas", days_ago=8, age=34, forms=["labour"])
    observe(
        case,
        volunteer,
        "own_observation",
        "eigen waarneming bij de taalles",
        "Moet zijn paspoort inleveren bij de baas en krijgt geen loonstrook.",
    )
    _consultation(
        case,
        volunteer,
        "veilig_thuis",
        "Veilig Thuis onderzoekt samen met de vrijwilliger of en hoe een melding vorm krijgt.",
        "Veilig Thuis belt binnen twee werkdagen terug.",
    )
    cases.append(case)

    # 11-12. Dossiers of Veilig Thuis and the zorgcoördinatie, so those roles see one too.
    case = open_case(adviser, "Casus Anker", days_ago=5, age=17, forms=["criminal"])
    observe(
        case,
        adviser,
        "fact",
        "melding van een school",
        "Draagt pakketjes rond voor een oudere buurtgenoot en heeft schulden bij hem.",
    )
    _consultation(
        case,
        adviser,
        "care_coordinator",
        "Zorgcoördinator denkt mee over opvang buiten de wijk.",
    )
    cases.append(case)
    case = open_case(coordinator, "Casus Haven", days_ago=3, age=41, forms=["labour", "sexual"])
    observe(
        case,
        coordinator,
        "circumstance",
        "doorverwijzing door Veilig Thuis",
        "Heeft geen eigen woonadres; slaapt op de werkplek.",
    )
    cases.append(case)

    # The aandachtsfunctionaris joins no team: they see every dossier of the wijkteam anyway.
    return [Dossier.objects.get(pk=c.dossier.pk) for c in cases]


def _refuse_if_unsafe() -> None:
    if settings.PRODUCTION:
        raise DemoRefused(
            "Refusing to write demo data: these are production settings (BAKEN_ENV=production)."
        )
    if Dossier.objects.exists() or User.objects.exists():
        raise DemoRefused(
            "Refusing to write demo data: the database already holds users or dossiers. "
            "The demo only fills an empty development database."
        )


def _make_users() -> dict[str, User]:
    users: dict[str, User] = {}
    organisations: dict[str, Organisation] = {}
    for username, last_name, role, org_key in USERS:
        if org_key is not None and org_key not in organisations:
            name, kind = ORGANISATIONS[org_key]
            organisations[org_key] = account_services.create_organisation(
                by=users["demo-beheerder"], name=name, kind=kind
            )
        organisation = organisations[org_key] if org_key is not None else None
        candidate = User(
            username=username,
            first_name="Demo",
            last_name=last_name,
            role=role,
            organisation=organisation,
        )
        validate_password(DEMO_PASSWORD, candidate)
        users[username] = account_services.create_user(
            by=users.get("demo-beheerder"),
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            organisation=organisation,
            first_name="Demo",
            last_name=last_name,
        )
    return users


def _print_summary(stdout: TextIO, users: dict[str, User], dossiers: list[Dossier]) -> None:
    rows = [
        (
            user.username,
            str(Role(user.role).label),
            user.organisation.name if user.organisation else "-",
        )
        for user in users.values()
    ]
    header = ("Username", "Role", "Organisation")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]
    stdout.write(
        f"Demo data written: {len(ORGANISATIONS)} organisations, {len(users)} users, "
        f"{len(dossiers)} dossiers.\n\n"
    )
    for row in [header, tuple("-" * w for w in widths), *rows]:
        stdout.write(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
        stdout.write("\n")
    stdout.write(f"\nPassword for every demo user: {DEMO_PASSWORD}\n")
    stdout.write(f"{LOGIN_HINT}\n")


Extension = Callable[[dict[str, User], list[Dossier]], list[Dossier]]
"""A higher layer's part of the demo (the chain): given the users and dossiers, it adds
its own and returns the dossiers it made."""


def fill_demo_database(stdout: TextIO, extend: Extension | None = None) -> None:
    """Fill an empty development database with synthetic organisations, users and dossiers,
    and what ``extend`` adds (``baken demo`` passes the chain's cases).

    Raises :class:`DemoRefused` under production settings or when the database already
    holds a user or a dossier. Everything is written in one transaction.
    """
    _refuse_if_unsafe()
    with transaction.atomic():
        users = _make_users()
        dossiers = _fill_dossiers(users)
        if extend is not None:
            dossiers += extend(users, dossiers)
    _print_summary(stdout, users, dossiers)
