"""Synthetic closings for the lessons tests: a municipality linked as the ketenregisseur,
its ketenregisseur, and a helper that opens a dossier and closes it with a case evaluation,
through the real services, on the test database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from baken.accounts.models import Organisation, OrganisationKind, Role, User
from baken.chain import services as chain
from baken.chain.models import PartnerRole
from baken.dossiers import services
from baken.dossiers.models import Dossier
from baken.dossiers.selectors import access_to
from tests.web.stages import seen

MUNICIPALITY_NAME = "Gemeente Proefstad"


def evaluation(
    worked: str | None = "ketensamenwerking-ja",
    gaps: list[str] | None = None,
    lessons: list[str] | None = None,
) -> dict[str, Any]:
    """An evaluation as the close form stores it, with synthetic free texts."""
    data: dict[str, Any] = {
        "evaluatie-1": "Veilig in de opvang, Proefstraat 1",
        "lessons": lessons or [],
        "evaluatie-2": "Eerder overleggen met Persoon Proefnaam",
        "gaps": gaps or [],
        "evaluatie-3": "Goed afgestemd",
        "evaluatie-4": "De zorgcoördinator meldt",
    }
    if worked is not None:
        data["worked"] = worked
    return data


@dataclass(frozen=True)
class Chain:
    municipality: Organisation
    chain_director: User


@pytest.fixture
def linked(administrator: User, make_user: Callable[..., User]) -> Chain:
    """A municipality linked as the chain's ketenregisseur, with its ketenregisseur."""
    municipality = Organisation.objects.create(
        name=MUNICIPALITY_NAME, kind=OrganisationKind.MUNICIPALITY
    )
    chain.link_partner(administrator, municipality.pk, PartnerRole.CHAIN_DIRECTOR)
    return Chain(municipality, make_user("proef-ketenregisseur", Role.CHAIN_DIRECTOR, municipality))


@pytest.fixture
def close_one(open_dossier: Callable[..., Dossier], professional: User) -> Callable[..., Dossier]:
    """Open a dossier (of ``user``, default the wijkteam's professional) and close it with
    ``data`` (default :func:`evaluation`)."""

    def make(
        user: User | None = None,
        data: dict[str, Any] | None = None,
        forms: list[str] | None = None,
    ) -> Dossier:
        who = user or professional
        dossier = open_dossier(who, exploitation_forms=forms or ["sexual"])
        services.close_dossier(
            access_to(who, dossier.pk),
            evaluation() if data is None else data,
            seen_sequence=seen(dossier),
        )
        dossier.refresh_from_db()
        return dossier

    return make
