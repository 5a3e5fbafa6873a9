"""Property tests: the engine's promises hold for every valid situation."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baken.engine import SituationError, assess, parse_situation
from tests.engine.strategies import PROTOCOL, situations

POLICE_PHONES = {
    re.sub(r"\D", "", c.value)
    for p in PROTOCOL.partners
    if p.id == "politie"
    for c in p.contacts
    if c.kind == "phone"
}


NOW = datetime(2026, 2, 11, 10, 0, tzinfo=UTC)


@settings(max_examples=300, deadline=None)
@given(situations())
def test_assess_never_crashes_and_its_advice_is_json(data: dict[str, Any]) -> None:
    """Every valid situation yields advice that serialises to JSON and names the protocol."""
    advice = assess(parse_situation(data, PROTOCOL, now=NOW), PROTOCOL).to_json()
    assert json.loads(json.dumps(advice)) == advice
    assert advice["protocol"] == {"id": PROTOCOL.id, "version": PROTOCOL.version}


@settings(max_examples=300, deadline=None)
@given(situations())
def test_every_action_and_contact_carries_a_citation_and_a_reason(data: dict[str, Any]) -> None:
    """No point without its source: every action and contact has text and a citation."""
    advice = assess(parse_situation(data, PROTOCOL, now=NOW), PROTOCOL)
    assert advice.actions
    for action in advice.actions:
        assert action.text.strip() and action.cite.strip()
    for contact in advice.contacts:
        assert contact.reason.strip() and contact.cite.strip() and contact.phone.strip()


@settings(max_examples=300, deadline=None)
@given(situations(), st.integers(0, 17))
def test_a_minor_never_needs_a_means(data: dict[str, Any], age: int) -> None:
    """Under 18 the means is never required, so act + purpose suffice."""
    data["person"] = {"age": age}
    result = assess(parse_situation(data, PROTOCOL, now=NOW), PROTOCOL).art_273f
    assert result.means_required is False
    assert result.elements_present == (result.act and result.purpose)


@settings(max_examples=300, deadline=None)
@given(situations())
def test_acute_danger_always_puts_a_police_number_first(data: dict[str, Any]) -> None:
    """With acute danger the first contact is the police, whatever else is recorded."""
    data["acute_danger"] = True
    for question in ("q1", "q2"):
        if data["weighing"].get(question) == "no":
            data["weighing"][question] = "yes"
    advice = assess(parse_situation(data, PROTOCOL, now=NOW), PROTOCOL)
    assert advice.call_police_now is True
    assert advice.contacts[0].partner == "politie"
    assert re.sub(r"\D", "", advice.contacts[0].phone) in POLICE_PHONES
    assert advice.report_to_veilig_thuis != "not_required"


@settings(max_examples=500, deadline=None)
@given(situations())
def test_the_two_decisions_follow_the_afwegingskader(data: dict[str, Any]) -> None:
    """Report required iff q2 yes or a help question no; help possible iff q3-q5 all yes."""
    situation = parse_situation(data, PROTOCOL, now=NOW)
    advice = assess(situation, PROTOCOL)
    answers = {q: situation.answer(q) for q in ("q1", "q2", "q3", "q4", "q5")}
    help_answers = [answers["q3"], answers["q4"], answers["q5"]]
    decidable = data["reporter"] == "professional" and {1, 2, 3, 4} <= set(data["steps_completed"])
    assert advice.decision_possible is decidable
    if not decidable:
        assert (advice.conclusion, advice.report_to_veilig_thuis, advice.help_possible) == (
            None,
            None,
            None,
        )
        return
    if answers["q1"] == "no":
        assert advice.conclusion == "unfounded"
        assert advice.report_to_veilig_thuis == "not_required"
    elif answers["q1"] == "unknown":
        assert advice.conclusion == "doubt"
        assert advice.report_to_veilig_thuis is None
    else:
        assert advice.conclusion == "suspicion"
        # Acute danger is acute unsafety: it counts as q2 yes (Situation.answer).
        must_report = answers["q2"] == "yes" or "no" in help_answers
        assert (advice.report_to_veilig_thuis == "required") is must_report
        assert (advice.help_possible is True) is all(a == "yes" for a in help_answers)
        if "no" in help_answers:
            assert advice.help_possible is False


@settings(max_examples=300, deadline=None)
@given(situations(), st.sampled_from(["q1", "q2"]))
def test_acute_danger_with_a_no_to_q1_or_q2_is_refused(data: dict[str, Any], question: str) -> None:
    """Acute danger contradicts "no grounds for concern" and "no unsafety": refused, not guessed."""
    data["acute_danger"] = True
    data["weighing"][question] = "no"
    with pytest.raises(SituationError) as caught:
        parse_situation(data, PROTOCOL, now=NOW)
    assert caught.value.field.startswith("weighing.q")
