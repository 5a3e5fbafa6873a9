"""The CoMensha registration's part of the dossier pages:
``{% load comensha %}{% comensha_panel access %}`` on the dossier's overview (who registers,
or registered, and the link to the page) and ``{% comensha_status access %}`` on the
closing page, beside question 4 of the case evaluation ("Afstemming met ketenpartners over
wie melding maakt bij CoMensha", §1.2 Casusevaluatie)."""

from __future__ import annotations

from typing import Any

from django import template

from baken.chain.cases import picture
from baken.comensha import selectors, services
from baken.dossiers.access import DossierAccess
from baken.dossiers.selectors import protocol_of

register = template.Library()


def _state(access: DossierAccess) -> dict[str, Any]:
    case = picture(access.dossier).case
    if case is None:
        return {"in_chain": False}
    state = selectors.state_of(access, case)
    return {
        "in_chain": True,
        "state": state,
        "may_agree": state.agreement is None and services.may_agree(access),
        "may_register": selectors.may_register(access, state),
    }


@register.inclusion_tag("comensha/_panel.html")
def comensha_panel(access: DossierAccess | None) -> dict[str, Any]:
    """For a dossier in a person's chain: who registers with CoMensha, or registered and
    when, or that nothing is agreed yet; with the link to the agreement page."""
    if not isinstance(access, DossierAccess):
        return {"show": False}
    found = _state(access)
    return {"show": found["in_chain"], "dossier": access.dossier, **found}


@register.inclusion_tag("comensha/_status.html")
def comensha_status(access: DossierAccess | None) -> dict[str, Any]:
    """One line for question 4 of the case evaluation: the agreement on who registers with
    CoMensha as it stands, with its cite; outside a chain case, that it is agreed outside
    Baken."""
    if not isinstance(access, DossierAccess):
        return {"show": False}
    cite = protocol_of(access.dossier).chain.comensha.agreement.cite
    return {"show": True, "dossier": access.dossier, "cite": cite, **_state(access)}
