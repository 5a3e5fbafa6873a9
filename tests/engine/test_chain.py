"""After a melding (§2.1): deadlines, casusregie, what stays with the reporter, and bad input."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import given, settings

from baken.engine import (
    Advice,
    CaseDirection,
    Situation,
    SituationError,
    assess,
    is_working_day,
    parse_situation,
)
from baken.engine.calendar import local_date
from baken.protocol import Protocol
from tests.conftest import CliResult
from tests.engine.helpers import NOW, advise
from tests.engine.strategies import LATEST_REPORT, PROTOCOL, situations

MONDAY = "2026-03-03T10:00:00+01:00"  # a Tuesday moment, the day after a Monday melding
SUSPICION = {"q1": "yes", "q2": "yes", "q3": "yes", "q4": "yes", "q5": "yes"}
REPORTED = {
    "moment": MONDAY,
    "steps_completed": [1, 2, 3, 4, 5],
    "weighing": SUSPICION,
    "report_made": "2026-03-02",
    "case_direction": "veilig_thuis",
}


def _texts(advice: Advice) -> list[str]:
    return [action.text for action in advice.actions]


def report_questions(protocol: Protocol) -> set[str]:
    """Every text by which the engine asks to decide on (or to shape) a report."""
    weighing = protocol.weighing
    questions = {q.id: q for q in weighing.questions}
    step_5 = next(step for step in protocol.steps.steps if step.number == 5)
    consent = {item.id: item.text for item in protocol.consent}
    routing = {item.id: item.text for item in protocol.routing}
    return {
        next(d.text for d in weighing.decisions if d.id == "report"),
        next(o.text for o in weighing.outcomes if o.id == "suspicion"),
        f"Stap 5: {step_5.summary}",
        questions["q2"].if_yes,
        *(questions[q].if_no for q in ("q3", "q4", "q5")),
        weighing.volunteers.text,
        consent["toestemming-stap-3"],
        consent["toestemming-conflict-van-plichten"],
        routing["route-vt-advies"],
    }


def test_without_a_melding_there_are_no_deadlines(protocol: Protocol) -> None:
    """No report_made: no deadlines, and the advice echoes no melding and own casusregie."""
    advice = advise(protocol, steps_completed=[1, 2, 3, 4], weighing=SUSPICION)
    assert (advice.deadlines, advice.report_made, advice.case_direction) == (
        (),
        None,
        CaseDirection.OWN,
    )


def test_a_melding_gives_both_deadlines_with_their_sources(protocol: Protocol) -> None:
    """A Monday melding: safety assessment the next Monday, onderzoek 10 weeks later."""
    advice = advise(protocol, **REPORTED)
    assert [(d.id, d.due, d.cite) for d in advice.deadlines] == [
        ("termijn-veiligheidsbeoordeling", date(2026, 3, 9), "Handelingsprotocol Veilig Thuis"),
        ("termijn-onderzoek", date(2026, 5, 11), "Uitvoeringsbesluit Wmo 2015, art. 4.1.7"),
    ]


def test_the_deadlines_are_in_the_json_as_iso_dates(protocol: Protocol) -> None:
    """to_json carries report_made, case_direction and each deadline with an ISO due date."""
    data = advise(protocol, **REPORTED).to_json()
    first = protocol.chain.deadline("termijn-veiligheidsbeoordeling")
    assert (data["report_made"], data["case_direction"], data["deadlines"][0]) == (  # type: ignore[index]
        "2026-03-02",
        "veilig_thuis",
        {
            "id": first.id,
            "what": first.what,
            "due": "2026-03-09",
            "cite": first.cite,
            "added": first.added.source if first.added else None,
        },
    )


def test_after_a_melding_the_actions_say_what_stays_with_the_reporter(
    protocol: Protocol,
) -> None:
    """Casusregie with Veilig Thuis first, then following, supporting and awaiting feedback."""
    texts = _texts(advise(protocol, **REPORTED))
    chain = protocol.chain
    wanted = [chain.casusregie.veilig_thuis.text, *(i.text for i in chain.after_report)]
    assert texts[: len(wanted)] == wanted


def test_after_a_melding_the_report_decision_is_no_longer_asked(protocol: Protocol) -> None:
    """Step 5 not ticked and a weighing in suspicion: still nothing asks whether to report."""
    advice = advise(protocol, **{**REPORTED, "steps_completed": [1, 2, 3, 4]})
    assert set(_texts(advice)) & report_questions(protocol) == set()


def test_after_a_melding_the_help_decision_remains(protocol: Protocol) -> None:
    """The second step-5 decision (is help possible?) is still the reporter's."""
    help_decision = next(d.text for d in protocol.weighing.decisions if d.id == "help")
    assert help_decision in _texts(advise(protocol, **REPORTED))


def test_report_to_veilig_thuis_still_says_what_the_weighing_required(
    protocol: Protocol,
) -> None:
    """A melding made although the weighing did not require one keeps 'not_required'."""
    weighing = {"q1": "yes", "q2": "no", "q3": "yes", "q4": "yes", "q5": "yes"}
    advice = advise(protocol, **{**REPORTED, "weighing": weighing})
    assert (advice.report_to_veilig_thuis, advice.report_made) == (
        "not_required",
        date(2026, 3, 2),
    )


def test_veilig_thuis_is_the_first_contact_for_casusregie(protocol: Protocol) -> None:
    """With casusregie at Veilig Thuis its contact's reason is the casusregie, not a report."""
    contact = advise(protocol, **REPORTED).contacts[0]
    assert (contact.partner, contact.reason) == (
        "veilig-thuis",
        protocol.chain.casusregie.veilig_thuis.text,
    )


def test_a_melding_not_yet_taken_over_waits_for_feedback(protocol: Protocol) -> None:
    """report_made with casusregie still own: no casusregie item; Veilig Thuis for feedback."""
    advice = advise(protocol, **{**REPORTED, "case_direction": "own"})
    chain = protocol.chain
    assert (_texts(advice)[:3], advice.contacts[0].reason) == (
        [i.text for i in chain.after_report],
        chain.feedback.duty.text,
    )


def test_casusregie_with_the_care_coordinator_is_named(protocol: Protocol) -> None:
    """case_direction care_coordinator: the action and the zorgcoördinator's contact say so."""
    advice = advise(protocol, **{**REPORTED, "case_direction": "care_coordinator"})
    item = protocol.chain.casusregie.care_coordinator
    coordinator = next(c for c in advice.contacts if c.partner == "zorgcoordinator")
    assert (_texts(advice)[0], coordinator.reason) == (item.text, item.text)


def test_care_coordinator_without_a_melding_still_asks_the_report_decision(
    protocol: Protocol,
) -> None:
    """Casusregie at the zorgcoördinator is no melding: the step-5 report decision stays."""
    advice = advise(
        protocol,
        steps_completed=[1, 2, 3, 4],
        weighing=SUSPICION,
        case_direction="care_coordinator",
    )
    report = next(d.text for d in protocol.weighing.decisions if d.id == "report")
    assert (report in _texts(advice), advice.deadlines) == (True, ())


def test_a_melding_without_consent_asks_to_record_the_legal_basis(protocol: Protocol) -> None:
    """Reported without consent: record why (meldrecht), but no conflict-of-duties prompt."""
    consent = {item.id: item.text for item in protocol.consent}
    texts = set(_texts(advise(protocol, **{**REPORTED, "consent_to_report": "no"})))
    assert (
        consent["toestemming-meldrecht-vastleggen"] in texts,
        consent["toestemming-conflict-van-plichten"] in texts,
    ) == (True, False)


def test_a_melding_with_consent_needs_no_legal_basis_recorded(protocol: Protocol) -> None:
    """Consent given: the meldrecht note is not shown."""
    consent = {item.id: item.text for item in protocol.consent}
    texts = set(_texts(advise(protocol, **{**REPORTED, "consent_to_report": "yes"})))
    assert consent["toestemming-meldrecht-vastleggen"] not in texts


def test_a_volunteer_after_a_melding_is_not_told_to_shape_a_report(protocol: Protocol) -> None:
    """A volunteer in a reported case gets what stays with the reporter, not the §1.2 note."""
    advice = advise(protocol, **{**REPORTED, "reporter": "volunteer"})
    assert protocol.weighing.volunteers.text not in _texts(advice)


def test_a_melding_in_acute_danger_keeps_the_police_first(protocol: Protocol) -> None:
    """Acute danger after a melding: the police number still comes first, Veilig Thuis next."""
    advice = advise(protocol, **{**REPORTED, "acute_danger": True})
    assert [c.partner for c in advice.contacts[:3]] == ["politie", "politie", "veilig-thuis"]


def test_a_melding_on_the_day_judged_is_accepted_in_amsterdam_time(protocol: Protocol) -> None:
    """23:30 UTC on 1 March is 2 March in Amsterdam: a melding of 2 March is not in the future."""
    data = {"moment": "2026-03-01T23:30:00Z", "report_made": "2026-03-02"}
    situation = parse_situation(data, protocol, now=NOW)
    assert situation.report_made == date(2026, 3, 2)


def test_a_melding_after_the_moment_in_amsterdam_time_is_refused(protocol: Protocol) -> None:
    """22:30 UTC on 1 March is still 1 March in Amsterdam: a melding of 2 March is refused."""
    data = {"moment": "2026-03-01T22:30:00Z", "report_made": "2026-03-02"}
    with pytest.raises(SituationError) as caught:
        parse_situation(data, protocol, now=NOW)
    assert caught.value.field == "report_made"


def test_a_melding_whose_deadlines_pass_the_year_9999_is_refused(protocol: Protocol) -> None:
    """The calendar ends in 9999: such a melding is bad input, not a crash."""
    data = {"moment": "9999-12-30T10:00:00+01:00", "report_made": "9999-12-01"}
    with pytest.raises(SituationError, match="after 9999"):
        parse_situation(data, protocol, now=NOW)


def test_assess_refuses_a_built_situation_with_veilig_thuis_and_no_melding(
    protocol: Protocol,
) -> None:
    """The web layer builds Situations directly; assess checks the combination too."""
    situation = Situation(
        moment=datetime.fromisoformat(MONDAY),
        case_direction=CaseDirection.VEILIG_THUIS,
        protocol_id=protocol.id,
    )
    with pytest.raises(SituationError, match="needs report_made"):
        assess(situation, protocol)


def test_assess_refuses_a_built_situation_with_a_melding_in_the_future(
    protocol: Protocol,
) -> None:
    """A Situation built with report_made after its moment is refused by assess."""
    situation = Situation(
        moment=datetime.fromisoformat(MONDAY),
        report_made=date(2026, 3, 4),
        protocol_id=protocol.id,
    )
    with pytest.raises(SituationError, match="lies after moment"):
        assess(situation, protocol)


@settings(max_examples=400, deadline=None)
@given(situations())
def test_a_reported_case_never_asks_to_decide_on_reporting_again(data: dict[str, Any]) -> None:
    """Whatever the weighing, steps, reporter or danger: after a melding no action or
    contact asks to decide on a report, and everything that stays with the reporter shows."""
    if "report_made" not in data:
        today = local_date(datetime.fromisoformat(data["moment"]), PROTOCOL)
        data["report_made"] = min(today, LATEST_REPORT).isoformat()
    advice = assess(parse_situation(data, PROTOCOL, now=NOW), PROTOCOL)
    texts = set(_texts(advice)) | {contact.reason for contact in advice.contacts}
    assert texts & report_questions(PROTOCOL) == set()
    assert {item.text for item in PROTOCOL.chain.after_report} <= texts


@settings(max_examples=300, deadline=None)
@given(situations())
def test_deadlines_fall_on_working_days_after_the_melding(data: dict[str, Any]) -> None:
    """Every due date is a working day strictly after the melding, earliest first; one per
    protocol deadline with a melding, none without."""
    situation = parse_situation(data, PROTOCOL, now=NOW)
    advice = assess(situation, PROTOCOL)
    dues = [deadline.due for deadline in advice.deadlines]
    if situation.report_made is None:
        assert dues == []
        return
    assert len(dues) == len(PROTOCOL.chain.deadlines)
    assert dues == sorted(dues)
    for due in dues:
        assert due > situation.report_made and is_working_day(due, PROTOCOL)


Run = Callable[..., CliResult]


@pytest.mark.parametrize(
    ("situation", "field", "value"),
    [
        ({"report_made": "2 maart 2026"}, "report_made", "'2 maart 2026'"),
        ({"report_made": "2026-02-30"}, "report_made", "'2026-02-30'"),
        ({"report_made": "20260302"}, "report_made", "'20260302'"),
        ({"report_made": "2026-03-02T10:00:00+01:00"}, "report_made", "'2026-03-02T10:00"),
        ({"report_made": 20260302}, "report_made", "20260302"),
        ({"report_made": "2026-03-04"}, "report_made", "'2026-03-04'"),
        ({"case_direction": "politie"}, "case_direction", "'politie'"),
        ({"case_direction": None}, "case_direction", "None"),
        ({"case_direction": "veilig_thuis"}, "case_direction", "'veilig_thuis'"),
    ],
)
def test_bad_chain_fields_exit_2_with_one_line(
    baken: Run, situation: dict[str, object], field: str, value: str
) -> None:
    """Not a date, a melding after the moment, an unknown direction, or veilig_thuis without a
    melding: exit 2, nothing on stdout, one English line naming the field and the value."""
    data = {"moment": MONDAY, **situation}
    result = baken("assess", "-", stdin=json.dumps(data))
    lines = result.stderr.strip().splitlines()
    assert (result.code, result.stdout, len(lines)) == (2, "", 1), result.stderr
    assert lines[0].startswith(f"baken: error: {field}: ") and value in lines[0]


def test_the_command_prints_the_deadlines(baken: Run) -> None:
    """`baken assess` with a melding prints report_made, case_direction and the deadlines."""
    result = baken("assess", "-", stdin=json.dumps(REPORTED))
    advice = result.json()
    assert isinstance(advice, dict)
    assert (advice["report_made"], advice["case_direction"]) == ("2026-03-02", "veilig_thuis")
    assert [d["due"] for d in advice["deadlines"]] == ["2026-03-09", "2026-05-11"]
