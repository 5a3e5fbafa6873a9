"""Reads of dossier data. Every dossier comes with its access decision
(:class:`baken.dossiers.access.DossierAccess`).

Views call :func:`dossier_for` (404 outside the user's need to know, never 403), which
decides once what the user may do there, and then read that dossier's entries and advice
through the functions here, passing the decision on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from baken.accounts.models import Organisation, Role, User
from baken.audit.models import AccessEvent, Code
from baken.dossiers.access import Act, DossierAccess, decide, decide_many, log_dossier, refuse
from baken.dossiers.models import Dossier, Entry, EntryKind
from baken.engine import Advice, Situation, assess
from baken.engine.situation import QUESTION_IDS, Answer, Art273fFacts, Consent, Reporter
from baken.protocol import Protocol, default_registry
from baken.protocol.index import all_signals
from baken.protocol.schema import CaseDirection, ExploitationForm

STEP_KINDS: dict[int, tuple[str, ...]] = {
    1: (EntryKind.OBSERVATION, EntryKind.SIGNAL, EntryKind.PROFILE),
    2: (EntryKind.CONSULTATION,),
    3: (EntryKind.CONVERSATION,),
    4: (EntryKind.WEIGHING,),
    5: (EntryKind.DECISION,),
}


def access_to(user: Any, dossier_id: UUID | str) -> DossierAccess:
    """The access decision about one dossier, or 404 when the user need not know it, so its
    existence does not leak. Not a read by itself: writes pass it to the services.

    A dossier that exists but is not the user's is refused by
    :func:`baken.dossiers.access.refuse`, which logs the refused read (rate-limited) and
    raises the same 404 as for an id that matches no dossier; such an id is not logged:
    there is nothing there to protect."""
    try:
        dossier = Dossier.objects.select_related("organisation").get(pk=dossier_id)
    except (Dossier.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404("no such dossier") from exc
    access = decide(user, dossier)
    if access is None:
        refuse(user, dossier)
    return access


def dossier_for(user: Any, dossier_id: UUID | str, *, action: str = "view") -> DossierAccess:
    """The dossier with what ``user`` may do there, if they need to know it; otherwise 404.

    Every dossier read passes here, so the access log (NEN 7513, code R) is written here,
    with the checks of the decision that allowed it, and no view can forget it.
    """
    access = access_to(user, dossier_id)
    record_read(access, action)
    return access


def record_read(access: DossierAccess, action: str = "view") -> None:
    """The access-log line (code R) for a read the decision in ``access`` allowed."""
    log_dossier(access, Code.READ, action)


def dossiers_for(
    user: Any, *, step: int | None = None, form: str | None = None, status: str | None = None
) -> list[Dossier]:
    """The user's dossiers, filtered by the step they are at, a form, or open/closed.

    Each dossier listed is a read (its label is shown): one access-log line per dossier.
    """
    dossiers = Dossier.objects.restrict(user, Act.READ).select_related("organisation")
    if step is not None:
        dossiers = dossiers.filter(next_step=step)
    if status == "open":
        dossiers = dossiers.filter(closed_at__isnull=True)
    elif status == "closed":
        dossiers = dossiers.filter(closed_at__isnull=False)
    if form:
        # JSON containment is not portable to SQLite; the list is short per user.
        ids = [d.pk for d in dossiers if form in d.exploitation_forms]
        dossiers = dossiers.filter(pk__in=ids)
    listed = list(dossiers)
    decided = decide_many(user, listed)
    with transaction.atomic():
        for dossier in listed:
            log_dossier(decided[dossier.pk], Code.READ, "list")
    return listed


def protocol_of(dossier: Dossier) -> Protocol:
    """The protocol pinned on the dossier when it was opened."""
    return default_registry().get(dossier.protocol_id)


def timeline(dossier: Dossier) -> list[Entry]:
    """Every entry of the dossier, oldest first, corrections included."""
    return list(
        dossier.entries.select_related("author", "corrects").prefetch_related("corrected_by")
    )


def current_entries(entries: list[Entry]) -> list[Entry]:
    """The entries that still stand: not corrected later, and not withdrawals."""
    corrected = {e.corrects_id for e in entries if e.corrects_id is not None}
    return [e for e in entries if e.pk not in corrected and not e.withdrawn]


def latest(entries: list[Entry], kind: str) -> Entry | None:
    """The newest standing entry of ``kind``."""
    found = [e for e in entries if e.kind == kind]
    return found[-1] if found else None


def steps_done(entries: list[Entry]) -> list[int]:
    """The steps with at least one standing entry.

    The step-5 decision only counts while it is newer than the newest weighing and the
    newest acute-danger entry: a decision taken on an older weighing must be taken again.
    """
    kinds = {e.kind for e in entries}
    done = [step for step, wanted in STEP_KINDS.items() if kinds.intersection(wanted)]
    if 5 in done and decision_outdated(entries):
        done.remove(5)
    return done


def decision_outdated(entries: list[Entry]) -> bool:
    """Whether the standing decision predates the newest weighing or acute-danger entry."""
    decision = latest(entries, EntryKind.DECISION)
    if decision is None:
        return False
    later = [
        e
        for e in entries
        if e.kind in (EntryKind.WEIGHING, EntryKind.ACUTE_DANGER) and e.sequence > decision.sequence
    ]
    return bool(later)


def decision_before_acute_danger(entries: list[Entry]) -> bool:
    """Whether acute danger was recorded after the standing decision."""
    decision = latest(entries, EntryKind.DECISION)
    if decision is None:
        return False
    return any(e.kind == EntryKind.ACUTE_DANGER and e.sequence > decision.sequence for e in entries)


def weighing_before_acute_danger(entries: list[Entry]) -> bool:
    """Whether acute danger was recorded after the standing weighing (whatever its state now)."""
    weighed = latest(entries, EntryKind.WEIGHING)
    if weighed is None:
        return False
    return any(e.kind == EntryKind.ACUTE_DANGER and e.sequence > weighed.sequence for e in entries)


def age_on(dossier: Dossier, day: date) -> int | None:
    """The person's age in whole years on ``day``, from the date of birth or the age given."""
    if dossier.birth_date is not None:
        born: date = dossier.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    if dossier.age_at_opening is not None:
        opened = timezone.localdate(dossier.opened_at)
        years = day.year - opened.year - ((day.month, day.day) < (opened.month, opened.day))
        return dossier.age_at_opening + max(years, 0)
    return None


ACTION_NOTICES = frozenset(
    {"weighing_before_acute_danger", "decision_outdated", "decision_before_acute_danger"}
)
"""The notices that ask the user to do something (weigh again, decide again)."""


@dataclass(frozen=True)
class DossierState:
    """What the record says now, and what the protocol demands given that."""

    entries: list[Entry]
    current: list[Entry]
    situation: Situation
    advice: Advice
    protocol: Protocol
    notices: list[str]
    """Codes of things the page must point out, e.g. ``weighing_before_acute_danger``."""
    received_on: date | None = None
    """The date of the melding or aanmelding this dossier was opened from (on the
    recipient's side)."""
    received_kind: str = ""
    """What it was opened from: ``report`` (a melding), ``registration`` (an aanmelding)."""


def reporter_for(access: DossierAccess) -> Reporter:
    """Who the advice is for: the user reading it. Volunteers have no afwegingskader
    (§1.2 Stap 5), so a volunteer never sees a professional's advice."""
    return Reporter.VOLUNTEER if access.volunteer else Reporter.PROFESSIONAL


def situation_for(
    dossier: Dossier,
    current: list[Entry],
    moment: datetime,
    protocol: Protocol,
    reporter: Reporter | None = None,
) -> tuple[Situation, list[str]]:
    """The engine's view of the dossier: built only from standing entries."""
    notices: list[str] = []
    weighing: dict[str, Answer] = dict.fromkeys(QUESTION_IDS, "unknown")
    weighed = latest(current, EntryKind.WEIGHING)
    if weighed is not None:
        for question in QUESTION_IDS:
            weighing[question] = weighed.data["answers"][question]
    acute_since = weighing_before_acute_danger(current)
    if (dossier.acute_danger or acute_since) and "no" in (weighing["q1"], weighing["q2"]):
        # Acute danger came after a weighing that saw no concern or no unsafety: those
        # answers no longer hold, even once the danger is over, until the professional
        # weighs again.
        notices.append("weighing_before_acute_danger")
        for question in ("q1", "q2"):
            if weighing[question] == "no":
                weighing[question] = "unknown"
    conversation = latest(current, EntryKind.CONVERSATION)
    consent = Consent.NOT_ASKED
    if conversation is not None:
        consent = Consent(conversation.data.get("consent_to_report", "not_asked"))
    known_signals = set(all_signals(protocol))
    signals = {
        e.data["signal_id"]
        for e in current
        if e.kind == EntryKind.SIGNAL and e.data["signal_id"] in known_signals
    }
    known_profiles = {p.id for p in protocol.profiles}
    profiles = {
        e.data["profile_id"]
        for e in current
        if e.kind == EntryKind.PROFILE and e.data["profile_id"] in known_profiles
    }
    if decision_outdated(current):
        # Say why step 5 is no longer ticked: acute danger recorded after the decision, or
        # a newer weighing.
        notices.append(
            "decision_before_acute_danger"
            if decision_before_acute_danger(current)
            else "decision_outdated"
        )
    if protocol.version != dossier.protocol_version:
        notices.append("protocol_version_changed")
    report_made, direction = chain_state(current, dossier.organisation.name)
    situation = Situation(
        moment=moment,
        reporter=reporter or Reporter(dossier.reporter),
        age=age_on(dossier, timezone.localdate(moment)),
        acute_danger=dossier.acute_danger,
        exploitation_forms=frozenset(ExploitationForm(f) for f in dossier.exploitation_forms),
        signals=frozenset(signals),
        profiles=frozenset(profiles),
        steps_completed=frozenset(steps_done(current)),
        weighing=weighing,
        consent_to_report=consent,
        art_273f=Art273fFacts(),
        protocol_id=protocol.id,
        report_made=report_made,
        case_direction=direction,
        screening_outcomes=screening_outcomes(current, protocol),
    )
    return situation, notices


def screening_outcomes(current: list[Entry], protocol: Protocol) -> frozenset[str]:
    """What the latest screeningsoverleg decided about this dossier's person, from the
    SCREENING entries the screening wrote here (§2.1, §2.2); outcomes the dossier's protocol
    does not know are left out rather than guessed at."""
    known = {outcome.id for outcome in protocol.chain.screening.outcomes}
    outcome = latest([e for e in current if e.data.get("event") == "outcome"], EntryKind.SCREENING)
    if outcome is None:
        return frozenset()
    return frozenset(str(o) for o in outcome.data.get("outcomes", []) if o in known)


def chain_state(current: list[Entry], organisation: str = "") -> tuple[date | None, CaseDirection]:
    """The melding sent from this dossier and who holds casusregie, from the entries the
    chain wrote here (``organisation`` is the dossier's own organisation's name).

    - A melding or aanmelding that was declined or withdrawn no longer counts; a forward
      follows it to the next partner.
    - An accepted one moves casusregie to the partner that accepted it (§2.1): the
      zorgcoördinatie (``care_coordinator``), or Veilig Thuis.
    - A hand-over (``case_direction`` entry) moves it to its ``to_partner``: the
      zorgcoördinatie, or Veilig Thuis; to the dossier's own organisation (or any other
      organisation) it is ``own``.
    - The latest of these, in the order of the timeline, wins.

    The engine knows casusregie with Veilig Thuis only after a melding (it counts Veilig
    Thuis' terms from it): in a dossier that sent none, Veilig Thuis holding casusregie
    reads as ``own`` here (the chain panel still names the organisation)."""
    reports: dict[str, date] = {}
    registrations: set[str] = set()
    direction = CaseDirection.OWN
    for entry in current:
        data = entry.data
        share = str(data.get("share", ""))
        if entry.kind == EntryKind.REPORT and data.get("direction") != "received":
            reports[share] = date.fromisoformat(data["report_made"])
        elif entry.kind == EntryKind.REGISTRATION and data.get("direction") == "sent":
            registrations.add(share)
        elif entry.kind == EntryKind.CHAIN_STATUS and (share in reports or share in registrations):
            event = data.get("event")
            if event in ("declined", "withdrawn"):
                reports.pop(share, None)
                registrations.discard(share)
            elif event == "forwarded":
                onward = str(data.get("onward", ""))
                if share in reports:
                    reports[onward] = reports.pop(share)
                else:
                    registrations.discard(share)
                    registrations.add(onward)
            elif event == "accepted":
                direction = (
                    CaseDirection.CARE_COORDINATOR
                    if data.get("partner") == "zorgcoordinator"
                    else CaseDirection.VEILIG_THUIS
                )
        elif entry.kind == EntryKind.CASE_DIRECTION:
            to_partner = data.get("to_partner")
            if organisation and data.get("to_organisation") == organisation:
                direction = CaseDirection.OWN
            elif to_partner == "zorgcoordinator":
                direction = CaseDirection.CARE_COORDINATOR
            elif to_partner == "veilig-thuis":
                direction = CaseDirection.VEILIG_THUIS
            else:
                direction = CaseDirection.OWN
    report_made = max(reports.values()) if reports else None
    if direction is CaseDirection.VEILIG_THUIS and report_made is None:
        direction = CaseDirection.OWN
    return report_made, direction


def state_of(access: DossierAccess, moment: datetime | None = None) -> DossierState:
    """The dossier's entries and the engine's advice for them, at ``moment`` (default now),
    for the user of ``access``: a volunteer gets the volunteer's advice."""
    dossier = access.dossier
    protocol = protocol_of(dossier)
    entries = timeline(dossier)
    current = current_entries(entries)
    situation, notices = situation_for(
        dossier, current, moment or timezone.now(), protocol, reporter_for(access)
    )
    if not dossier.is_open:
        # A closed dossier shows its outcome and evaluation; nothing asks for action any more.
        notices = [n for n in notices if n not in ACTION_NOTICES]
    return DossierState(
        entries=entries,
        current=current,
        situation=situation,
        advice=assess(situation, protocol),
        protocol=protocol,
        notices=notices,
        received_on=received_on(current),
        received_kind=received_kind(current),
    )


def _received(current: list[Entry]) -> Entry | None:
    """The entry the chain writes first into a dossier opened from an accepted melding
    (``report``) or aanmelding (``registration``), marked received."""
    for entry in current:
        if (
            entry.kind in (EntryKind.REPORT, EntryKind.REGISTRATION)
            and entry.data.get("direction") == "received"
        ):
            return entry
    return None


def received_on(current: list[Entry]) -> date | None:
    """The date of the melding or aanmelding the dossier was opened from, if it was."""
    entry = _received(current)
    if entry is None:
        return None
    made = entry.data.get("report_made") or entry.data.get("registered_on")
    return date.fromisoformat(str(made))


def received_kind(current: list[Entry]) -> str:
    """``report`` or ``registration`` for a dossier opened from one; else ``""``."""
    entry = _received(current)
    return str(entry.kind) if entry is not None else ""


@dataclass(frozen=True)
class AccessLine:
    """One access-log line about a dossier, with the user's name for display."""

    event: AccessEvent
    user_name: str
    role_label: str


CHAIN_PURPOSES = frozenset(
    {"advice_request", "report", "registration", "chain_follow_up", "screening"}
)
"""Purposes of access-log lines about what went through the chain."""


def access_lines(dossier: Dossier, limit: int = 500) -> list[AccessLine]:
    """Who looked at ``dossier`` and what they did, newest first (the log stores ids only).

    A chain line by someone of another organisation (Veilig Thuis opening what was sent to
    it, its answer or feedback) names that organisation, with the role, not the person: the
    sender needs to know which organisation and role, and the other organisation's staff
    are not theirs to name. A break-glass read stays personal: that is its accountability.
    """
    events = list(AccessEvent.objects.filter(dossier_id=dossier.pk).order_by("-pk")[:limit])
    names = {
        user.pk: str(user)
        for user in User.objects.filter(pk__in={e.user_id for e in events if e.user_id})
    }
    others = {e.organisation_id for e in events if e.purpose in CHAIN_PURPOSES} - {
        dossier.organisation_id,
        None,
    }
    organisations = dict(Organisation.objects.filter(pk__in=others).values_list("pk", "name"))
    roles = dict(Role.choices)
    return [
        AccessLine(
            e,
            organisations.get(e.organisation_id or 0, "?")
            if e.organisation_id in others and e.purpose in CHAIN_PURPOSES
            else names.get(e.user_id or 0, "?"),
            str(roles.get(e.role, e.role)),
        )
        for e in events
    ]


def newest_sequence(dossier: Dossier) -> int:
    """The dossier's newest entry number as stored now (after a colleague's change)."""
    return Dossier.objects.values_list("last_sequence", flat=True).get(pk=dossier.pk)
