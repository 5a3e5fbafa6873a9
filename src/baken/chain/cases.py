"""The person in the chain (:class:`~baken.chain.models.ChainCase`): which organisations'
dossiers are about them, and who holds casusregie.

A case opens when a melding or an aanmelding is accepted: the sender's dossier and the
recipient's new dossier join it. A later accepted share from any dossier of the case (Veilig
Thuis passing the case on to the zorgcoördinatie) adds the next recipient to the same case.
Only the chain's services (and CoMensha's, above them) write here, inside their own
transaction; :func:`to_every_member` is how something reaches every organisation of a case.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q

from baken.accounts.models import Organisation, User
from baken.audit.models import Code
from baken.chain.models import ChainCase, ChainMember, Share
from baken.dossiers.access import DossierAccess, log_dossier, log_transfer
from baken.dossiers.models import CaseTeamMember, Dossier, Entry
from baken.dossiers.selectors import once, protocol_of
from baken.dossiers.services import record_from_chain
from baken.notifications.services import notify


def case_of(dossier: Dossier | None) -> ChainCase | None:
    """The chain case ``dossier`` belongs to, if any."""
    if dossier is None:
        return None
    member = (
        ChainMember.objects.select_related("case", "case__direction")
        .filter(dossier_id=dossier.pk)
        .first()
    )
    return member.case if member else None


@dataclass(frozen=True)
class Picture:
    """What the chain knows of one dossier, as a page shows it: the shares sent from it
    (forwards included, newest first), the one it was opened from, and the dossiers of its
    person's chain case. Two queries, whatever the chain holds elsewhere."""

    sent: tuple[Share, ...]
    received: Share | None
    members: tuple[ChainMember, ...]
    """The case's dossiers with their organisations, first joined first; empty outside one."""

    @property
    def case(self) -> ChainCase | None:
        return self.members[0].case if self.members else None

    def keeps_a_dossier(self, organisation_id: int | None) -> bool:
        """:func:`keeps_a_dossier`, from what was read."""
        return organisation_id is not None and any(
            m.organisation_id == organisation_id and m.dossier.closed_at is None
            for m in self.members
        )

    def sent_of(self, kind: str) -> list[Share]:
        return [share for share in self.sent if share.kind == kind]


def read_picture(dossier: Dossier) -> Picture:
    """The dossier's :class:`Picture`, read now."""
    shares = list(
        Share.objects.filter(Q(sender_dossier_id=dossier.pk) | Q(receiving_dossier_id=dossier.pk))
        .select_related("recipient", "sender_organisation", "receiving_dossier", "sender_dossier")
        .select_related("forwarded_to__recipient")
        .order_by("-sent_at", "pk")
    )
    members = ChainMember.objects.filter(case__members__dossier_id=dossier.pk).select_related(
        "case", "case__direction", "organisation", "dossier"
    )
    return Picture(
        tuple(s for s in shares if s.sender_dossier_id == dossier.pk),
        next((s for s in shares if s.receiving_dossier_id == dossier.pk), None),
        tuple(members),
    )


def picture(dossier: Dossier) -> Picture:
    """The dossier's :class:`Picture`, read once per request for the dossier (and again
    after a newer entry, which every change in the chain records in it). A service that
    decides under a lock reads it on the dossier row it locked, which is read fresh."""
    return once(dossier, "chain_picture", lambda: read_picture(dossier))


def join_on_accept(share: Share, receiving: Dossier, now: datetime) -> ChainCase:
    """Put the sender's dossier (when it still exists) and the recipient's new dossier in
    one case, opening it when the sender's dossier is in none; casusregie moves to the
    recipient, who accepted the melding or aanmelding (§2.1)."""
    sender = (
        Dossier.objects.filter(pk=share.sender_dossier_id).first()
        if share.sender_dossier_id is not None
        else None
    )
    case = case_of(sender)
    if case is None:
        case = ChainCase.objects.create(
            opened_at=now, direction=share.recipient, direction_since=now
        )
        if sender is not None:
            ChainMember.objects.create(
                case=case, dossier=sender, organisation_id=sender.organisation_id, joined_at=now
            )
    else:
        case = ChainCase.objects.select_for_update().get(pk=case.pk)
        case.direction, case.direction_since = share.recipient, now
        case.save(update_fields=["direction", "direction_since"])
    # The recipient's closed dossier about this person (new concerns came after it was
    # closed) leaves the case for the new one; its own record stays as it is.
    case.members.filter(
        organisation_id=receiving.organisation_id, dossier__closed_at__isnull=False
    ).delete()
    ChainMember.objects.create(
        case=case,
        dossier=receiving,
        organisation_id=receiving.organisation_id,
        joined_at=now,
        via=share,
    )
    return case


def keeps_a_dossier(dossier: Dossier | None, organisation_id: int | None) -> bool:
    """Whether ``organisation_id`` already keeps an open dossier about the person of
    ``dossier``'s chain case: a person has one dossier per organisation in the chain. A
    closed one does not count: new concerns after it was closed open a new dossier, which
    takes its place in the case (:func:`join_on_accept`)."""
    case = case_of(dossier)
    if case is None or organisation_id is None:
        return False
    return case.members.filter(
        organisation_id=organisation_id, dossier__closed_at__isnull=True
    ).exists()


def members_of(case: ChainCase) -> list[ChainMember]:
    """The dossiers of the case, with their organisations, first joined first."""
    return list(case.members.select_related("organisation", "dossier"))


def organisations_of(case: ChainCase) -> list[Organisation]:
    """The organisations involved in this person's chain (one dossier each)."""
    return [member.organisation for member in members_of(case)]


def own_dossier(case: ChainCase, organisation_id: int | None) -> Dossier | None:
    """The dossier the organisation keeps in this case, if it has one."""
    if organisation_id is None:
        return None
    member = case.members.select_related("dossier").filter(organisation_id=organisation_id).first()
    return member.dossier if member else None


def case_team(dossier: Dossier) -> list[User]:
    """The dossier's case team as it is now: active users of the organisation holding it."""
    return [
        member.user
        for member in CaseTeamMember.objects.filter(dossier=dossier).select_related("user")
        if member.user.is_active and member.user.organisation_id == dossier.organisation_id
    ]


def convenant(dossier: Dossier) -> str:
    """The legal basis of what goes to the chain's members: the regional convenant (§2.1
    Convenant), as the id the dossier's protocol gives it."""
    return protocol_of(dossier).chain.screening.legal_basis.id


def to_every_member(
    access: DossierAccess,
    members: list[ChainMember],
    kind: str,
    data: dict[str, Any],
    action: str,
    notification: str,
    now: datetime,
    *,
    link: Callable[[Dossier, Entry], str],
    tell_own_team: bool = False,
) -> Entry:
    """Write one entry into every member dossier of a case, inside the caller's transaction,
    and log it there under the convenant: the own dossier (``access``) as the user's access,
    each other one as a transfer. Each other dossier's case team gets a bericht linking to
    ``link(dossier, entry)``; with ``tell_own_team``, the own case team too (the user who
    acted excepted). Returns the own dossier's entry."""
    own = access.dossier
    basis = convenant(own)
    sender = Organisation.objects.get(pk=own.organisation_id)
    own_entry: Entry | None = None
    for member in members:
        entry = record_from_chain(access.user, member.dossier_id, kind, data, now=now)
        if member.dossier_id == own.pk:
            own_entry = entry
            log_dossier(
                access,
                Code.CREATE,
                action,
                entry=entry,
                purpose="chain_follow_up",
                detail=f"basis:{basis}",
            )
            if not tell_own_team:
                continue
        else:
            log_transfer(
                access.user,
                member.dossier,
                Code.CREATE,
                action,
                purpose="chain_follow_up",
                basis=basis,
                entry=entry,
            )
        notify(
            [u for u in case_team(member.dossier) if u.pk != access.user.pk],
            notification,
            link(member.dossier, entry),
            organisation=sender,
        )
    if own_entry is None:  # cannot happen: the acting dossier is a member of its case
        raise RuntimeError("the dossier is not in its case")
    return own_entry
