"""A person in the chain with a zorgcoördinator's trajectory dossier, built through the
real services (synthetic data): a wijkteam sends a melding to Veilig Thuis, which forwards
it to the zorgcoördinatie (two organisations), or accepts it and registers the person with
the zorgcoördinatie from its own dossier (three organisations). The chain's fixtures
(``partners``, ``reported``, ...) come from tests/chain/conftest.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from baken.accounts.models import Role, User
from baken.chain import services as chain
from baken.chain import trajectory
from baken.chain.cases import case_of
from baken.chain.models import ChainCase, Share
from baken.chain.trajectory_presenters import register
from baken.dossiers import services as dossier_services
from baken.dossiers.break_glass import open_with_break_glass
from baken.dossiers.models import Dossier, EntryKind
from baken.dossiers.presenters import _REGISTERED_ROWS
from baken.dossiers.selectors import access_to
from tests.chain.conftest import (  # noqa: F401 (fixtures)
    REGISTRATION,
    Partners,
    partners,
    reported,
    unlinked,
    volunteer,
    walked,
)
from tests.web.stages import OBSERVATION, add


@pytest.fixture(autouse=True)
def _trajectory_rows() -> None:
    """The trajectory's rows, registered as ``ChainConfig.ready`` does once it is wired."""
    if EntryKind.INTAKE not in _REGISTERED_ROWS:
        register()


@dataclass(frozen=True)
class Chain:
    """One person in the chain, with each organisation's own dossier."""

    partners: Partners
    sender: Dossier
    """The wijkteam's dossier the melding came from."""
    zc: Dossier
    """The zorgcoördinator's trajectory dossier."""
    vt: Dossier | None = None
    """Veilig Thuis' dossier, when Veilig Thuis accepted the melding."""

    @property
    def case(self) -> ChainCase:
        found = case_of(Dossier.objects.get(pk=self.zc.pk))
        assert found is not None
        return found


@pytest.fixture
def forwarded(
    partners: Partners,  # noqa: F811
    reported: Share,  # noqa: F811
) -> Chain:
    """Veilig Thuis forwarded the melding to the zorgcoördinatie, which accepted it: the
    wijkteam and the zorgcoördinatie in one case, casusregie with the zorgcoördinatie."""
    onward = chain.forward(partners.adviser, reported.pk, partners.care.pk, "Evident")
    zc = chain.accept_report(partners.coordinator, onward.pk)
    sender = Dossier.objects.get(pk=reported.sender_dossier_id)
    return Chain(partners, sender, zc)


@pytest.fixture
def three(
    partners: Partners,  # noqa: F811
    reported: Share,  # noqa: F811
) -> Chain:
    """Veilig Thuis accepted the melding and registered the person with the zorgcoördinatie
    from its own dossier; the zorgcoördinatie accepted: wijkteam, Veilig Thuis and the
    zorgcoördinatie in one case, casusregie with the zorgcoördinatie."""
    vt = chain.accept_report(partners.adviser, reported.pk)
    add(partners.adviser, vt, "observation", OBSERVATION)
    registration = chain.send_registration(access_to(partners.adviser, vt.pk), REGISTRATION, [2])
    zc = chain.accept(partners.coordinator, registration.pk)
    sender = Dossier.objects.get(pk=reported.sender_dossier_id)
    return Chain(partners, sender, zc, vt)


@pytest.fixture
def zc_colleague(
    make_user: Callable[..., User],
    partners: Partners,  # noqa: F811
) -> User:
    """A second zorgcoördinator of the same organisation, not in the case team."""
    return make_user("zc-collega", Role.CARE_COORDINATOR, partners.care)


@pytest.fixture
def zc_volunteer(make_user: Callable[..., User], forwarded: Chain) -> User:
    """A volunteer of the zorgcoördinatie in the trajectory dossier's case team."""
    user = make_user("zc-vrijwilliger", Role.VOLUNTEER, forwarded.partners.care)
    coordinator = forwarded.partners.coordinator
    dossier_services.add_colleague(
        access_to(coordinator, forwarded.zc.pk),
        user.pk,
        seen_sequence=Dossier.objects.get(pk=forwarded.zc.pk).last_sequence,
    )
    return user


def days_ago(days: int) -> date:
    """The local day ``days`` before today."""
    return timezone.localdate() - timedelta(days=days)


INTAKE = trajectory.IntakeDetails(
    held_on=days_ago(1),
    needs="Veilige opvang en hulp bij de verblijfsvergunning",
    informed=["informatie-strafrecht", "informatie-verblijfsrecht"],
    note="Gesprek met tolk",
)
"""A complete intake (synthetic)."""

SHELTER = trajectory.NewProcedure(
    procedure_type="procedure-opvang",
    started_on=days_ago(3),
    organisation="Opvang Proef-Oost",
    status="requested",
    note="Plaats aangevraagd",
)
"""A procedure for a place in the shelter (synthetic)."""


@pytest.fixture
def reader(forwarded: Chain) -> User:
    """A Veilig Thuis adviser reading the trajectory dossier under break-glass: read-only."""
    adviser = forwarded.partners.second_adviser
    open_with_break_glass(adviser, forwarded.zc.pk, "Acute zorg; afstemming met de opvang nodig.")
    return adviser
