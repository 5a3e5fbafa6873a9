"""Look-ups over a protocol's nested items, built once per protocol object."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from baken.protocol.schema import (
    Choice,
    ExploitationForm,
    Item,
    LawElement,
    Partner,
    Profile,
    Protocol,
    Signal,
    SignalList,
)


def iter_signals(signal_list: SignalList) -> Iterator[Signal]:
    """Every signal of a list in reading order, details right after their signal."""

    def walk(signals: list[Signal]) -> Iterator[Signal]:
        for signal in signals:
            yield signal
            yield from walk(signal.details)

    for group in signal_list.groups:
        yield from walk(group.signals)


@dataclass(frozen=True)
class ProtocolIndex:
    """Dictionaries over one protocol, for the engine's look-ups by id."""

    signals: dict[str, Signal]
    signal_forms: dict[str, ExploitationForm]
    profiles: dict[str, Profile]
    partners: dict[str, Partner]
    items: dict[str, Item]
    """Routing, consent, stappenplan rule and weighing definition items by id."""
    law_elements: dict[str, dict[str, LawElement]]
    """Art. 273f's elements by kind (``acts``, ``means``, ``purposes``), then by id."""
    screening_outcomes: dict[str, Choice]
    """What a screeningsoverleg can decide, by id."""


_INDEXES: dict[int, tuple[Protocol, ProtocolIndex]] = {}


def index_of(protocol: Protocol) -> ProtocolIndex:
    """The index of ``protocol``, built on first use and kept for the process."""
    cached = _INDEXES.get(id(protocol))
    if cached is not None and cached[0] is protocol:
        return cached[1]
    signals: dict[str, Signal] = {}
    forms: dict[str, ExploitationForm] = {}
    for signal_list in protocol.signal_lists:
        for signal in iter_signals(signal_list):
            signals[signal.id] = signal
            forms[signal.id] = signal_list.form
    index = ProtocolIndex(
        signals=signals,
        signal_forms=forms,
        profiles={p.id: p for p in protocol.profiles},
        partners={p.id: p for p in protocol.partners},
        items={
            i.id: i
            for i in (
                *protocol.routing,
                *protocol.consent,
                *protocol.steps.rules,
                *protocol.weighing.definitions,
            )
        },
        law_elements={
            "acts": {e.id: e for e in protocol.article_273f.acts},
            "means": {e.id: e for e in protocol.article_273f.means},
            "purposes": {e.id: e for e in protocol.article_273f.purposes},
        },
        screening_outcomes={o.id: o for o in protocol.chain.screening.outcomes},
    )
    _INDEXES[id(protocol)] = (protocol, index)
    return index


def all_signals(protocol: Protocol) -> dict[str, Signal]:
    """Every signal of every list, details included, by id."""
    return index_of(protocol).signals
