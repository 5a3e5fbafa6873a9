"""The parser's fast paths and the engine's per-protocol preparation change nothing: the
same data gives the same situation and the same advice every time, a refused item is named
at its own position, and what is prepared for one protocol object never serves another."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baken.engine import Situation, SituationError, assess, parse_situation
from baken.engine.compiled import compiled
from baken.protocol import load_protocol
from baken.protocol.loader import DATA_DIR
from tests.engine.strategies import PROTOCOL, situations

NOW = datetime(2026, 2, 11, 10, 0, tzinfo=UTC)
ID_LISTS = ["signals", "profiles", "screening_outcomes"]


@settings(max_examples=200, deadline=None)
@given(situations())
def test_assessing_the_same_data_twice_gives_equal_advice(data: dict[str, Any]) -> None:
    """Two fresh parses of one situation give equal advice, field for field and as JSON."""
    first = assess(parse_situation(data, PROTOCOL, now=NOW), PROTOCOL)
    second = assess(parse_situation(data, PROTOCOL, now=NOW), PROTOCOL)
    assert (first, first.to_json()) == (second, second.to_json())


@settings(max_examples=200, deadline=None)
@given(situations())
def test_a_parsed_situation_is_the_one_its_constructor_builds(data: dict[str, Any]) -> None:
    """The parser's situation equals ``Situation(...)`` built from its own fields."""
    situation = parse_situation(data, PROTOCOL, now=NOW)
    fields = {f.name: getattr(situation, f.name) for f in dataclasses.fields(Situation)}
    assert vars(situation) == vars(Situation(**fields))


def test_a_parsed_situation_stays_frozen() -> None:
    """A parsed situation refuses a new value for any of its fields."""
    situation = parse_situation({}, PROTOCOL, now=NOW)
    with pytest.raises(dataclasses.FrozenInstanceError):
        situation.acute_danger = True  # type: ignore[misc]


@settings(max_examples=200, deadline=None)
@given(situations(), st.sampled_from(ID_LISTS), st.data())
def test_a_non_string_id_is_named_at_its_position(
    data: dict[str, Any], name: str, draw: st.DataObject
) -> None:
    """A number among valid ids is refused as "must be a string" at its own index."""
    items = list(data.get(name, []))
    position = draw.draw(st.integers(0, len(items)))
    data[name] = [*items[:position], 7, *items[position:]]
    with pytest.raises(SituationError) as caught:
        parse_situation(data, PROTOCOL, now=NOW)
    assert (caught.value.field, caught.value.problem) == (f"{name}[{position}]", "must be a string")


@settings(max_examples=200, deadline=None)
@given(situations(), st.data())
def test_a_boolean_step_is_refused_at_its_position(
    data: dict[str, Any], draw: st.DataObject
) -> None:
    """``true`` among step numbers is no step 1, however equal to 1 Python finds it."""
    steps = list(data.get("steps_completed", []))
    position = draw.draw(st.integers(0, len(steps)))
    data["steps_completed"] = [*steps[:position], True, *steps[position:]]
    with pytest.raises(SituationError) as caught:
        parse_situation(data, PROTOCOL, now=NOW)
    assert caught.value.field == f"steps_completed[{position}]"


def test_an_unhashable_weighing_answer_is_refused_by_name() -> None:
    """A list as an answer is refused as a bad answer to that question, not as a crash."""
    with pytest.raises(SituationError) as caught:
        parse_situation({"weighing": {"q1": "yes", "q3": ["yes"]}}, PROTOCOL, now=NOW)
    assert (caught.value.field, caught.value.value) == ("weighing.q3", ["yes"])


def test_a_weighing_object_is_never_shared_between_situations() -> None:
    """Each parse gets its own answers: changing one situation's leaves the next untouched."""
    first = parse_situation({}, PROTOCOL, now=NOW)
    first.weighing["q1"] = "yes"  # type: ignore[index]
    assert parse_situation({}, PROTOCOL, now=NOW).weighing["q1"] == "unknown"


@settings(max_examples=50, deadline=None)
@given(situations())
def test_two_protocol_objects_each_get_their_own_advice(data: dict[str, Any]) -> None:
    """Alternating two protocol objects, each advice names its own protocol's version."""
    other = PROTOCOL.model_copy(update={"version": "other-version"})
    situation = parse_situation(data, PROTOCOL, now=NOW)
    versions = [
        assess(situation, protocol).protocol_version for protocol in (PROTOCOL, other, PROTOCOL)
    ]
    assert versions == [PROTOCOL.version, "other-version", PROTOCOL.version]


def test_each_protocol_object_has_its_own_preparation() -> None:
    """Two loads of one file are two objects, and each is prepared for itself alone."""
    first = load_protocol(DATA_DIR / "gelderland-midden-2018.yaml")
    second = load_protocol(DATA_DIR / "gelderland-midden-2018.yaml")
    prepared = [compiled(p).protocol for p in (first, second, first, second)]
    assert [p is q for p, q in zip(prepared, (first, second, first, second), strict=True)] == [
        True
    ] * 4
