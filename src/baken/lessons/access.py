"""Who sees the lessons from the chain, decided once per request.

The ketenregisseur mensenhandel of the municipality linked as the chain's
``ketenregisseur`` partner (§2.2: the municipality's link to the RIEC), and nobody else:
not the procesregisseur, not a professional, not the functioneel beheerder. The lessons
hold no personal data, but they are the ketenregisseur's work, and every page has one
access decision (ADR 6). Everyone else gets 404, so the page does not admit it exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest

from baken.accounts.models import Organisation, User
from baken.chain.access import inbox_of
from baken.chain.context_processors import remember_inbox
from baken.chain.models import ChainPartner, PartnerRole


@dataclass(frozen=True)
class LessonsAccess:
    """A user who may see the lessons. Made by :func:`decide` only."""

    user: User
    municipality: Organisation
    """The user's organisation: the municipality linked as the ketenregisseur."""


def decide(user: Any, link: ChainPartner | None | bool = True) -> LessonsAccess | None:
    """``user``'s access to the lessons: an active ketenregisseur of the linked
    municipality (the role must match the link, :func:`baken.chain.access.inbox_of`), or
    ``None``. ``link`` is the user's :func:`inbox_of` when the caller looked it up."""
    if link is True:
        link = inbox_of(user)
    if (
        not isinstance(link, ChainPartner)
        or link.partner != PartnerRole.CHAIN_DIRECTOR
        or not isinstance(user, User)
    ):
        return None
    return LessonsAccess(user, link.organisation)


def lessons_access(request: HttpRequest) -> LessonsAccess:
    """The request's decision, or 404."""
    user = getattr(request, "user", None)
    link = inbox_of(user)
    remember_inbox(request, link)  # the menu's inbox, without a second look-up
    decision = decide(user, link)
    if decision is None:
        raise Http404("not for this user")
    return decision
