"""The chain after a melding (§2.1): casusregie, what stays with the reporter, the deadlines.

A melding is the step-5 decision to report, taken: from then on the advice never asks to
decide on reporting again. It says who holds casusregie, what is still the reporter's
(keep following the person, support the help, wait for feedback) and when Veilig Thuis's
terms end.
"""

from __future__ import annotations

from datetime import date

from baken.engine.advice import Action, Deadline
from baken.engine.calendar import due_date
from baken.engine.compiled import compiled
from baken.engine.situation import Situation
from baken.protocol.schema import Protocol


def _deadlines(protocol: Protocol, report_made: date) -> tuple[Deadline, ...]:
    found = [
        Deadline(
            id=rule.id,
            what=rule.what,
            due=due_date(rule, report_made, protocol),
            cite=rule.cite,
            added=rule.added.source if rule.added else None,
        )
        for rule in protocol.chain.deadlines
    ]
    return tuple(sorted(found, key=lambda deadline: deadline.due))


def deadlines(situation: Situation, protocol: Protocol) -> tuple[Deadline, ...]:
    """Veilig Thuis's terms counted from the melding, earliest first; none without a melding.

    The terms of one melding date are counted once per protocol (they depend on nothing
    else)."""
    if situation.report_made is None:
        return ()
    return compiled(protocol).due_dates(
        situation.report_made, lambda day: _deadlines(protocol, day)
    )


def screening_outcome(situation: Situation, protocol: Protocol) -> tuple[Action, ...]:
    """What the screeningsoverleg decided (§2.1, §2.2), in the protocol's order."""
    chosen = situation.screening_outcomes
    if not chosen:
        return ()
    return tuple(
        action for outcome_id, action in compiled(protocol).screening if outcome_id in chosen
    )


def casusregie_action(situation: Situation, protocol: Protocol) -> Action | None:
    """Who holds casusregie, when it is not the professional's own organisation."""
    return compiled(protocol).casusregie[situation.case_direction]


def chain_actions(situation: Situation, protocol: Protocol) -> list[Action]:
    """Casusregie (Veilig Thuis or the zorgcoördinator) and, after a melding, what is
    still the reporter's."""
    c = compiled(protocol)
    actions: list[Action] = []
    casusregie = c.casusregie[situation.case_direction]
    if casusregie is not None:
        actions.append(casusregie)
    if situation.reported:
        actions += c.after_report
    return actions
