"""Reads of the chain: the partner's inbox, one share for its recipient (logged on the
sender's dossier as a transfer), what a dossier sent, and who holds casusregie."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from baken.audit.models import Code
from baken.chain.access import inbox_of
from baken.chain.cases import picture
from baken.chain.links import links
from baken.chain.models import ChainPartner, PartnerRole, Share, ShareKind, ShareStatus
from baken.chain.services import (
    basis_of,
    deadlines_of,
    log_recipient_side,
    protocol_of_share,
    purpose_of,
)
from baken.dossiers.access import DossierAccess, log_transfer
from baken.dossiers.models import Dossier
from baken.engine.calendar import due_date
from baken.protocol import default_registry
from baken.web.keyset import PAGE_SIZE, Key, Page, page, with_rows


@dataclass(frozen=True)
class Due:
    id: str
    what: str
    due: date
    cite: str
    overdue: bool


@dataclass(frozen=True)
class InboxItem:
    share: Share
    deadlines: list[Due]

    @property
    def next_due(self) -> date | None:
        return min((d.due for d in self.deadlines), default=None)

    @property
    def overdue(self) -> bool:
        return any(d.overdue for d in self.deadlines)


def dues(share: Share, today: date | None = None) -> list[Due]:
    today = today or timezone.localdate()
    return [Due(i, what, due, cite, due < today) for i, what, due, cite in deadlines_of(share)]


VT_INBOX_KEYS = (
    Key("report_rank", "int"),
    Key("sent_at", "datetime"),
    Key("id", "uuid"),
)
"""Veilig Thuis' inbox order: the meldingen first (they have deadlines), then the rest; each
oldest first. A melding's deadlines are counted from the day it was sent, so the oldest is
the first overdue and has the nearest due date: this is "overdue first, then by the nearest
due date, then the oldest", read from the index ``chain_share_inbox_vt``."""

INBOX_KEYS = (
    Key("sent_at", "datetime"),
    Key("id", "uuid"),
)
"""Every other inbox's order (nothing there has deadlines): oldest first, read from the index
``chain_share_inbox``."""


def _deadlines(share: Share, protocol_id: str | None, link: ChainPartner) -> list[Due]:
    """The deadlines of a share in ``link``'s inbox, without a query: only Veilig Thuis'
    meldingen have them (Uitvoeringsbesluit Wmo 2015, art. 4.1.7), under the protocol of
    the dossier it came from (the snapshot's, once that dossier is purged)."""
    if not share.is_report or link.partner != PartnerRole.VEILIG_THUIS:
        return []
    protocol = default_registry().get(protocol_id) if protocol_id else protocol_of_share(share)
    made = timezone.localdate(share.sent_at)
    today = timezone.localdate()
    return [
        Due(d.id, d.what, due, d.cite, due < today)
        for d in protocol.chain.deadlines
        for due in [due_date(d, made, protocol)]
    ]


def inbox_for(user: Any) -> list[InboxItem]:
    """The first page of the user's inbox (:func:`inbox_page`)."""
    return inbox_page(user).rows


def inbox_page(
    user: Any,
    link: ChainPartner | None = None,
    *,
    after: str | None = None,
    before: str | None = None,
    size: int = PAGE_SIZE,
) -> Page[InboxItem]:
    """One page of the open requests, meldingen and aanmeldingen sent to the user's
    organisation (``link``, the inbox the user works: :func:`inbox_of`), in the order of
    :data:`VT_INBOX_KEYS` (Veilig Thuis) or :data:`INBOX_KEYS`, paged by keyset
    (``after``/``before``). Its rows are :class:`InboxItem`. One query, whatever the number
    waiting; lists no case content. The snapshots are not joined (that would read every
    waiting one's content to sort them): one is read, and decrypted, only for a melding
    whose dossier was purged, for its protocol."""
    link = link if link is not None else inbox_of(user)
    if link is None:
        return Page([])
    keys = VT_INBOX_KEYS if link.partner == PartnerRole.VEILIG_THUIS else INBOX_KEYS
    shares = (
        Share.objects.filter(recipient_id=link.organisation_id, status=ShareStatus.PENDING)
        .select_related("sender_organisation")
        .annotate(sender_protocol=F("sender_dossier__protocol_id"))
    )
    found = page(shares, keys, after=after, before=before, size=size)
    items = [
        InboxItem(share, _deadlines(share, getattr(share, "sender_protocol", None), link))
        for share in found.rows
    ]
    return with_rows(found, items)


def share_for_recipient(
    user: Any, share_id: UUID | str, *, log: bool = True, link: ChainPartner | None = None
) -> Share:
    """One share for a user of the organisation it was sent to (404 for anyone else).
    ``link`` is the inbox the user works, when the request has it already
    (:func:`inbox_of`); it is looked up otherwise.

    Opening it is a transfer read on the sender's side: the sender's "Wie keek er" shows
    when and by which organisation and role."""
    try:
        share = Share.objects.select_related(
            "recipient",
            "sender_organisation",
            "sender_dossier",
            "snapshot",
            "handled_by",
            "forwarded_to__recipient",
        ).get(pk=share_id)
    except (Share.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404("no such share") from exc
    works = link if link is not None else inbox_of(user)
    if works is None or works.organisation_id != share.recipient_id:
        raise Http404("no such share")
    if log:
        log_recipient_side(user, share, "share_opened")
    if log and share.sender_dossier is not None:
        log_transfer(
            user,
            share.sender_dossier,
            Code.READ,
            "share_opened",
            purpose=purpose_of(share),
            basis=basis_of(share) if share.opens_dossier else "",
        )
    return share


def dues_in(share: Share, link: ChainPartner) -> list[Due]:
    """:func:`dues` for a share in the inbox ``link`` (the recipient's), without a query."""
    sender = share.sender_dossier if share.sender_dossier_id is not None else None
    return _deadlines(share, sender.protocol_id if sender is not None else None, link)


def shares_of(access: DossierAccess) -> list[Share]:
    """What was sent from this dossier, newest first (a forward is shown at the share it
    continues: :attr:`Share.final`), from the dossier's chain picture."""
    sent = picture(access.dossier).sent
    forwards = {share.forwarded_to_id for share in sent if share.forwarded_to_id is not None}
    return [share for share in sent if share.pk not in forwards]


def sent_share(access: DossierAccess, share_id: UUID | str) -> Share:
    """One share sent from the dossier of ``access`` (404 for any other), with its snapshot:
    the sender's record of exactly what went."""
    try:
        return Share.objects.select_related("recipient", "snapshot", "forwarded_to__recipient").get(
            pk=share_id, sender_dossier=access.dossier, forwarded_from__isnull=True
        )
    except (Share.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404("no such share") from exc


def received_share(access: DossierAccess) -> Share | None:
    """The melding or aanmelding this dossier was opened from (on the recipient's side)."""
    return (
        Share.objects.select_related("sender_organisation", "snapshot")
        .filter(receiving_dossier=access.dossier)
        .first()
    )


@dataclass(frozen=True)
class Casusregie:
    organisation: str
    since: datetime
    partner: str


def casusregie_of(dossier: Dossier) -> Casusregie | None:
    """Who holds casusregie when it is not the dossier's own organisation alone: once the
    dossier is in the chain (a melding or aanmelding accepted), the organisation the person's
    chain case names (the one that accepted last, or took it over by a hand-over), on every
    dossier of the case; for a dossier outside any case, the organisation that accepted a
    melding from it. From the dossier's chain picture and the partner links."""
    seen = picture(dossier)
    case = seen.case
    if case is not None:
        return Casusregie(
            case.direction.name, case.direction_since, links().partner_of(case.direction_id)
        )
    accepted = [
        share for share in seen.sent_of(ShareKind.REPORT) if share.status == ShareStatus.ACCEPTED
    ]
    share = max(accepted, key=lambda s: s.status_at) if accepted else None
    if share is None and seen.received and seen.received.status == ShareStatus.ACCEPTED:
        share = seen.received
    if share is None:
        return None
    return Casusregie(share.recipient.name, share.status_at, links().partner_of(share.recipient_id))


def report_of(dossier: Dossier) -> Share | None:
    """The newest melding sent from this dossier that was not declined or withdrawn."""
    return (
        Share.objects.filter(sender_dossier=dossier, kind=ShareKind.REPORT)
        .exclude(status__in=[ShareStatus.DECLINED, ShareStatus.WITHDRAWN])
        .order_by("-sent_at")
        .first()
    )


def linked_partners() -> dict[str, Any]:
    """Protocol partner id -> linked organisation, for "Send through Baken" links."""
    return {partner: link.organisation for partner, link in links().by_partner.items()}
