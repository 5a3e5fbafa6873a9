"""The screening's part of the zorgcoördinator's dossier page:
``{% load screening %}{% screening_panel access %}``."""

from __future__ import annotations

from typing import Any

from django import template

from baken.chain.cases import picture
from baken.chain.models import PartnerRole
from baken.dossiers.access import DossierAccess
from baken.screening import presenters, selectors, services

register = template.Library()


@register.inclusion_tag("screening/_panel.html")
def screening_panel(access: DossierAccess | None) -> dict[str, Any]:
    """The agenda items this dossier brought in (meeting date, outcome titles, the inbreng
    in the RIEC) and, for its case team, the link to put the case on the agenda."""
    if not isinstance(access, DossierAccess):
        return {"show": False}
    items = selectors.items_of_dossier(access)
    may_place = services.may_place(access)
    in_chain = may_place and picture(access.dossier).case is not None
    linked = in_chain and services.linked(PartnerRole.SCREENING) is not None
    if not items and not linked:
        return {"show": False}
    blocked = services.placement_blocked(access, items) if may_place else "closed"
    return {
        "show": True,
        "dossier": access.dossier,
        "items": [
            {
                "item": item,
                "titles": presenters.titles(services.protocol_of_item(item), list(item.outcomes)),
            }
            for item in items
        ],
        "may_place": linked and not blocked,
        "no_meeting": linked and blocked == "no_meeting",
    }


@register.filter
def iso_day(value: object) -> str:
    """An ISO date from a registration as the locale writes it; "—" when there is none."""
    return presenters.iso_day(value)
