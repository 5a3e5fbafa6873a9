"""Art. 273f Sr: act + means + purpose; for a minor no means is required (§3.8)."""

from __future__ import annotations

import pytest

from baken.protocol import Protocol
from tests.engine.helpers import advise


def _facts(protocol: Protocol, *, act: bool, means: bool, purpose: bool) -> dict[str, list[str]]:
    article = protocol.article_273f
    return {
        "acts": [article.acts[0].id] if act else [],
        "means": [article.means[0].id] if means else [],
        "purposes": [article.purposes[0].id] if purpose else [],
    }


@pytest.mark.parametrize("age", [0, 12, 17])
def test_for_a_minor_act_and_purpose_suffice(protocol: Protocol, age: int) -> None:
    """Under 18: the elements are present without a means."""
    advice = advise(
        protocol,
        person={"age": age},
        art_273f=_facts(protocol, act=True, means=False, purpose=True),
    )
    assert advice.art_273f.means_required is False
    assert advice.art_273f.elements_present is True


@pytest.mark.parametrize("age", [18, 27, 90])
def test_for_an_adult_the_means_is_needed(protocol: Protocol, age: int) -> None:
    """From 18 on: without a means the elements are not all present."""
    facts = _facts(protocol, act=True, means=False, purpose=True)
    advice = advise(protocol, person={"age": age}, art_273f=facts)
    assert advice.art_273f.means_required is True
    assert advice.art_273f.elements_present is False
    facts = _facts(protocol, act=True, means=True, purpose=True)
    assert advise(protocol, person={"age": age}, art_273f=facts).art_273f.elements_present


def test_an_unknown_age_is_treated_as_needing_a_means_and_says_why(protocol: Protocol) -> None:
    """Without an age the engine cannot assume a minor; it names the minors rule instead."""
    facts = _facts(protocol, act=True, means=False, purpose=True)
    advice = advise(protocol, art_273f=facts)
    assert advice.art_273f.means_required is True
    assert advice.art_273f.elements_present is False
    assert protocol.article_273f.minors.text in [a.text for a in advice.actions]


@pytest.mark.parametrize(("act", "purpose"), [(False, True), (True, False), (False, False)])
def test_act_and_purpose_are_always_required(protocol: Protocol, act: bool, purpose: bool) -> None:
    """Even for a minor, an act and an exploitation purpose are both needed."""
    facts = _facts(protocol, act=act, means=True, purpose=purpose)
    advice = advise(protocol, person={"age": 15}, art_273f=facts)
    assert advice.art_273f.elements_present is False
