"""Who works a chain partner's inbox: the one rule the chain's pages, services and menu
read. It stands beside the dossier access decision (``baken.dossiers.access``), which it
never widens: working an inbox gives the snapshots sent to it, never a sender's dossier."""

from __future__ import annotations

from typing import Any

from baken.accounts.models import Role, User
from baken.chain.links import links
from baken.chain.models import ChainPartner, PartnerRole, Share

RECIPIENT_ROLE = {
    PartnerRole.VEILIG_THUIS: Role.VEILIG_THUIS_ADVISER,
    PartnerRole.CARE_COORDINATOR: Role.CARE_COORDINATOR,
    PartnerRole.SCREENING: Role.PROCESS_DIRECTOR,
    PartnerRole.CHAIN_DIRECTOR: Role.CHAIN_DIRECTOR,
}
"""Who works a partner's inbox: the Veilig Thuis advisers, or the zorgcoördinatoren."""


def inbox_of(user: Any) -> ChainPartner | None:
    """The chain partner whose inbox ``user`` works: an active user of a linked
    organisation, in that partner's role. ``None`` for everyone else."""
    if not isinstance(user, User) or not user.is_active or user.organisation_id is None:
        return None
    link = links().by_organisation.get(user.organisation_id)
    if link is None or user.role != RECIPIENT_ROLE[PartnerRole(link.partner)]:
        return None
    return link


def is_recipient(user: Any, share: Share) -> bool:
    """Whether ``user`` works the inbox ``share`` was sent to."""
    link = inbox_of(user)
    return link is not None and link.organisation_id == share.recipient_id
