"""The advice the engine gives: every conclusion with its reason and citation."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Literal, Protocol, cast

from baken.protocol.schema import CaseDirection

Conclusion = Literal["unfounded", "doubt", "suspicion"]
Report = Literal["required", "not_required"]

JsonValue = str | int | bool | None | list["JsonValue"] | dict[str, "JsonValue"]


def _json(value: object) -> JsonValue:
    """A dataclass, tuple or plain value as JSON data (tuples become lists)."""
    if isinstance(value, tuple | list):
        return [_json(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _json(item) for key, item in value.items()}
    return cast(JsonValue, value)


class _Source(Protocol):
    """What an added item carries: the source it was completed from."""

    @property
    def source(self) -> str: ...


class Cited(Protocol):
    """A protocol item with text, citation and, when not in the seed, its added source."""

    @property
    def text(self) -> str: ...

    @property
    def cite(self) -> str: ...

    @property
    def added(self) -> _Source | None: ...


@dataclass(frozen=True)
class Action:
    """Something the protocol asks the professional to do or know, with its source.

    ``added`` names the source an item was completed from when the protocol
    document itself does not say it (``None`` for text taken from the document).
    """

    text: str
    cite: str
    added: str | None = None

    @classmethod
    def of(cls, item: Cited) -> Action:
        """The action for one protocol item, keeping its added source."""
        return cls(item.text, item.cite, item.added.source if item.added else None)


@dataclass(frozen=True)
class ContactAdvice:
    """A partner to contact, why, and on what authority; the phone number to use now."""

    partner: str
    name: str
    phone: str
    reason: str
    cite: str
    added: str | None = None
    """The source the reason was completed from, when the protocol document does not say it."""


@dataclass(frozen=True)
class StepsAdvice:
    """Which steps are done, and which of steps 1-4 are still missing before step 5."""

    completed: tuple[int, ...]
    missing: tuple[int, ...]


@dataclass(frozen=True)
class Art273fAdvice:
    """Which legal elements of art. 273f Sr are recorded. Information, never a verdict."""

    act: bool
    means: bool
    purpose: bool
    means_required: bool
    elements_present: bool


@dataclass(frozen=True)
class Deadline:
    """A term Veilig Thuis keeps after the melding, with its due date (the last day)."""

    id: str
    what: str
    due: date
    cite: str
    added: str | None = None
    """The source the term was completed from, when the protocol document does not say it."""

    def to_json(self) -> dict[str, JsonValue]:
        """The deadline as JSON data, ``due`` as an ISO date."""
        return {
            "id": self.id,
            "what": self.what,
            "due": self.due.isoformat(),
            "cite": self.cite,
            "added": self.added,
        }


@dataclass(frozen=True)
class Advice:
    """What the protocol demands in one situation."""

    protocol_id: str
    protocol_version: str
    call_police_now: bool
    contacts: tuple[ContactAdvice, ...]
    steps: StepsAdvice
    decision_possible: bool
    conclusion: Conclusion | None
    report_to_veilig_thuis: Report | None
    help_possible: bool | None
    art_273f: Art273fAdvice
    actions: tuple[Action, ...]
    within_office_hours: bool
    """Whether the moment fell within the protocol's office hours (decides the police number)."""
    report_made: date | None = None
    """The date of the melding, as in the situation; ``report_to_veilig_thuis`` stays what
    the weighing requires, and after a melding no action asks to decide on reporting."""
    case_direction: CaseDirection = CaseDirection.OWN
    """Who holds casusregie, as in the situation."""
    deadlines: tuple[Deadline, ...] = ()
    """Veilig Thuis's terms counted from ``report_made``, earliest first; empty without one."""
    screening: tuple[Action, ...] = ()
    """What the screeningsoverleg decided, in the protocol's order; empty before a screening."""

    def to_json(self) -> dict[str, JsonValue]:
        """The advice in the JSON shape documented in ``docs/assess.md``."""
        return {
            "protocol": {"id": self.protocol_id, "version": self.protocol_version},
            "call_police_now": self.call_police_now,
            "within_office_hours": self.within_office_hours,
            "contacts": [_json(asdict(contact)) for contact in self.contacts],
            "steps": _json(asdict(self.steps)),
            "decision_possible": self.decision_possible,
            "conclusion": self.conclusion,
            "report_to_veilig_thuis": self.report_to_veilig_thuis,
            "help_possible": self.help_possible,
            "art_273f": _json(asdict(self.art_273f)),
            "actions": [_json(asdict(action)) for action in self.actions],
            "report_made": self.report_made.isoformat() if self.report_made else None,
            "case_direction": self.case_direction.value,
            "deadlines": [deadline.to_json() for deadline in self.deadlines],
            "screening": [_json(asdict(action)) for action in self.screening],
        }
