"""Reads of the screeningsoverleg, each scoped by the request's decision
(:class:`~baken.screening.access.ScreeningAccess`) or, for the zorgcoördinator's dossier,
by its :class:`~baken.dossiers.access.DossierAccess`.

Reading an agenda item's registration is logged (code R) on the Veiligheidshuis'
responsibility, with the basis, here, so no page can forget it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from baken.audit.chain import append_many
from baken.dossiers.access import DossierAccess
from baken.protocol.schema import Choice, Paragraph, Partner
from baken.screening.access import ScreeningAccess
from baken.screening.models import AgendaItem, Meeting
from baken.screening.services import item_read_line, protocol_of_item, screening_protocol
from baken.web.keyset import PAGE_SIZE, Key, Page, page


@dataclass(frozen=True)
class Attendee:
    """A protocol partner that attends, by name (never its id)."""

    id: str
    name: str
    unit: str


def attendee_choices() -> list[Attendee]:
    """The protocol's usual attendees of a screening (AVIM police, zorgcoördinator, Veilig
    Thuis, ...), in the protocol's order."""
    protocol = screening_protocol()
    partners: dict[str, Partner] = {p.id: p for p in protocol.partners}
    return [
        Attendee(pid, partners[pid].name, partners[pid].unit)
        for pid in protocol.chain.screening.attendees
        if pid in partners
    ]


def only_on_the_outcome() -> Paragraph | None:
    """The protocol's sentence that the procesregisseur and the ketenregisseur act only on
    the outcome of the screening (§2.2), for their pages' citation."""
    for partner in screening_protocol().partners:
        if partner.id == "procesregisseur":
            for paragraph in partner.description:
                if "uitkomst" in paragraph.text:
                    return paragraph
    return None


def attendee_names(meeting: Meeting) -> list[str]:
    """Who attends a meeting, by name: the protocol partners chosen, then the others typed."""
    names = {a.id: a.name for a in attendee_choices()}
    found = [names[pid] for pid in meeting.attendees if pid in names]
    if meeting.other_attendees:
        found.append(meeting.other_attendees)
    return found


UPCOMING = (Key("held_on", "date"), Key("created_at", "datetime"), Key("id", "uuid"))
"""Upcoming meetings: the nearest first."""
HELD = (
    Key("held_on", "date", descending=True),
    Key("created_at", "datetime", descending=True),
    Key("id", "uuid", descending=True),
)
"""Meetings held: the newest first."""


def _with_item_count(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """Each meeting with its number of agenda items, counted for the meetings shown only
    (a subquery per row, over the items' meeting index)."""
    items = (
        AgendaItem.objects.filter(meeting_id=OuterRef("pk"))
        .order_by()
        .values("meeting_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return meetings.annotate(
        item_count=Coalesce(Subquery(items, output_field=IntegerField()), Value(0))
    )


def meetings_for(
    decision: ScreeningAccess,
    today: date | None = None,
    *,
    after: str | None = None,
    before: str | None = None,
    size: int = PAGE_SIZE,
) -> tuple[list[Meeting], Page[Meeting]]:
    """The Veiligheidshuis' meetings: the upcoming ones (the nearest ``size``), then one
    page of the past ones (newest first, keyset: ``after``/``before``). Two queries."""
    day = today or timezone.localdate()
    mine = _with_item_count(
        Meeting.objects.filter(organisation=decision.safety_house).select_related("chair")
    )
    upcoming: list[Meeting] = list(
        mine.filter(held_on__gte=day).order_by("held_on", "created_at", "id")[:size]
    )
    past = page(mine.filter(held_on__lt=day), HELD, after=after, before=before, size=size)
    return upcoming, past


def meeting_for(decision: ScreeningAccess, meeting_id: UUID | str) -> Meeting:
    """One of the Veiligheidshuis' meetings, for its procesregisseur; else 404."""
    if not decision.is_process_director:
        raise Http404("not for this user")
    try:
        meeting = (
            Meeting.objects.select_related("chair", "organisation")
            .filter(pk=meeting_id, organisation=decision.safety_house)
            .first()
        )
    except (ValidationError, ValueError):
        meeting = None
    if meeting is None:
        raise Http404("no such meeting")
    return meeting


def _read(decision: ScreeningAccess, items: list[AgendaItem], log: bool) -> list[AgendaItem]:
    """Log the read of each item's registration: one line each, all in one INSERT."""
    if log and items:
        append_many(item_read_line(decision, item) for item in items)
    return items


AGENDA = (Key("placed_at", "datetime"), Key("id", "uuid"))
"""A meeting's agenda: in the order the cases were put on it."""


def items_page(
    decision: ScreeningAccess,
    meeting: Meeting,
    *,
    log: bool = True,
    after: str | None = None,
    before: str | None = None,
    size: int = PAGE_SIZE,
) -> Page[AgendaItem]:
    """One page of a meeting's agenda (each item's registration); each read is logged,
    the lines in one INSERT. Two queries, whatever the length of the agenda."""
    found = page(
        AgendaItem.objects.filter(meeting=meeting).select_related(
            "meeting", "brought_by", "outcome_by"
        ),
        AGENDA,
        after=after,
        before=before,
        size=size,
    )
    _read(decision, found.rows, log)
    return found


def items_of(decision: ScreeningAccess, meeting: Meeting, *, log: bool = True) -> list[AgendaItem]:
    """The first page of a meeting's agenda (:func:`items_page`)."""
    return items_page(decision, meeting, log=log).rows


def item_for(decision: ScreeningAccess, item_id: UUID | str, *, log: bool = True) -> AgendaItem:
    """One agenda item of the Veiligheidshuis, for its procesregisseur (logged); else 404."""
    if not decision.is_process_director:
        raise Http404("not for this user")
    return _one(decision, item_id, log)


def _one(decision: ScreeningAccess, item_id: UUID | str, log: bool, **scope: object) -> AgendaItem:
    try:
        item = (
            AgendaItem.objects.select_related(
                "meeting", "meeting__organisation", "meeting__chair", "brought_by", "outcome_by"
            )
            .filter(pk=item_id, meeting__organisation=decision.safety_house, **scope)
            .first()
        )
    except (ValidationError, ValueError):
        item = None
    if item is None or decision.safety_house is None:
        raise Http404("no such agenda item")
    return _read(decision, [item], log)[0]


RIEC = (
    Key("brought_in", "int"),
    Key("outcome_at", "datetime", descending=True),
    Key("id", "uuid", descending=True),
)
"""The RIEC list: those not yet brought into the RIEC first, then those that were; each
the newest outcome first."""


def riec_page(
    decision: ScreeningAccess,
    *,
    log: bool = True,
    after: str | None = None,
    before: str | None = None,
    size: int = PAGE_SIZE,
) -> Page[AgendaItem]:
    """For the ketenregisseur: one page of the agenda items whose outcome includes an
    inbreng in the RIEC, in the order of :data:`RIEC`; each read is logged (one INSERT)."""
    if not decision.is_chain_director:
        raise Http404("not for this user")
    if decision.safety_house is None:
        return Page([])
    rows = (
        AgendaItem.objects.filter(
            meeting__organisation=decision.safety_house, for_riec=True, outcome_at__isnull=False
        )
        .select_related("meeting", "brought_by")
        .annotate(
            brought_in=Case(
                When(riec_at__isnull=True, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
    )
    found = page(rows, RIEC, after=after, before=before, size=size)
    _read(decision, found.rows, log)
    return found


def riec_items(decision: ScreeningAccess, *, log: bool = True) -> list[AgendaItem]:
    """The first page of the RIEC list (:func:`riec_page`)."""
    return riec_page(decision, log=log).rows


def riec_item_for(
    decision: ScreeningAccess, item_id: UUID | str, *, log: bool = True
) -> AgendaItem:
    """One agenda item for the RIEC, for the ketenregisseur (logged); else 404."""
    if not decision.is_chain_director:
        raise Http404("not for this user")
    return _one(decision, item_id, log, for_riec=True)


def outcome_choices(item: AgendaItem) -> list[Choice]:
    """The outcomes of the item's protocol, in order."""
    return list(protocol_of_item(item).chain.screening.outcomes)


def outcome_titles(item: AgendaItem) -> list[str]:
    """The titles of the outcome recorded, in the protocol's order."""
    return [c.title for c in outcome_choices(item) if c.id in item.outcomes]


def items_of_dossier(access: DossierAccess) -> list[AgendaItem]:
    """The agenda items this dossier brought in (for its own screening panel), newest first.
    The dossier's own record: no log line of its own (the page's read is logged)."""
    return list(
        AgendaItem.objects.filter(brought_by_dossier=access.dossier)
        .select_related("meeting", "meeting__organisation")
        .order_by("-placed_at")
    )
