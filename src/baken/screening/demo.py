"""The screening's part of ``baken demo`` (for the lead to call from the chain's demo):
a screeningsoverleg in the Veiligheidshuis today, the zorgcoördinator's case on its agenda,
and the outcome (an MDO and an inbreng in the RIEC) recorded and sent back, with the
ketenregisseur's inbreng. Synthetic only, written through the screening's services as the
pages do."""

from __future__ import annotations

from django.utils import timezone

from baken.accounts.models import User
from baken.dossiers.models import Dossier
from baken.dossiers.selectors import access_to
from baken.screening import services
from baken.screening.access import decide
from baken.screening.models import AgendaItem


def fill_screening(
    coordinator: User,
    zc_dossier: Dossier,
    director: User,
    chain_director: User | None = None,
    *,
    name: str = "Demo Persoon",
) -> AgendaItem:
    """Plan today's screening, put the case of ``zc_dossier`` (in the chain) on it, record
    the outcome and, with ``chain_director``, the inbreng in the RIEC."""
    decision = decide(director)
    if decision is None:
        raise ValueError(f"{director.username} is no procesregisseur of the linked Veiligheidshuis")
    today = timezone.localdate()
    meeting = services.create_meeting(
        decision, today, director.pk, ["politie", "zorgcoordinator", "veilig-thuis"], ""
    )
    access = access_to(coordinator, zc_dossier.pk)
    item = services.place(
        access,
        meeting.pk,
        services.Registration(
            name=name,
            birth_date=zc_dossier.birth_date,
            reason="Alleen signalen van mensenhandel; de persoon wil (nog) geen aangifte doen.",
            goal="Afstemmen of een gezamenlijke aanpak nodig is, en met wie.",
            partners=tuple(services.involved_partners(access)),
        ),
    )
    item = services.record_outcome(
        decision,
        item.pk,
        ["screening-mdo", "screening-riec"],
        "",
        "MDO in het Veiligheidshuis binnen twee weken.",
    )
    if chain_director is not None:
        keten = decide(chain_director)
        if keten is not None:
            item = services.record_riec(keten, item.pk, today)
    return item
