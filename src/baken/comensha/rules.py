"""The protocol's rules for a CoMensha registration, as pure functions of protocol data."""

from __future__ import annotations

from collections.abc import Iterable

from baken.protocol.schema import Comensha, ConsentRule

PERSON = "person"
PARENTS_OR_GUARDIAN = "parents_or_guardian"


def consent_signer(rule: ConsentRule, age: int) -> str:
    """Who signs the written consent for a person of ``age`` at registration: the person
    themselves from ``rule.self_from_age`` (16), below it the parents or guardian
    (``chain.comensha.consent``). CoMensha's written consent knows no joint signing, so
    ``jointly_from_age`` plays no part here."""
    return PERSON if age >= rule.self_from_age else PARENTS_OR_GUARDIAN


def category_for(comensha: Comensha, forms: Iterable[str]) -> str:
    """CoMensha's category for the dossier's forms of exploitation (``category_of``): the
    first category, in the protocol's order, that one of the forms falls in; ``""`` when
    none does (e.g. only "other")."""
    wanted = {comensha.category_of[form] for form in forms if form in comensha.category_of}
    return next((c.id for c in comensha.categories if c.id in wanted), "")
