"""Reads of the zorgcoördinator's trajectory (§2.2; CoMensha, "Zorgcoördinatie en opvang").

The trajectory is no table: it is the INTAKE, PROCEDURE and TRAJECTORY_CLOSED entries of the
zorgcoördinator's own dossier (ADR 8), and :func:`trajectory_of` derives its current state
from them. A **trajectory dossier** is a dossier of a care-coordination organisation that is
in a person's chain case (opened from an accepted melding or aanmelding).

What goes to the other organisations of the case is a **picture** (:func:`picture_of`): built
from the sending dossier's own entries and the case's members, never from another
organisation's dossier, and written into each member's own dossier as a PROGRESS entry.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from baken.accounts.models import OrganisationKind
from baken.chain.cases import members_of, picture
from baken.chain.models import ChainCase
from baken.dossiers.access import Act, DossierAccess
from baken.dossiers.models import Dossier, Entry, EntryKind
from baken.dossiers.selectors import (
    access_to,
    current_entries,
    record_read,
    standing_entries,
)
from baken.protocol import Protocol

OTHER = "other"
"""The procedure type of a procedure the protocol does not list ("anders", with a name)."""


class ProcedureStatus(models.TextChoices):
    """Where a procedure of the trajectory stands."""

    REQUESTED = "requested", _("Requested")
    RUNNING = "running", _("In progress")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")
    STOPPED = "stopped", _("Stopped")


def status_label(status: str) -> str:
    """The Dutch label of a procedure status; "—" for one this version does not know."""
    if status in ProcedureStatus.values:
        return str(ProcedureStatus(status).label)
    return "—"


def parse_day(value: Any) -> date | None:
    """An ISO date stored in an entry, or ``None``."""
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


# --- which dossiers, and who may ------------------------------------------------------------


def is_trajectory_dossier(dossier: Dossier) -> bool:
    """Whether ``dossier`` is a zorgcoördinator's trajectory dossier: of a care-coordination
    organisation, and in a person's chain case."""
    return (
        dossier.organisation.kind == OrganisationKind.CARE_COORDINATION
        and chain_case(dossier) is not None
    )


def chain_case(dossier: Dossier) -> ChainCase | None:
    """:func:`baken.chain.cases.case_of`, from the dossier's chain picture (read once per
    request for the dossier)."""
    return picture(dossier).case


def may_write(access: DossierAccess) -> bool:
    """Whether the user works on the trajectory: records in the dossier (Act.RECORD) and is a
    professional, not a volunteer (Act.REPORT)."""
    return access.may(Act.RECORD) and access.may(Act.REPORT)


def is_casusregisseur(access: DossierAccess, case: ChainCase) -> bool:
    """Whether the user holds casusregie for the person: works on a dossier (as
    :func:`may_write`) of the organisation the case names as holding it (§2.1)."""
    return may_write(access) and case.direction_id == access.dossier.organisation_id


def trajectory_access(user: Any, dossier_id: UUID | str, *, action: str = "view") -> DossierAccess:
    """The trajectory dossier with what ``user`` may do there (the read logged); 404 when the
    user need not know the dossier or it is not a trajectory dossier."""
    access = access_to(user, dossier_id)
    if not is_trajectory_dossier(access.dossier):
        raise Http404("no trajectory here")
    record_read(access, action)
    return access


def case_access(
    user: Any, dossier_id: UUID | str, *, action: str = "view"
) -> tuple[DossierAccess, ChainCase]:
    """A dossier of a chain case with the user's access (the read logged) and its case; 404
    when the user need not know the dossier or it is in no case."""
    access = access_to(user, dossier_id)
    case = chain_case(access.dossier)
    if case is None:
        raise Http404("not in the chain")
    record_read(access, action)
    return access, case


# --- the trajectory, from the entries ---------------------------------------------------------


@dataclass(frozen=True)
class Intake:
    sequence: int
    held_on: date | None
    needs: str
    informed: list[str]
    """The titles of the information topics the person was informed about."""
    note: str


@dataclass(frozen=True)
class ProcedureEvent:
    """The start of a procedure or a change of its status."""

    sequence: int
    status: str
    on: date | None
    note: str

    @property
    def status_label(self) -> str:
        return status_label(self.status)


@dataclass(frozen=True)
class Procedure:
    key: int
    """The sequence number of the entry that started it: what status updates refer to."""
    type_id: str
    title: str
    started_on: date | None
    organisation: str
    events: list[ProcedureEvent]

    @property
    def status(self) -> str:
        return self.events[-1].status

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def since(self) -> date | None:
        """The day of its latest status."""
        return self.events[-1].on


@dataclass(frozen=True)
class Closing:
    sequence: int
    outcome_id: str
    outcome_title: str
    closed_on: date | None
    note: str


@dataclass(frozen=True)
class Trajectory:
    intake: Intake | None
    """The latest intake (a newer one supersedes the older)."""
    intakes: int
    procedures: list[Procedure]
    closing: Closing | None

    @property
    def closed(self) -> bool:
        return self.closing is not None


def procedure_title(protocol: Protocol, type_id: str, name: str) -> str:
    """The title of a procedure type of the protocol, or the name given to another one."""
    if type_id == OTHER:
        return name or str(_("Other procedure"))
    try:
        return protocol.chain.trajectory.procedure(type_id).title
    except KeyError:
        return name or str(_("Procedure"))


def outcome_title(protocol: Protocol, outcome_id: str) -> str:
    for outcome in protocol.chain.trajectory.outcomes:
        if outcome.id == outcome_id:
            return outcome.title
    return "—"


def topic_titles(protocol: Protocol, topics: list[Any]) -> list[str]:
    titles = {t.id: t.title for t in protocol.chain.trajectory.information_topics}
    return [titles[str(t)] for t in topics if str(t) in titles]


def trajectory_from(entries: list[Entry], protocol: Protocol) -> Trajectory:
    """The trajectory as its standing entries say it is now."""
    intake: Intake | None = None
    intakes = 0
    procedures: dict[int, Procedure] = {}
    closing: Closing | None = None
    for entry in current_entries(entries):
        data = entry.data
        if entry.kind == EntryKind.INTAKE:
            intakes += 1
            intake = Intake(
                entry.sequence,
                parse_day(data.get("held_on")),
                str(data.get("needs", "")),
                topic_titles(protocol, list(data.get("informed", []))),
                str(data.get("note", "")),
            )
        elif entry.kind == EntryKind.PROCEDURE and data.get("event") == "started":
            type_id, name = str(data.get("procedure_type", "")), str(data.get("name", ""))
            procedures[entry.sequence] = Procedure(
                entry.sequence,
                type_id,
                procedure_title(protocol, type_id, name),
                parse_day(data.get("started_on")),
                str(data.get("organisation", "")),
                [
                    ProcedureEvent(
                        entry.sequence,
                        str(data.get("status", "")),
                        parse_day(data.get("started_on")),
                        str(data.get("note", "")),
                    )
                ],
            )
        elif entry.kind == EntryKind.PROCEDURE and data.get("event") == "status":
            started = procedures.get(int(data.get("procedure", 0) or 0))
            if started is not None:
                started.events.append(
                    ProcedureEvent(
                        entry.sequence,
                        str(data.get("status", "")),
                        parse_day(data.get("on")),
                        str(data.get("note", "")),
                    )
                )
        elif entry.kind == EntryKind.TRAJECTORY_CLOSED and closing is None:
            outcome = str(data.get("outcome", ""))
            closing = Closing(
                entry.sequence,
                outcome,
                outcome_title(protocol, outcome),
                parse_day(data.get("closed_on")),
                str(data.get("note", "")),
            )
    return Trajectory(intake, intakes, list(procedures.values()), closing)


def trajectory_of(dossier: Dossier, protocol: Protocol) -> Trajectory:
    """The trajectory of a trajectory dossier, from its own standing entries: read once per
    request with the advice's (:func:`baken.dossiers.selectors.standing_entries` holds the
    intake, procedure and closing entries), not the whole timeline."""
    return trajectory_from(standing_entries(dossier).entries, protocol)


def latest_intake_data(dossier: Dossier) -> dict[str, Any]:
    """What the latest intake recorded (to start a new one from), or nothing."""
    intakes = [e for e in standing_entries(dossier).entries if e.kind == EntryKind.INTAKE]
    return dict(intakes[-1].data) if intakes else {}


# --- what goes to the others -----------------------------------------------------------------


@dataclass(frozen=True)
class ProgressUpdate:
    """A stand van zaken as it landed in this dossier."""

    entry: Entry
    from_organisation: str
    summary: str
    picture: dict[str, Any]


def latest_progress(dossier: Dossier) -> ProgressUpdate | None:
    """The newest stand van zaken in the dossier (received, or sent from it)."""
    updates = [e for e in standing_entries(dossier).entries if e.kind == EntryKind.PROGRESS]
    if not updates:
        return None
    entry = updates[-1]
    data = entry.data
    return ProgressUpdate(
        entry,
        str(data.get("from_organisation", "")),
        str(data.get("summary", "")),
        dict(data.get("picture") or {}),
    )


def picture_of(
    dossier: Dossier, case: ChainCase, protocol: Protocol, today: date
) -> dict[str, Any]:
    """The current picture a progress update carries, as of ``today``: who is involved (the
    organisations of the case) and who holds casusregie; and, when ``dossier`` is the
    trajectory dossier, the intake date, the procedures (title, status, dates, responsible
    organisation) and whether the trajectory is closed. Built from ``dossier``'s own entries
    only: another organisation's dossier is never read."""
    members = members_of(case)
    picture: dict[str, Any] = {
        "as_of": today.isoformat(),
        "casusregie": case.direction.name,
        "organisations": [member.organisation.name for member in members],
        "trajectory": False,
        "intake_on": None,
        "procedures": [],
        "closed": False,
        "closed_on": None,
        "outcome": "",
    }
    if not is_trajectory_dossier(dossier):
        return picture
    trajectory = trajectory_of(dossier, protocol)
    picture["trajectory"] = True
    if trajectory.intake is not None and trajectory.intake.held_on is not None:
        picture["intake_on"] = trajectory.intake.held_on.isoformat()
    picture["procedures"] = [
        {
            "title": procedure.title,
            "status": procedure.status,
            "started_on": procedure.started_on.isoformat() if procedure.started_on else None,
            "since": procedure.since.isoformat() if procedure.since else None,
            "organisation": procedure.organisation,
        }
        for procedure in trajectory.procedures
    ]
    if trajectory.closing is not None:
        picture["closed"] = True
        closed_on = trajectory.closing.closed_on
        picture["closed_on"] = closed_on.isoformat() if closed_on else None
        picture["outcome"] = trajectory.closing.outcome_title
    return picture


def digest(picture: dict[str, Any]) -> str:
    """A short fingerprint of a picture: the page carries it from the preview to "send", so
    nothing goes that the sender did not see."""
    text = json.dumps(picture, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]
