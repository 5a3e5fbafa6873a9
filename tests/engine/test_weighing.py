"""The Meldcode afwegingskader branches (§1.2 Stap 4 and 5), one test per branch."""

from __future__ import annotations

import pytest

from baken.engine import SituationError
from baken.protocol import Protocol
from tests.engine.helpers import advise

STEPS = [1, 2, 3, 4]


def test_q1_no_concludes_unfounded_and_no_report(protocol: Protocol) -> None:
    """No suspicion after weighing: close and record; reporting is not required."""
    advice = advise(protocol, steps_completed=STEPS, weighing={"q1": "no", "q2": "no"})
    assert advice.conclusion == "unfounded"
    assert advice.report_to_veilig_thuis == "not_required"
    assert advice.help_possible is None
    assert {c.partner for c in advice.contacts}.isdisjoint(
        {"zorgcoordinator", "comensha", "meld-misdaad-anoniem"}
    )


def test_q2_yes_with_q1_no_is_refused_as_a_contradiction(protocol: Protocol) -> None:
    """Unsafety is only weighed once there is a suspicion: q1 no with q2 yes is refused."""
    with pytest.raises(SituationError) as caught:
        advise(protocol, steps_completed=STEPS, weighing={"q1": "no", "q2": "yes"})
    assert caught.value.field == "weighing.q2"
    assert "q1: no" in caught.value.problem


def test_q2_yes_in_doubt_leaves_the_report_open_and_says_what_unsafety_means(
    protocol: Protocol,
) -> None:
    """Doubt with unsafety: no report decision yet, but the q2 branch is among the actions."""
    advice = advise(protocol, steps_completed=STEPS, weighing={"q1": "unknown", "q2": "yes"})
    assert advice.conclusion == "doubt"
    assert advice.report_to_veilig_thuis is None
    q2 = protocol.weighing.questions[1]
    assert q2.if_yes in [a.text for a in advice.actions]


@pytest.mark.parametrize("q2", ["yes", "unknown"])
def test_acute_danger_with_a_suspicion_requires_a_report_citing_acute_unsafety(
    protocol: Protocol, q2: str
) -> None:
    """Acute danger is acute unsafety (§1.2 Stap 5): the report is required, even if help fits."""
    weighing = {"q1": "yes", "q2": q2, "q3": "yes", "q4": "yes", "q5": "yes"}
    advice = advise(protocol, acute_danger=True, steps_completed=STEPS, weighing=weighing)
    assert advice.report_to_veilig_thuis == "required"
    assert advice.help_possible is True
    assert advice.contacts[0].partner == "politie"
    cites = [a.cite for a in advice.actions]
    definition = next(d for d in protocol.weighing.definitions if d.id == "def-acute-onveiligheid")
    assert definition.cite in cites


@pytest.mark.parametrize("question", ["q1", "q2"])
def test_acute_danger_with_no_to_q1_or_q2_is_refused(protocol: Protocol, question: str) -> None:
    """Acute danger and "no concern" or "no unsafety" cannot both be true: refused, not guessed."""
    with pytest.raises(SituationError) as caught:
        advise(protocol, acute_danger=True, steps_completed=STEPS, weighing={question: "no"})
    assert caught.value.field == f"weighing.{question}"


def test_q1_unknown_concludes_doubt_and_advises_consulting_veilig_thuis(
    protocol: Protocol,
) -> None:
    """Doubt: no decision yet, and Veilig Thuis is the first contact for advice."""
    advice = advise(protocol, steps_completed=STEPS, weighing={})
    assert advice.conclusion == "doubt"
    assert advice.report_to_veilig_thuis is None
    assert advice.help_possible is None
    assert advice.contacts[0].partner == "veilig-thuis"


@pytest.mark.parametrize("q2", ["no", "unknown"])
@pytest.mark.parametrize("missing_help", ["q3", "q4", "q5"])
def test_any_help_question_answered_no_requires_a_report_and_rules_out_help(
    protocol: Protocol, q2: str, missing_help: str
) -> None:
    """q3, q4 or q5 no: report to Veilig Thuis is required and help is not possible."""
    weighing = {"q1": "yes", "q2": q2, "q3": "yes", "q4": "yes", "q5": "yes", missing_help: "no"}
    advice = advise(protocol, steps_completed=STEPS, weighing=weighing)
    assert advice.conclusion == "suspicion"
    assert advice.report_to_veilig_thuis == "required"
    assert advice.help_possible is False


def test_acute_or_structural_unsafety_requires_a_report_even_when_help_is_possible(
    protocol: Protocol,
) -> None:
    """q2 yes with q3-q5 yes: both decisions hold, report and help."""
    weighing = {"q1": "yes", "q2": "yes", "q3": "yes", "q4": "yes", "q5": "yes"}
    advice = advise(protocol, steps_completed=STEPS, weighing=weighing)
    assert advice.report_to_veilig_thuis == "required"
    assert advice.help_possible is True


def test_safe_situation_with_effective_help_needs_no_report(protocol: Protocol) -> None:
    """q2 no and q3-q5 yes: help is possible and no report is required."""
    weighing = {"q1": "yes", "q2": "no", "q3": "yes", "q4": "yes", "q5": "yes"}
    advice = advise(protocol, steps_completed=STEPS, weighing=weighing)
    assert advice.report_to_veilig_thuis == "not_required"
    assert advice.help_possible is True


def test_open_questions_leave_the_decisions_open_and_ask_for_the_answers(
    protocol: Protocol,
) -> None:
    """q1 yes with q2-q5 unanswered: no guess; the advice asks for the open questions."""
    advice = advise(protocol, steps_completed=STEPS, weighing={"q1": "yes"})
    assert advice.conclusion == "suspicion"
    assert advice.report_to_veilig_thuis is None
    assert advice.help_possible is None
    texts = [a.text for a in advice.actions]
    for question in protocol.weighing.questions[1:]:
        assert question.text in texts


def test_no_decision_before_steps_one_to_four(protocol: Protocol) -> None:
    """Even a complete weighing draws no conclusion while a step of 1-4 is missing."""
    weighing = {"q1": "yes", "q2": "yes"}
    advice = advise(protocol, steps_completed=[1, 2, 4, 5], weighing=weighing)
    assert advice.decision_possible is False
    assert advice.steps.missing == (3,)
    assert (advice.conclusion, advice.report_to_veilig_thuis, advice.help_possible) == (
        None,
        None,
        None,
    )


def test_steps_may_be_done_in_any_order(protocol: Protocol) -> None:
    """The order of the stappenplan is free: 4, 2, 1, 3 allows the decision."""
    advice = advise(protocol, steps_completed=[4, 2, 1, 3], weighing={"q1": "no"})
    assert advice.decision_possible is True
    assert advice.steps.completed == (1, 2, 3, 4)


def test_volunteers_get_no_weighing_conclusion_but_veilig_thuis_advice(
    protocol: Protocol,
) -> None:
    """Volunteers have no afwegingskader: no conclusion, Veilig Thuis for advice."""
    weighing = {"q1": "yes", "q2": "yes", "q3": "no"}
    advice = advise(protocol, reporter="volunteer", steps_completed=STEPS, weighing=weighing)
    assert advice.decision_possible is False
    assert advice.conclusion is None
    assert advice.report_to_veilig_thuis is None
    assert advice.contacts[0].partner == "veilig-thuis"
    assert protocol.weighing.volunteers.text in [a.text for a in advice.actions]


def test_report_without_consent_records_the_conflict_of_duties(protocol: Protocol) -> None:
    """A required report without consent cites the conflict of duties and says to record it."""
    weighing = {"q1": "yes", "q2": "yes"}
    advice = advise(protocol, steps_completed=STEPS, weighing=weighing, consent_to_report="no")
    consent = {item.id: item for item in protocol.consent}
    texts = [a.text for a in advice.actions]
    assert consent["toestemming-advies-melding-vt"].text in texts
    assert consent["toestemming-conflict-van-plichten"].text in texts
    assert consent["toestemming-meldrecht-vastleggen"].text in texts


def test_report_with_consent_does_not_invoke_the_conflict_of_duties(protocol: Protocol) -> None:
    """With the person's consent there is no conflict of duties to record."""
    weighing = {"q1": "yes", "q2": "yes"}
    advice = advise(protocol, steps_completed=STEPS, weighing=weighing, consent_to_report="yes")
    consent = {item.id: item for item in protocol.consent}
    texts = [a.text for a in advice.actions]
    assert consent["toestemming-conflict-van-plichten"].text not in texts
    assert consent["toestemming-advies-melding-vt"].text in texts


def test_assess_refuses_a_naive_moment_built_in_code(protocol: Protocol) -> None:
    """Office hours cannot be judged without an offset: a naive moment is an error, not a guess."""
    from datetime import datetime

    from baken.engine import Situation, assess

    naive = datetime(2026, 2, 11, 11, 0)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="timezone-aware"):
        assess(Situation(moment=naive, protocol_id=protocol.id), protocol)
