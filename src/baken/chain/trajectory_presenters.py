"""How the trajectory's entries read in a dossier's timeline and in the person's inzage:
INTAKE, PROCEDURE, CASE_DIRECTION, PROGRESS and TRAJECTORY_CLOSED, in Dutch, with titles
and labels, never an internal id. :func:`register` hands them to
:func:`baken.dossiers.presenters.register_rows`; ``ChainConfig.ready`` calls it."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from baken.chain.trajectory_selectors import (
    outcome_title,
    parse_day,
    procedure_title,
    status_label,
    topic_titles,
)
from baken.dossiers.models import Entry, EntryKind
from baken.dossiers.presenters import Row, register_prepare, register_rows
from baken.protocol import Protocol


def _day(value: Any) -> str:
    day = parse_day(value) if value else None
    return date_format(day) if day is not None else "—"


def _text(value: Any) -> str:
    return str(value).strip() if value not in (None, "") else "—"


def intake_rows(entry: Entry, protocol: Protocol, for_person: bool) -> list[Row]:
    data = entry.data
    informed = topic_titles(protocol, list(data.get("informed", [])))
    return [
        Row(_("Date of the intake"), _day(data.get("held_on"))),
        Row(_("Needs and questions"), _text(data.get("needs"))),
        Row(_("Informed about rights and duties in"), ", ".join(informed) or "—"),
        Row(_("Note"), _text(data.get("note"))),
    ]


_STARTED = "_baken_procedure_started"
"""Where :func:`prepare_procedures` leaves, on a status update, the data of the entry that
started its procedure."""


def _procedure_of(entry: Entry) -> int:
    return int(entry.data.get("procedure", 0) or 0)


def _started(entry: Entry) -> dict[str, Any]:
    """The data of the entry that started the procedure ``entry`` updates: as prepared for
    the page (:func:`prepare_procedures`), else read on its own."""
    prepared: dict[str, Any] | None = getattr(entry, _STARTED, None)
    if prepared is not None:
        return prepared
    # Through the model: an encrypted value is decrypted for its own row only.
    opened = (
        Entry.objects.filter(
            dossier_id=entry.dossier_id, sequence=_procedure_of(entry), kind=EntryKind.PROCEDURE
        )
        .only("dossier_id", "sequence", "data")
        .first()
    )
    return dict(opened.data) if opened is not None else {}


def prepare_procedures(entries: list[Entry], known: dict[tuple[Any, int], Entry]) -> None:
    """For a page of entries: give each status update the data of the entry that started
    its procedure, from the entries the request read already (the trajectory's standing
    entries hold every procedure) or, for the others, in one query."""
    updates = [e for e in entries if e.data.get("event") == "status"]
    missing = {
        (e.dossier_id, _procedure_of(e))
        for e in updates
        if (e.dossier_id, _procedure_of(e)) not in known
    }
    found = dict(known)
    if missing:
        wanted = Q()
        for dossier_id, sequence in missing:
            wanted |= Q(dossier_id=dossier_id, sequence=sequence)
        for read in Entry.objects.filter(wanted, kind=EntryKind.PROCEDURE).only(
            "dossier_id", "sequence", "kind", "data"
        ):
            found[(read.dossier_id, read.sequence)] = read
    for update in updates:
        opened = found.get((update.dossier_id, _procedure_of(update)))
        started = opened.data if opened is not None and opened.kind == EntryKind.PROCEDURE else {}
        setattr(update, _STARTED, dict(started))


def procedure_rows(entry: Entry, protocol: Protocol, for_person: bool) -> list[Row]:
    data = entry.data
    if data.get("event") == "status":
        started = _started(entry)
        title = procedure_title(
            protocol, str(started.get("procedure_type", "")), str(started.get("name", ""))
        )
        return [
            Row(_("Procedure"), title),
            Row(_("New status"), status_label(str(data.get("status", "")))),
            Row(_("Since"), _day(data.get("on"))),
            Row(_("Note"), _text(data.get("note"))),
        ]
    title = procedure_title(
        protocol, str(data.get("procedure_type", "")), str(data.get("name", ""))
    )
    return [
        Row(_("Procedure"), title),
        Row(_("Date started"), _day(data.get("started_on"))),
        Row(_("Responsible organisation"), _text(data.get("organisation"))),
        Row(_("Status"), status_label(str(data.get("status", "")))),
        Row(_("Note"), _text(data.get("note"))),
    ]


def case_direction_rows(entry: Entry, protocol: Protocol, for_person: bool) -> list[Row]:
    data = entry.data
    return [
        Row(_("Casusregie was with"), _text(data.get("from_organisation"))),
        Row(_("Casusregie is now with"), _text(data.get("to_organisation"))),
        Row(
            _("Reason"),
            _("%(organisation)s accepted a melding or aanmelding about this person")
            % {"organisation": data.get("to_organisation", "")}
            if data.get("event") == "accepted"
            else _text(data.get("reason")),
        ),
    ]


def picture_rows(picture: dict[str, Any]) -> list[Row]:
    """The picture of a stand van zaken, row by row: as of when, who holds casusregie, who
    is involved, the intake, each procedure with its status, and whether the trajectory is
    closed."""
    result = [
        Row(_("Picture as of"), _day(picture.get("as_of"))),
        Row(_("Casusregie"), _text(picture.get("casusregie"))),
        Row(
            _("Organisations involved"),
            ", ".join(str(o) for o in picture.get("organisations", [])) or "—",
        ),
    ]
    if not picture.get("trajectory"):
        result.append(
            Row(
                _("Trajectory"),
                _("Not in this stand van zaken: the zorgcoördinatie keeps the trajectory."),
            )
        )
        return result
    intake_on = picture.get("intake_on")
    result.append(Row(_("Intake"), _day(intake_on) if intake_on else _("No intake recorded yet")))
    procedures = list(picture.get("procedures", []))
    if not procedures:
        result.append(Row(_("Procedures"), _("No procedures started yet")))
    for procedure in procedures:
        result.append(
            Row(
                str(procedure.get("title", "")) or _("Procedure"),
                _("%(status)s since %(since)s · started %(started)s · %(organisation)s")
                % {
                    "status": status_label(str(procedure.get("status", ""))),
                    "since": _day(procedure.get("since")),
                    "started": _day(procedure.get("started_on")),
                    "organisation": _text(procedure.get("organisation")),
                },
            )
        )
    if picture.get("closed"):
        state = _("Closed on %(date)s: %(outcome)s") % {
            "date": _day(picture.get("closed_on")),
            "outcome": _text(picture.get("outcome")),
        }
    else:
        state = _("Running")
    result.append(Row(_("Trajectory"), state))
    return result


def progress_rows(entry: Entry, protocol: Protocol, for_person: bool) -> list[Row]:
    data = entry.data
    return [
        Row(_("From"), _text(data.get("from_organisation"))),
        Row(_("Stand van zaken"), _text(data.get("summary"))),
        *picture_rows(dict(data.get("picture") or {})),
    ]


def trajectory_closed_rows(entry: Entry, protocol: Protocol, for_person: bool) -> list[Row]:
    data = entry.data
    return [
        Row(_("Outcome"), outcome_title(protocol, str(data.get("outcome", "")))),
        Row(_("Date closed"), _day(data.get("closed_on"))),
        Row(_("Note"), _text(data.get("note"))),
    ]


def register() -> None:
    """Register the trajectory's rows with the dossier layer (from ``ChainConfig.ready``)."""
    register_rows(EntryKind.INTAKE, intake_rows)
    register_rows(EntryKind.PROCEDURE, procedure_rows)
    register_rows(EntryKind.CASE_DIRECTION, case_direction_rows)
    register_rows(EntryKind.PROGRESS, progress_rows)
    register_rows(EntryKind.TRAJECTORY_CLOSED, trajectory_closed_rows)
    register_prepare(EntryKind.PROCEDURE, prepare_procedures)
