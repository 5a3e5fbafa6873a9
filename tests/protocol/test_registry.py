"""Several protocols side by side: each has an id and version, and advice names the one used."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from baken.protocol import Protocol, ProtocolError, Registry, UnknownProtocolError, parse_protocol
from baken.protocol.loader import DATA_DIR
from tests.conftest import CliResult

OTHER_ID = "voorbeeldregio-2030"
OTHER_FRONT_OFFICE = "088-0000001"


def _other_region(tmp_path: Path) -> Path:
    """A synthetic second region: another id, version and front-office number."""
    data = yaml.safe_load((DATA_DIR / "gelderland-midden-2018.yaml").read_text("utf-8"))
    data["id"] = OTHER_ID
    data["version"] = "2030-01"
    data["region"] = "Voorbeeldregio"
    police = next(p for p in data["partners"] if p["id"] == "politie")
    label = data["acute_danger"]["within_office_hours"]["phone_label"]
    for contact in police["contacts"]:
        if contact.get("label") == label:
            contact["value"] = OTHER_FRONT_OFFICE
    folder = tmp_path / "protocols"
    folder.mkdir()
    path = folder / f"{OTHER_ID}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return folder


def test_an_extra_protocol_is_installed_beside_the_default(
    baken: Callable[..., CliResult], tmp_path: Path
) -> None:
    """BAKEN_PROTOCOL_PATH adds a region; a situation naming it gets that region's numbers."""
    env = {"BAKEN_PROTOCOL_PATH": str(_other_region(tmp_path))}
    listing = baken("protocol", "list", env=env)
    assert OTHER_ID in listing.stdout and "gelderland-midden-2018" in listing.stdout
    situation = {"protocol": OTHER_ID, "moment": "2026-02-11T11:00:00+01:00", "acute_danger": True}
    result = baken("assess", "-", stdin=json.dumps(situation), env=env)
    assert result.code == 0, result.stderr
    advice = result.json()
    assert isinstance(advice, dict)
    assert advice["protocol"] == {"id": OTHER_ID, "version": "2030-01"}
    assert advice["contacts"][0]["phone"] == OTHER_FRONT_OFFICE
    default = baken("assess", "-", stdin=json.dumps({**situation, "protocol": None}), env=env)
    assert default.json()["protocol"]["id"] == "gelderland-midden-2018"  # type: ignore[index]


def test_the_registry_refuses_the_same_id_twice(protocol: Protocol) -> None:
    """Two files with one id would make advice ambiguous."""
    with pytest.raises(ProtocolError, match="installed twice"):
        Registry([protocol, protocol])


def test_the_registry_names_the_installed_ids_for_an_unknown_one(protocol: Protocol) -> None:
    """Asking for a protocol that is not installed lists what is."""
    registry = Registry([protocol])
    with pytest.raises(UnknownProtocolError, match="gelderland-midden-2018"):
        registry.get("elders-2020")
    assert registry.get() is protocol


def test_a_reference_to_a_missing_partner_is_a_problem(protocol: Protocol) -> None:
    """The acute-danger route must point at a partner and a phone that exist."""
    data = protocol.model_dump(mode="json")
    data["acute_danger"]["within_office_hours"]["partner"] = "nobody"
    with pytest.raises(Exception, match="unknown partner 'nobody'"):
        parse_protocol(yaml.safe_dump(data, allow_unicode=True))


def test_duplicate_item_ids_are_reported_with_both_paths(protocol: Protocol) -> None:
    """Stable ids must be unique over the whole file."""
    data = protocol.model_dump(mode="json")
    data["profiles"][1]["id"] = data["profiles"][0]["id"]
    with pytest.raises(Exception, match=r"profiles\[1\].*also used at profiles\[0\]"):
        parse_protocol(yaml.safe_dump(data, allow_unicode=True))


def test_every_added_item_names_its_source(protocol: Protocol) -> None:
    """Items not in the seed are marked, with a source; the lost pictures are among them."""
    article = protocol.article_273f
    for element in (*article.acts, *article.means, *article.purposes):
        assert element.added is not None and element.added.source
    assert protocol.acute_danger.office_hours.added is not None
    assert all(q.added is not None for q in protocol.weighing.questions)
    assert any(step.added is not None for step in protocol.route.steps)
