"""Who a user is for the screeningsoverleg, decided once per request.

:func:`decide` answers it: the procesregisseur mensenhandel of the Veiligheidshuis linked
as the screening (they plan meetings, read the agenda and record outcomes), the
ketenregisseur mensenhandel of the municipality linked as the chain director (they see the
outcomes that go to the RIEC and record the inbreng), or nobody. Both act only on the
screening's outcome (§2.2) and never open a dossier. Views make the decision once
(:func:`screening_access`, 404 for everyone else) and pass it to the selectors, services
and templates. The zorgcoördinator's side (putting a case on the agenda) rests on the
dossier access decision instead (:mod:`baken.dossiers.access`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.http import Http404, HttpRequest

from baken.accounts.models import Organisation, User
from baken.chain.access import inbox_of
from baken.chain.context_processors import remember_inbox
from baken.chain.links import links
from baken.chain.models import ChainPartner, PartnerRole


class Standing(StrEnum):
    """What a user is for the screening."""

    PROCESS_DIRECTOR = "process_director"
    """The procesregisseur mensenhandel: chairs the screening in the Veiligheidshuis."""
    CHAIN_DIRECTOR = "chain_director"
    """The ketenregisseur mensenhandel: the municipality's link to the RIEC."""


@dataclass(frozen=True)
class ScreeningAccess:
    """What ``user`` is for the screening. Made by :func:`decide` only."""

    user: User
    standing: Standing
    organisation: Organisation
    """The user's own organisation: the Veiligheidshuis or the municipality."""
    safety_house: Organisation | None
    """The Veiligheidshuis linked as the screening, whose agenda this is about (for the
    ketenregisseur: none while no Veiligheidshuis is linked)."""

    @property
    def is_process_director(self) -> bool:
        return self.standing is Standing.PROCESS_DIRECTOR

    @property
    def is_chain_director(self) -> bool:
        return self.standing is Standing.CHAIN_DIRECTOR


def decide(user: Any, link: ChainPartner | None | bool = True) -> ScreeningAccess | None:
    """The user's standing for the screening, or ``None``: an active procesregisseur of the
    linked Veiligheidshuis, an active ketenregisseur of the linked municipality (the role
    must match the link, see :func:`baken.chain.access.inbox_of`). A procesregisseur of a
    Veiligheidshuis that is not linked is nobody here. ``link`` is the user's
    :func:`inbox_of` when the caller looked it up already."""
    if link is True:
        link = inbox_of(user)
    if not isinstance(link, ChainPartner) or not isinstance(user, User):
        return None
    if link.partner == PartnerRole.SCREENING:
        return ScreeningAccess(
            user, Standing.PROCESS_DIRECTOR, link.organisation, link.organisation
        )
    if link.partner == PartnerRole.CHAIN_DIRECTOR:
        return ScreeningAccess(
            user,
            Standing.CHAIN_DIRECTOR,
            link.organisation,
            links().organisation(PartnerRole.SCREENING),
        )
    return None


def screening_access(request: HttpRequest, standing: Standing) -> ScreeningAccess:
    """The request's decision when the user has ``standing``; otherwise 404, so a screening
    page does not admit that it exists."""
    user = getattr(request, "user", None)
    link = inbox_of(user)
    remember_inbox(request, link)  # the menu's inbox, without a second look-up
    decision = decide(user, link)
    if decision is None or decision.standing is not standing:
        raise Http404("not for this user")
    return decision
