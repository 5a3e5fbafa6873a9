"""The situation a professional describes, and its strict parsing from JSON-like data.

Parsing never guesses: every field is checked, and the first problem is raised
as a :class:`SituationError` naming the field and the bad value. Only the
defaults documented in ``docs/assess.md`` apply (a missing weighing answer is
``unknown``, a missing ``moment`` is now, a missing ``case_direction`` is ``own``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Literal, TypeVar, cast

from baken.engine.calendar import due_date, local_date
from baken.protocol.index import index_of
from baken.protocol.schema import CaseDirection, ExploitationForm, Protocol

Answer = Literal["yes", "no", "unknown"]
ANSWERS: tuple[Answer, ...] = ("yes", "no", "unknown")
QUESTION_IDS = ("q1", "q2", "q3", "q4", "q5")
MAX_AGE = 120
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class Reporter(StrEnum):
    """Who describes the situation: volunteers have no afwegingskader (§1.2 Stap 5)."""

    PROFESSIONAL = "professional"
    VOLUNTEER = "volunteer"


class Consent(StrEnum):
    """The person's consent to a report to Veilig Thuis."""

    YES = "yes"
    NO = "no"
    NOT_ASKED = "not_asked"


class SituationError(ValueError):
    """A situation field holds a value the engine cannot use."""

    def __init__(self, field_name: str, value: object, problem: str) -> None:
        self.field = field_name
        self.value = value
        self.problem = problem
        super().__init__(f"{field_name}: {problem} (got {value!r})")


@dataclass(frozen=True)
class Art273fFacts:
    """The elements of art. 273f Sr the professional sees, as protocol ids."""

    acts: frozenset[str] = frozenset()
    means: frozenset[str] = frozenset()
    purposes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Situation:
    """What is known, at one moment, about one (possible) victim."""

    moment: datetime
    """Timezone-aware; judged in the protocol's time zone."""
    reporter: Reporter = Reporter.PROFESSIONAL
    age: int | None = None
    acute_danger: bool = False
    exploitation_forms: frozenset[ExploitationForm] = frozenset()
    signals: frozenset[str] = frozenset()
    profiles: frozenset[str] = frozenset()
    steps_completed: frozenset[int] = frozenset()
    weighing: Mapping[str, Answer] = field(
        default_factory=lambda: dict.fromkeys(QUESTION_IDS, "unknown")
    )
    consent_to_report: Consent = Consent.NOT_ASKED
    art_273f: Art273fFacts = Art273fFacts()
    protocol_id: str | None = None
    report_made: date | None = None
    """The date of the melding to Veilig Thuis, if one was made; never after ``moment``."""
    case_direction: CaseDirection = CaseDirection.OWN
    """Who holds casusregie; ``veilig_thuis`` only after a melding (§2.1)."""
    screening_outcomes: frozenset[str] = frozenset()
    """What the screeningsoverleg decided for this person (ids of
    ``chain.screening.outcomes``), once it has discussed the case (§2.1, §2.2)."""

    @property
    def reported(self) -> bool:
        """A melding to Veilig Thuis has been made: the decision to report is taken."""
        return self.report_made is not None

    def answer(self, question: str) -> Answer:
        """The answer to weighing question ``q1``..``q5``; unknown when not given.

        Acute danger is acute unsafety (§1.2 Stap 5), so with ``acute_danger`` an
        unanswered q2 counts as yes.
        """
        answer = self.weighing.get(question, "unknown")
        if question == "q2" and self.acute_danger and answer == "unknown":
            return "yes"
        return answer

    def contradiction(self) -> SituationError | None:
        """The first pair of answers that cannot both be true, or ``None``.

        Acute danger means a person is in direct physical danger: that is acute
        unsafety (q2 yes) and a reason for concern (q1 cannot be no). Unsafety
        (q2) is only weighed once there is a suspicion, so q2 yes with q1 no is
        contradictory too. The engine refuses these rather than pick one side.
        """
        q1 = self.weighing.get("q1", "unknown")
        q2 = self.weighing.get("q2", "unknown")
        if self.acute_danger and q2 == "no":
            return SituationError(
                "weighing.q2",
                q2,
                "contradicts acute_danger: true (acute danger is acute unsafety); "
                "answer yes or unknown, or set acute_danger to false",
            )
        if self.acute_danger and q1 == "no":
            return SituationError(
                "weighing.q1",
                q1,
                "contradicts acute_danger: true (there is reason for concern); "
                "answer yes or unknown, or set acute_danger to false",
            )
        if q1 == "no" and q2 == "yes":
            return SituationError(
                "weighing.q2",
                q2,
                "contradicts q1: no (unsafety is only weighed when there is a suspicion); "
                "answer q1 yes or unknown, or q2 unknown",
            )
        if self.case_direction is CaseDirection.VEILIG_THUIS and self.report_made is None:
            return SituationError(
                "case_direction",
                self.case_direction.value,
                "needs report_made (Veilig Thuis takes casusregie over with a melding, §2.1)",
            )
        return None

    def chain_problem(self, protocol: Protocol) -> SituationError | None:
        """Why ``report_made`` cannot be used with ``protocol`` at ``moment``, or ``None``.

        A melding cannot be dated after the moment judged (both as dates in the protocol's
        time zone), and its deadlines must fall within the calendar (up to the year 9999).
        """
        if self.report_made is None:
            return None
        today = local_date(self.moment, protocol)
        if self.report_made > today:
            return SituationError(
                "report_made",
                self.report_made.isoformat(),
                f"lies after moment ({today.isoformat()} in "
                f"{protocol.acute_danger.office_hours.timezone}); "
                "a melding cannot be dated in the future",
            )
        try:
            for deadline in protocol.chain.deadlines:
                due_date(deadline, self.report_made, protocol)
        except OverflowError:
            return SituationError(
                "report_made", self.report_made.isoformat(), "its deadlines fall after 9999"
            )
        return None


FIELDS = (
    "protocol",
    "moment",
    "reporter",
    "person",
    "acute_danger",
    "exploitation_forms",
    "signals",
    "profiles",
    "steps_completed",
    "weighing",
    "consent_to_report",
    "art_273f",
    "report_made",
    "case_direction",
    "screening_outcomes",
)


_KNOWN = frozenset(FIELDS)

E = TypeVar("E", bound=StrEnum)


def _name(key: object) -> str:
    """A field name as given, quoted when it is not a plain name (e.g. holds control characters)."""
    if isinstance(key, str) and key.isidentifier() and key.isascii():
        return key
    return repr(key)


_MEMBERS: dict[type[StrEnum], dict[str, StrEnum]] = {}


def _choice(enum: type[E], name: str, value: object) -> E:
    members = _MEMBERS.get(enum)
    if members is None:
        members = _MEMBERS[enum] = {member.value: member for member in enum}
    member = members.get(value) if isinstance(value, str) else None
    if member is None:
        allowed = [member.value for member in enum]
        raise SituationError(name, value, f"must be one of {', '.join(allowed)}")
    return cast(E, member)


def _bool(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise SituationError(name, value, "must be true or false")
    return value


def _str_list(name: str, value: object) -> list[str]:
    if not isinstance(value, list):
        raise SituationError(name, value, "must be a list")
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise SituationError(f"{name}[{index}]", item, "must be a string")
    return cast(list[str], value)


_STR: set[type] = {str}
_INT: set[type] = {int}
_NONE: frozenset[str] = frozenset()


def _ids(name: str, value: object, known: Mapping[str, object], what: str) -> frozenset[str]:
    if isinstance(value, list):
        if not value:
            return _NONE
        # Fast path: every item a plain string and a known id; then nothing can be refused.
        if set(map(type, value)) == _STR:
            found = frozenset(value)
            if known.keys() >= found:
                return found
    items = _str_list(name, value)
    for index, item in enumerate(items):
        if item not in known:
            raise SituationError(f"{name}[{index}]", item, f"unknown {what} id in this protocol")
    return frozenset(items)


def _moment(value: object, now: datetime) -> datetime:
    if value is None:
        return now
    if not isinstance(value, str):
        raise SituationError("moment", value, "must be an ISO 8601 date and time string")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise SituationError(
            "moment", value, "is not an ISO 8601 date and time, e.g. 2026-02-11T11:00:00+01:00"
        ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise SituationError(
            "moment", value, "needs a UTC offset or Z, e.g. 2026-02-11T11:00:00+01:00"
        )
    try:
        moment.astimezone(UTC)
    except OverflowError:
        raise SituationError("moment", value, "lies outside the years 1 to 9999") from None
    return moment


def _report_made(value: object) -> date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise SituationError("report_made", value, "must be an ISO date string, e.g. 2026-03-02")
    try:
        if not ISO_DATE.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise SituationError(
            "report_made", value, "is not an ISO date (YYYY-MM-DD), e.g. 2026-03-02"
        ) from None


def _age(value: object) -> int | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise SituationError("person", value, 'must be an object such as {"age": 16}')
    unknown = sorted(set(value) - {"age"})
    if unknown:
        raise SituationError(
            f"person.{_name(unknown[0])}", value[unknown[0]], "is not a known field"
        )
    age: object = value.get("age")
    if age is None:
        return None
    if isinstance(age, bool) or not isinstance(age, int):
        raise SituationError("person.age", age, "must be a whole number of years")
    if not 0 <= age <= MAX_AGE:
        raise SituationError("person.age", age, f"must be between 0 and {MAX_AGE}")
    return age


_STEPS = frozenset({1, 2, 3, 4, 5})


def _steps(value: object) -> frozenset[int]:
    if isinstance(value, list):
        if not value:
            return frozenset()
        # Fast path: plain ints (never bools, which ``type`` tells apart) from 1 to 5.
        if set(map(type, value)) == _INT:
            found = frozenset(cast(list[int], value))
            if found <= _STEPS:
                return found
    if not isinstance(value, list):
        raise SituationError("steps_completed", value, "must be a list of step numbers 1 to 5")
    for index, step in enumerate(value):
        if isinstance(step, bool) or not isinstance(step, int) or not 1 <= step <= 5:
            raise SituationError(f"steps_completed[{index}]", step, "must be a step number 1 to 5")
    return frozenset(cast(list[int], value))


_UNANSWERED: dict[str, Answer] = dict.fromkeys(QUESTION_IDS, "unknown")
_QUESTIONS = frozenset(QUESTION_IDS)
_ANSWER_SET = frozenset(ANSWERS)


def _weighing(value: object) -> dict[str, Answer]:
    if type(value) is dict:
        # Fast path for plain JSON objects: known questions, valid (hashable) answers.
        if not value:
            return _UNANSWERED.copy()
        if value.keys() <= _QUESTIONS:
            try:
                valid = _ANSWER_SET.issuperset(value.values())
            except TypeError:
                valid = False
            if valid:
                answers = _UNANSWERED.copy()
                answers.update(value)
                return answers
    if not isinstance(value, Mapping):
        raise SituationError("weighing", value, 'must be an object such as {"q1": "yes"}')
    answers = dict.fromkeys(QUESTION_IDS, "unknown")
    for key, answer in value.items():
        if key not in QUESTION_IDS:
            raise SituationError(
                f"weighing.{_name(key)}", answer, "is not a question; use q1 to q5"
            )
        if answer not in ANSWERS:
            raise SituationError(f"weighing.{key}", answer, "must be yes, no or unknown")
        answers[key] = cast(Answer, answer)
    return answers


def _art_273f(value: object, known: Mapping[str, Mapping[str, object]]) -> Art273fFacts:
    if not isinstance(value, Mapping):
        raise SituationError("art_273f", value, "must be an object with acts, means, purposes")
    for key in value:
        if key not in known:
            raise SituationError(
                f"art_273f.{_name(key)}", value[key], "is not acts, means or purposes"
            )
    if not value:
        return _NO_FACTS
    found = {
        key: _ids(f"art_273f.{key}", value.get(key, []), ids, key.rstrip("s"))
        for key, ids in known.items()
    }
    return Art273fFacts(acts=found["acts"], means=found["means"], purposes=found["purposes"])


_NO_FACTS = Art273fFacts()

_FORMS: dict[str, ExploitationForm] = {form.value: form for form in ExploitationForm}


def _forms(forms: list[str]) -> frozenset[ExploitationForm]:
    if not forms:
        return frozenset()
    if _FORMS.keys() >= set(forms):
        return frozenset(map(_FORMS.__getitem__, forms))
    return frozenset(
        _choice(ExploitationForm, f"exploitation_forms[{i}]", form) for i, form in enumerate(forms)
    )


_MISSING: object = object()
"""Marks a field the situation leaves out (``None`` is a value given)."""


def parse_situation(data: object, protocol: Protocol, now: datetime) -> Situation:
    """Check ``data`` (decoded JSON) against ``protocol`` and build a :class:`Situation`.

    ``now`` is the moment used when the situation gives none; pass an aware datetime.
    """
    if not isinstance(data, Mapping):
        raise SituationError("(situation)", data, "must be a JSON object")
    if not _KNOWN.issuperset(data):
        for key in data:
            if key not in _KNOWN:
                raise SituationError(_name(key), data[key], "is not a known field")
    get = data.get
    protocol_id = get("protocol")
    if protocol_id is not None and protocol_id != protocol.id:
        raise SituationError("protocol", protocol_id, f"does not match protocol {protocol.id!r}")
    # Checked in the order the fields are documented in, so the first problem is raised;
    # a field left out takes its default without further checks.
    value = get("exploitation_forms", _MISSING)
    forms = [] if value is _MISSING else _str_list("exploitation_forms", value)
    index = index_of(protocol)
    moment = _moment(get("moment"), now)
    value = get("reporter", _MISSING)
    reporter = Reporter.PROFESSIONAL if value is _MISSING else _choice(Reporter, "reporter", value)
    value = get("person", _MISSING)
    age = None if value is _MISSING else _age(value)
    value = get("acute_danger", _MISSING)
    acute_danger = False if value is _MISSING else _bool("acute_danger", value)
    exploitation_forms = _forms(forms)
    value = get("signals", _MISSING)
    signals = _NONE if value is _MISSING else _ids("signals", value, index.signals, "signal")
    value = get("profiles", _MISSING)
    profiles = _NONE if value is _MISSING else _ids("profiles", value, index.profiles, "profile")
    value = get("steps_completed", _MISSING)
    steps_completed = frozenset() if value is _MISSING else _steps(value)
    value = get("weighing", _MISSING)
    weighing = _UNANSWERED.copy() if value is _MISSING else _weighing(value)
    value = get("consent_to_report", _MISSING)
    consent = (
        Consent.NOT_ASKED if value is _MISSING else _choice(Consent, "consent_to_report", value)
    )
    value = get("art_273f", _MISSING)
    art_273f = _NO_FACTS if value is _MISSING else _art_273f(value, index.law_elements)
    report_made = _report_made(get("report_made"))
    value = get("case_direction", _MISSING)
    case_direction = (
        CaseDirection.OWN if value is _MISSING else _choice(CaseDirection, "case_direction", value)
    )
    value = get("screening_outcomes", _MISSING)
    screening_outcomes = (
        _NONE
        if value is _MISSING
        else _ids("screening_outcomes", value, index.screening_outcomes, "screening outcome")
    )
    # The same object ``Situation(...)`` builds, without the frozen dataclass's per-field
    # ``object.__setattr__`` calls; the fields go in in declaration order, as __init__ does.
    situation = object.__new__(Situation)
    situation.__dict__.update(
        moment=moment,
        reporter=reporter,
        age=age,
        acute_danger=acute_danger,
        exploitation_forms=exploitation_forms,
        signals=signals,
        profiles=profiles,
        steps_completed=steps_completed,
        weighing=weighing,
        consent_to_report=consent,
        art_273f=art_273f,
        protocol_id=protocol.id,
        report_made=report_made,
        case_direction=case_direction,
        screening_outcomes=screening_outcomes,
    )
    problem = situation.contradiction() or situation.chain_problem(protocol)
    if problem is not None:
        raise problem
    return situation
