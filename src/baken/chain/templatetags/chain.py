"""The chain's part of a dossier page: casusregie, what was sent and what can be sent."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import template
from django.utils.formats import date_format

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
    _says_report, blocked = services.report_allowed(access)
    return {
        "show": True,
        "access": access,
        "dossier": dossier,
        "casusregie": selectors.casusregie_of(dossier),
        "sent": selectors.shares_of(access),
        "received": received,
        "dues": selectors.dues(received) if received else [],
        "veilig_thuis": services.partner_organisation(PartnerRole.VEILIG_THUIS),
        "report_blocked": blocked,
        "pending_status": ShareStatus.PENDING,
        "protocol": getattr(context.get("state"), "protocol", None),
    }


@register.simple_tag
def chain_partner_link(partner_id: str) -> str:
    """ "veilig-thuis" when that partner is in Baken (the advice's "Send through Baken")."""
    linked = selectors.linked_partners()
    return "yes" if partner_id in linked else ""


@register.filter
def iso_date(value: object) -> str:
    """An ISO date from a snapshot ("2026-12-02"), as the locale writes a date
    ("2 december 2026"); anything else unchanged, an empty value as "—"."""
    if not value:
        return "—"
    try:
        return date_format(date.fromisoformat(str(value)))
    except ValueError:
        return str(value)
