"""The worked examples in shared/scenarios/examples.yaml, run through the `baken assess` command.

Each example's Dutch signal and art. 273f texts are resolved to the protocol's ids by exact
text; every expectation key must be understood here, so a new kind of expectation cannot be
skipped silently.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from baken.protocol import Protocol
from baken.protocol.index import all_signals
from tests.conftest import CliResult, shared_dir


def _examples() -> list[dict[str, Any]]:
    data = yaml.safe_load((shared_dir() / "scenarios" / "examples.yaml").read_text("utf-8"))
    examples: list[dict[str, Any]] = data["examples"]
    return examples


def _digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)


def _by_text(items: dict[str, str], text: str, what: str) -> str:
    matches = [item_id for item_id, item_text in items.items() if item_text == text]
    assert len(matches) == 1, f"{what} text {text!r} resolves to {matches}"
    return matches[0]


def resolve(situation: dict[str, Any], protocol: Protocol) -> dict[str, Any]:
    """Replace the example's Dutch texts with protocol ids."""
    resolved = dict(situation)
    signals = {s.id: s.text for s in all_signals(protocol).values()}
    resolved["signals"] = [_by_text(signals, t, "signal") for t in situation.get("signals", [])]
    if "art_273f" in situation:
        article = protocol.article_273f
        kinds = {"acts": article.acts, "means": article.means, "purposes": article.purposes}
        resolved["art_273f"] = {
            kind: [
                _by_text({e.id: e.text for e in kinds[kind]}, text, kind)
                for text in situation["art_273f"].get(kind, [])
            ]
            for kind in kinds
        }
    return resolved


def check(expect: dict[str, Any], advice: dict[str, Any]) -> None:
    """Compare the advice with every expectation of the example."""
    phones = [_digits(c["phone"]) for c in advice["contacts"]]
    for key, wanted in expect.items():
        if key == "contacts_include":
            for alternatives in wanted:
                options = [_digits(o) for o in alternatives.split("|")]
                assert any(o in phones for o in options), f"none of {options} in {phones}"
        elif key == "first_contact_phone":
            assert phones and phones[0] == _digits(wanted), f"first contact is {phones[:1]}"
        elif key == "missing_steps":
            assert advice["steps"]["missing"] == wanted
        elif key == "art_273f_elements_present":
            assert advice["art_273f"]["elements_present"] is wanted
        elif key == "art_273f_means_required":
            assert advice["art_273f"]["means_required"] is wanted
        elif key in {
            "call_police_now",
            "decision_possible",
            "conclusion",
            "report_to_veilig_thuis",
            "help_possible",
        }:
            assert advice[key] == wanted, f"{key} is {advice[key]!r}, expected {wanted!r}"
        else:
            pytest.fail(f"unknown expectation {key!r}: teach this test what it means")


@pytest.mark.parametrize("example", _examples(), ids=lambda e: f"{e['id']} {e['title']}")
def test_worked_example_gives_the_conclusions_the_protocol_demands(
    example: dict[str, Any], protocol: Protocol, baken: Callable[..., CliResult]
) -> None:
    """`baken assess` on each worked example yields exactly the expected conclusions."""
    situation = resolve(example["situation"], protocol)
    result = baken("assess", "-", stdin=json.dumps(situation))
    assert result.code == 0, result.stderr
    advice = result.json()
    assert isinstance(advice, dict)
    assert advice["protocol"] == {"id": protocol.id, "version": protocol.version}
    check(example["expect"], advice)
