"""The protocol's `chain` section: validated strictly, faithful to the seed, sourced elsewhere.

An item of the chain without ``added`` must say only what the seed says: each of its
sentences is found in the seed text. Everything else (the deadlines, the law, the
meldformulier) carries ``added`` with its source.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from baken.protocol import Protocol, ProtocolError, parse_protocol
from baken.protocol.schema import CaseDirection, DeadlineUnit, Item
from tests.conftest import CliResult, shared_dir


def _norm(text: str) -> str:
    text = re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()
    return re.sub(r"(?<=[.)a-z])\d{1,2}(?= |$)", "", text)  # footnote numbers: "plichten.6"


def _seed() -> str:
    seeds = sorted((shared_dir() / "seeds").glob("*.txt"))
    assert seeds, "no seed protocol text found"
    return _norm(seeds[0].read_text("utf-8")).casefold()


def _items(node: object) -> Iterator[Item]:
    """Every Item (legal bases included) anywhere under ``node``."""
    if isinstance(node, Item):
        yield node
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _items(getattr(node, name))
    elif isinstance(node, list):
        for child in node:
            yield from _items(child)


def _problems(protocol: Protocol, change: Callable[[dict[str, Any]], None]) -> list[str]:
    data = protocol.model_dump(mode="json")
    change(data)
    with pytest.raises(ProtocolError) as caught:
        parse_protocol(yaml.safe_dump(data, allow_unicode=True))
    return [str(problem) for problem in caught.value.problems]


def test_every_chain_item_without_added_says_only_what_the_seed_says(
    protocol: Protocol,
) -> None:
    """Each sentence of an item that is not marked added occurs in the seed text."""
    seed = _seed()
    own = [item for item in _items(protocol.chain) if item.added is None]
    assert own, "the chain should hold some of the seed's own words"
    for item in own:
        for sentence in re.split(r"(?<=[.?!:])\s+", _norm(item.text)):
            assert sentence.rstrip(".").casefold() in seed, (item.id, sentence)


def test_chain_items_from_outside_the_seed_name_their_source(protocol: Protocol) -> None:
    """The deadlines and the items citing the law, the meldformulier or the Handelingsprotocol
    all carry added with a source and a reason."""
    outside = ("Wmo", "Uitvoeringsbesluit", "Handelingsprotocol", "Meldformulier", "KNMG")
    cited = [item for item in _items(protocol.chain) if item.cite.startswith(outside)]
    assert len(cited) >= 6
    for item in [*cited, *protocol.chain.deadlines]:
        assert item.added is not None and item.added.source and item.added.reason, item.id


def test_the_deadlines_are_the_safety_assessment_and_the_onderzoek(protocol: Protocol) -> None:
    """5 working days from the melding (Handelingsprotocol) and 10 weeks (art. 4.1.7)."""
    assert [(d.id, d.amount, d.unit, d.from_, d.cite) for d in protocol.chain.deadlines] == [
        (
            "termijn-veiligheidsbeoordeling",
            5,
            DeadlineUnit.WORKING_DAYS,
            "report",
            "Handelingsprotocol Veilig Thuis",
        ),
        (
            "termijn-onderzoek",
            10,
            DeadlineUnit.WEEKS,
            "report",
            "Uitvoeringsbesluit Wmo 2015, art. 4.1.7",
        ),
    ]


def test_the_report_rules_name_their_legal_bases(protocol: Protocol) -> None:
    """Meldrecht, conflict of duties and consent, each with its primary source."""
    report = protocol.chain.report
    assert [(b.id, b.cite) for b in report.legal_bases] == [
        ("meldrecht", "Wmo 2015, art. 5.2.6"),
        ("conflict-van-plichten", "§1.2 Stap 5, voetnoot 6"),
        ("toestemming", "§3.3 Zorg voor toestemming gegevensuitwisseling"),
    ]


def test_the_chain_sources_are_the_primary_ones(protocol: Protocol) -> None:
    """Non-disclosure, the family section, the feedback duty and its contents, not anonymous."""
    chain = protocol.chain
    assert [
        chain.report.not_anonymous.cite,
        chain.report.non_disclosure.cite,
        chain.report.family_section.cite,
        chain.feedback.duty.cite,
        *(item.cite for item in chain.feedback.contents),
    ] == [
        "§2.2 Veilig Thuis Gelderland-Midden",
        "Uitvoeringsbesluit Wmo 2015, art. 4.1.8",
        "Meldformulier Veilig Thuis",
        "Wmo 2015, art. 4.1.1 lid 2 sub g",
        "KNMG-meldcode, bijlage 4",
        "KNMG-meldcode, bijlage 4",
        "KNMG-meldcode, bijlage 4",
    ]


def test_after_a_melding_three_things_stay_with_the_reporter(protocol: Protocol) -> None:
    """Keep following, support the help, wait for feedback: all cited to §2.1."""
    assert [(i.id, i.cite.startswith("§2.1")) for i in protocol.chain.after_report] == [
        ("na-melding-blijven-volgen", True),
        ("na-melding-hulp-ondersteunen", True),
        ("na-melding-terugkoppeling", True),
    ]


def test_the_helpers_find_chain_items_by_id_and_direction(protocol: Protocol) -> None:
    """deadline(id), legal_basis(id) and casusregie_for(direction) look up the data."""
    chain = protocol.chain
    assert (
        chain.deadline("termijn-onderzoek").amount,
        chain.report.legal_basis("meldrecht").title,
        chain.casusregie_for(CaseDirection.VEILIG_THUIS),
        chain.casusregie_for(CaseDirection.CARE_COORDINATOR),
        chain.casusregie_for(CaseDirection.OWN),
    ) == (10, "Meldrecht", chain.casusregie.veilig_thuis, chain.casusregie.care_coordinator, None)


def test_an_unknown_deadline_id_is_a_key_error(protocol: Protocol) -> None:
    """A missing id is an error, not a silent None."""
    with pytest.raises(KeyError):
        protocol.chain.deadline("termijn-onbekend")


def test_an_unknown_unit_is_refused_with_its_path(protocol: Protocol) -> None:
    """Only working_days, calendar_days and weeks are units."""

    def change(data: dict[str, Any]) -> None:
        data["chain"]["deadlines"][0]["unit"] = "months"

    problems = _problems(protocol, change)
    assert len(problems) == 1 and problems[0].startswith("chain.deadlines[0].unit: ")


@pytest.mark.parametrize(
    ("key", "value", "path"),
    [
        ("amount", 0, "chain.deadlines[1].amount"),
        ("amount", "10", "chain.deadlines[1].amount"),
        ("from", "decision", "chain.deadlines[1].from"),
        ("within", 3, "chain.deadlines[1].within"),
    ],
)
def test_a_bad_deadline_field_is_refused_with_its_path(
    protocol: Protocol, key: str, value: object, path: str
) -> None:
    """An amount below 1 or not a number, another starting point, or an unknown key."""

    def change(data: dict[str, Any]) -> None:
        data["chain"]["deadlines"][1][key] = value

    problems = _problems(protocol, change)
    assert [p.split(": ")[0] for p in problems] == [path]


def test_a_missing_required_deadline_is_reported(protocol: Protocol) -> None:
    """Baken's inbox needs both deadlines; a file without one says which."""

    def change(data: dict[str, Any]) -> None:
        data["chain"]["deadlines"] = data["chain"]["deadlines"][:1]

    assert _problems(protocol, change) == [
        "chain.deadlines: Baken needs an item with id 'termijn-onderzoek'"
    ]


def test_a_chain_id_used_elsewhere_is_reported(protocol: Protocol) -> None:
    """Ids are unique over the whole protocol, the chain included."""

    def change(data: dict[str, Any]) -> None:
        data["chain"]["after_report"][0]["id"] = "gesprek-1"

    problems = _problems(protocol, change)
    assert len(problems) == 1 and "id 'gesprek-1' is also used at" in problems[0]


def test_a_protocol_without_a_chain_is_refused(protocol: Protocol) -> None:
    """The engine needs the chain: a file without it fails validation."""

    def change(data: dict[str, Any]) -> None:
        del data["chain"]

    assert [p.split(": ")[0] for p in _problems(protocol, change)] == ["chain"]


def test_the_export_writes_the_deadline_start_as_from(
    protocol: Protocol, baken: Callable[..., CliResult]
) -> None:
    """`baken protocol export` uses the file's own key `from`, so it reads back in."""
    exported = baken("protocol", "export").json()
    assert isinstance(exported, dict)
    deadline = exported["chain"]["deadlines"][0]
    assert (deadline["from"], "from_" in deadline) == ("report", False)
