"""Step 4 and 5: the Meldcode afwegingskader, which §1.2 tells professionals to use.

- q1 no: the suspicion is unfounded (close, record, keep following).
- q1 unknown: doubt (decide how to follow, gather information, consult Veilig Thuis).
- q1 yes: suspicion, and two separate decisions (§1.1, since 1 January 2019):
  report to Veilig Thuis is required when q2 is yes, or when q3, q4 or q5 is no;
  help is possible only when q3, q4 and q5 are all yes. Both can hold.

An unanswered question that could still change a decision leaves that decision
open (None) rather than guessing.

After a melding (``situation.reported``) the decision to report is taken: the outcome
still says what the afwegingskader requires, but the actions no longer ask the report
decision (nor introduce the two decisions), nor the questions that only it needed, nor
repeat that a report is needed.
"""

from __future__ import annotations

from dataclasses import dataclass

from baken.engine.advice import Action, Conclusion, Report
from baken.engine.compiled import compiled
from baken.engine.situation import Situation
from baken.protocol.schema import Protocol

HELP_QUESTIONS = ("q3", "q4", "q5")


@dataclass(frozen=True)
class WeighingResult:
    """The outcome of the weighing, with the actions and reasons behind it."""

    conclusion: Conclusion | None
    report: Report | None
    help_possible: bool | None
    actions: tuple[Action, ...]
    report_reasons: tuple[Action, ...]
    """Why a report is required (empty when it is not)."""


NO_DECISION = WeighingResult(None, None, None, (), ())


def weigh(situation: Situation, protocol: Protocol) -> WeighingResult:
    """Apply the afwegingskader to the recorded answers. Call only when a decision is possible.

    ``situation`` must have no :meth:`~Situation.contradiction`.
    """
    c = compiled(protocol)
    if_yes, if_no, question = c.if_yes, c.if_no, c.question_actions
    outcomes = c.outcomes
    answer = situation.answer
    q1, q2 = answer("q1"), answer("q2")

    if q1 == "no":
        return WeighingResult(
            "unfounded", "not_required", None, (if_no["q1"], outcomes["unfounded"]), ()
        )
    if q1 == "unknown":
        actions = [outcomes["doubt"], question["q1"]]
        if q2 == "yes" and not situation.reported:
            # Unsafety seen while the suspicion is in doubt: the report decision
            # stays open, but the professional must know what q2 yes leads to.
            actions.append(if_yes["q2"])
        return WeighingResult("doubt", None, None, tuple(actions), ())

    # The suspicion outcome introduces the two decisions; after a melding only one is left.
    actions = [] if situation.reported else [outcomes["suspicion"]]
    reasons: list[Action] = []
    if q2 == "yes":
        reasons.append(if_yes["q2"])
        if situation.acute_danger:
            reasons.append(c.items["def-acute-onveiligheid"])
    help_answers = [answer(qid) for qid in HELP_QUESTIONS]
    for qid, given in zip(HELP_QUESTIONS, help_answers, strict=True):
        if given == "no":
            reasons.append(if_no[qid])

    help_possible: bool | None
    if "no" in help_answers:
        help_possible = False
    elif all(given == "yes" for given in help_answers):
        help_possible = True
        actions.append(if_yes["q5"])
    else:
        help_possible = None

    report: Report | None
    if reasons:
        report = "required"
    elif q2 == "no" and help_possible is True:
        report = "not_required"
    else:
        report = None

    # Questions whose answer is still needed to settle an open decision.
    report_open = report is None and not situation.reported
    if report_open and q2 == "unknown":
        actions.append(question["q2"])
    if help_possible is None or report_open:
        actions += [
            question[qid]
            for qid, given in zip(HELP_QUESTIONS, help_answers, strict=True)
            if given == "unknown"
        ]
    if not situation.reported:
        actions.append(c.decisions["report"])
    actions.append(c.decisions["help"])
    return WeighingResult("suspicion", report, help_possible, tuple(actions), tuple(reasons))
