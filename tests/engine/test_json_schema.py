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
from tests.engine.scenarios import examples, resolve
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
    for example in examples():
        SITUATION.validate(resolve(example["situation"], protocol))


@settings(max_examples=150, deadline=None)
@given(situations())
def test_generated_situations_and_their_advice_fit_the_schemas(data: dict[str, Any]) -> None:
    """What the engine accepts fits the situation schema; what it prints fits the advice schema."""
    SITUATION.validate(data)
    advice = assess(parse_situation(data, PROTOCOL, now=NOW), PROTOCOL).to_json()
    ADVICE.validate(json.loads(json.dumps(advice)))
