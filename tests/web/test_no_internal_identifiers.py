"""No internal identifier reaches a user: every page type, rendered for the people who use
it (dossiers at each step, closed, with acute danger, under break-glass, forms with errors,
messages), shows in its visible text no access-log action or purpose code, no protocol item
id, no snake_case code, no file name and no UUID.

The one exception is the dossier's reference (its UUID), which a Veilig Thuis adviser needs
for break-glass: it is shown on purpose in the element marked ``data-reference``, and only
there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from baken.accounts.models import Organisation, OrganisationKind, Role, User
from baken.audit.models import Action, Purpose
from baken.chain import selectors as chain_selectors
from baken.chain import services as chain_services
from baken.chain import trajectory
from baken.chain.models import PartnerRole, Share
from baken.comensha import services as comensha
from baken.dossiers import services
from baken.dossiers.break_glass import open_with_break_glass
from baken.dossiers.models import Dossier
from baken.dossiers.selectors import access_to, current_entries, timeline
from baken.notifications.models import Notification, NotificationKind
from baken.notifications.services import notify
from baken.screening import access as screening_access
from baken.screening import services as screening_services
from baken.web.pages import PAGES
from tests.web.stages import ACUTE_RAISED, add, closed, seen, walk

PROTOCOL_DATA = Path(__file__).parents[2] / "src" / "baken" / "protocol" / "data"

# English words among the codes: never in the Dutch text, so checked as whole words. The
# codes that are also Dutch words ("export", "print") are left to the other checks.
ENGLISH_CODES = {"list", "view", "care", "purged", "retention", "administration"}


class _VisibleText(HTMLParser):
    """The text a person sees: no tags, attributes, scripts or styles, and without the
    elements marked ``data-reference`` (a dossier's reference, shown on purpose), whose text
    is collected apart."""

    SKIP = {"script", "style", "template"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.references: list[str] = []
        self._stack: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        if "data-reference" in {name for name, _ in attrs}:
            self.references.append("")
            self._stack.append((tag, "reference"))
        else:
            self._stack.append((tag, "skip" if tag in self.SKIP else ""))

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            name, _ = self._stack.pop()
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        kinds = {kind for _, kind in self._stack}
        if "skip" in kinds:
            return
        if "reference" in kinds:
            self.references[-1] += data
            return
        self.parts.append(data)


def visible(html: str) -> tuple[str, list[str]]:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split()), parser.references


def _protocol_ids() -> set[str]:
    """Every ``id`` in the protocol data, and the protocol's own id."""
    found: set[str] = set()

    def walk_data(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "id" and isinstance(value, str):
                    found.add(value)
                walk_data(value)
        elif isinstance(node, list):
            for value in node:
                walk_data(value)

    for path in PROTOCOL_DATA.glob("*.yaml"):
        walk_data(yaml.safe_load(path.read_text(encoding="utf-8")))
    return found


def _whole(alternatives: str) -> re.Pattern[str]:
    """Any of ``alternatives`` as a whole token (not inside a longer word or hyphenated id)."""
    return re.compile(r"(?<![\w-])(?:" + alternatives + r")(?![\w-])")


def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    codes = set(Action.values) | set(Purpose.values)
    ids = {i for i in _protocol_ids() if re.search(r"[-_\d]", i)}
    words = sorted(c for c in codes if c in ENGLISH_CODES)
    tokens = sorted(c for c in codes | ids if re.search(r"[-_\d]", c))
    return [
        ("an access-log code", _whole("|".join(words))),
        (
            "a protocol id or code",
            _whole("|".join(map(re.escape, tokens))),
        ),
        ("a snake_case code", re.compile(r"\b[a-z]+_[a-z_]+\b")),
        ("a time-zone name", re.compile(r"\b(?:Europe|Etc|UTC)/\w+")),
        ("a file name", re.compile(r"\b[\w-]+\.(?:md|py|html|ya?ml|txt|json)\b")),
        (
            "a UUID",
            re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"),
        ),
    ]


PATTERNS = _patterns()


def leaks(html: str) -> list[str]:
    """What in the page's visible text is an internal identifier (empty if nothing)."""
    text, references = visible(html)
    text = re.sub(r"(?:https?://|www\.)\S+", " ", text)  # a web address is not a code
    found = []
    for what, pattern in PATTERNS:
        for match in pattern.finditer(text):
            start = max(match.start() - 40, 0)
            found.append(f"{what}: {match.group(0)!r} in …{text[start : match.end() + 40]}…")
    known = {str(pk) for pk in Dossier.objects.values_list("pk", flat=True)}
    for reference in references:
        if reference.strip() not in known:
            found.append(
                f"a data-reference element that is not a dossier's reference: {reference!r}"
            )
    return found


def our_urls() -> Iterator[str]:
    """The names of every URL of Baken's own apps (django-allauth's are its own)."""

    def walk_patterns(patterns: list[Any], namespace: str) -> Iterator[str]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if "allauth" in str(pattern.urlconf_name):
                    continue
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk_patterns(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern):
                yield f"{namespace}{pattern.name}"

    yield from walk_patterns(get_resolver().url_patterns, "")


# URL names that render no page of their own: they only redirect after a POST, or answer
# with a file; what they lead to is rendered below.
NO_PAGE = {
    "start",
    "health",  # JSON for monitoring ({"status": "ok"}), no page; tests/security/test_proxy.py
    "accounts:setup",  # dead once users exist (404)
    "accounts:user_deactivate",
    "accounts:user_reactivate",
    "accounts:user_reset_two_factor",
    "dossiers:export_json",
    "comensha:export_json",  # a file; the page it belongs to is rendered below
    "notifications:open",  # marks a bericht read and redirects to its link
    "chain:withdraw",  # POST only; redirects to the dossier, rendered below
}


@pytest.fixture
def people(make_user: Callable[..., User], organisation: Organisation) -> dict[str, User]:
    vt = Organisation.objects.create(name="Veilig Thuis Proef", kind=OrganisationKind.VEILIG_THUIS)
    zc = Organisation.objects.create(
        name="Zorgcoördinatie Proef", kind=OrganisationKind.CARE_COORDINATION
    )
    user = make_user
    return {
        "care_coordinator": user("proef-zc", Role.CARE_COORDINATOR, zc),
        "professional": user("proef-professional", Role.PROFESSIONAL, organisation),
        "volunteer": user("proef-vrijwilliger", Role.VOLUNTEER, organisation),
        "colleague": user("proef-collega", Role.PROFESSIONAL, organisation),
        "administrator": user("proef-beheer", Role.ADMINISTRATOR, None),
        "adviser": user("proef-vt", Role.VEILIG_THUIS_ADVISER, vt),
        "process_director": user(
            "proef-pr",
            Role.PROCESS_DIRECTOR,
            Organisation.objects.create(
                name="Veiligheidshuis Proef", kind=OrganisationKind.SAFETY_HOUSE
            ),
        ),
        "chain_director": user(
            "proef-kr",
            Role.CHAIN_DIRECTOR,
            Organisation.objects.create(name="Gemeente Proef", kind=OrganisationKind.MUNICIPALITY),
        ),
    }


def _client(user: User, *, reauthenticated: bool = True) -> Client:
    from tests.support import mark_reauthenticated

    client = Client()
    client.force_login(user, backend="baken.web.auth.ModelBackend")
    if reauthenticated:
        mark_reauthenticated(client, user)
    return client


def _dossier(owner: User, label: str) -> Dossier:
    return services.open_dossier(owner, services.NewDossier(label, None, 16, ["sexual", "labour"]))


MELDING_FORM = {
    "reporter_name": "P. Proef",
    "reporter_organisation": "Wijkteam Proef",
    "reporter_phone": "0300000000",
    "person_name": "Casus Proef",
    "done_so_far": "Gesprekken gevoerd.",
    "consent": "not_asked",
    "legal_basis": "meldrecht",
    "legal_basis_reason": "Vermoeden van uitbuiting.",
    "departure_motivation": "De signalen zijn ernstig.",
}


def _details(**changes: Any) -> chain_services.ReportDetails:
    fields = {
        "reporter_email": "",
        "person_birth_date": None,
        "person_address": "Ergens in de regio",
        "parents": "Ouders bekend bij de school",
        "network": "Een tante",
        "family_hidden": "Niet aan de vader laten zien.",
        "non_disclosure": True,
        **MELDING_FORM,
    }
    return chain_services.ReportDetails(**{**fields, **changes})


def _selectable(dossier: Dossier) -> list[int]:
    """The sequences of the entries a sender may send along."""
    return [
        e.sequence
        for e in current_entries(timeline(dossier))
        if e.kind in chain_services.SELECTABLE_KINDS
    ]


def _chain(people: dict[str, User], senders: list[Dossier]) -> tuple[list[Share], Dossier]:
    """The chain in every state: partners linked; advice requests answered, declined,
    withdrawn and pending; meldingen accepted (with feedback), forwarded to the
    zorgcoördinatie and pending. Returns the shares and Veilig Thuis' own dossier."""
    owner, adviser = people["professional"], people["adviser"]
    admin = people["administrator"]
    vt, zc = adviser.organisation, people["care_coordinator"].organisation
    assert vt is not None and zc is not None
    chain_services.link_partner(admin, vt.pk, PartnerRole.VEILIG_THUIS)
    chain_services.link_partner(admin, zc.pk, PartnerRole.CARE_COORDINATOR)
    first, second, third, fourth = senders

    def ask(dossier: Dossier, question: str) -> Share:
        return chain_services.ask_advice(
            access_to(owner, dossier.pk), question, _selectable(dossier)
        )

    def melding(dossier: Dossier) -> Share:
        return chain_services.send_report(
            access_to(owner, dossier.pk), _details(), _selectable(dossier)
        )

    answered = ask(first, "Hoe pakken we dit aan?")
    chain_services.answer_advice(adviser, answered.pk, "Ga in gesprek en leg vast wat je ziet.")
    declined = ask(second, "Is dit iets voor jullie?")
    chain_services.decline(adviser, declined.pk, "Dit hoort bij een andere regio.")
    withdrawn = ask(third, "Nog een vraag.")
    chain_services.withdraw(access_to(owner, third.pk), withdrawn.pk)
    pending_advice = ask(fourth, "Wat zijn de volgende stappen?")

    accepted = melding(first)
    received = chain_services.accept_report(adviser, accepted.pk)
    chain_services.give_feedback(
        access_to(adviser, received.pk),
        chain_services.Feedback("after_safety_assessment", True, "Politie, gemeente", "Geen."),
    )
    forwarded = melding(second)
    onward = chain_services.forward(adviser, forwarded.pk, zc.pk, "Voor de casusregie.")
    pending_melding = melding(fourth)
    shares = [answered, declined, withdrawn, pending_advice, accepted, forwarded, pending_melding]
    for share in shares:  # opened by their recipient: logged on the sender's side
        chain_selectors.share_for_recipient(adviser, share.pk)
    chain_selectors.share_for_recipient(people["care_coordinator"], onward.pk)
    return [*shares, onward], received


class Rendered:
    """Renders pages as the test goes (GET, or a POST followed to where it leads), and keeps
    which URL names it rendered and what leaked."""

    def __init__(self) -> None:
        self.covered: set[str] = set()
        self.found: list[str] = []

    def check(self, name: str, who: Client, url: str, post: dict[str, Any] | None = None) -> None:
        self.covered.add(name)
        response = who.get(url) if post is None else who.post(url, post, follow=True)
        assert response.status_code in (200, 400, 409), (url, post, response.status_code)
        for leak in leaks(response.content.decode()):
            self.found.append(f"{url} ({'POST' if post is not None else 'GET'}): {leak}")

    def form(self, name: str, who: Client, url: str, *bad: dict[str, Any]) -> None:
        """A form page: shown, sent empty, and sent with each of the ``bad`` inputs."""
        self.check(name, who, url)
        for post in ({}, *bad):
            self.check(name, who, url, post)


def _registration_details(person: str, consent_by: str, on: Any) -> Any:
    return chain_services.RegistrationDetails(
        sender_name="P. Proef",
        sender_organisation="Wijkteam Proef",
        sender_phone="0300000000",
        sender_email="",
        person_name=person,
        person_birth_date=None,
        person_age=None,
        person_contact="",
        person_language="Roemeens",
        needs="Opvang en een veilige plek.",
        reason="Ze werkt zonder loon en mag niet weg.",
        consent=chain_services.RegistrationConsent(consent_by, on, "written", "Formulier bij ons"),
    )


def _chain_part_two(people: dict[str, User], rendered: Rendered) -> None:
    """The chain's part 2, page by page as it happens: a professional's aanmelding at the
    zorgcoördinatie (the form, its errors, its preview, the share in the inbox), the
    zorgcoördinator's trajectory (intake, procedures, progress, casusregie, closing), the
    screeningsoverleg (placing the case, the meeting, the outcome, the RIEC) and the
    lessons; for the sender, the zorgcoördinator, the procesregisseur and the
    ketenregisseur."""
    owner, care = people["professional"], people["care_coordinator"]
    director, keten = people["process_director"], people["chain_director"]
    admin = people["administrator"]
    sender, zc, pr, kr = _client(owner), _client(care), _client(director), _client(keten)
    today = timezone.localdate()
    tomorrow = (today + timedelta(days=1)).isoformat()
    # The aanmelding: the form, its errors (consent on a future day; a 14-year-old's own
    # consent) and the preview.
    registering = walk(owner, _dossier(owner, "Casus Aanmelding"), to_step=5)
    young = walk(
        owner,
        services.open_dossier(owner, services.NewDossier("Casus Jong", None, 14, ["labour"])),
        to_step=1,
    )
    for dossier in (registering, young):
        chosen = [str(n) for n in _selectable(dossier)]
        complete = {
            "sender_name": "P. Proef",
            "sender_organisation": "Wijkteam Proef",
            "sender_phone": "0300000000",
            "person_name": dossier.label,
            "needs": "Opvang en een veilige plek.",
            "reason": "Ze werkt zonder loon en mag niet weg.",
            "consent_given_by": "person",
            "consent_given_on": today.isoformat(),
            "consent_how": "written",
            "entries": chosen,
            "seen": seen(dossier),
        }
        rendered.form(
            "chain:registration",
            sender,
            reverse("chain:registration", args=[dossier.pk]),
            {**complete, "consent_given_on": tomorrow},
            complete,  # the preview; for the 14-year-old, refused: the parents must consent
        )
    share = chain_services.send_registration(
        access_to(owner, registering.pk),
        _registration_details(registering.label, "person", today),
        _selectable(registering),
    )
    rendered.check(
        "chain:registration", sender, reverse("chain:registration", args=[registering.pk])
    )
    inbox_share = reverse("chain:share", args=[share.pk])
    rendered.check("chain:inbox", zc, reverse("chain:inbox"))
    rendered.form("chain:share", zc, inbox_share, {"action": "decline"}, {"action": "forward"})
    opened = chain_services.accept(care, share.pk)
    rendered.check("chain:share", zc, inbox_share)
    rendered.check("chain:sent", sender, reverse("chain:sent", args=[registering.pk, share.pk]))

    # The trajectory, before anything is recorded, then with an intake and two procedures.
    def trajectory_pages() -> None:
        rendered.check("trajectory:detail", zc, reverse("trajectory:detail", args=[opened.pk]))
        for name in ("casusregie", "progress"):
            for who, dossier in ((zc, opened), (sender, registering)):
                rendered.check(
                    f"trajectory:{name}", who, reverse(f"trajectory:{name}", args=[dossier.pk])
                )
        for who, dossier in ((zc, opened), (sender, registering)):
            for name in ("detail", "access_log", "print", "export"):
                rendered.check(
                    f"dossiers:{name}", who, reverse(f"dossiers:{name}", args=[dossier.pk])
                )

    trajectory_pages()
    rendered.form(
        "trajectory:intake",
        zc,
        reverse("trajectory:intake", args=[opened.pk]),
        {"held_on": tomorrow, "needs": "", "informed": ["niet-bestaand"]},
    )
    rendered.form(
        "trajectory:procedures",
        zc,
        reverse("trajectory:procedures", args=[opened.pk]),
        {"procedure_type": "other", "name": "", "started_on": tomorrow, "organisation": ""},
    )
    access = access_to(care, opened.pk)
    trajectory.record_intake(
        access,
        trajectory.IntakeDetails(today, "Opvang, inkomen", ["informatie-strafrecht"], "Tolk"),
    )
    residence = trajectory.start_procedure(
        access_to(care, opened.pk),
        trajectory.NewProcedure("procedure-verblijfsvergunning", today, "IND", "requested"),
    )
    trajectory.start_procedure(
        access_to(care, opened.pk),
        trajectory.NewProcedure("other", today, "Gemeente", "running", name="Schuldhulp"),
    )
    trajectory.update_procedure(
        access_to(care, opened.pk),
        residence.sequence,
        trajectory.ProcedureUpdate("granted", today, "Toegekend"),
    )
    rendered.form(
        "trajectory:procedure",
        zc,
        reverse("trajectory:procedure", args=[opened.pk, residence.sequence]),
        {"status": "granted", "on": (today - timedelta(days=30)).isoformat()},
        {"status": "niet-bestaand", "on": tomorrow},
    )
    rendered.form(
        "trajectory:progress",
        zc,
        reverse("trajectory:progress", args=[opened.pk]),
        {"summary": "Het gaat beter.", "seen": "verouderd"},
    )
    rendered.form(
        "trajectory:casusregie",
        zc,
        reverse("trajectory:casusregie", args=[opened.pk]),
        {"organisation": str(owner.organisation_id), "reason": ""},
    )
    trajectory.send_progress(access_to(care, opened.pk), "Opvang geregeld; IND loopt.")
    trajectory_pages()
    rendered.check("trajectory:intake", zc, reverse("trajectory:intake", args=[opened.pk]))

    # The screening: not linked yet, linked without a meeting, with a meeting.
    place = reverse("screening:place", args=[opened.pk])
    rendered.check("screening:place", zc, place)
    safety_house, municipality = director.organisation, keten.organisation
    assert safety_house is not None and municipality is not None
    chain_services.link_partner(admin, safety_house.pk, PartnerRole.SCREENING)
    chain_services.link_partner(admin, municipality.pk, PartnerRole.CHAIN_DIRECTOR)
    rendered.check("screening:place", zc, place)
    rendered.check("screening:meetings", pr, reverse("screening:meetings"))
    rendered.form(
        "screening:meeting_new",
        pr,
        reverse("screening:meeting_new"),
        {"held_on": "2000-01-01", "chair": str(director.pk), "attendees": ["niet-bestaand"]},
    )
    chair = screening_access.decide(director)
    assert chair is not None
    meeting = screening_services.create_meeting(
        chair, today, director.pk, ["politie", "veilig-thuis"], "Leerplicht"
    )
    complete = {
        "meeting": str(meeting.pk),
        "name": opened.label,
        "reason": "Signalen van uitbuiting.",
        "goal": "Afstemmen wie wat doet.",
        "partners": "Zorgcoördinatie Proef\nWijkteam Proef",
    }
    rendered.form("screening:place", zc, place, {**complete, "goal": ""}, complete)
    item = screening_services.place(
        access_to(care, opened.pk),
        meeting.pk,
        screening_services.Registration(
            opened.label, None, "Signalen van uitbuiting.", "Afstemmen.", ("Wijkteam Proef",)
        ),
    )
    rendered.check("screening:place", zc, place)  # already on the agenda
    rendered.check("screening:meetings", pr, reverse("screening:meetings"))
    rendered.check("screening:meeting", pr, reverse("screening:meeting", args=[meeting.pk]))
    item_url = reverse("screening:item", args=[item.pk])
    rendered.form(
        "screening:item",
        pr,
        item_url,
        {"outcomes": ["screening-geen-vervolg"], "reason": ""},
        {"outcomes": ["screening-geen-vervolg", "screening-mdo"], "reason": "x"},
    )
    screening_services.record_outcome(
        chair, item.pk, ["screening-mdo", "screening-riec"], "", "MDO volgende week."
    )
    rendered.check("screening:item", pr, item_url)
    rendered.check("screening:meeting", pr, reverse("screening:meeting", args=[meeting.pk]))
    rendered.check("screening:riec", kr, reverse("screening:riec"))
    riec_url = reverse("screening:riec_item", args=[item.pk])
    rendered.form("screening:riec_item", kr, riec_url, {"contributed_on": tomorrow})
    kr_access = screening_access.decide(keten)
    assert kr_access is not None
    screening_services.record_riec(kr_access, item.pk, today)
    rendered.check("screening:riec_item", kr, riec_url)
    rendered.check("screening:riec", kr, reverse("screening:riec"))
    rendered.check("screening:place", zc, place)  # after the outcome
    for who in (pr, kr, zc, sender):
        rendered.check("notifications:list", who, reverse("notifications:list"))
    rendered.check("lessons:index", kr, reverse("lessons:index"))

    # CoMensha: agreeing who registers (a second agreement refused), the registration form
    # (consent signed by a 14-year-old themselves refused), the registration and its print.
    for who, dossier in ((zc, opened), (sender, registering)):
        rendered.form(
            "comensha:detail", who, reverse("comensha:detail", args=[dossier.pk]), {"note": "x"}
        )
    comensha.agree(access_to(care, opened.pk), opened.organisation_id, "Afgesproken in het MDO.")
    for who, dossier in ((zc, opened), (sender, registering)):
        rendered.form(
            "comensha:detail",
            who,
            reverse("comensha:detail", args=[dossier.pk]),
            {"registering": str(owner.organisation_id), "note": ""},
        )
    registration = {
        "category": "comensha-arbeid",
        "country_of_origin": "Roemenië",
        "age": "14",
        "sex": "female",
        "reporter_organisation": "Zorgcoördinatie Proef",
        "contact_name": "Z. Proef",
        "contact_phone": "0300000000",
        "kind": "comensha-registratie",
        "registered_on": today.isoformat(),
        "consent_signed_by": "person",
        "consent_signed_on": today.isoformat(),
        "consent_kept_at": "In de papieren map",
    }
    rendered.form(
        "comensha:register",
        zc,
        reverse("comensha:register", args=[opened.pk]),
        registration,
        {**registration, "age": "16", "registered_on": tomorrow, "category": "niet-bestaand"},
    )
    comensha.record_registration(
        access_to(care, opened.pk),
        comensha.RegistrationDetails(
            category="comensha-arbeid",
            country_of_origin="Roemenië",
            age=16,
            sex="female",
            reporter_organisation="Zorgcoördinatie Proef",
            contact_name="Z. Proef",
            contact_phone="0300000000",
            contact_email="",
            kind="comensha-registratie-opvang",
            registered_on=today,
            consent_signed_by="person",
            consent_signed_on=today,
            consent_kept_at="In de papieren map",
        ),
    )
    for who, dossier in ((zc, opened), (sender, registering)):
        rendered.check("comensha:detail", who, reverse("comensha:detail", args=[dossier.pk]))
        rendered.check("dossiers:detail", who, reverse("dossiers:detail", args=[dossier.pk]))
    rendered.check("comensha:print", zc, reverse("comensha:print", args=[opened.pk]))

    # Closing the trajectory, and casusregie handed to the sender's organisation.
    rendered.form(
        "trajectory:close",
        zc,
        reverse("trajectory:close", args=[opened.pk]),
        {"outcome": "niet-bestaand", "closed_on": tomorrow},
    )
    trajectory.close_trajectory(
        access_to(care, opened.pk),
        trajectory.Closing("traject-afgerond-doelen", today, "Doelen bereikt."),
    )
    assert owner.organisation_id is not None
    trajectory.hand_over(
        access_to(care, opened.pk), owner.organisation_id, "Terug naar het wijkteam."
    )
    trajectory_pages()
    for name in ("intake", "procedures", "close"):
        rendered.check(f"trajectory:{name}", zc, reverse(f"trajectory:{name}", args=[opened.pk]))


def test_no_page_shows_an_internal_identifier(people: dict[str, User]) -> None:
    """Every page type, for its users, in every stage of a dossier, shows no code, protocol id,
    file name or UUID outside the dossier's marked reference."""
    owner = people["professional"]
    dossiers = [walk(owner, _dossier(owner, f"Casus Stap {n}"), to_step=n) for n in range(6)]
    acute = walk(owner, _dossier(owner, "Casus Acuut"), to_step=5)
    add(owner, acute, "acute_danger", ACUTE_RAISED)
    done = closed(owner, _dossier(owner, "Casus Gesloten"))
    everything = [*dossiers, acute, done]
    services.add_colleague(
        access_to(owner, dossiers[5].pk), people["volunteer"].pk, seen_sequence=seen(dossiers[5])
    )
    open_with_break_glass(
        people["adviser"], dossiers[3].pk, "Melding binnengekomen; afstemming nodig."
    )
    shares, received = _chain(people, [dossiers[5], dossiers[4], dossiers[3], acute])

    pages: list[tuple[str, Client, str, Dossier | None, dict[str, Any] | None]] = []
    anonymous = Client()
    client = _client(owner)
    for page in PAGES:
        pages.append((f"web:{page.name}", anonymous, reverse(f"web:{page.name}"), None, None))
    pages.append(("login", anonymous, "/account/login/", None, None))
    pages.append(("login", anonymous, "/account/login/", None, {"login": "", "password": ""}))
    for name in ("dossiers:list", "dossiers:new"):
        pages.append((name, client, reverse(name), None, None))
    pages.append(("dossiers:new", client, reverse("dossiers:new"), None, {}))
    for dossier in everything:
        pk = dossier.pk
        for name in (
            "detail",
            "access_log",
            "team",
            "details",
            "close",
            "acute",
            "export",
            "print",
        ):
            pages.append(
                (f"dossiers:{name}", client, reverse(f"dossiers:{name}", args=[pk]), dossier, None)
            )
        for step in range(1, 6):
            pages.append(
                ("dossiers:step", client, reverse("dossiers:step", args=[pk, step]), dossier, None)
            )
        if dossier.last_sequence:
            pages.append(
                (
                    "dossiers:correct",
                    client,
                    reverse("dossiers:correct", args=[pk, 1]),
                    dossier,
                    None,
                )
            )
        if dossier.is_open:
            for kind in ("observation", "weighing", "decision", "acute_danger"):
                pages.append(
                    (
                        "dossiers:record",
                        client,
                        reverse("dossiers:record", args=[pk, kind]),
                        dossier,
                        {f"{kind}-seen": seen(dossier)},
                    )
                )
            pages.append(
                ("dossiers:signals", client, reverse("dossiers:signals", args=[pk]), dossier, {})
            )
            pages.append(
                (
                    "dossiers:close",
                    client,
                    reverse("dossiers:close", args=[pk]),
                    dossier,
                    {"evaluation-seen": seen(dossier)},
                )
            )
            pages.append(
                ("dossiers:team", client, reverse("dossiers:team", args=[pk]), dossier, {})
            )
            pages.append(
                ("dossiers:details", client, reverse("dossiers:details", args=[pk]), dossier, {})
            )
            if dossier.last_sequence:
                pages.append(
                    (
                        "dossiers:correct",
                        client,
                        reverse("dossiers:correct", args=[pk, 1]),
                        dossier,
                        {},
                    )
                )
    volunteer = _client(people["volunteer"])
    for step in range(1, 6):
        pages.append(
            (
                "dossiers:step",
                volunteer,
                reverse("dossiers:step", args=[dossiers[5].pk, step]),
                dossiers[5],
                None,
            )
        )
    adviser = _client(people["adviser"])
    pages.append(("dossiers:break_glass", adviser, reverse("dossiers:break_glass"), None, None))
    pages.append(("dossiers:break_glass", adviser, reverse("dossiers:break_glass"), None, {}))
    pages.append(
        (
            "dossiers:detail",
            adviser,
            reverse("dossiers:detail", args=[dossiers[3].pk]),
            dossiers[3],
            None,
        )
    )
    pages.append(("dossiers:list", adviser, reverse("dossiers:list"), None, None))
    # Berichten of every kind, about an organisation and not, read and unread.
    for kind in NotificationKind:
        notify(
            [people["adviser"]],
            kind,
            f"/dossiers/{dossiers[3].pk}/",
            organisation=people["adviser"].organisation,
        )
        notify([people["adviser"]], kind, "/dossiers/")
    Notification.objects.filter(user=people["adviser"], kind=NotificationKind.NEW_REPORT).update(
        read_at=timezone.now()
    )
    pages.append(("notifications:list", adviser, reverse("notifications:list"), None, None))
    pages.append(
        ("notifications:list", adviser, reverse("notifications:list") + "?pagina=2", None, None)
    )
    # The chain: sending (form, errors, preview), the inboxes, every share for its recipient,
    # Veilig Thuis' own dossier with its feedback page, and the partners page.
    for dossier in (dossiers[5], acute):
        for name in ("chain:ask_advice", "chain:report"):
            url = reverse(name, args=[dossier.pk])
            pages.append((name, client, url, dossier, None))
            pages.append((name, client, url, dossier, {}))
        chosen = [str(n) for n in _selectable(dossier)]
        pages.append(
            (
                "chain:ask_advice",
                client,
                reverse("chain:ask_advice", args=[dossier.pk]),
                dossier,
                {"question": "Wat nu?", "entries": chosen},
            )
        )
        pages.append(
            (
                "chain:report",
                client,
                reverse("chain:report", args=[dossier.pk]),
                dossier,
                {**MELDING_FORM, "entries": chosen},
            )
        )
    care_coordinator = _client(people["care_coordinator"])
    for who in (adviser, care_coordinator):
        pages.append(("chain:inbox", who, reverse("chain:inbox"), None, None))
    for share in shares:
        who = (
            care_coordinator if share.recipient_id != people["adviser"].organisation_id else adviser
        )
        url = reverse("chain:share", args=[share.pk])
        pages.append(("chain:share", who, url, None, None))
        if share.is_open:
            pages.append(("chain:share", who, url, None, {}))
            for action in ("answer", "decline", "forward"):
                pages.append(("chain:share", who, url, None, {"action": action}))
    for name in ("detail", "access_log", "team", "details"):
        pages.append(
            (
                f"dossiers:{name}",
                adviser,
                reverse(f"dossiers:{name}", args=[received.pk]),
                received,
                None,
            )
        )
    for step in range(1, 6):
        pages.append(
            (
                "dossiers:step",
                adviser,
                reverse("dossiers:step", args=[received.pk, step]),
                received,
                None,
            )
        )
    for share in shares:
        if share.sender_dossier_id is not None and not hasattr(share, "forwarded_from"):
            url = reverse("chain:sent", args=[share.sender_dossier_id, share.pk])
            pages.append(("chain:sent", client, url, None, None))
    feedback = reverse("chain:feedback", args=[received.pk])
    pages.append(("chain:feedback", adviser, feedback, received, None))
    pages.append(("chain:feedback", adviser, feedback, received, {}))
    admin = _client(people["administrator"])
    pages.append(("chain:partners", admin, reverse("chain:partners"), None, None))
    pages.append(("chain:partners", admin, reverse("chain:partners"), None, {}))
    for name in (
        "accounts:manage",
        "accounts:organisation_create",
        "accounts:user_create",
        "accounts:break_glass_review",
    ):
        pages.append((name, admin, reverse(name), None, None))
        if name != "accounts:manage":
            pages.append((name, admin, reverse(name), None, {}))
    pages.append(
        ("accounts:user_role", admin, reverse("accounts:user_role", args=[owner.pk]), None, None)
    )
    pages.append(
        ("accounts:user_role", admin, reverse("accounts:user_role", args=[owner.pk]), None, {})
    )

    rendered = Rendered()
    for name, who, url, _about, post in pages:
        rendered.check(name, who, url, post)
    # Part 2, rendered stage by stage: the aanmelding, the trajectory, the screening.
    _chain_part_two(people, rendered)
    missing = set(our_urls()) - NO_PAGE - rendered.covered
    assert not missing, f"pages not checked: {sorted(missing)}"
    assert rendered.found == [], "\n".join(rendered.found)


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>Alles in orde</p>", []),
        ("<p>— entry_added #3</p>", ["a protocol id or code", "a snake_case code"]),
        ("<p>— view</p>", ["an access-log code"]),
        ("<p>bron: DOMAIN_NOTES.md</p>", ["a file name"]),
        ("<p>Tijdzone Europe/Amsterdam</p>", ["a time-zone name"]),
        ("<p>Protocol gelderland-midden-2018</p>", ["a protocol id or code"]),
        ('<a title="entry_added" href="/x/">Bekijk</a><script>var a_b = 1;</script>', []),
    ],
)
@pytest.mark.django_db
def test_the_check_finds_each_kind_of_identifier(html: str, expected: list[str]) -> None:
    """The check itself: each kind of identifier in visible text is found; attributes and
    scripts are not text."""
    assert [leak.split(":")[0] for leak in leaks(html)] == expected
