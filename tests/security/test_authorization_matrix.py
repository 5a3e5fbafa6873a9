"""The authorization matrix, in two layers.

First the decision: for every role × (own case team, same organisation, other organisation,
break-glass) the access decision (:func:`baken.dossiers.access.decide`) allows exactly the
acts in ACTS, and :func:`baken.dossiers.access.restrict` (the query set) agrees with it; the
same for the zorgcoördinatie's trajectory dossier (TRAJECTORY_ACTS), which nobody outside
its case team reads.

Then the views: every URL of Baken's own apps names the act it needs, and every URL × role
gets the one expected answer in TABLE, for GET and POST, where "may use it" comes from
ACTS. A URL that is not in TABLE fails the test, so a new view cannot be forgotten.

For a user who may not see a dossier, the answer about a real dossier must be exactly the
answer about a dossier that does not exist: nothing leaks.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone

from baken.accounts.models import Organisation, OrganisationKind, Role, User
from baken.chain import services as chain_services
from baken.chain import trajectory
from baken.chain.models import PartnerRole
from baken.comensha import services as comensha
from baken.dossiers import services
from baken.dossiers.access import Act, Ground, decide
from baken.dossiers.break_glass import open_with_break_glass
from baken.dossiers.models import Dossier
from baken.dossiers.selectors import access_to
from baken.notifications.models import NotificationKind
from baken.notifications.services import notify
from baken.screening import access as screening_access
from baken.screening import services as screening_services
from tests.support import enrol_totp, our_urls

OBSERVATION = {
    "nature": "fact",
    "observed_on": "2026-11-20",
    "source": "mentor",
    "description": "x",
}

MELDING = chain_services.ReportDetails(
    reporter_name="P. Proef",
    reporter_organisation="Wijkteam Proef-Noord",
    reporter_phone="0300000000",
    reporter_email="",
    person_name="Casus Matrix",
    person_birth_date=None,
    person_address="",
    parents="",
    network="",
    done_so_far="Gesprekken gevoerd.",
    consent="not_asked",
    legal_basis="meldrecht",
    legal_basis_reason="Vermoeden van uitbuiting.",
    family_hidden="",
    non_disclosure=False,
    departure_motivation="Het besluit staat nog niet vast; de signalen zijn ernstig.",
)

# One row per URL name: who may use it, and the ONE answer each case gets.
#
# ``get`` and ``post`` are what a user who may use the URL gets (on the real dossier, for a
# dossier's URL); the POST is an empty form. Everyone else who is logged in gets 404, so
# nothing leaks, except where the row says 405: the method is refused before anything about
# the user or the dossier is looked at, so every logged-in user gets that 405. Anonymous
# visitors get ``anonymous`` (GET, POST); a user without two-factor authentication is sent to
# set it up (302) from every page. ``reader_post`` is what a break-glass reader (read-only
# access) gets for a POST to a dossier page that takes one.
#
# Who (``may``): "everyone" logged in; "nobody" (the set-up link is dead once users exist);
# "administrator" = the functioneel beheerder; "dossier-user" = every role that works with
# dossiers; "break-glass" = the aandachtsfunctionarissen and the Veilig Thuis advisers; or
# an :class:`Act` on the matrix's dossier, which whoever ACTS allows it to may use.
# The chain: "inbox" = who works a linked chain partner's inbox (the Veilig Thuis advisers
# of the organisation linked as Veilig Thuis, the zorgcoördinator of the one linked as
# zorgcoördinatie); "share-recipient" = who works the inbox the world's pending advice
# request was sent to (Veilig Thuis); "received-team" = the case team of the Veilig Thuis
# dossier opened from the world's accepted melding. A row ``on`` "received" is about that
# dossier instead of the matrix's.
# Part 2: "trajectory-team" = the case team of the zorgcoördinatie's trajectory dossier
# (opened from a second melding, forwarded by Veilig Thuis); a row ``on`` "trajectory" is
# about that dossier. "process-director" = the procesregisseur of the Veiligheidshuis
# linked as the screening; "process-director-agenda" = the same, about one of its meetings
# or agenda items. "chain-director" = the ketenregisseur of the municipality linked as
# chain director; "chain-director-riec" = the same, about an agenda item whose outcome is
# the RIEC. (A procesregisseur of a Veiligheidshuis that is not linked is neither.)
# "berichten" = everyone with a berichten list: who works with dossiers, and the
# procesregisseurs and ketenregisseurs (linked or not).


@dataclass(frozen=True)
class Row:
    may: str | Act
    get: int
    post: int
    anonymous: tuple[int, int] = (302, 302)  # to the login page
    reader_post: int | None = None
    on: str = "matrix"  # the dossier in the URL: the matrix's, "received" or "trajectory"


LOGIN_FIRST = (302, 302)
METHOD_FIRST_GET = (405, 302)  # require_POST runs before the login check
METHOD_FIRST_POST = (302, 405)  # require_safe runs before the login check

TABLE: dict[str, Row] = {
    "start": Row("everyone", get=302, post=405, anonymous=METHOD_FIRST_POST),  # to a home
    # The health check (JSON, no login): for anyone, GET only; a logged-in user without
    # two-factor authentication is sent to set it up from here too, like from every page.
    "health": Row("everyone", get=200, post=405, anonymous=(200, 405)),
    "accounts:setup": Row("nobody", get=404, post=404, anonymous=(404, 404)),
    "accounts:manage": Row("administrator", get=200, post=405, anonymous=METHOD_FIRST_POST),
    # These two show an empty form's errors with 200 (the dossier forms answer 400).
    "accounts:organisation_create": Row("administrator", get=200, post=200),
    "accounts:user_create": Row("administrator", get=200, post=200),
    # POST only; an empty POST does it for the user in the URL and goes back to the list.
    "accounts:user_deactivate": Row("administrator", 405, 302, anonymous=METHOD_FIRST_GET),
    "accounts:user_reactivate": Row("administrator", 405, 302, anonymous=METHOD_FIRST_GET),
    # Sensitive: to re-authentication first.
    "accounts:user_role": Row("administrator", get=302, post=302),
    "accounts:user_reset_two_factor": Row(
        "administrator", get=405, post=302, anonymous=METHOD_FIRST_GET
    ),
    # An empty POST chose no grant: back to the list with a message.
    "accounts:break_glass_review": Row("administrator", get=200, post=302),
    # An empty POST is refused with the form's errors.
    "dossiers:break_glass": Row("break-glass", get=200, post=400),
    "dossiers:list": Row("dossier-user", get=200, post=405),
    "dossiers:new": Row("dossier-user", get=200, post=400),
    # Sensitive: to re-authentication first; GET only.
    "dossiers:export": Row(Act.EXPORT, get=302, post=405),
    "dossiers:export_json": Row(Act.EXPORT, get=302, post=405),
    "dossiers:print": Row(Act.EXPORT, get=302, post=405),
    "dossiers:detail": Row(Act.READ, get=200, post=405),
    "dossiers:step": Row(Act.READ, get=200, post=405),
    "dossiers:access_log": Row(Act.READ, get=200, post=405),
    # The button records acute danger at once and goes back to the page; a reader may not
    # write, and the write refuses with 404.
    "dossiers:acute": Row(Act.READ, get=200, post=302, reader_post=404),
    # Forms: an empty one is refused with its errors, for a reader too (a complete one would
    # then be refused as a write, with 404).
    "dossiers:correct": Row(Act.READ, get=200, post=400, reader_post=400),
    "dossiers:close": Row(Act.READ, get=200, post=400, reader_post=400),
    "dossiers:team": Row(Act.READ, get=200, post=400, reader_post=400),
    "dossiers:details": Row(Act.READ, get=200, post=400, reader_post=400),
    "dossiers:record": Row(Act.READ, get=405, post=400, reader_post=400),
    "dossiers:signals": Row(Act.READ, get=405, post=400, reader_post=400),
    # Berichten: everyone who works with dossiers has a list; a bericht's link (GET only)
    # marks it read and redirects, for its owner only (everyone else: 404, as unknown).
    "notifications:list": Row("berichten", get=200, post=405),
    "notifications:open": Row("own-bericht", get=302, post=405),
    # The chain. Sending: an empty form is refused with its errors (the send step of a
    # melding asks for re-authentication, but an empty POST does not get that far).
    "chain:ask_advice": Row(Act.ASK_ADVICE, get=200, post=400),
    "chain:report": Row(Act.REPORT, get=200, post=400),
    # The aanmelding at the zorgcoördinatie (§2.1): who may report on the dossier.
    "chain:registration": Row(Act.REPORT, get=200, post=400),
    # POST only (the login check comes first); withdraws the world's pending advice request
    # and goes back to the dossier.
    # What was sent from the dossier, as it went: for everyone who reads the dossier.
    "chain:sent": Row(Act.READ, get=200, post=405),
    "chain:withdraw": Row(Act.RECORD, get=405, post=302),
    # Only on the dossier Veilig Thuis opened from a melding; on any other dossier, 404.
    "chain:feedback": Row("received-team", get=200, post=400, on="received"),
    "chain:inbox": Row("inbox", get=200, post=405),
    # An empty POST chose no action: the page again with a message.
    "chain:share": Row("share-recipient", get=200, post=400),
    "chain:partners": Row("administrator", get=200, post=400),
    # The zorgcoördinator's trajectory: only on a trajectory dossier (of the zorgcoördinatie,
    # in a chain case), for its case team; on any other dossier, 404. The procedure is the
    # world's one (its key in the URL). An empty form is refused with its errors.
    "trajectory:detail": Row("trajectory-team", get=200, post=405, on="trajectory"),
    "trajectory:intake": Row("trajectory-team", get=200, post=400, on="trajectory"),
    "trajectory:procedures": Row("trajectory-team", get=200, post=400, on="trajectory"),
    "trajectory:procedure": Row("trajectory-team", get=200, post=400, on="trajectory"),
    "trajectory:close": Row("trajectory-team", get=200, post=400, on="trajectory"),
    # Casusregie and the stand van zaken: on every dossier of a chain case, for who reads it
    # (the page says who may act); the matrix's dossier is in the case of its melding.
    "trajectory:casusregie": Row(Act.READ, get=200, post=400, reader_post=400),
    "trajectory:progress": Row(Act.READ, get=200, post=400, reader_post=400),
    # The screeningsoverleg (§2.1, §2.2). Putting the case on the agenda: the
    # zorgcoördinatie's case team, on its own dossier of a chain case.
    "screening:place": Row("trajectory-team", get=200, post=400, on="trajectory"),
    "screening:meetings": Row("process-director", get=200, post=405),
    "screening:meeting_new": Row("process-director", get=200, post=400),
    "screening:meeting": Row("process-director-agenda", get=200, post=405),
    "screening:item": Row("process-director-agenda", get=200, post=400),
    "screening:riec": Row("chain-director", get=200, post=405),
    "screening:riec_item": Row("chain-director-riec", get=200, post=400),
    # CoMensha (§2.2). Who registers: on every dossier of a chain case, for who reads it (an
    # empty form is refused with its errors; the form is offered to who may report). The
    # registration form: on the registering organisation's own dossier only, after the
    # agreement (the trajectory's case agreed the zorgcoördinatie; nothing registered yet).
    # The printed form and the JSON: who may export, on the dossier of the organisation that
    # registered (the matrix's case: the wijkteam, registered); sensitive: to
    # re-authentication first.
    "comensha:detail": Row(Act.READ, get=200, post=400, reader_post=400),
    "comensha:register": Row("trajectory-team", get=200, post=400, on="trajectory"),
    "comensha:print": Row(Act.EXPORT, get=302, post=405),
    "comensha:export_json": Row(Act.EXPORT, get=302, post=405),
    # The lessons from the chain: the ketenregisseur's only (GET only).
    "lessons:index": Row("chain-director", get=200, post=405),
}
PUBLIC_NAMESPACES = {"web"}

ROLES = (
    "anonymous",
    "team_professional",
    "team_volunteer",
    "colleague_same_org",
    "expert_same_org",
    "professional_other_org",
    "expert_other_org",
    "veilig_thuis_other_org",
    "care_coordinator_other_org",
    "administrator",
    "team_professional_without_2fa",
    "veilig_thuis_with_break_glass",
    "process_director",
    "chain_director",
    "process_director_unlinked",
)
SCREENING_USERS = {"process_director", "chain_director", "process_director_unlinked"}
"""Users of a Veiligheidshuis or a municipality: they never open a dossier."""
LOGGED_IN = set(ROLES) - {"anonymous", "team_professional_without_2fa"}
BREAK_GLASS_READER = "veilig_thuis_with_break_glass"

# The decision: what each user may do with the matrix's dossier, and on what ground.
EVERY_ACT = frozenset(Act)
ACTS: dict[str, frozenset[Act]] = {
    "team_professional": EVERY_ACT,
    "team_professional_without_2fa": EVERY_ACT,  # the decision; the pages ask for 2FA first
    # Volunteers have no afwegingskader (§1.2 Stap 5) and report through Veilig Thuis' help.
    "team_volunteer": frozenset({Act.READ, Act.RECORD, Act.ASK_ADVICE}),
    "expert_same_org": EVERY_ACT,
    BREAK_GLASS_READER: frozenset({Act.READ}),
}
GROUNDS: dict[str, frozenset[Ground]] = {
    "team_professional": frozenset({Ground.CASE_TEAM}),
    "team_professional_without_2fa": frozenset({Ground.CASE_TEAM}),
    "team_volunteer": frozenset({Ground.CASE_TEAM}),
    "expert_same_org": frozenset({Ground.ORGANISATION_EXPERT}),
    BREAK_GLASS_READER: frozenset({Ground.BREAK_GLASS}),
}

# The decision about the trajectory dossier (the zorgcoördinatie's own, opened from the
# forwarded melding): its case team may do everything; nobody else reads it, not the
# professional who sent the melding, not Veilig Thuis who forwarded it, not the screening:
# nobody sees another organisation's dossier.
TRAJECTORY_ACTS: dict[str, frozenset[Act]] = {"care_coordinator_other_org": EVERY_ACT}
TRAJECTORY_GROUNDS: dict[str, frozenset[Ground]] = {
    "care_coordinator_other_org": frozenset({Ground.CASE_TEAM})
}

MAY: dict[str | Act, set[str]] = {
    "everyone": LOGGED_IN,
    "nobody": set(),
    "administrator": {"administrator"},
    "dossier-user": LOGGED_IN - {"administrator"} - SCREENING_USERS,
    "berichten": LOGGED_IN - {"administrator"},
    "own-bericht": {"team_professional"},  # the world's one bericht is theirs
    "inbox": {"veilig_thuis_other_org", BREAK_GLASS_READER, "care_coordinator_other_org"},
    "share-recipient": {"veilig_thuis_other_org", BREAK_GLASS_READER},
    "received-team": {"veilig_thuis_other_org"},  # accepted the melding
    "trajectory-team": {"care_coordinator_other_org"},  # accepted the forwarded melding
    "process-director": {"process_director"},
    "process-director-agenda": {"process_director"},
    "chain-director": {"chain_director"},
    "chain-director-riec": {"chain_director"},
    "break-glass": {
        "expert_same_org",
        "expert_other_org",
        "veilig_thuis_other_org",
        BREAK_GLASS_READER,
    },
    **{act: {role for role, acts in ACTS.items() if act in acts} & LOGGED_IN for act in Act},
}
PER_DOSSIER: set[str | Act] = set(Act) | {
    "own-bericht",
    "share-recipient",
    "received-team",
    "trajectory-team",
    "process-director-agenda",
    "chain-director-riec",
}
"""Rows about one object (the dossier, the bericht, the share, the meeting or the agenda
item): 404 for an unknown one."""


@dataclass(frozen=True)
class Objects:
    """The objects a URL can be about: the world's, or ids that do not exist."""

    dossier: uuid.UUID
    user: int
    notification: int
    share: uuid.UUID
    meeting: uuid.UUID
    item: uuid.UUID
    sequence: int = 1
    """An entry's number: the first, or (for a procedure of the trajectory) its key."""


def _kwargs(pattern: URLPattern, objects: Objects) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in pattern.pattern.converters:
        values[name] = {
            "pk": objects.dossier if "uuid" in str(pattern.pattern) else objects.user,
            "step": 1,
            "sequence": objects.sequence,
            "kind": "observation",
            "token": "not-a-token",
            "notification": objects.notification,
            "share": objects.share,
            "share_id": objects.share,
            "meeting": objects.meeting,
            "item": objects.item,
        }[name]
    return values


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    north = Organisation.objects.create(
        name="Wijkteam Proef-Noord", kind=OrganisationKind.NEIGHBOURHOOD_TEAM
    )
    south = Organisation.objects.create(name="School Proef-Zuid", kind=OrganisationKind.SCHOOL)
    vt = Organisation.objects.create(name="Veilig Thuis Proef", kind=OrganisationKind.VEILIG_THUIS)
    zc = Organisation.objects.create(
        name="Zorgcoördinatie Proef", kind=OrganisationKind.CARE_COORDINATION
    )

    def user(
        name: str, role: str, organisation: Organisation | None, *, two_factor: bool = True
    ) -> User:
        made = User.objects.create_user(
            username=name, password="x" * 16, role=role, organisation=organisation
        )
        if two_factor:
            enrol_totp(made)
        return made

    users = {
        "team_professional": user("p-team", Role.PROFESSIONAL, north),
        "team_volunteer": user("v-team", Role.VOLUNTEER, north),
        "colleague_same_org": user("p-collega", Role.PROFESSIONAL, north),
        "expert_same_org": user("a-noord", Role.DESIGNATED_EXPERT, north),
        "professional_other_org": user("p-zuid", Role.PROFESSIONAL, south),
        "expert_other_org": user("a-zuid", Role.DESIGNATED_EXPERT, south),
        "veilig_thuis_other_org": user("vt", Role.VEILIG_THUIS_ADVISER, vt),
        "care_coordinator_other_org": user("zc", Role.CARE_COORDINATOR, zc),
        "administrator": user("beheer", Role.ADMINISTRATOR, None),
        "team_professional_without_2fa": user(
            "p-team-zonder-2fa", Role.PROFESSIONAL, north, two_factor=False
        ),
        "veilig_thuis_with_break_glass": user("vt-nood", Role.VEILIG_THUIS_ADVISER, vt),
    }
    owner = users["team_professional"]
    dossier = services.open_dossier(owner, services.NewDossier("Casus Matrix", None, 16, []))
    services.record(access_to(owner, dossier.pk), "observation", OBSERVATION, seen_sequence=0)
    services.add_colleague(
        access_to(owner, dossier.pk), users["team_volunteer"].pk, seen_sequence=1
    )
    services.add_colleague(
        access_to(owner, dossier.pk), users["team_professional_without_2fa"].pk, seen_sequence=2
    )
    open_with_break_glass(
        users["veilig_thuis_with_break_glass"],
        dossier.pk,
        "Melding binnengekomen over deze casus; afstemming nodig.",
    )
    bericht = notify([owner], NotificationKind.NEW_REPORT, f"/dossiers/{dossier.pk}/")[0]
    # The chain: Veilig Thuis and the zorgcoördinatie linked; a melding sent and accepted (so
    # Veilig Thuis has its own dossier), and an advice request waiting in Veilig Thuis' inbox.
    administrator = users["administrator"]
    chain_services.link_partner(administrator, vt.pk, PartnerRole.VEILIG_THUIS)
    chain_services.link_partner(administrator, zc.pk, PartnerRole.CARE_COORDINATOR)
    melding = chain_services.send_report(access_to(owner, dossier.pk), MELDING, [1])
    received = chain_services.accept_report(users["veilig_thuis_other_org"], melding.pk)
    share = chain_services.ask_advice(access_to(owner, dossier.pk), "Wat nu?", [1])
    # Part 2. A second melding, forwarded by Veilig Thuis to the zorgcoördinatie and accepted
    # there: the zorgcoördinatie's trajectory dossier, with one procedure started.
    care = users["care_coordinator_other_org"]
    second = services.open_dossier(owner, services.NewDossier("Casus Traject", None, 16, []))
    services.record(access_to(owner, second.pk), "observation", OBSERVATION, seen_sequence=0)
    m2 = chain_services.send_report(access_to(owner, second.pk), MELDING, [1])
    onward = chain_services.forward(users["veilig_thuis_other_org"], m2.pk, zc.pk, "Evident")
    trajectory_dossier = chain_services.accept_report(care, onward.pk)
    key = trajectory.start_procedure(
        access_to(care, trajectory_dossier.pk),
        trajectory.NewProcedure(
            procedure_type="procedure-verblijfsvergunning",
            started_on=timezone.localdate(),
            organisation="IND",
            status="requested",
        ),
    ).sequence
    # The screening: a Veiligheidshuis and a municipality linked; a meeting today with the
    # trajectory's case on its agenda, its outcome an inbreng in the RIEC. A second
    # Veiligheidshuis is not linked: its procesregisseur is nobody in the screening.
    safety_house = Organisation.objects.create(
        name="Veiligheidshuis Proef", kind=OrganisationKind.SAFETY_HOUSE
    )
    municipality = Organisation.objects.create(
        name="Gemeente Proef", kind=OrganisationKind.MUNICIPALITY
    )
    unlinked = Organisation.objects.create(
        name="Veiligheidshuis Elders", kind=OrganisationKind.SAFETY_HOUSE
    )
    chain_services.link_partner(administrator, safety_house.pk, PartnerRole.SCREENING)
    chain_services.link_partner(administrator, municipality.pk, PartnerRole.CHAIN_DIRECTOR)
    director = user("pr", Role.PROCESS_DIRECTOR, safety_house)
    users["process_director"] = director
    users["chain_director"] = user("kr", Role.CHAIN_DIRECTOR, municipality)
    users["process_director_unlinked"] = user("pr-elders", Role.PROCESS_DIRECTOR, unlinked)
    chair = screening_access.decide(director)
    assert chair is not None
    meeting = screening_services.create_meeting(chair, timezone.localdate(), director.pk, [], "")
    item = screening_services.place(
        access_to(care, trajectory_dossier.pk),
        meeting.pk,
        screening_services.Registration("Casus Traject", None, "Signalen", "Afstemmen", ("ZC",)),
    )
    screening_services.record_outcome(chair, item.pk, ["screening-riec"], "", "")
    # CoMensha: the matrix's case agreed that the wijkteam registers, and it did; the
    # trajectory's case agreed that the zorgcoördinatie registers, which it has not yet.
    comensha.agree(access_to(owner, dossier.pk), north.pk)
    comensha.record_registration(
        access_to(owner, dossier.pk),
        comensha.RegistrationDetails(
            category="comensha-arbeid",
            country_of_origin="Roemenië",
            age=16,
            sex="female",
            reporter_organisation="Wijkteam Proef-Noord",
            contact_name="P. Proef",
            contact_phone="0300000000",
            contact_email="",
            kind="comensha-registratie",
            registered_on=timezone.localdate(),
            consent_signed_by="person",
            consent_signed_on=timezone.localdate(),
            consent_kept_at="In het dossier op papier",
        ),
    )
    comensha.agree(access_to(care, trajectory_dossier.pk), zc.pk)
    return {
        "users": users,
        "dossier": dossier,
        "bericht": bericht,
        "received": received,
        "share": share,
        "trajectory": trajectory_dossier,
        "procedure": key,
        "meeting": meeting,
        "item": item,
    }


def _client(world: dict[str, Any], role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world["users"][role], backend="baken.web.auth.ModelBackend")
    return client


@pytest.mark.parametrize("role", sorted(set(ROLES) - {"anonymous"}))
def test_the_decision(world: dict[str, Any], role: str) -> None:
    """The access decision about the matrix's dossier allows this role exactly the acts in
    ACTS, on the grounds in GROUNDS, and the query set's ``restrict`` agrees act by act."""
    user = world["users"][role]
    dossier: Dossier = world["dossier"]
    access = decide(user, dossier)
    allowed = frozenset(act for act in Act if access is not None and access.may(act))
    listed = frozenset(
        act for act in Act if Dossier.objects.restrict(user, act).filter(pk=dossier.pk).exists()
    )
    grounds = access.grounds if access is not None else frozenset()
    assert (allowed, listed, grounds) == (
        ACTS.get(role, frozenset()),
        ACTS.get(role, frozenset()),
        GROUNDS.get(role, frozenset()),
    )


@pytest.mark.parametrize("role", sorted(set(ROLES) - {"anonymous"}))
def test_the_decision_on_the_trajectory_dossier(world: dict[str, Any], role: str) -> None:
    """The access decision about the zorgcoördinatie's trajectory dossier allows this role
    exactly the acts in TRAJECTORY_ACTS, on the grounds in TRAJECTORY_GROUNDS, and the query
    set's ``restrict`` agrees act by act."""
    user = world["users"][role]
    dossier: Dossier = world["trajectory"]
    access = decide(user, dossier)
    allowed = frozenset(act for act in Act if access is not None and access.may(act))
    listed = frozenset(
        act for act in Act if Dossier.objects.restrict(user, act).filter(pk=dossier.pk).exists()
    )
    grounds = access.grounds if access is not None else frozenset()
    assert (allowed, listed, grounds) == (
        TRAJECTORY_ACTS.get(role, frozenset()),
        TRAJECTORY_ACTS.get(role, frozenset()),
        TRAJECTORY_GROUNDS.get(role, frozenset()),
    )


def test_every_url_of_ours_has_a_row_and_every_row_a_url() -> None:
    """A new URL in dossiers, accounts or the start page must be added to TABLE, and a row
    whose URL is gone must go."""
    names = {name for name, _ in our_urls() if name.split(":")[0] not in PUBLIC_NAMESPACES}
    assert sorted(names - TABLE.keys()) == [], "add these URLs to the authorization matrix"
    assert sorted(TABLE.keys() - names) == [], "these URLs are gone; remove their rows"


def expected(name: str, role: str, method: str, real: bool) -> int:
    """The one status code for this URL, role and method, on the real dossier (``real``) or
    on one that does not exist."""
    row = TABLE[name]
    if role == "team_professional_without_2fa":
        return 302  # to setting up two-factor authentication, whatever the page
    if role == "anonymous":
        return row.anonymous[0 if method == "GET" else 1]
    answer = row.get if method == "GET" else row.post
    if answer == 405:
        return 405  # refused for the method, before the user or the dossier is looked at
    if role not in MAY[row.may] or (row.may in PER_DOSSIER and not real):
        return 404
    if method == "POST" and role == BREAK_GLASS_READER and row.reader_post is not None:
        return row.reader_post
    return answer


def test_the_table_gives_each_kind_of_user_a_different_answer_where_it_matters() -> None:
    """The table's own rules, spelled out for a few cases: a volunteer reads but does not
    export, a break-glass reader may not record acute danger, the functioneel beheerder has
    no dossiers at all, and an unknown dossier is 404 even for its case team."""
    assert expected("dossiers:detail", "team_volunteer", "GET", True) == 200
    assert expected("dossiers:export", "team_volunteer", "GET", True) == 404
    assert expected("dossiers:export", "team_professional", "GET", True) == 302
    assert expected("dossiers:acute", "team_professional", "POST", True) == 302
    assert expected("dossiers:acute", BREAK_GLASS_READER, "POST", True) == 404
    assert expected("dossiers:list", "administrator", "GET", True) == 404
    assert expected("dossiers:list", "administrator", "POST", True) == 405
    assert expected("dossiers:detail", "team_professional", "GET", False) == 404
    assert expected("accounts:manage", "expert_same_org", "GET", True) == 404
    # Part 2: the screening's users never reach a dossier, but have berichten and their own
    # pages; a procesregisseur of a Veiligheidshuis that is not linked has no screening.
    assert expected("dossiers:list", "process_director", "GET", True) == 404
    assert expected("notifications:list", "chain_director", "GET", True) == 200
    assert expected("notifications:list", "process_director_unlinked", "GET", True) == 200
    assert expected("screening:meetings", "process_director", "GET", True) == 200
    assert expected("screening:meetings", "process_director_unlinked", "GET", True) == 404
    assert expected("screening:meetings", "chain_director", "GET", True) == 404
    assert expected("lessons:index", "chain_director", "GET", True) == 200
    assert expected("lessons:index", "process_director", "GET", True) == 404
    assert expected("trajectory:detail", "care_coordinator_other_org", "GET", True) == 200
    assert expected("trajectory:detail", "team_professional", "GET", True) == 404
    assert expected("screening:item", "process_director", "GET", False) == 404


@pytest.mark.parametrize("role", ROLES)
def test_the_matrix(world: dict[str, Any], role: str) -> None:
    """Every URL × this role, for GET and an empty POST, on the real dossier and on an
    unknown id, gets exactly the status in TABLE."""
    client = _client(world, role)
    dossier: Dossier = world["dossier"]
    target_user = world["users"]["colleague_same_org"].pk
    failures: list[tuple[Any, ...]] = []
    for name, pattern in our_urls():
        namespace = name.split(":")[0]
        if namespace in PUBLIC_NAMESPACES:
            response = client.get(reverse(name))
            if response.status_code != 200:
                failures.append((name, "GET", response.status_code, "expected 200"))
            continue
        about = world[TABLE[name].on] if TABLE[name].on != "matrix" else dossier
        for real in (True, False):
            objects = (
                Objects(
                    dossier=about.pk,
                    user=target_user,
                    notification=world["bericht"].pk,
                    share=world["share"].pk,
                    meeting=world["meeting"].pk,
                    item=world["item"].pk,
                    sequence=world["procedure"] if name == "trajectory:procedure" else 1,
                )
                if real
                else Objects(
                    dossier=uuid.uuid4(),
                    user=target_user,
                    notification=world["bericht"].pk + 1000,
                    share=uuid.uuid4(),
                    meeting=uuid.uuid4(),
                    item=uuid.uuid4(),
                )
            )
            url = reverse(name, kwargs=_kwargs(pattern, objects))
            for method in ("GET", "POST"):
                response = client.get(url) if method == "GET" else client.post(url, {})
                want = expected(name, role, method, real)
                if response.status_code != want:
                    failures.append(
                        (
                            name,
                            method,
                            "real" if real else "unknown",
                            response.status_code,
                            f"expected {want}",
                        )
                    )
    assert not failures, failures


@pytest.mark.parametrize("role", sorted(set(ROLES) - {"anonymous"}))
def test_a_real_object_answers_as_a_missing_one_to_who_may_not_see_it(role: str) -> None:
    """For every URL about one dossier, bericht or share, a user who may not see that object
    gets the same answer about it as about one that does not exist (by the table, which the
    matrix checks)."""
    differ = [
        (name, method)
        for name, row in TABLE.items()
        if row.may in PER_DOSSIER and role not in MAY[row.may]
        for method in ("GET", "POST")
        if expected(name, role, method, True) != expected(name, role, method, False)
    ]
    assert differ == []
