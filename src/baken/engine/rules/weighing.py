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
from baken.engine.situation import Situation
from baken.protocol.index import index_of
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


def _branch(question: WeighingQuestion, text: str) -> Action:
    """A branch of the afwegingskader, citing where the branch comes from."""
    added = question.added.source if question.added else None
    return Action(text, question.branch_cite, added)


def weigh(situation: Situation, protocol: Protocol) -> WeighingResult:
    """Apply the afwegingskader to the recorded answers. Call only when a decision is possible.

    ``situation`` must have no :meth:`~Situation.contradiction`.
    """
    weighing = protocol.weighing
    questions: dict[str, WeighingQuestion] = {q.id: q for q in weighing.questions}
    outcomes = {o.id: o for o in weighing.outcomes}
    decisions = {d.id: d for d in weighing.decisions}
    q1, q2 = situation.answer("q1"), situation.answer("q2")

    if q1 == "no":
        outcome = outcomes["unfounded"]
        return WeighingResult(
            "unfounded",
            "not_required",
            None,
            (_branch(questions["q1"], questions["q1"].if_no), Action.of(outcome)),
            (),
        )
    if q1 == "unknown":
        outcome = outcomes["doubt"]
        actions = [Action.of(outcome), Action.of(questions["q1"])]
        if q2 == "yes" and not situation.reported:
            # Unsafety seen while the suspicion is in doubt: the report decision
            # stays open, but the professional must know what q2 yes leads to.
            actions.append(_branch(questions["q2"], questions["q2"].if_yes))
        return WeighingResult("doubt", None, None, tuple(actions), ())

    # The suspicion outcome introduces the two decisions; after a melding only one is left.
    actions = [] if situation.reported else [Action.of(outcomes["suspicion"])]
    reasons: list[Action] = []
    if q2 == "yes":
        reasons.append(_branch(questions["q2"], questions["q2"].if_yes))
        if situation.acute_danger:
            reasons.append(Action.of(index_of(protocol).items["def-acute-onveiligheid"]))
    for qid in HELP_QUESTIONS:
        if situation.answer(qid) == "no":
            reasons.append(_branch(questions[qid], questions[qid].if_no))

    help_answers = [situation.answer(qid) for qid in HELP_QUESTIONS]
    help_possible: bool | None
    if "no" in help_answers:
        help_possible = False
    elif all(answer == "yes" for answer in help_answers):
        help_possible = True
        actions.append(_branch(questions["q5"], questions["q5"].if_yes))
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
    open_questions: list[str] = []
    if report_open and q2 == "unknown":
        open_questions.append("q2")
    if help_possible is None or report_open:
        open_questions += [q for q in HELP_QUESTIONS if situation.answer(q) == "unknown"]
    actions += [Action.of(questions[qid]) for qid in open_questions]
    if not situation.reported:
        actions.append(Action.of(decisions["report"]))
    actions.append(Action.of(decisions["help"]))
    return WeighingResult("suspicion", report, help_possible, tuple(actions), tuple(reasons))
