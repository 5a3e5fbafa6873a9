"""How the SCREENING entries read in the zorgcoördinator's dossier and in the person's
inzage (registered with :func:`baken.dossiers.presenters.register_rows`): titles and dates,
never an outcome's id."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from baken.dossiers.models import Entry
from baken.dossiers.presenters import Row
from baken.protocol import Protocol


def iso_day(value: Any) -> str:
    """An ISO date from an entry or registration ("2026-12-08") as the locale writes it
    ("8 december 2026"); "—" for anything else."""
    try:
        return date_format(date.fromisoformat(str(value)))
    except ValueError:
        return "—"


def titles(protocol: Protocol, outcomes: list[Any]) -> str:
    """The outcomes' titles in the protocol's order; ids it does not know are left out."""
    chosen = {str(o) for o in outcomes}
    found = [o.title for o in protocol.chain.screening.outcomes if o.id in chosen]
    return ", ".join(found) or "—"


def screening_rows(entry: Entry, protocol: Protocol, for_person: bool) -> list[Row]:
    """Put on the agenda (of which Veiligheidshuis, for which day), the outcome (what was
    decided, the reason, the note) or the inbreng in the RIEC (by whom, on which day)."""
    data = entry.data
    event = data.get("event")
    organisation = str(data.get("organisation") or "—")
    if event == "placed":
        return [
            Row(_("Put on the agenda of"), organisation),
            Row(_("Date of the screeningsoverleg"), iso_day(data.get("meeting_on"))),
        ]
    if event == "outcome":
        return [
            Row(_("Screeningsoverleg"), organisation),
            Row(_("Date of the screeningsoverleg"), iso_day(data.get("meeting_on"))),
            Row(_("Outcome"), titles(protocol, list(data.get("outcomes") or []))),
            Row(_("Reason"), str(data.get("reason") or "—")),
            Row(_("Note"), str(data.get("note") or "—")),
        ]
    if event == "riec":
        return [
            Row(_("Brought into the RIEC-overleg by"), organisation),
            Row(_("Brought into the RIEC-overleg on"), iso_day(data.get("contributed_on"))),
        ]
    return [Row(_("Screeningsoverleg"), organisation)]
