"""The chain's part of a dossier page: casusregie, what was sent and what can be sent."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import template
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from baken.chain import selectors, services
from baken.chain.cases import picture
from baken.chain.links import links
from baken.chain.models import PartnerRole, Share, ShareKind, ShareStatus
from baken.dossiers.access import Act, DossierAccess

register = template.Library()


@register.inclusion_tag("chain/_panel.html", takes_context=True)
def chain_panel(context: dict[str, Any]) -> dict[str, Any]:
    access: DossierAccess | None = context.get("access")
    if access is None:
        return {"show": False}
    dossier = access.dossier
    received = picture(dossier).received
    _says_report, blocked = services.report_allowed(access)
    return {
        "show": True,
        "access": access,
        "dossier": dossier,
        "casusregie": selectors.casusregie_of(dossier),
        "sent": selectors.shares_of(access),
        "received": received,
        "dues": _dues(received),
        "veilig_thuis": services.partner_organisation(PartnerRole.VEILIG_THUIS),
        "report_blocked": blocked,
        "registration_possible": services.registration_possible(access),
        "pending_status": ShareStatus.PENDING,
        "protocol": getattr(context.get("state"), "protocol", None),
    }


def _dues(received: Share | None) -> list[selectors.Due]:
    """The deadlines of the melding this dossier was opened from, if any (Veilig Thuis'):
    under the protocol of the sender's dossier, read with the share (no query more)."""
    link = links().by_organisation.get(received.recipient_id) if received else None
    if received is None or link is None:
        return []
    return selectors.dues_in(received, link)


@register.simple_tag
def chain_partner_link(partner_id: str) -> str:
    """ "veilig-thuis" when that partner is in Baken (the advice's "Send through Baken")."""
    linked = selectors.linked_partners()
    return "yes" if partner_id in linked else ""


@register.inclusion_tag("chain/_send_links.html", takes_context=True)
def chain_send_links(context: dict[str, Any], partner_id: str) -> dict[str, Any]:
    """The links beside a contact in the advice, when that partner is in Baken: an advice
    request ("Send through Baken"); for the zorgcoördinator an advice request and an
    aanmelding, each for who may send it."""
    access: DossierAccess | None = context.get("access")
    dossier = context.get("dossier")
    if (
        access is None
        or dossier is None
        or not dossier.is_open
        or partner_id not in services.INBOX_PARTNERS
    ):
        return {"show": False}
    organisation = selectors.linked_partners().get(partner_id)
    if organisation is None or organisation.pk == dossier.organisation_id:
        return {"show": False}
    care = partner_id == PartnerRole.CARE_COORDINATOR
    return {
        "show": True,
        "dossier": dossier,
        "care": care,
        "advice": access.may(Act.ASK_ADVICE),
        "registration": care and services.registration_possible(access),
    }


@register.filter
def kind_label(kind: str) -> str:
    """A share's kind in one word: "Adviesvraag", "Melding", "Aanmelding"."""
    if kind == ShareKind.REGISTRATION:
        return pgettext("aanmelding", "Registration")
    if kind == ShareKind.REPORT:
        return _("Report")
    return _("Advice request")


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
