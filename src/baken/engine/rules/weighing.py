"""Step 4 and 5: the Meldcode afwegingskader, which §1.2 tells professionals to use.

- q1 no: the suspicion is unfounded (close, record, keep following).
- q1 unknown: doubt (decide how to follow, gather information, consult Veilig Thuis).
- q1 yes: suspicion, and two separate decisions (§1.1, since 1 January 2019):
  report to Veilig Thuis is required when q2 is yes, or when q3, q4 or q5 is no;
  help is possible only when q3, q4 and q5 are all yes. Both can hold.

An unanswered question that could still change a decision leaves that decision
open (None) rather than guessing.
"""

from __future__ import annotations

from dataclasses import dataclass

from baken.engine.advice import Action, Conclusion, Report
from baken.engine.situation import Situation
from baken.protocol.schema import Protocol, WeighingQuestion

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
    """Apply the afwegingskader to the recorded answers. Call only when a decision is possible."""
    weighing = protocol.weighing
    questions: dict[str, WeighingQuestion] = {q.id: q for q in weighing.questions}
    outcomes = {o.id: o for o in weighing.outcomes}
    decisions = {d.id: d for d in weighing.decisions}

    q1 = situation.answer("q1")
    if q1 == "no":
        outcome = outcomes["unfounded"]
        return WeighingResult(
            "unfounded",
            "not_required",
            None,
            (
                Action(questions["q1"].if_no, questions["q1"].branch_cite),
                Action(outcome.text, outcome.cite),
            ),
            (),
        )
    if q1 == "unknown":
        outcome = outcomes["doubt"]
        return WeighingResult(
            "doubt",
            None,
            None,
            (
                Action(outcome.text, outcome.cite),
                Action(questions["q1"].text, questions["q1"].cite),
            ),
            (),
        )

    actions: list[Action] = [Action(outcomes["suspicion"].text, outcomes["suspicion"].cite)]
    reasons: list[Action] = []
    q2 = situation.answer("q2")
    if q2 == "yes":
        reasons.append(Action(questions["q2"].if_yes, questions["q2"].branch_cite))
    for qid in HELP_QUESTIONS:
        if situation.answer(qid) == "no":
            reasons.append(Action(questions[qid].if_no, questions[qid].branch_cite))

    help_answers = [situation.answer(qid) for qid in HELP_QUESTIONS]
    help_possible: bool | None
    if "no" in help_answers:
        help_possible = False
    elif all(answer == "yes" for answer in help_answers):
        help_possible = True
        q5 = questions["q5"]
        actions.append(Action(q5.if_yes, q5.branch_cite))
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
    open_questions: list[str] = []
    if report is None and q2 == "unknown":
        open_questions.append("q2")
    if help_possible is None or report is None:
        open_questions += [q for q in HELP_QUESTIONS if situation.answer(q) == "unknown"]
    for qid in open_questions:
        actions.append(Action(questions[qid].text, questions[qid].cite))

    actions.append(Action(decisions["report"].text, decisions["report"].cite))
    actions.append(Action(decisions["help"].text, decisions["help"].cite))
    return WeighingResult("suspicion", report, help_possible, tuple(actions), tuple(reasons))
