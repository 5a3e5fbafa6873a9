"""The person in the chain (:class:`~baken.chain.models.ChainCase`): which organisations'
dossiers are about them, and who holds casusregie.

A case opens when a melding or an aanmelding is accepted: the sender's dossier and the
recipient's new dossier join it. A later accepted share from any dossier of the case (Veilig
Thuis passing the case on to the zorgcoördinatie) adds the next recipient to the same case.
Only the chain's services write here, inside their own transaction.
"""

from __future__ import annotations

from datetime import datetime

from baken.accounts.models import Organisation
from baken.chain.models import ChainCase, ChainMember, Share
from baken.dossiers.models import Dossier


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
    ChainMember.objects.create(
        case=case,
        dossier=receiving,
        organisation_id=receiving.organisation_id,
        joined_at=now,
        via=share,
    )
    return case


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
