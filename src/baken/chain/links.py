"""The organisations linked as the protocol's chain partners (Veilig Thuis, the
zorgcoördinatie, the Veiligheidshuis, the municipality's ketenregisseur), read once per
request (:mod:`baken.memo`).

An installation links at most one organisation per partner (``ChainPartner.partner`` is
unique), so this is a handful of rows that only the functioneel beheerder changes; the menu,
the chain's and the screening's panels and the inbox all ask it. A service that needs a
link held while it sends (``select_for_update``) reads it itself; the link services call
:func:`forget_links` after a change.
"""

from __future__ import annotations

from dataclasses import dataclass

from baken.accounts.models import Organisation
from baken.chain.models import ChainPartner
from baken.memo import forget, remembered

_KEY = "chain.links"


@dataclass(frozen=True)
class Links:
    """Every link, by partner and by organisation."""

    by_partner: dict[str, ChainPartner]
    by_organisation: dict[int, ChainPartner]

    def organisation(self, partner: str) -> Organisation | None:
        """The organisation linked as ``partner``, if any."""
        link = self.by_partner.get(partner)
        return link.organisation if link is not None else None

    def partner_of(self, organisation_id: int | None) -> str:
        """The partner ``organisation_id`` is linked as, or ``""``."""
        link = self.by_organisation.get(organisation_id) if organisation_id else None
        return link.partner if link is not None else ""


def _read() -> Links:
    rows = list(ChainPartner.objects.select_related("organisation"))
    return Links(
        {link.partner: link for link in rows}, {link.organisation_id: link for link in rows}
    )


def links() -> Links:
    """The chain partners' links: one query per request."""
    return remembered(_KEY, _read)


def held(partner: str) -> Organisation | None:
    """The organisation linked as ``partner``, read now and its link held until the
    transaction ends (``SELECT … FOR UPDATE``): for a service that sends to the partner, so
    the link cannot end while it does (``unlink_partner`` takes the same lock)."""
    link = (
        ChainPartner.objects.select_related("organisation")
        .filter(partner=partner)
        .select_for_update(of=("self",))
        .first()
    )
    return link.organisation if link else None


def forget_links() -> None:
    """After a link is made or ended: the rest of the request reads them again."""
    forget(_KEY)
