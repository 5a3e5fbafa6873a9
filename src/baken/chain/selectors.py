"""Reads of the chain: the partner's inbox, one share for its recipient (logged on the
sender's dossier as a transfer), what a dossier sent, and who holds casusregie."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from baken.audit.models import Code
from baken.chain.access import inbox_of, is_recipient
from baken.chain.cases import case_of
from baken.chain.models import ChainPartner, Share, ShareKind, ShareStatus
from baken.chain.services import basis_of, deadlines_of, log_recipient_side, purpose_of
from baken.dossiers.access import DossierAccess, log_transfer
from baken.dossiers.models import Dossier


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


def inbox_for(user: Any) -> list[InboxItem]:
    """Every open request and melding sent to the user's organisation, overdue ones first,
    then by the nearest due date, then the oldest first. Lists no case content."""
    if inbox_of(user) is None:
        return []
    shares = Share.objects.filter(
        recipient_id=user.organisation_id, status=ShareStatus.PENDING
    ).select_related("sender_organisation", "snapshot")
    items = [InboxItem(share, dues(share)) for share in shares]
    far = date.max
    return sorted(
        items,
        key=lambda i: (not i.overdue, i.next_due or far, i.share.sent_at),
    )


def share_for_recipient(user: Any, share_id: UUID | str, *, log: bool = True) -> Share:
    """One share for a user of the organisation it was sent to (404 for anyone else).

    Opening it is a transfer read on the sender's side: the sender's "Wie keek er" shows
    when and by which organisation and role."""
    try:
        share = Share.objects.select_related(
            "recipient", "sender_organisation", "snapshot", "handled_by", "forwarded_to__recipient"
        ).get(pk=share_id)
    except (Share.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404("no such share") from exc
    if not is_recipient(user, share):
        raise Http404("no such share")
    if log:
        log_recipient_side(user, share, "share_opened")
    if log and share.sender_dossier_id is not None:
        log_transfer(
            user,
            Dossier.objects.get(pk=share.sender_dossier_id),
            Code.READ,
            "share_opened",
            purpose=purpose_of(share),
            basis=basis_of(share) if share.opens_dossier else "",
        )
    return share


def shares_of(access: DossierAccess) -> list[Share]:
    """What was sent from this dossier, newest first (forwards followed to their end)."""
    return list(
        Share.objects.filter(sender_dossier=access.dossier, forwarded_from__isnull=True)
        .select_related("recipient", "forwarded_to__recipient")
        .order_by("-sent_at")
    )


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
    melding from it."""
    case = case_of(dossier)
    if case is not None:
        partner = ChainPartner.objects.filter(organisation_id=case.direction_id).first()
        return Casusregie(
            case.direction.name, case.direction_since, partner.partner if partner else ""
        )
    share = (
        Share.objects.select_related("recipient__chain_partner")
        .filter(kind=ShareKind.REPORT, status=ShareStatus.ACCEPTED)
        .filter(sender_dossier=dossier)
        .order_by("-status_at")
        .first()
    ) or (
        Share.objects.select_related("recipient__chain_partner")
        .filter(receiving_dossier=dossier, status=ShareStatus.ACCEPTED)
        .first()
    )
    if share is None:
        return None
    partner = getattr(share.recipient, "chain_partner", None)
    return Casusregie(share.recipient.name, share.status_at, partner.partner if partner else "")


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
    return {
        link.partner: link.organisation
        for link in ChainPartner.objects.select_related("organisation")
    }
