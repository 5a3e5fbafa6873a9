"""Writes of the screeningsoverleg: planning a meeting, putting a case on its agenda, the
outcome, and the ketenregisseur's inbreng in the RIEC.

Each service authorises, writes and logs in one transaction. The zorgcoördinator acts on
the ground of their :class:`~baken.dossiers.access.DossierAccess` on their own dossier; the
procesregisseur and the ketenregisseur on their :class:`~baken.screening.access.ScreeningAccess`,
never on a dossier, which they cannot open. What goes from one organisation to another
rests on the regional convenant (§2.1 Convenant), and every line that logs it says so
(``basis:convenant``), on both sides: the dossier's, and the Veiligheidshuis' (or the
municipality's) own responsibility.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from baken.accounts.models import Organisation, Role, User
from baken.audit.chain import append
from baken.audit.models import Code
from baken.chain.cases import case_of, picture
from baken.chain.links import held, links
from baken.chain.models import PartnerRole
from baken.dossiers import services as dossier_services
from baken.dossiers.access import Act, DossierAccess, log_dossier, log_transfer
from baken.dossiers.models import CaseTeamMember, Dossier, EntryKind
from baken.notifications.models import NotificationKind
from baken.notifications.services import notify
from baken.protocol import Protocol, default_registry
from baken.screening.access import ScreeningAccess
from baken.screening.models import AgendaItem, Meeting

BASIS = "convenant"
"""The legal basis of every share of the screening (§2.1 Convenant): in each log line."""

PURPOSE = "screening"

NO_FURTHER_ACTION = "screening-geen-vervolg"
"""The outcome that needs a reason (protocol data, ``chain.screening.outcomes``)."""

RIEC = "screening-riec"
"""The outcome that goes to the ketenregisseur (§2.2)."""

MAX_TEXT = 5000


class ScreeningRefused(Exception):
    """The screening cannot do this; ``code`` says which rule, for the Dutch message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class AlreadyRecorded(Exception):
    """Someone recorded this first (the outcome, or the inbreng in the RIEC); nothing was
    done twice. ``by`` and ``at`` say who and when."""

    def __init__(self, item: AgendaItem, by: User | None, at: datetime | None) -> None:
        super().__init__(f"agenda item {item.pk} already recorded")
        self.item = item
        self.by = by
        self.at = at


# --- who, where -------------------------------------------------------------------------


def linked(partner: str, *, lock: bool = False) -> Organisation | None:
    """The organisation linked as ``partner`` (the Veiligheidshuis, the municipality); with
    ``lock``, the link is held until the transaction ends (as the chain does when sending)."""
    return held(partner) if lock else links().organisation(partner)


def _staff(organisation: Organisation | None, role: str) -> list[User]:
    if organisation is None:
        return []
    return list(User.objects.filter(organisation=organisation, role=role, is_active=True))


def process_directors(organisation: Organisation | None) -> list[User]:
    """The active procesregisseurs of the Veiligheidshuis: who may chair a meeting."""
    return _staff(organisation, Role.PROCESS_DIRECTOR)


def _case_team(dossier_id: Any) -> list[User]:
    return [
        m.user for m in CaseTeamMember.objects.filter(dossier_id=dossier_id).select_related("user")
    ]


def screening_protocol() -> Protocol:
    """The protocol a meeting is planned under (its attendees): the installation's default."""
    return default_registry().get()


def protocol_of_item(item: AgendaItem) -> Protocol:
    """The protocol of the dossier the case came from (its outcomes)."""
    return default_registry().get(item.protocol_id)


def _vh_line(
    user: User,
    responsible: Organisation | int | None,
    code: Code,
    action: str,
    reference: str,
) -> None:
    """A line on the responsibility of the Veiligheidshuis or the municipality (no dossier
    of theirs is involved): the reference (``agenda:<id>`` or ``meeting:<id>``) and the
    legal basis."""
    append(
        user_id=user.pk,
        role=user.role,
        organisation_id=user.organisation_id,
        responsible_organisation_id=responsible.pk
        if isinstance(responsible, Organisation)
        else responsible,
        code=code,
        action=action,
        purpose=PURPOSE,
        detail=f"{reference} basis:{BASIS}",
    )


def item_read_line(decision: ScreeningAccess, item: AgendaItem) -> dict[str, Any]:
    """The fields of the line :func:`log_item_read` writes, for a page that reads several
    items and writes their lines in one INSERT (``baken.audit.chain.append_many``)."""
    user = decision.user
    return {
        "user_id": user.pk,
        "role": user.role,
        "organisation_id": user.organisation_id,
        "responsible_organisation_id": item.meeting.organisation_id,
        "code": Code.READ,
        "action": "screening_item_opened",
        "purpose": PURPOSE,
        "detail": f"agenda:{item.pk} basis:{BASIS}",
    }


def log_item_read(decision: ScreeningAccess, item: AgendaItem) -> None:
    """Reading an agenda item's registration (code R), on the Veiligheidshuis' responsibility."""
    append(**item_read_line(decision, item))


# --- meetings ---------------------------------------------------------------------------


def create_meeting(
    decision: ScreeningAccess,
    held_on: date,
    chair_id: int,
    attendees: list[str],
    other_attendees: str,
) -> Meeting:
    """The procesregisseur plans a screeningsoverleg: its date (today or later), its chair
    (a procesregisseur of the Veiligheidshuis) and who attends (the protocol's partners,
    and others as typed)."""
    if not decision.is_process_director:
        raise Http404("not for this user")
    today = timezone.localdate()
    if held_on < today:
        raise ScreeningRefused("date_in_past")
    known = set(screening_protocol().chain.screening.attendees)
    if not set(attendees) <= known:
        raise ScreeningRefused("unknown_attendee")
    now = timezone.now()
    with transaction.atomic():
        chair = next(
            (u for u in process_directors(decision.organisation) if u.pk == chair_id), None
        )
        if chair is None:
            raise ScreeningRefused("chair_unknown")
        meeting = Meeting.objects.create(
            organisation=decision.organisation,
            held_on=held_on,
            chair=chair,
            attendees=[a for a in screening_protocol().chain.screening.attendees if a in attendees],
            other_attendees=other_attendees.strip(),
            created_by=decision.user,
            created_at=now,
        )
        _vh_line(
            decision.user,
            decision.organisation,
            Code.CREATE,
            "screening_meeting_planned",
            f"meeting:{meeting.pk}",
        )
    return meeting


# --- the zorgcoördinator puts a case on the agenda ---------------------------------------


@dataclass(frozen=True)
class Registration:
    """What the screening receives about a case, and nothing else: the Veiligheidshuis
    registration pattern (identity, reason, goal, partners with contact details)."""

    name: str
    birth_date: date | None
    reason: str
    goal: str
    partners: tuple[str, ...]

    def as_content(self) -> dict[str, Any]:
        return {
            "identity": {
                "name": self.name.strip(),
                "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            },
            "reason": self.reason.strip(),
            "goal": self.goal.strip(),
            "partners": [line.strip() for line in self.partners if line.strip()],
        }


def partner_lines(text: str) -> tuple[str, ...]:
    """The partners involved, one a line as typed, empty lines left out."""
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def may_place(access: DossierAccess) -> bool:
    """Whether this user may put this dossier's case on the screening's agenda: the case
    team of the zorgcoördinatie's own dossier, who may report (§2.1: "Indien nodig zet de
    zorgcoördinator de signalen door naar het screeningsoverleg")."""
    return (
        access.in_case_team
        and access.may(Act.REPORT)
        and links().partner_of(access.dossier.organisation_id) == PartnerRole.CARE_COORDINATOR
    )


def upcoming_meetings(
    organisation: Organisation | None, today: date | None = None
) -> list[Meeting]:
    """The Veiligheidshuis' meetings from today on, the nearest first."""
    if organisation is None:
        return []
    day = today or timezone.localdate()
    return list(
        Meeting.objects.filter(organisation=organisation, held_on__gte=day).order_by(
            "held_on", "created_at"
        )
    )


def waiting_item(dossier: Dossier) -> AgendaItem | None:
    """An agenda item from this dossier that has no outcome yet."""
    return (
        AgendaItem.objects.select_related("meeting")
        .filter(brought_by_dossier=dossier, outcome_at__isnull=True)
        .first()
    )


def placement_blocked(access: DossierAccess, items: list[AgendaItem] | None = None) -> str:
    """Why this dossier's case cannot go on the agenda now (a refusal code), or ``""``.
    ``items``: every agenda item the dossier brought in, when the caller read them already
    (:func:`baken.screening.selectors.items_of_dossier`); the case comes from the dossier's
    chain picture (a service deciding under a lock reads it on the row it locked)."""
    dossier = access.dossier
    if not dossier.is_open:
        return "closed"
    safety_house = linked(PartnerRole.SCREENING)
    if safety_house is None:
        return "no_partner"
    if picture(dossier).case is None:
        return "not_in_chain"
    waiting = (
        any(item.outcome_at is None for item in items)
        if items is not None
        else waiting_item(dossier) is not None
    )
    if waiting:
        return "already_on_agenda"
    if not upcoming_meetings(safety_house):
        return "no_meeting"
    return ""


def involved_partners(access: DossierAccess) -> list[str]:
    """The organisations of the person's chain, for the form to start from (the
    Veiligheidshuis itself left out); the zorgcoördinatie first, with the user."""
    dossier = access.dossier
    seen = picture(dossier)
    safety_house = linked(PartnerRole.SCREENING)
    user = access.user
    own = dossier.organisation.name
    contact = ", ".join(part for part in (str(user), user.email) if part)
    lines = [f"{own}: {contact}" if contact else own]
    if seen.case is not None:
        for organisation in (member.organisation for member in seen.members):
            if organisation.pk in (dossier.organisation_id, getattr(safety_house, "pk", None)):
                continue
            lines.append(organisation.name)
    return lines


def _check(registration: Registration) -> None:
    content = registration.as_content()
    if not content["identity"]["name"]:
        raise ScreeningRefused("name_missing")
    if not content["reason"]:
        raise ScreeningRefused("reason_for_agenda_missing")
    if not content["goal"]:
        raise ScreeningRefused("goal_missing")
    if not content["partners"]:
        raise ScreeningRefused("partners_missing")
    if any(len(text) > MAX_TEXT for text in (content["reason"], content["goal"])):
        raise ScreeningRefused("too_long")


def place(
    access: DossierAccess,
    meeting_id: UUID | str,
    registration: Registration,
    now: datetime | None = None,
) -> AgendaItem:
    """Put the case of the zorgcoördinator's dossier on the agenda of an upcoming meeting of
    the linked Veiligheidshuis. Checked: the case is in the chain (a person in the chain)
    and the Veiligheidshuis is linked, as the convenant's basis needs (§2.1 Convenant). The
    dossier records it (``placed``), both sides log it with the basis, and the
    procesregisseurs get a bericht."""
    if not may_place(access):
        raise Http404("no such dossier")
    _check(registration)
    now = now or timezone.now()
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=access.dossier.pk)
        access = access.with_dossier(dossier)
        if not dossier.is_open:
            raise ScreeningRefused("closed")
        safety_house = linked(PartnerRole.SCREENING, lock=True)
        if safety_house is None:
            raise ScreeningRefused("no_partner")
        case = case_of(dossier)
        if case is None:
            raise ScreeningRefused("not_in_chain")
        if waiting_item(dossier) is not None:
            raise ScreeningRefused("already_on_agenda")
        try:
            meeting = (
                Meeting.objects.select_related("organisation")
                .filter(
                    pk=meeting_id,
                    organisation=safety_house,
                    held_on__gte=timezone.localdate(now),
                )
                .first()
            )
        except (ValidationError, ValueError):
            meeting = None
        if meeting is None:
            raise ScreeningRefused("no_meeting")
        item = AgendaItem.objects.create(
            meeting=meeting,
            chain_case=case,
            brought_by_id=dossier.organisation_id,
            brought_by_dossier=dossier,
            placed_by=access.user,
            placed_at=now,
            protocol_id=dossier.protocol_id,
            content=registration.as_content(),
        )
        entry = dossier_services.record_from_chain(
            access.user,
            dossier.pk,
            EntryKind.SCREENING,
            {
                "event": "placed",
                "item": str(item.pk),
                "meeting_on": meeting.held_on.isoformat(),
                "organisation": safety_house.name,
            },
            now=now,
        )
        log_dossier(
            access,
            Code.EXECUTE,
            "screening_placed",
            entry=entry,
            purpose=PURPOSE,
            detail=f"basis:{BASIS}",
        )
        _vh_line(access.user, safety_house, Code.CREATE, "screening_placed", f"agenda:{item.pk}")
        notify(
            process_directors(safety_house),
            NotificationKind.NEW_AGENDA_ITEM,
            reverse("screening:item", args=[item.pk]),
            organisation=dossier.organisation,
        )
    return item


# --- the outcome ------------------------------------------------------------------------


def outcome_problem(protocol: Protocol, outcomes: list[str], reason: str) -> str:
    """Why this outcome cannot be recorded (a refusal code), or ``""``: at least one of the
    protocol's outcomes; "no further action" with its reason, and not beside another."""
    known = {outcome.id for outcome in protocol.chain.screening.outcomes}
    if not outcomes:
        return "outcome_missing"
    if not set(outcomes) <= known:
        return "unknown_outcome"
    if NO_FURTHER_ACTION in outcomes and len(set(outcomes)) > 1:
        return "contradictory"
    if NO_FURTHER_ACTION in outcomes and not reason.strip():
        return "reason_missing"
    return ""


def _locked_item(decision: ScreeningAccess, item_id: UUID | str, **scope: Any) -> AgendaItem:
    try:
        item = (
            AgendaItem.objects.select_for_update(of=("self",))
            .select_related("meeting", "meeting__organisation", "brought_by")
            .filter(pk=item_id, meeting__organisation=decision.safety_house, **scope)
            .first()
        )
    except (ValidationError, ValueError):
        item = None
    if item is None or decision.safety_house is None:
        raise Http404("no such agenda item")
    return item


def record_outcome(
    decision: ScreeningAccess,
    item_id: UUID | str,
    outcomes: list[str],
    reason: str,
    note: str,
) -> AgendaItem:
    """The procesregisseur records what the screening decided for a case, once (row lock;
    a second attempt raises :class:`AlreadyRecorded`). It goes back to the dossier that
    brought the case in (``outcome``, a bericht to its case team), and an inbreng in the
    RIEC to the ketenregisseurs of the linked municipality (§2.1: the procesregisseur is
    responsible for the link to the ketenregisseur). Logged on both sides, with the basis."""
    if not decision.is_process_director:
        raise Http404("not for this user")
    reason, note = reason.strip(), note.strip()
    if len(reason) > MAX_TEXT or len(note) > MAX_TEXT:
        raise ScreeningRefused("too_long")
    now = timezone.now()
    with transaction.atomic():
        item = _locked_item(decision, item_id)
        if item.has_outcome:
            raise AlreadyRecorded(item, item.outcome_by, item.outcome_at)
        protocol = protocol_of_item(item)
        problem = outcome_problem(protocol, outcomes, reason)
        if problem:
            raise ScreeningRefused(problem)
        if item.meeting.held_on > timezone.localdate(now):
            raise ScreeningRefused("meeting_not_held")
        for_riec = RIEC in outcomes
        municipality = linked(PartnerRole.CHAIN_DIRECTOR, lock=True) if for_riec else None
        if for_riec and municipality is None:
            raise ScreeningRefused("no_chain_director")
        ordered = [o.id for o in protocol.chain.screening.outcomes if o.id in outcomes]
        item.outcomes, item.for_riec = ordered, for_riec
        item.outcome_reason = reason if NO_FURTHER_ACTION in ordered else ""
        item.outcome_note = note
        item.outcome_by, item.outcome_at = decision.user, now
        item.save(
            update_fields=[
                "outcomes",
                "for_riec",
                "outcome_reason",
                "outcome_note",
                "outcome_by",
                "outcome_at",
            ]
        )
        safety_house = item.meeting.organisation
        _vh_line(decision.user, safety_house, Code.UPDATE, "screening_outcome", f"agenda:{item.pk}")
        _to_dossier(
            item,
            decision.user,
            {
                "event": "outcome",
                "item": str(item.pk),
                "meeting_on": item.meeting.held_on.isoformat(),
                "organisation": safety_house.name,
                "outcomes": ordered,
                "reason": item.outcome_reason,
                "note": note,
                "from_organisation": safety_house.name,
            },
            "screening_outcome",
            NotificationKind.SCREENING_OUTCOME,
            safety_house,
            now,
        )
        if municipality is not None:
            reference = f"agenda:{item.pk}"
            _vh_line(decision.user, safety_house, Code.EXECUTE, "screening_to_riec", reference)
            _vh_line(decision.user, municipality, Code.EXECUTE, "screening_to_riec", reference)
            notify(
                _staff(municipality, Role.CHAIN_DIRECTOR),
                NotificationKind.FOR_THE_RIEC,
                reverse("screening:riec_item", args=[item.pk]),
                organisation=safety_house,
            )
    return item


def _to_dossier(
    item: AgendaItem,
    author: User,
    data: dict[str, Any],
    action: str,
    notification: str,
    organisation: Organisation,
    now: datetime,
) -> None:
    """Record news in the dossier that brought the case in, log it there (a transfer, with
    the basis) and tell its case team; nothing when that dossier has been purged."""
    if item.brought_by_dossier_id is None:
        return
    dossier = Dossier.objects.get(pk=item.brought_by_dossier_id)
    entry = dossier_services.record_from_chain(
        author, dossier.pk, EntryKind.SCREENING, data, now=now
    )
    log_transfer(author, dossier, Code.CREATE, action, purpose=PURPOSE, basis=BASIS, entry=entry)
    notify(
        _case_team(dossier.pk),
        notification,
        reverse("dossiers:detail", args=[dossier.pk]) + f"#regel-{entry.sequence}",
        organisation=organisation,
    )


# --- the ketenregisseur: the inbreng in the RIEC -------------------------------------------


def record_riec(decision: ScreeningAccess, item_id: UUID | str, contributed_on: date) -> AgendaItem:
    """The ketenregisseur records the day the case was brought into the RIEC-overleg (§2.2:
    "De ketenregisseur mensenhandel kan een casus inbrengen in het RIEC-overleg"), once.
    The dossier that brought the case in hears of it (``riec``), with a bericht."""
    if not decision.is_chain_director:
        raise Http404("not for this user")
    now = timezone.now()
    with transaction.atomic():
        item = _locked_item(decision, item_id, for_riec=True)
        if item.riec_at is not None:
            raise AlreadyRecorded(item, item.riec_by, item.riec_at)
        if contributed_on > timezone.localdate(now):
            raise ScreeningRefused("date_in_future")
        if contributed_on < item.meeting.held_on:
            raise ScreeningRefused("before_the_screening")
        item.riec_on, item.riec_by, item.riec_at = contributed_on, decision.user, now
        item.save(update_fields=["riec_on", "riec_by", "riec_at"])
        reference = f"agenda:{item.pk}"
        municipality = decision.organisation
        _vh_line(decision.user, municipality, Code.UPDATE, "screening_riec", reference)
        _vh_line(decision.user, item.meeting.organisation, Code.UPDATE, "screening_riec", reference)
        _to_dossier(
            item,
            decision.user,
            {
                "event": "riec",
                "item": str(item.pk),
                "contributed_on": contributed_on.isoformat(),
                "organisation": municipality.name,
                "from_organisation": municipality.name,
            },
            "screening_riec",
            NotificationKind.BROUGHT_INTO_RIEC,
            municipality,
            now,
        )
    return item
