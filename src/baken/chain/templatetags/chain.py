"""The chain's part of a dossier page: casusregie, what was sent and what can be sent."""

from __future__ import annotations

from typing import Any

from django import template

from baken.chain import selectors, services
from baken.chain.models import PartnerRole, ShareStatus
from baken.dossiers.access import DossierAccess

register = template.Library()


@register.inclusion_tag("chain/_panel.html", takes_context=True)
def chain_panel(context: dict[str, Any]) -> dict[str, Any]:
    access: DossierAccess | None = context.get("access")
    if access is None:
        return {"show": False}
    dossier = access.dossier
    received = selectors.received_share(access)
    says_report, pending = services.report_allowed(access)
    return {
        "show": True,
        "access": access,
        "dossier": dossier,
        "casusregie": selectors.casusregie_of(dossier),
        "sent": selectors.shares_of(access),
        "received": received,
        "dues": selectors.dues(received) if received else [],
        "veilig_thuis": services.partner_organisation(PartnerRole.VEILIG_THUIS),
        "pending_report": pending,
        "pending_status": ShareStatus.PENDING,
        "protocol": getattr(context.get("state"), "protocol", None),
    }


@register.simple_tag
def chain_partner_link(partner_id: str) -> str:
    """ "veilig-thuis" when that partner is in Baken (the advice's "Send through Baken")."""
    linked = selectors.linked_partners()
    return "yes" if partner_id in linked else ""
