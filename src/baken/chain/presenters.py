"""How the entries the chain writes for an aanmelding read in a dossier's timeline and in
the person's inzage (registered with :func:`baken.dossiers.presenters.register_rows`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from baken.chain.services import CONSENT_GIVERS, CONSENT_WAYS
from baken.dossiers.models import Entry
from baken.dossiers.presenters import Row
from baken.protocol import Protocol


def _date(value: Any) -> str:
    """An ISO date from the entry ("2026-12-02") as the locale writes it; else "—"."""
    try:
        return date_format(date.fromisoformat(str(value)))
    except ValueError:
        return "—"


def _consent_rows(consent: dict[str, Any]) -> list[Row]:
    return [
        Row(_("Consent given by"), str(CONSENT_GIVERS.get(str(consent.get("given_by")), "—"))),
        Row(_("Consent given on"), _date(consent.get("given_on"))),
        Row(_("Consent given how"), str(CONSENT_WAYS.get(str(consent.get("how")), "—"))),
        Row(_("Note on the consent"), str(consent.get("note") or "—")),
    ]


def registration_rows(entry: Entry, protocol: Protocol, for_person: bool) -> list[Row]:
    """An aanmelding sent (to whom, when, how many entries went, the consent) or received
    (from which organisation, the consent). The person may read their own consent record;
    the sender's phone number is never in the entry (only in the snapshot)."""
    data = entry.data
    consent = data.get("consent") or {}
    if data.get("direction") == "received":
        result = [Row(_("Received from"), str(data.get("from", "")))]
    else:
        result = [Row(_("Sent to"), str(data.get("to", "")))]
    result.append(Row(_("Date of the registration"), _date(data.get("registered_on"))))
    if data.get("direction") != "received" and not for_person:
        result.append(Row(_("Entries sent along"), str(data.get("entries_sent", 0))))
    return [*result, *_consent_rows(consent)]
