"""The chain after a melding (§2.1): casusregie, what stays with the reporter, the deadlines.

A melding is the step-5 decision to report, taken: from then on the advice never asks to
decide on reporting again. It says who holds casusregie, what is still the reporter's
(keep following the person, support the help, wait for feedback) and when Veilig Thuis's
terms end.
"""

from __future__ import annotations

from baken.engine.advice import Action, Deadline
from baken.engine.calendar import due_date
from baken.engine.situation import Situation
from baken.protocol.schema import Protocol


def deadlines(situation: Situation, protocol: Protocol) -> tuple[Deadline, ...]:
    """Veilig Thuis's terms counted from the melding, earliest first; none without a melding."""
    if situation.report_made is None:
        return ()
    found = [
        Deadline(
            id=rule.id,
            what=rule.what,
            due=due_date(rule, situation.report_made, protocol),
            cite=rule.cite,
            added=rule.added.source if rule.added else None,
        )
        for rule in protocol.chain.deadlines
    ]
    return tuple(sorted(found, key=lambda deadline: deadline.due))


def screening_outcome(situation: Situation, protocol: Protocol) -> tuple[Action, ...]:
    """What the screeningsoverleg decided (§2.1, §2.2), in the protocol's order."""
    return tuple(
        Action.of(outcome)
        for outcome in protocol.chain.screening.outcomes
        if outcome.id in situation.screening_outcomes
    )


def casusregie_action(situation: Situation, protocol: Protocol) -> Action | None:
    """Who holds casusregie, when it is not the professional's own organisation."""
    item = protocol.chain.casusregie_for(situation.case_direction)
    return Action.of(item) if item is not None else None


def chain_actions(situation: Situation, protocol: Protocol) -> list[Action]:
    """Casusregie (Veilig Thuis or the zorgcoördinator) and, after a melding, what is
    still the reporter's."""
    actions: list[Action] = []
    casusregie = casusregie_action(situation, protocol)
    if casusregie is not None:
        actions.append(casusregie)
    if situation.reported:
        actions += [Action.of(item) for item in protocol.chain.after_report]
    return actions
