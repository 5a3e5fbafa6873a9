"""The stappenplan (§1.1): free order, repeatable, but steps 1-4 before the step-5 decision."""

from __future__ import annotations

from baken.engine.advice import Action, StepsAdvice
from baken.engine.compiled import compiled
from baken.engine.situation import Reporter, Situation
from baken.protocol.schema import Protocol

BEFORE_DECISION = (1, 2, 3, 4)
_BEFORE = frozenset(BEFORE_DECISION)


def steps_advice(situation: Situation) -> StepsAdvice:
    """Steps done, and the steps of 1-4 still missing before the decision."""
    done = situation.steps_completed
    return StepsAdvice(completed=tuple(sorted(done)), missing=tuple(sorted(_BEFORE - done)))


def decision_possible(situation: Situation) -> bool:
    """A professional may take the step-5 decisions once steps 1-4 are all done.

    Volunteers have no afwegingskader, so no weighing decision is drawn for them.
    """
    if situation.reporter is Reporter.VOLUNTEER:
        return False
    return _BEFORE <= situation.steps_completed


def step_actions(situation: Situation, protocol: Protocol, steps: StepsAdvice) -> list[Action]:
    """The next steps to take, each with its §1.2 citation."""
    if situation.reporter is Reporter.VOLUNTEER:
        return []
    c = compiled(protocol)
    if steps.missing:
        return [c.items["regel-volgorde"], *(c.step_lines[number] for number in steps.missing)]
    if 5 not in situation.steps_completed and not situation.reported:
        # After a melding the report decision of step 5 is taken; the help decision
        # stays among the weighing's actions.
        return [c.step_lines[5]]
    return []
