"""A synthetic screeningsoverleg for the screening tests: the chain of tests/chain (a
wijkteam, Veilig Thuis, the zorgcoördinatie), a Veiligheidshuis linked as the screening with
two procesregisseurs, a municipality linked as the ketenregisseur, a Veiligheidshuis that is
not linked, and a melding that Veilig Thuis forwarded to the zorgcoördinatie, who accepted
it: the zorgcoördinator's dossier is in the chain. Everything goes through the real
services, on the test database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from baken.accounts.models import Organisation, OrganisationKind, Role, User
from baken.chain import services as chain
from baken.chain.models import PartnerRole, Share
from baken.dossiers.models import Dossier
from baken.dossiers.selectors import access_to
from baken.screening import services
from baken.screening.access import ScreeningAccess, decide
from baken.screening.models import AgendaItem, Meeting
from tests.chain.conftest import (  # noqa: F401 (fixtures used by the screening tests)
    Partners,
    partners,
    reported,
    unlinked,
    walked,
)

VH_NAME = "Veiligheidshuis Proef-Midden"
MUNICIPALITY_NAME = "Gemeente Proefstad"

REGISTRATION = services.Registration(
    name="Persoon Proefnaam",
    birth_date=date(2008, 3, 14),
    reason="Signalen van arbeidsuitbuiting; geen aangifte",
    goal="Afstemmen of een MDO nodig is",
    partners=(
        "Zorgcoördinatie Proef-Oost: Z. Coördinator, 030 000 0002",
        "Wijkteam Proef-Noord: P. Professional, 030 000 0000",
    ),
)
"""A complete registration for the screening (synthetic)."""


@dataclass(frozen=True)
class Screening:
    """The screening of one installation, with its people and the zorgcoördinator's dossier."""

    chain: Partners
    safety_house: Organisation
    municipality: Organisation
    unlinked_safety_house: Organisation
    director: User
    second_director: User
    chain_director: User
    unlinked_director: User
    zc_dossier: Dossier
    meeting: Meeting

    def decision(self, user: User) -> ScreeningAccess:
        found = decide(user)
        assert found is not None
        return found


@pytest.fixture
def screening(
    partners: Partners,  # noqa: F811
    reported: Share,  # noqa: F811
    administrator: User,
    make_user: Callable[..., User],
) -> Screening:
    """The Veiligheidshuis and the municipality linked, a meeting today, and the
    zorgcoördinator's dossier in the chain (melding forwarded by Veilig Thuis, accepted)."""
    safety_house = Organisation.objects.create(name=VH_NAME, kind=OrganisationKind.SAFETY_HOUSE)
    municipality = Organisation.objects.create(
        name=MUNICIPALITY_NAME, kind=OrganisationKind.MUNICIPALITY
    )
    unlinked_safety_house = Organisation.objects.create(
        name="Veiligheidshuis Proef-Elders", kind=OrganisationKind.SAFETY_HOUSE
    )
    chain.link_partner(administrator, safety_house.pk, PartnerRole.SCREENING)
    chain.link_partner(administrator, municipality.pk, PartnerRole.CHAIN_DIRECTOR)
    director = make_user("proef-procesregisseur", Role.PROCESS_DIRECTOR, safety_house)
    onward = chain.forward(partners.adviser, reported.pk, partners.care.pk, "Evident")
    zc_dossier = chain.accept_report(partners.coordinator, onward.pk)
    decision = decide(director)
    assert decision is not None
    meeting = services.create_meeting(
        decision, timezone.localdate(), director.pk, ["politie", "zorgcoordinator"], ""
    )
    return Screening(
        chain=partners,
        safety_house=safety_house,
        municipality=municipality,
        unlinked_safety_house=unlinked_safety_house,
        director=director,
        second_director=make_user("proef-procesregisseur-2", Role.PROCESS_DIRECTOR, safety_house),
        chain_director=make_user("proef-ketenregisseur", Role.CHAIN_DIRECTOR, municipality),
        unlinked_director=make_user(
            "proef-procesregisseur-elders", Role.PROCESS_DIRECTOR, unlinked_safety_house
        ),
        zc_dossier=zc_dossier,
        meeting=meeting,
    )


def place(screening: Screening, **changes: object) -> AgendaItem:
    """Put the zorgcoördinator's case on the meeting's agenda with :data:`REGISTRATION`."""
    from dataclasses import replace

    access = access_to(screening.chain.coordinator, screening.zc_dossier.pk)
    return services.place(access, screening.meeting.pk, replace(REGISTRATION, **changes))


@pytest.fixture
def placed(screening: Screening) -> AgendaItem:
    """The zorgcoördinator's case on the agenda of today's meeting."""
    return place(screening)


@pytest.fixture
def riec_outcome(screening: Screening, placed: AgendaItem) -> AgendaItem:
    """The screening decided on an MDO and an inbreng in the RIEC."""
    return services.record_outcome(
        screening.decision(screening.director),
        placed.pk,
        ["screening-mdo", "screening-riec"],
        "",
        "MDO binnen twee weken",
    )


def tomorrow() -> date:
    return timezone.localdate() + timedelta(days=1)
