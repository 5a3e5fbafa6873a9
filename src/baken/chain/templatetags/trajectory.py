"""The trajectory's part of a dossier page (``{% trajectory_panel %}``) and the filters its
pages use."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import date_format

from baken.chain import trajectory_presenters as presenters
from baken.chain import trajectory_selectors as selectors
from baken.chain.cases import picture
from baken.dossiers.access import DossierAccess

register = template.Library()


@register.inclusion_tag("chain/trajectory/_panel.html", takes_context=True)
def trajectory_panel(context: dict[str, Any]) -> dict[str, Any]:
    """For a dossier in a person's chain: the latest stand van zaken that reached it, the
    link to the trajectory (on the zorgcoördinator's dossier), and the casusregisseur's
    links to hand over casusregie and send a stand van zaken."""
    access: DossierAccess | None = context.get("access")
    if access is None:
        return {"show": False}
    dossier = access.dossier
    case = picture(dossier).case
    if case is None:
        return {"show": False}
    return {
        "show": True,
        "dossier": dossier,
        "trajectory": selectors.is_trajectory_dossier(dossier),
        "casusregisseur": dossier.is_open and selectors.is_casusregisseur(access, case),
        "progress": selectors.latest_progress(dossier),
    }


@register.filter
def iso_day(value: object) -> str:
    """An ISO date from an entry ("2026-12-02") as the locale writes it; else "—"."""
    day = selectors.parse_day(value) if value else None
    return date_format(day) if day is not None else "—"


@register.filter
def procedure_status(value: object) -> str:
    """A procedure status's Dutch label."""
    return selectors.status_label(str(value))


@register.filter
def picture_rows(picture: dict[str, Any]) -> list[Any]:
    """The rows of a stand van zaken's picture (as the timeline shows them)."""
    return presenters.picture_rows(picture or {})
