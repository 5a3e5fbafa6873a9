"""Art. 273f Sr (§3.8): act + means + exploitation purpose; for a minor no means is required.

This is information for the professional about the legal elements, never a verdict.
"""

from __future__ import annotations

from baken.engine.advice import Action, Art273fAdvice
from baken.engine.compiled import compiled
from baken.engine.situation import Situation
from baken.protocol.schema import Protocol

_ADVICE: dict[tuple[bool, bool, bool, bool], Art273fAdvice] = {}
"""The 16 possible outcomes, by (act, means, purpose, minor): each is frozen, made once."""


def art_273f_advice(situation: Situation, protocol: Protocol) -> Art273fAdvice:
    """Which elements are recorded, and whether together they make up the definition."""
    facts = situation.art_273f
    article = protocol.article_273f
    minor = situation.age is not None and situation.age < article.age_of_majority
    act, means, purpose = bool(facts.acts), bool(facts.means), bool(facts.purposes)
    key = (act, means, purpose, minor)
    found = _ADVICE.get(key)
    if found is None:
        means_required = not minor
        found = _ADVICE[key] = Art273fAdvice(
            act=act,
            means=means,
            purpose=purpose,
            means_required=means_required,
            elements_present=act and purpose and (means or not means_required),
        )
    return found


def art_273f_actions(situation: Situation, protocol: Protocol) -> list[Action]:
    """The minors rule when it applies or the age is unknown; that this is no verdict.

    With an unknown age the engine cannot assume a minor: ``means_required``
    stays true and the minors rule is named so the professional can check the age.
    """
    c = compiled(protocol)
    actions: list[Action] = []
    if situation.age is None or situation.age < c.age_of_majority:
        actions.append(c.minors)
    facts = situation.art_273f
    if facts.acts or facts.means or facts.purposes:
        actions.append(c.information)
    return actions
