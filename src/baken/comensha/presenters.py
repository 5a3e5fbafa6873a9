"""How the COMENSHA entries read in every member dossier's timeline and in the person's
inzage (registered with :func:`baken.dossiers.presenters.register_rows` from
``ComenshaConfig.ready``): organisation names, the day and the kind's title, never an id."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from baken.comensha.selectors import title_of
from baken.dossiers.models import Entry
from baken.dossiers.presenters import Row
from baken.protocol import Protocol


def _day(value: Any) -> str:
    """An ISO date from an entry as the locale writes it; "—" for anything else."""
    try:
        return date_format(date.fromisoformat(str(value)))
    except ValueError:
        return "—"


def comensha_rows(entry: Entry, protocol: Protocol, for_person: bool) -> list[Row]:
    """Agreed (who registers, agreed by whom) or registered (by whom, on which day, which
    kind of registration)."""
    data = entry.data
    registering = str(data.get("registering") or "—")
    if data.get("event") == "agreed":
        return [
            Row(_("Registers with CoMensha"), registering),
            Row(_("Agreed by"), str(data.get("by_organisation") or "—")),
        ]
    if data.get("event") == "registered":
        return [
            Row(_("Registered with CoMensha by"), registering),
            Row(_("Registered with CoMensha on"), _day(data.get("registered_on"))),
            Row(
                _("Kind of registration"),
                title_of(protocol.chain.comensha.kinds, str(data.get("kind") or "")),
            ),
        ]
    return [Row(_("Registers with CoMensha"), registering)]
