"""The worked examples in shared/scenarios/examples.yaml and chain_examples.yaml, run through
the `baken assess` command.

Each example's Dutch signal and art. 273f texts are resolved to the protocol's ids by exact
text; every expectation key must be understood here, so a new kind of expectation cannot be
skipped silently.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from baken.protocol import Protocol
from tests.conftest import CliResult
from tests.engine.scenarios import chain_examples, digits, examples, resolve


def check(expect: dict[str, Any], advice: dict[str, Any]) -> None:
    """Compare the advice with every expectation of the example."""
    phones = [digits(c["phone"]) for c in advice["contacts"]]
    for key, wanted in expect.items():
        if key == "contacts_include":
            for alternatives in wanted:
                options = [digits(o) for o in alternatives.split("|")]
                assert any(o in phones for o in options), f"none of {options} in {phones}"
        elif key == "first_contact_phone":
            assert phones and phones[0] == digits(wanted), f"first contact is {phones[:1]}"
        elif key == "missing_steps":
            assert advice["steps"]["missing"] == wanted
        elif key == "art_273f_elements_present":
            assert advice["art_273f"]["elements_present"] is wanted
        elif key == "art_273f_means_required":
            assert advice["art_273f"]["means_required"] is wanted
        elif key == "deadlines_due_include":
            dues = [deadline["due"] for deadline in advice["deadlines"]]
            for due in wanted:
                assert due in dues, f"no deadline is due on {due}; due dates are {dues}"
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


@pytest.mark.parametrize("example", examples(), ids=lambda e: f"{e['id']} {e['title']}")
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


@pytest.mark.parametrize("example", chain_examples(), ids=lambda e: f"{e['id']} {e['title']}")
def test_worked_chain_example_gives_the_deadlines_the_protocol_demands(
    example: dict[str, Any], protocol: Protocol, baken: Callable[..., CliResult]
) -> None:
    """`baken assess` on each worked chain example yields the expected due dates."""
    situation = resolve(example["situation"], protocol)
    result = baken("assess", "-", stdin=json.dumps(situation))
    assert result.code == 0, result.stderr
    advice = result.json()
    assert isinstance(advice, dict)
    assert advice["report_made"] == example["situation"]["report_made"]
    check(example["expect"], advice)
