"""The documented JSON Schemas (docs/schema) match what `baken assess` accepts and prints."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from jsonschema import Draft202012Validator

from baken.engine import assess, parse_situation
from baken.protocol import Protocol, default_registry
from tests.engine.scenarios import chain_examples, examples, resolve
from tests.engine.strategies import situations

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schema"
SITUATION = Draft202012Validator(json.loads((SCHEMAS / "situation.schema.json").read_text()))
ADVICE = Draft202012Validator(json.loads((SCHEMAS / "advice.schema.json").read_text()))
PROTOCOL = default_registry().get()
NOW = datetime(2026, 2, 11, 10, 0, tzinfo=UTC)


def test_the_schemas_are_valid_json_schemas() -> None:
    """Both documents are themselves valid Draft 2020-12 schemas."""
    Draft202012Validator.check_schema(SITUATION.schema)
    Draft202012Validator.check_schema(ADVICE.schema)


def test_the_worked_examples_fit_the_situation_schema(protocol: Protocol) -> None:
    """Every worked example, resolved to ids, is a valid situation document."""
    for example in [*examples(), *chain_examples()]:
        SITUATION.validate(resolve(example["situation"], protocol))


@settings(max_examples=150, deadline=None)
@given(situations())
def test_generated_situations_and_their_advice_fit_the_schemas(data: dict[str, Any]) -> None:
    """What the engine accepts fits the situation schema; what it prints fits the advice schema."""
    SITUATION.validate(data)
    advice = assess(parse_situation(data, PROTOCOL, now=NOW), PROTOCOL).to_json()
    ADVICE.validate(json.loads(json.dumps(advice)))


def test_a_melding_situation_and_its_deadlines_fit_the_schemas() -> None:
    """report_made and case_direction in, report_made, case_direction and deadlines out."""
    data = {
        "moment": "2026-03-03T10:00:00+01:00",
        "steps_completed": [1, 2, 3, 4, 5],
        "weighing": {"q1": "yes", "q2": "yes"},
        "report_made": "2026-03-02",
        "case_direction": "veilig_thuis",
    }
    SITUATION.validate(data)
    advice = json.loads(
        json.dumps(assess(parse_situation(data, PROTOCOL, now=NOW), PROTOCOL).to_json())
    )
    ADVICE.validate(advice)
    assert [d["due"] for d in advice["deadlines"]] == ["2026-03-09", "2026-05-11"]


def test_the_situation_schema_refuses_what_the_parser_refuses() -> None:
    """The schema, like the parser, needs report_made for case_direction veilig_thuis and
    refuses an unknown direction or a report_made that is not a date."""
    bad = [
        {"case_direction": "veilig_thuis"},
        {"case_direction": "veilig_thuis", "report_made": None},
        {"case_direction": "police"},
        {"report_made": "2 maart 2026"},
    ]
    assert [SITUATION.is_valid(data) for data in bad] == [False, False, False, False]
