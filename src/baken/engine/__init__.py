"""The decision engine: ``assess(situation, protocol) -> Advice``.

Pure Python, no Django and no I/O. Every conclusion carries the reason and the
citation it rests on, and names the protocol id and version it used.
"""

from __future__ import annotations

from baken.engine.advice import (
    Action,
    Advice,
    Art273fAdvice,
    ContactAdvice,
    Deadline,
    StepsAdvice,
)
from baken.engine.calendar import add_working_days, due_date, is_working_day
from baken.engine.compiled import compiled
from baken.engine.rules.acute import within_office_hours
from baken.engine.rules.art273f import art_273f_actions, art_273f_advice
from baken.engine.rules.chain import chain_actions, deadlines, screening_outcome
from baken.engine.rules.routes import consent_actions, contacts, person_actions
from baken.engine.rules.steps import decision_possible, step_actions, steps_advice
from baken.engine.rules.weighing import NO_DECISION, weigh
from baken.engine.situation import (
    Art273fFacts,
    Consent,
    Reporter,
    Situation,
    SituationError,
    parse_situation,
)
from baken.protocol.schema import CaseDirection, Protocol

__all__ = [
    "Action",
    "Advice",
    "Art273fAdvice",
    "Art273fFacts",
    "CaseDirection",
    "Consent",
    "ContactAdvice",
    "Deadline",
    "Reporter",
    "Situation",
    "SituationError",
    "StepsAdvice",
    "add_working_days",
    "assess",
    "due_date",
    "is_working_day",
    "parse_situation",
]


def _unique(actions: list[Action]) -> tuple[Action, ...]:
    """``actions`` without repeats, in first-seen order. Every action the rules give is the
    protocol's one instance of its value (:mod:`baken.engine.compiled`), so the same
    object is the same value: dropping repeats by identity drops them by equality."""
    return tuple(dict(zip(map(id, actions), actions, strict=True)).values())


def assess(situation: Situation, protocol: Protocol) -> Advice:
    """What ``protocol`` demands in ``situation``, with a reason and citation for each point."""
    if situation.protocol_id is not None and situation.protocol_id != protocol.id:
        raise ValueError(
            f"situation was parsed for protocol {situation.protocol_id!r}, not {protocol.id!r}"
        )
    if situation.moment.tzinfo is None or situation.moment.utcoffset() is None:
        raise ValueError("situation.moment must be timezone-aware")
    problem = situation.contradiction() or situation.chain_problem(protocol)
    if problem is not None:
        raise problem
    c = compiled(protocol)
    steps = steps_advice(situation)
    possible = decision_possible(situation)
    weighing = weigh(situation, protocol) if possible else NO_DECISION
    art_273f = art_273f_advice(situation, protocol)
    office_hours = within_office_hours(protocol.acute_danger.office_hours, situation.moment)

    actions: list[Action] = []
    if situation.acute_danger:
        actions += c.acute_actions
    if situation.reporter is Reporter.VOLUNTEER and not situation.reported:
        # After a melding there is no report left to shape with Veilig Thuis (§1.2 Stap 5).
        actions.append(c.volunteers)
    actions += chain_actions(situation, protocol)
    actions += step_actions(situation, protocol, steps)
    actions += weighing.actions
    actions += consent_actions(situation, protocol, weighing)
    actions += person_actions(situation, protocol)
    actions += art_273f_actions(situation, protocol)
    if 5 in situation.steps_completed and possible:
        actions += c.evaluation

    # The same object ``Advice(...)`` builds, without the frozen dataclass's per-field
    # ``object.__setattr__`` calls; the fields go in in declaration order, as __init__ does.
    advice = object.__new__(Advice)
    advice.__dict__.update(
        protocol_id=protocol.id,
        protocol_version=protocol.version,
        call_police_now=situation.acute_danger,
        contacts=tuple(contacts(situation, protocol, weighing, office_hours)),
        steps=steps,
        decision_possible=possible,
        conclusion=weighing.conclusion,
        report_to_veilig_thuis=weighing.report,
        help_possible=weighing.help_possible,
        art_273f=art_273f,
        actions=_unique(actions),
        within_office_hours=office_hours,
        report_made=situation.report_made,
        case_direction=situation.case_direction,
        deadlines=deadlines(situation, protocol),
        screening=screening_outcome(situation, protocol),
    )
    return advice
