"""The worked examples of shared/scenarios/examples.yaml and chain_examples.yaml, with their
texts resolved to ids."""

from __future__ import annotations

import re
from typing import Any

import yaml

from baken.protocol import Protocol
from baken.protocol.index import all_signals
from tests.conftest import shared_dir


def examples(name: str = "examples.yaml") -> list[dict[str, Any]]:
    """The examples of one file in shared/scenarios."""
    data = yaml.safe_load((shared_dir() / "scenarios" / name).read_text("utf-8"))
    examples: list[dict[str, Any]] = data["examples"]
    return examples


def chain_examples() -> list[dict[str, Any]]:
    """The worked examples of the chain after a melding (deadlines, casusregie)."""
    return examples("chain_examples.yaml")


def digits(phone: str) -> str:
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
