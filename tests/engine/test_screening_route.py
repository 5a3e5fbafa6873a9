"""The screeningsoverleg's outcome beside the route (§2.1, §2.2): the engine turns the
outcome ids of a situation into the protocol's texts, in the protocol's order, and refuses
an id the protocol does not know."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baken.engine import assess
from baken.engine.situation import SituationError, parse_situation
from baken.protocol import Protocol
from baken.protocol.loader import default_registry

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
PROTOCOL = default_registry().get("gelderland-midden-2018")
OUTCOME_IDS = [o.id for o in PROTOCOL.chain.screening.outcomes]


def test_no_screening_gives_no_outcome(protocol: Protocol) -> None:
    """Before a screening the advice's screening list is empty."""
    advice = assess(parse_situation({}, protocol, NOW), protocol)
    assert advice.screening == ()
    assert advice.to_json()["screening"] == []


def test_the_outcome_reads_as_the_protocol_says_with_its_cite(protocol: Protocol) -> None:
    """An MDO and RIEC outcome give the protocol's two texts, MDO first, cited to §2.2."""
    situation = parse_situation(
        {"screening_outcomes": ["screening-riec", "screening-mdo"]}, protocol, NOW
    )
    advice = assess(situation, protocol)
    assert [(a.text, a.cite) for a in advice.screening] == [
        (
            "Het screeningsoverleg kan een multidisciplinair overleg (MDO) in het "
            "Veiligheidshuis laten organiseren naar aanleiding van een casus.",
            "§2.2 Procesregisseur en ketenregisseur mensenhandel",
        ),
        (
            "De ketenregisseur mensenhandel kan een casus inbrengen in het RIEC-overleg.",
            "§2.2 Procesregisseur en ketenregisseur mensenhandel",
        ),
    ]


def test_an_unknown_outcome_is_refused(protocol: Protocol) -> None:
    """An outcome id the protocol does not define is an error naming the field and index."""
    with pytest.raises(SituationError) as caught:
        parse_situation({"screening_outcomes": ["screening-mdo", "mdo"]}, protocol, NOW)
    assert str(caught.value) == (
        "screening_outcomes[1]: unknown screening outcome id in this protocol (got 'mdo')"
    )


@given(st.sets(st.sampled_from(OUTCOME_IDS)))
def test_every_chosen_outcome_shows_once_in_protocol_order(chosen: set[str]) -> None:
    """Whatever the screening chose, the advice lists exactly those outcomes, each once, in
    the protocol's order."""
    situation = parse_situation({"screening_outcomes": sorted(chosen)}, PROTOCOL, NOW)
    texts = [a.text for a in assess(situation, PROTOCOL).screening]
    expected = [o.text for o in PROTOCOL.chain.screening.outcomes if o.id in chosen]
    assert texts == expected
