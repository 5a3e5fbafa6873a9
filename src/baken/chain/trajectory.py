"""Writes of the zorgcoördinator's trajectory (§2.2; CoMensha, "Zorgcoördinatie en opvang"):
the intake, the procedures and their status, the hand-over of casusregie, the progress update
(stand van zaken) and closing the trajectory.

Everything is an append-only entry (ADR 8), written with
:func:`baken.dossiers.services.record_from_chain` and logged in the same transaction; the
current state is derived by :mod:`baken.chain.trajectory_selectors`.

Who may do what (the one access decision, :mod:`baken.dossiers.access`):

- **Reading** the trajectory pages: whoever may read the dossier (Act.READ), a volunteer or a
  break-glass reader too; they see them read-only.
- **Intake, procedures, closing**: on the trajectory dossier (a care-coordination
  organisation's dossier in a chain case), for who records there (Act.RECORD) and is a
  professional (Act.REPORT, so not a volunteer: the trajectory steers procedures and speaks
  for the organisation to the chain). The dossier must be open and the trajectory not closed.
- **Hand-over of casusregie and the progress update**: only the casusregisseur, from a
  dossier of the case: who records there and is a professional, on the dossier of the
  organisation the case names as holding casusregie (``ChainCase.direction``; §2.1 "Per
  casus wordt afgestemd wie de regie voert").

Without Act.RECORD a write answers 404 (nothing to do here); a volunteer is told why
(``volunteer``); every other refusal is a :class:`TrajectoryRefused` with a code for the
Dutch message.

A hand-over and a progress update reach every member dossier of the case as an entry (the
shapes in the chain's brief: CASE_DIRECTION, PROGRESS), logged in the sender's own dossier
(``log_dossier``) and as a transfer in each other one (``log_transfer``, purpose
``chain_follow_up``, basis the regional convenant, §2.1 Convenant), and the case team of each
other dossier gets a bericht. Nobody reads another organisation's dossier: what goes is built
from the sender's own dossier and the case's list of organisations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from baken.accounts.models import Organisation
from baken.audit.models import Code
from baken.chain.cases import case_of, case_team, members_of, to_every_member
from baken.chain.models import ChainCase, ChainMember, ChainPartner, PartnerRole
from baken.chain.trajectory_selectors import (
    OTHER,
    ProcedureStatus,
    Trajectory,
    digest,
    is_trajectory_dossier,
    picture_of,
    trajectory_of,
)
from baken.dossiers import services as dossier_services
from baken.dossiers.access import Act, DossierAccess, log_dossier
from baken.dossiers.models import Dossier, Entry, EntryKind
from baken.dossiers.selectors import protocol_of
from baken.notifications.models import NotificationKind
from baken.notifications.services import notify

__all__ = [
    "OTHER",
    "Closing",
    "IntakeDetails",
    "NewProcedure",
    "ProcedureStatus",
    "ProcedureUpdate",
    "TrajectoryRefused",
    "close_trajectory",
    "hand_over",
    "record_intake",
    "send_progress",
    "start_procedure",
    "update_procedure",
]

MAX_LINE = 200

HAND_OVER_PARTNERS = (PartnerRole.CARE_COORDINATOR, PartnerRole.VEILIG_THUIS)
"""The partners a CASE_DIRECTION entry names in ``to_partner`` (the engine knows them)."""


class TrajectoryRefused(Exception):
    """The trajectory cannot do this; ``code`` names the rule, for the Dutch message."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


# --- input ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IntakeDetails:
    """The intake (§2.2): the needs and questions, what the person was informed about (rights
    and duties in criminal law, residence, care), the day, a note."""

    held_on: date
    needs: str
    informed: list[str]
    note: str = ""


@dataclass(frozen=True)
class NewProcedure:
    """A procedure started: a type of the protocol (or :data:`OTHER`, with a name), the day
    it started, the responsible organisation, its status and a note."""

    procedure_type: str
    started_on: date
    organisation: str
    status: str
    name: str = ""
    note: str = ""


@dataclass(frozen=True)
class ProcedureUpdate:
    """A procedure's new status, from which day, with a note."""

    status: str
    on: date
    note: str = ""


@dataclass(frozen=True)
class Closing:
    """The trajectory closed: an outcome of the protocol, the day, a note."""

    outcome: str
    closed_on: date
    note: str = ""


# --- checks ---------------------------------------------------------------------------------


def _worker(access: DossierAccess) -> None:
    """404 for who does not record in the dossier; ``volunteer`` for a volunteer."""
    if not access.may(Act.RECORD):
        raise Http404("no such dossier")
    if not access.may(Act.REPORT):
        raise TrajectoryRefused("volunteer")


def _not_future(day: date, today: date) -> None:
    if day > today:
        raise TrajectoryRefused("future_date")


def _open_trajectory(access: DossierAccess) -> tuple[DossierAccess, Trajectory]:
    """The decision with the trajectory dossier locked for this transaction, and the
    trajectory as it stands; refused when the dossier or the trajectory is closed."""
    if not is_trajectory_dossier(access.dossier):
        raise Http404("no trajectory here")
    dossier = Dossier.objects.select_for_update().get(pk=access.dossier.pk)
    if not dossier.is_open:
        raise TrajectoryRefused("closed")
    access = access.with_dossier(dossier)
    trajectory = trajectory_of(dossier, protocol_of(dossier))
    if trajectory.closed:
        raise TrajectoryRefused("trajectory_closed")
    return access, trajectory


def _record_own(access: DossierAccess, kind: str, data: dict[str, Any], now: datetime) -> Entry:
    entry = dossier_services.record_from_chain(access.user, access.dossier.pk, kind, data, now=now)
    log_dossier(access, Code.CREATE, "entry_added", entry=entry)
    return entry


# --- intake and procedures ------------------------------------------------------------------


def record_intake(
    access: DossierAccess, intake: IntakeDetails, now: datetime | None = None
) -> Entry:
    """Record the intake; a newer intake supersedes the older (both stay in the record)."""
    _worker(access)
    now = now or timezone.now()
    needs = intake.needs.strip()
    if not needs:
        raise TrajectoryRefused("needs_missing")
    _not_future(intake.held_on, timezone.localdate(now))
    topics = protocol_of(access.dossier).chain.trajectory.information_topics
    known = [t.id for t in topics]
    if any(topic not in known for topic in intake.informed):
        raise TrajectoryRefused("unknown_topic")
    with transaction.atomic():
        access, _trajectory = _open_trajectory(access)
        return _record_own(
            access,
            EntryKind.INTAKE,
            {
                "held_on": intake.held_on.isoformat(),
                "needs": needs,
                "informed": [t for t in known if t in intake.informed],
                "note": intake.note.strip(),
            },
            now,
        )


def start_procedure(
    access: DossierAccess, procedure: NewProcedure, now: datetime | None = None
) -> Entry:
    """Record a procedure the zorgcoördinator started (protocol data, or another one with a
    name), with its responsible organisation and status. Its key is this entry's number."""
    _worker(access)
    now = now or timezone.now()
    protocol = protocol_of(access.dossier)
    types = {p.id for p in protocol.chain.trajectory.procedures}
    if procedure.procedure_type != OTHER and procedure.procedure_type not in types:
        raise TrajectoryRefused("unknown_procedure_type")
    name = procedure.name.strip() if procedure.procedure_type == OTHER else ""
    if procedure.procedure_type == OTHER and not name:
        raise TrajectoryRefused("name_missing")
    organisation = procedure.organisation.strip()
    if not organisation:
        raise TrajectoryRefused("organisation_missing")
    if procedure.status not in ProcedureStatus.values:
        raise TrajectoryRefused("unknown_status")
    _not_future(procedure.started_on, timezone.localdate(now))
    with transaction.atomic():
        access, _trajectory = _open_trajectory(access)
        return _record_own(
            access,
            EntryKind.PROCEDURE,
            {
                "event": "started",
                "procedure_type": procedure.procedure_type,
                "name": name[:MAX_LINE],
                "started_on": procedure.started_on.isoformat(),
                "organisation": organisation[:MAX_LINE],
                "status": procedure.status,
                "note": procedure.note.strip(),
            },
            now,
        )


def update_procedure(
    access: DossierAccess, key: int, update: ProcedureUpdate, now: datetime | None = None
) -> Entry:
    """Record a procedure's new status: a new entry referring to the procedure's key (the
    number of the entry that started it)."""
    _worker(access)
    now = now or timezone.now()
    if update.status not in ProcedureStatus.values:
        raise TrajectoryRefused("unknown_status")
    _not_future(update.on, timezone.localdate(now))
    with transaction.atomic():
        access, trajectory = _open_trajectory(access)
        procedure = next((p for p in trajectory.procedures if p.key == key), None)
        if procedure is None:
            raise TrajectoryRefused("unknown_procedure")
        if procedure.started_on is not None and update.on < procedure.started_on:
            raise TrajectoryRefused("before_start")
        return _record_own(
            access,
            EntryKind.PROCEDURE,
            {
                "event": "status",
                "procedure": key,
                "status": update.status,
                "on": update.on.isoformat(),
                "note": update.note.strip(),
            },
            now,
        )


def close_trajectory(access: DossierAccess, closing: Closing, now: datetime | None = None) -> Entry:
    """Close the trajectory with an outcome of the protocol; afterwards no intake or
    procedure is recorded any more. The dossier itself stays open until it is closed."""
    _worker(access)
    now = now or timezone.now()
    outcomes = {o.id for o in protocol_of(access.dossier).chain.trajectory.outcomes}
    if closing.outcome not in outcomes:
        raise TrajectoryRefused("unknown_outcome")
    _not_future(closing.closed_on, timezone.localdate(now))
    with transaction.atomic():
        access, _trajectory = _open_trajectory(access)
        return _record_own(
            access,
            EntryKind.TRAJECTORY_CLOSED,
            {
                "outcome": closing.outcome,
                "closed_on": closing.closed_on.isoformat(),
                "note": closing.note.strip(),
            },
            now,
        )


# --- to every member dossier ------------------------------------------------------------------


def _locked_case(access: DossierAccess) -> tuple[DossierAccess, ChainCase, list[ChainMember]]:
    """The casusregisseur's case, its row locked (one hand-over or update at a time), its
    members, and the decision with the own dossier; refused for anyone else."""
    _worker(access)
    case = case_of(access.dossier)
    if case is None:
        raise Http404("not in the chain")
    case = ChainCase.objects.select_for_update().get(pk=case.pk)
    dossier = Dossier.objects.select_for_update().get(pk=access.dossier.pk)
    if not dossier.is_open:
        raise TrajectoryRefused("closed")
    if case.direction_id != dossier.organisation_id:
        raise TrajectoryRefused("not_casusregisseur")
    access = access.with_dossier(dossier)
    return access, case, members_of(case)


def _to_every_member(
    access: DossierAccess,
    members: list[ChainMember],
    kind: str,
    data: dict[str, Any],
    action: str,
    notification: str,
    now: datetime,
) -> Entry:
    """The entry in every member dossier, logged under the convenant; each other dossier's
    case team gets a bericht linking to the entry."""
    return to_every_member(
        access,
        members,
        kind,
        data,
        action,
        notification,
        now,
        link=lambda dossier, entry: (
            reverse("dossiers:detail", args=[dossier.pk]) + f"#regel-{entry.sequence}"
        ),
    )


def hand_over(
    access: DossierAccess, organisation_id: int, reason: str, now: datetime | None = None
) -> ChainCase:
    """The casusregisseur hands casusregie to another organisation of the case, with a
    reason (§2.1). The case names the new holder; every member dossier gets a CASE_DIRECTION
    entry and its case team a bericht; the casusregisseur's colleagues in the own case team
    are told too."""
    reason = reason.strip()
    now = now or timezone.now()
    with transaction.atomic():
        access, case, members = _locked_case(access)
        if not reason:
            raise TrajectoryRefused("reason_missing")
        if organisation_id == case.direction_id:
            raise TrajectoryRefused("already_holds")
        target = next(
            (m.organisation for m in members if m.organisation_id == organisation_id), None
        )
        if target is None:
            raise TrajectoryRefused("not_a_member")
        link = ChainPartner.objects.filter(organisation=target).first()
        to_partner = link.partner if link and link.partner in HAND_OVER_PARTNERS else ""
        own = access.dossier
        holder = Organisation.objects.get(pk=own.organisation_id)
        case.direction, case.direction_since = target, now
        case.save(update_fields=["direction", "direction_since"])
        entry = _to_every_member(
            access,
            members,
            EntryKind.CASE_DIRECTION,
            {
                "from_organisation": holder.name,
                "to_organisation": target.name,
                "to_partner": str(to_partner),
                "reason": reason,
            },
            "case_direction_handed_over",
            NotificationKind.CASE_DIRECTION_HANDED_OVER,
            now,
        )
        colleagues = [u for u in case_team(own) if u.pk != access.user.pk]
        notify(
            colleagues,
            NotificationKind.CASE_DIRECTION_HANDED_OVER,
            reverse("dossiers:detail", args=[own.pk]) + f"#regel-{entry.sequence}",
            organisation=holder,
        )
        return case


def progress_preview(access: DossierAccess, case: ChainCase) -> dict[str, Any]:
    """The picture a progress update from this dossier would carry now (the preview)."""
    dossier = access.dossier
    return picture_of(dossier, case, protocol_of(dossier), timezone.localdate())


def send_progress(
    access: DossierAccess,
    summary: str,
    seen_digest: str | None = None,
    now: datetime | None = None,
) -> Entry:
    """The casusregisseur sends the stand van zaken (§2.1: "koppelt de stand van zaken
    wanneer nodig terug aan de andere betrokken partijen"): the same summary and picture
    land as a PROGRESS entry in every member dossier, the own one too. With
    ``seen_digest`` (the preview's fingerprint), nothing goes when the picture changed since
    the preview (``stale``)."""
    summary = summary.strip()
    now = now or timezone.now()
    with transaction.atomic():
        access, case, members = _locked_case(access)
        if not summary:
            raise TrajectoryRefused("summary_missing")
        if len(members) < 2:
            raise TrajectoryRefused("nobody_else")
        own = access.dossier
        picture = picture_of(own, case, protocol_of(own), timezone.localdate(now))
        if seen_digest is not None and seen_digest != digest(picture):
            raise TrajectoryRefused("stale")
        holder = Organisation.objects.get(pk=own.organisation_id)
        return _to_every_member(
            access,
            members,
            EntryKind.PROGRESS,
            {"from_organisation": holder.name, "summary": summary, "picture": picture},
            "progress_sent",
            NotificationKind.PROGRESS_UPDATE,
            now,
        )
