"""Reads of dossier data. Every dossier comes with its access decision
(:class:`baken.dossiers.access.DossierAccess`).

Views call :func:`dossier_for` (404 outside the user's need to know, never 403), which
decides once what the user may do there, and then read that dossier's entries and advice
through the functions here, passing the decision on.
"""

from __future__ import annotations

from base64 import urlsafe_b64decode, urlsafe_b64encode
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from baken.accounts.models import Organisation, Role, User
from baken.audit.models import AccessEvent, Action, Code, Purpose
from baken.dossiers.access import (
    Act,
    DossierAccess,
    consent_in,
    decide,
    decide_many,
    log_dossier,
    log_dossier_actions,
    log_dossiers,
    refuse,
    with_case_team_flag,
)
from baken.dossiers.models import FORM_COLUMNS, Dossier, DossierQuerySet, Entry, EntryKind
from baken.engine import Advice, Situation, assess
from baken.engine.situation import QUESTION_IDS, Answer, Art273fFacts, Consent, Reporter
from baken.protocol import Protocol, default_registry
from baken.protocol.index import all_signals
from baken.protocol.schema import CaseDirection, ExploitationForm

T = TypeVar("T")

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
        dossier = with_case_team_flag(Dossier.objects.select_related("organisation"), user).get(
            pk=dossier_id
        )
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


def record_export(access: DossierAccess, action: str) -> None:
    """The lines for an export or print of the record: its read (``export_view``, code R)
    and the export itself (code E), in one INSERT."""
    consent = consent_in(standing_entries(access.dossier).entries)
    log_dossier_actions(
        access, [(Code.READ, "export_view"), (Code.EXECUTE, action)], consent=consent
    )


def record_read(access: DossierAccess, action: str = "view") -> None:
    """The access-log line (code R) for a read the decision in ``access`` allowed. The
    consent it records comes from the standing entries, which the page reads anyway (one
    query, kept for the request)."""
    consent = consent_in(standing_entries(access.dossier).entries)
    log_dossier(access, Code.READ, action, consent=consent)


PAGE_SIZE = 25
"""Dossiers per page of the list."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


class BadCursor(ValueError):
    """A page token that is not one the list made (typed over, cut off)."""


def cursor_of(dossier: Dossier) -> str:
    """The page token of a place in the list: the dossier's opening time and id (the
    list's order, ``dossier_list_order``), as an opaque URL-safe text."""
    micros = (dossier.opened_at - _EPOCH) // _MICROSECOND
    raw = f"{micros}.{UUID(str(dossier.pk)).hex}".encode("ascii")
    return urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def parse_cursor(token: str) -> tuple[datetime, UUID]:
    """The place a page token names, or :class:`BadCursor`."""
    try:
        raw = urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
        micros, pk = raw.split(".")
        return _EPOCH + int(micros) * _MICROSECOND, UUID(hex=pk)
    except (ValueError, UnicodeError, OverflowError) as exc:
        raise BadCursor(token) from exc


@dataclass(frozen=True)
class DossierPage:
    """One page of the list: the dossiers shown and the tokens of the pages beside it."""

    dossiers: list[Dossier]
    after: str | None = None
    """The token for "Volgende" (the dossiers after the last shown), or ``None``."""
    before: str | None = None
    """The token for "Vorige" (the dossiers before the first shown), or ``None``."""
    problem: str = ""
    """``bad_cursor`` (a token the list did not make) or ``stale_cursor`` (nothing is there
    any more): the first page is shown instead, and the page says why."""


def _keyset(
    dossiers: DossierQuerySet, place: tuple[datetime, UUID] | None, backwards: bool, size: int
) -> list[Dossier]:
    """``size`` dossiers of ``dossiers`` from ``place`` on in the list's order (newest
    first), or before it with ``backwards`` (returned nearest first). One query."""
    if place is not None:
        at, pk = place
        if backwards:
            # ``opened_at >= at`` is implied; it lets the database range over the index.
            dossiers = dossiers.filter(Q(opened_at__gt=at) | Q(opened_at=at, pk__gt=pk))
            dossiers = dossiers.filter(opened_at__gte=at)
        else:
            dossiers = dossiers.filter(Q(opened_at__lt=at) | Q(opened_at=at, pk__lt=pk))
            dossiers = dossiers.filter(opened_at__lte=at)
    order = ("opened_at", "pk") if backwards else ("-opened_at", "-pk")
    return list(dossiers.order_by(*order)[:size])


def dossiers_for(
    user: Any,
    *,
    step: int | None = None,
    form: str | None = None,
    status: str | None = None,
    after: str | None = None,
    before: str | None = None,
    size: int = PAGE_SIZE,
) -> DossierPage:
    """One page of the user's dossiers, newest first, filtered in SQL by the step they are
    at, a form (its column, ADR 11), or open/closed; ``after``/``before`` are the page
    tokens of :class:`DossierPage` (keyset pagination: the same cost on every page).

    Each dossier shown is a read (its label is shown): one access-log line per dossier, all
    in one INSERT. One more dossier than shown is fetched, to know whether a next page
    exists; its encrypted values are not decrypted (they are only on first access) and it
    is not logged. Five queries whatever the number of dossiers: the page, the access
    decision (two), the consents and the lines' INSERT; one more when a token no longer
    leads anywhere and the first page is shown instead.
    """
    dossiers = Dossier.objects.restrict(user, Act.READ).defer("birth_date")
    if step is not None:
        dossiers = dossiers.filter(next_step=step)
    if status == "open":
        dossiers = dossiers.filter(closed_at__isnull=True)
    elif status == "closed":
        dossiers = dossiers.filter(closed_at__isnull=False)
    if form:
        dossiers = dossiers.filter(**{FORM_COLUMNS[form]: True})
    problem = ""
    place: tuple[datetime, UUID] | None = None
    backwards = bool(before) and not after
    if after or before:
        try:
            place = parse_cursor(str(after or before))
        except BadCursor:
            problem, backwards = "bad_cursor", False
    rows = _keyset(dossiers, place, backwards, size + 1)
    if place is not None and (not rows if not backwards else len(rows) < size):
        # Forwards to nothing: the dossiers after it have gone (closed, purged) or the
        # token is old; backwards to less than a page: that is the first page. Either
        # way, show the first page.
        problem = "stale_cursor" if not backwards else ""
        place, backwards = None, False
        rows = _keyset(dossiers, None, False, size + 1)
    more = len(rows) > size
    shown = rows[:size]
    if backwards:
        shown.reverse()
    # Forwards, "more" is a next page and a token a previous one; backwards the other way.
    has_next, has_previous = (True, more) if backwards else (more, place is not None)
    page = DossierPage(
        shown,
        after=cursor_of(shown[-1]) if shown and has_next else None,
        before=cursor_of(shown[0]) if shown and has_previous else None,
        problem=problem,
    )
    decided = decide_many(user, shown)
    log_dossiers([decided[dossier.pk] for dossier in shown], Code.READ, "list")
    return page


def protocol_of(dossier: Dossier) -> Protocol:
    """The protocol pinned on the dossier when it was opened."""
    return default_registry().get(dossier.protocol_id)


def timeline(dossier: Dossier) -> list[Entry]:
    """Every entry of the dossier, oldest first, corrections included.

    Reads the whole record: for what needs all of it (a melding's content). A page shows
    one page of it (:func:`timeline_page`) and the advice reads :func:`standing_entries`."""
    entries = list(
        dossier.entries.select_related("author", "corrects").prefetch_related("corrected_by")
    )
    return _share_plaintext(dossier, entries)


def current_entries(entries: list[Entry]) -> list[Entry]:
    """The entries that still stand: not corrected later, and not withdrawals.

    A withdrawal is always a correction (it withdraws the entry it corrects), so only the
    corrections' data is decrypted here, not every entry's."""
    corrected = {e.corrects_id for e in entries if e.corrects_id is not None}
    return [e for e in entries if e.pk not in corrected and not _withdrawal(e)]


def _withdrawal(entry: Entry) -> bool:
    return entry.corrects_id is not None and entry.withdrawn


# --- What one request reads of one dossier, once ---------------------------------------------

STANDING_KINDS = frozenset(
    {
        EntryKind.SIGNAL,
        EntryKind.PROFILE,
        EntryKind.CONVERSATION,
        EntryKind.WEIGHING,
        EntryKind.DECISION,
        EntryKind.ACUTE_DANGER,
        EntryKind.EVALUATION,
        EntryKind.REPORT,
        EntryKind.REGISTRATION,
        EntryKind.CHAIN_STATUS,
        EntryKind.CASE_DIRECTION,
        EntryKind.SCREENING,
        EntryKind.INTAKE,
        EntryKind.PROCEDURE,
        EntryKind.TRAJECTORY_CLOSED,
        EntryKind.PROGRESS,
    }
)
"""The kinds of standing entry a request reads whole, whatever the page shows: what the
protocol's advice is computed from (:func:`situation_for`: the signals and profiles, the
conversation, the weighing, the decision, acute danger, what the chain and the screening
wrote) and what the pages beside it summarise (a closed dossier's evaluation, the
trajectory's intake, procedures and closing, the latest stand van zaken). An entry's data
is decrypted only when it is read. Observations, consultations and the rest, the bulk of a
long dossier, are read one page at a time (:func:`timeline_page`); for the steps done, only
whether a standing one exists is asked (:data:`PLAIN_STEP_KINDS`)."""

PLAIN_STEP_KINDS = (EntryKind.OBSERVATION, EntryKind.CONSULTATION)
"""The kinds that count for a step (1, 2) but whose content the advice never reads."""


def _reads(dossier: Dossier) -> dict[Any, Any]:
    """What this request has read of ``dossier`` so far: kept on the one row object that the
    request's access decision carries (:func:`access_to` loads it once per request), so that
    every selector and template tag of the request reuses it instead of reading and
    decrypting again. Entries are read and decrypted once per request.

    What is kept is keyed by the dossier's ``last_sequence``: a write through another copy
    of the row (the services lock their own) is seen once the row is refreshed
    (``refresh_from_db``), and a fresh decision (:func:`access_to`) starts empty."""
    found: dict[Any, Any] = dossier.__dict__.setdefault("_baken_reads", {})
    return found


def _known(dossier: Dossier) -> dict[int, Entry]:
    """The entries of ``dossier`` this request has loaded, by sequence number."""
    known: dict[int, Entry] = _reads(dossier).setdefault("entries", {})
    return known


def _share_plaintext(dossier: Dossier, entries: list[Entry]) -> list[Entry]:
    """Remember ``entries`` as read in this request; one this request already read (another
    object for the same row: entries are never changed) takes its decrypted data instead of
    decrypting it again."""
    known = _known(dossier)
    for entry in entries:
        earlier = known.get(entry.sequence)
        if earlier is None or earlier is entry:
            known[entry.sequence] = entry
        elif earlier.pk == entry.pk:
            entry.data = earlier.data  # decrypted once, here or earlier
    return entries


@dataclass(frozen=True)
class Standing:
    """The standing entries a request reads whole (:data:`STANDING_KINDS`, and every
    standing correction), oldest first, and the kinds of every standing entry."""

    entries: list[Entry]
    kinds: frozenset[str]


def standing_entries(dossier: Dossier) -> Standing:
    """The standing entries of :data:`STANDING_KINDS` (and the standing corrections of any
    kind), oldest first, with the kinds of every standing entry: one query, once per
    request, whatever the length of the record.

    For each of :data:`PLAIN_STEP_KINDS` the query brings one standing entry that is no
    correction (a withdrawal always is one), if there is one: that the step has an entry
    is all the advice asks of them. Data is decrypted only when it is read."""
    reads = _reads(dossier)
    key = ("standing", dossier.last_sequence)
    if key in reads:
        found: Standing = reads[key]
        return found
    entries = Entry.objects.filter(dossier_id=dossier.pk).current()
    wanted = Q(kind__in=STANDING_KINDS) | Q(corrects__isnull=False)
    for kind in PLAIN_STEP_KINDS:
        one = entries.filter(kind=kind, corrects__isnull=True).order_by("sequence").values("pk")
        wanted |= Q(pk=Subquery(one[:1]))
    rows = list(entries.filter(wanted).order_by("sequence"))
    _share_plaintext(dossier, rows)
    current = [e for e in rows if not _withdrawal(e)]
    made = Standing(current, frozenset(e.kind for e in current))
    reads[key] = made
    return made


def once(dossier: Dossier, key: str, compute: Callable[[], T]) -> T:
    """``compute()``, once per request for ``dossier`` (kept with the request's reads of it,
    :func:`_reads`): for what the layers above read about the dossier several times while
    one page renders (its chain case, its shares). ``key`` names what is kept; what is kept
    is read again once the dossier has a newer entry."""
    reads = _reads(dossier)
    place = ("once", key, dossier.last_sequence)
    if place not in reads:
        reads[place] = compute()
    kept: T = reads[place]
    return kept


def standing_of_kinds(dossier: Dossier, kinds: tuple[str, ...]) -> list[Entry]:
    """Every standing entry of ``kinds``, oldest first (what a form offers to choose from):
    one query, each entry decrypted once in the request."""
    rows = list(
        Entry.objects.filter(dossier_id=dossier.pk, kind__in=kinds).current().order_by("sequence")
    )
    return [e for e in _share_plaintext(dossier, rows) if not _withdrawal(e)]


def entry_at(dossier: Dossier, sequence: int) -> Entry | None:
    """Entry number ``sequence`` of the dossier, with what it corrects: one query, its data
    decrypted once in the request."""
    entry = (
        Entry.objects.filter(dossier_id=dossier.pk, sequence=sequence)
        .select_related("corrects")
        .first()
    )
    if entry is not None:
        _share_plaintext(dossier, [entry])
    return entry


TIMELINE_PAGE_SIZE = 20
"""Entries per page of a dossier's timeline (the overview, a step's entries)."""


@dataclass(frozen=True)
class TimelinePage:
    """One page of a dossier's timeline, oldest first: by default its newest entries."""

    entries: list[Entry]
    standing: frozenset[int]
    """The ids of the entries shown that still stand (not corrected, not a withdrawal)."""
    older: int | None = None
    """``tot`` of the page before it (the older entries), or ``None``."""
    newer: int | None = None
    """``vanaf`` of the page after it (the newer entries), or ``None``."""

    @property
    def paged(self) -> bool:
        return self.older is not None or self.newer is not None


def _page_number(value: str | None) -> int | None:
    """An entry number from a page link, or ``None`` (absent, or not a number)."""
    if value and value.isascii() and value.isdigit() and len(value) <= 9:
        return int(value)
    return None


def timeline_page(
    dossier: Dossier,
    *,
    kinds: tuple[str, ...] | None = None,
    up_to: str | None = None,
    from_: str | None = None,
    size: int = TIMELINE_PAGE_SIZE,
) -> TimelinePage:
    """One page of the dossier's entries (of ``kinds``, or all), oldest first, each with its
    author and what it corrects: the newest ``size``; or the ``size`` up to and including
    entry ``up_to`` (an older page); or the ``size`` from entry ``from_`` on (a newer page).

    Keyset pagination on the entry number: one query on every page, whatever the length of
    the record; a link that leads to no entries, or past the newest page, shows the newest
    page (one query more). Only the entries shown are read and decrypted."""
    before, after = _page_number(up_to), _page_number(from_)
    entries = (
        Entry.objects.filter(dossier_id=dossier.pk)
        .select_related("author", "corrects")
        .annotate(superseded=Exists(Entry.objects.filter(corrects_id=OuterRef("pk"))))
    )
    if kinds is not None:
        entries = entries.filter(kind__in=kinds)
    rows: list[Entry] = []
    older = newer = None
    if after is not None and before is None:
        rows = list(entries.filter(sequence__gte=after).order_by("sequence")[: size + 1])
        if len(rows) > size:
            rows = rows[:size]
            older = rows[0].sequence - 1 if rows[0].sequence > 1 else None
            newer = rows[-1].sequence + 1
        else:
            rows = []  # the newest entries: shown as the newest page
    if not rows:
        newest_first = entries.order_by("-sequence")
        if before is not None:
            rows = list(newest_first.filter(sequence__lte=before)[: size + 1])
            if not rows:
                before = None  # nothing there: the newest page
        if before is None:
            rows = list(newest_first[: size + 1])
        more = len(rows) > size
        rows = rows[:size][::-1]
        older = rows[0].sequence - 1 if more else None
        if before is not None and rows[-1].sequence < dossier.last_sequence:
            newer = rows[-1].sequence + 1
    _share_plaintext(dossier, rows)
    standing = frozenset(
        e.pk for e in rows if not getattr(e, "superseded", False) and not _withdrawal(e)
    )
    return TimelinePage(rows, standing, older, newer)


def latest(entries: list[Entry], kind: str) -> Entry | None:
    """The newest standing entry of ``kind``."""
    found = [e for e in entries if e.kind == kind]
    return found[-1] if found else None


def steps_done(entries: list[Entry], kinds: frozenset[str] | None = None) -> list[int]:
    """The steps with at least one standing entry (of ``entries``, or of ``kinds``: the
    kinds of every standing entry, when ``entries`` holds only those the advice reads).

    The step-5 decision only counts while it is newer than the newest weighing and the
    newest acute-danger entry: a decision taken on an older weighing must be taken again.
    """
    if kinds is None:
        kinds = frozenset(e.kind for e in entries)
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

    current: list[Entry]
    """The standing entries the advice reads (:func:`standing_entries`), oldest first: not
    the whole timeline (observations and consultations are read a page at a time)."""
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
    kinds: frozenset[str] | None = None,
) -> tuple[Situation, list[str]]:
    """The engine's view of the dossier: built only from standing entries (``current``: at
    least those of :data:`STANDING_KINDS`; ``kinds``: the kinds of every standing entry,
    when ``current`` holds no more than those)."""
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
        steps_completed=frozenset(steps_done(current, kinds)),
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
    """The dossier's standing entries and the engine's advice for them, at ``moment``
    (default now), for the user of ``access``: a volunteer gets the volunteer's advice.

    Computed once per request (at its first call; kept with the request's reads of the
    dossier, see :func:`_reads`): two queries, and only the entries the advice needs are
    decrypted, whatever the length of the record."""
    dossier = access.dossier
    reporter = reporter_for(access)
    key = ("state", dossier.last_sequence, dossier.closed_at, reporter)
    reads = _reads(dossier)
    if moment is None and key in reads:
        kept: DossierState = reads[key]
        return kept
    protocol = protocol_of(dossier)
    found = standing_entries(dossier)
    current = found.entries
    situation, notices = situation_for(
        dossier, current, moment or timezone.now(), protocol, reporter, found.kinds
    )
    if not dossier.is_open:
        # A closed dossier shows its outcome and evaluation; nothing asks for action any more.
        notices = [n for n in notices if n not in ACTION_NOTICES]
    state = DossierState(
        current=current,
        situation=situation,
        advice=assess(situation, protocol),
        protocol=protocol,
        notices=notices,
        received_on=received_on(current),
        received_kind=received_kind(current),
    )
    if moment is None:
        reads[key] = state
    return state


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
    """One access-log line about a dossier, with the user's name and the Dutch names of its
    role, action and purpose for display."""

    event: AccessEvent
    user_name: str
    role_label: str
    action_label: str
    purpose_label: str


CHAIN_PURPOSES = frozenset(
    {"advice_request", "report", "registration", "chain_follow_up", "screening"}
)
"""Purposes of access-log lines about what went through the chain."""


def named_lines(lines: QuerySet[AccessEvent]) -> QuerySet[AccessEvent]:
    """``lines`` with, in the same query, the names a page shows beside them: the user's
    first and last name and username, and the name of the organisation the line was
    written for (the log keeps ids only; a subquery by primary key for each line shown)."""
    user = User.objects.filter(pk=OuterRef("user_id"))
    return lines.annotate(
        shown_first_name=Subquery(user.values("first_name")[:1]),
        shown_last_name=Subquery(user.values("last_name")[:1]),
        shown_username=Subquery(user.values("username")[:1]),
        shown_organisation=Subquery(
            Organisation.objects.filter(pk=OuterRef("organisation_id")).values("name")[:1]
        ),
    )


def shown_name(event: AccessEvent) -> str:
    """The name :class:`~baken.accounts.models.User` shows (its full name, else its
    username), from the annotations of :func:`named_lines`; ``""`` for a user that is gone."""
    first = getattr(event, "shown_first_name", "") or ""
    last = getattr(event, "shown_last_name", "") or ""
    return f"{first} {last}".strip() or getattr(event, "shown_username", None) or ""


def _lines(dossier: Dossier, events: list[AccessEvent]) -> list[AccessLine]:
    """``events``, read through :func:`named_lines`, with the names to show: no query more.
    The choices' names are looked up in one mapping each per page (a model's
    ``get_action_display`` builds the mapping of all its choices again for every line)."""
    roles, actions, purposes = dict(Role.choices), dict(Action.choices), dict(Purpose.choices)
    return [
        AccessLine(
            e,
            (getattr(e, "shown_organisation", None) or "?")
            if e.purpose in CHAIN_PURPOSES
            and e.organisation_id not in (dossier.organisation_id, None)
            else shown_name(e) or "?",
            str(roles.get(e.role, e.role)),
            str(actions.get(e.action, e.action)),
            str(purposes.get(e.purpose, e.purpose)),
        )
        for e in events
    ]


def access_lines(dossier: Dossier, limit: int = 500) -> list[AccessLine]:
    """Who looked at ``dossier`` and what they did, newest first (the log stores ids only),
    at most ``limit`` lines; the page pages through them with :func:`access_page`.

    A chain line by someone of another organisation (Veilig Thuis opening what was sent to
    it, its answer or feedback) names that organisation, with the role, not the person: the
    sender needs to know which organisation and role, and the other organisation's staff
    are not theirs to name. A break-glass read stays personal: that is its accountability.
    """
    events = list(
        named_lines(AccessEvent.objects.filter(dossier_id=dossier.pk)).order_by("-pk")[:limit]
    )
    return _lines(dossier, events)


ACCESS_PAGE_SIZE = 50
"""Lines per page of "Wie keek er"."""


def line_token(event: AccessEvent) -> str:
    """The page token of a place in the access log: opaque, URL-safe."""
    return urlsafe_b64encode(f"r{event.pk}".encode("ascii")).decode("ascii").rstrip("=")


def _line_place(token: str | None) -> int | None:
    """The line a page token names, or ``None`` for no token or one the page did not make."""
    if not token or len(token) > 40:
        return None
    try:
        raw = urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
    except (ValueError, UnicodeError):
        return None
    if raw[:1] != "r" or not raw[1:].isdigit():
        return None
    return int(raw[1:])


@dataclass(frozen=True)
class AccessPage:
    """One page of "Wie keek er", newest first, and the tokens of the pages beside it."""

    lines: list[AccessLine]
    after: str | None = None
    """The token for "Volgende" (the older lines after the last shown), or ``None``."""
    before: str | None = None
    """The token for "Vorige" (the newer lines before the first shown), or ``None``."""

    @property
    def paged(self) -> bool:
        return self.after is not None or self.before is not None


def access_page(
    dossier: Dossier,
    *,
    after: str | None = None,
    before: str | None = None,
    size: int = ACCESS_PAGE_SIZE,
) -> AccessPage:
    """One page of :func:`access_lines`: the newest ``size`` lines, or those older than the
    line of token ``after``, or newer than the line of ``before``. Keyset pagination on the
    line's id (the log's order): one query on every page, whatever the number of lines
    (one more when a token leads to no lines, or back to the newest: then the newest page
    is shown)."""
    older_than, newer_than = _line_place(after), _line_place(before)
    lines = named_lines(AccessEvent.objects.filter(dossier_id=dossier.pk))
    backwards = newer_than is not None and older_than is None
    if backwards:
        events = list(lines.filter(pk__gt=newer_than).order_by("pk")[: size + 1])
        if len(events) <= size:
            # Back to the newest lines: that is the newest page.
            return access_page(dossier, size=size)
        events = events[:size][::-1]
        has_newer, has_older = True, True
    else:
        if older_than is not None:
            events = list(lines.filter(pk__lt=older_than).order_by("-pk")[: size + 1])
        else:
            events = []
        if older_than is not None and events:
            has_newer = True
        else:
            events = list(lines.order_by("-pk")[: size + 1])
            has_newer = False
        has_older = len(events) > size
        events = events[:size]
    return AccessPage(
        _lines(dossier, events),
        after=line_token(events[-1]) if events and has_older else None,
        before=line_token(events[0]) if events and has_newer else None,
    )


def newest_sequence(dossier: Dossier) -> int:
    """The dossier's newest entry number as stored now (after a colleague's change)."""
    return Dossier.objects.values_list("last_sequence", flat=True).get(pk=dossier.pk)
