"""A person in the chain, built through the real services (synthetic data): a wijkteam
sends a melding to Veilig Thuis, which accepts it (two organisations in one case), or also
registers the person with the zorgcoördinatie, which accepts (three organisations). The
chain's fixtures (``partners``, ``reported``, ...) come from tests/chain/conftest.py.

``agreed`` and ``registered`` go on: the wijkteam agrees that Veilig Thuis registers with
CoMensha, and Veilig Thuis records the registration."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from baken.accounts.models import Role, User
from baken.chain import services as chain
from baken.chain.cases import case_of
from baken.chain.models import ChainCase, Share
from baken.comensha import services
from baken.comensha.models import Agreement, Registration
from baken.dossiers import services as dossier_services
from baken.dossiers.models import Dossier
from baken.dossiers.selectors import access_to
from tests.chain.conftest import (  # noqa: F401 (fixtures)
    REGISTRATION,
    Partners,
    partners,
    reported,
    unlinked,
    walked,
)
from tests.web.stages import OBSERVATION, add

NOTE = "Afgesproken in het ketenoverleg van dinsdag"


def days_ago(days: int) -> date:
    """The local day ``days`` before today."""
    return timezone.localdate() - timedelta(days=days)


DETAILS = services.RegistrationDetails(
    category="comensha-seksueel",
    country_of_origin="Nederland",
    age=16,
    sex="female",
    reporter_organisation="Veilig Thuis Proef-Midden",
    contact_name="Proef Adviseur",
    contact_phone="030 000 0002",
    contact_email="adviseur@proef.invalid",
    kind="comensha-registratie-opvang",
    registered_on=days_ago(1),
    consent_signed_by="person",
    consent_signed_on=days_ago(2),
    consent_kept_at="Papieren dossier, kast 3",
)
"""A complete registration of a person of 16 who signed the consent themselves (synthetic)."""


def details(**changes: Any) -> services.RegistrationDetails:
    """:data:`DETAILS` with ``changes``."""
    return replace(DETAILS, **changes)


@dataclass(frozen=True)
class Chain:
    """One person in the chain, with each organisation's own dossier."""

    partners: Partners
    sender: Dossier
    """The wijkteam's dossier the melding came from."""
    vt: Dossier
    """Veilig Thuis' dossier, opened when it accepted the melding."""
    zc: Dossier | None = None
    """The zorgcoördinator's dossier, when Veilig Thuis registered the person there."""

    @property
    def case(self) -> ChainCase:
        found = case_of(Dossier.objects.get(pk=self.vt.pk))
        assert found is not None
        return found

    @property
    def dossiers(self) -> list[Dossier]:
        return [d for d in (self.sender, self.vt, self.zc) if d is not None]


@pytest.fixture
def pair(
    partners: Partners,  # noqa: F811
    reported: Share,  # noqa: F811
) -> Chain:
    """Veilig Thuis accepted the wijkteam's melding: two organisations in one case."""
    vt = chain.accept_report(partners.adviser, reported.pk)
    return Chain(partners, Dossier.objects.get(pk=reported.sender_dossier_id), vt)


@pytest.fixture
def trio(
    partners: Partners,  # noqa: F811
    reported: Share,  # noqa: F811
) -> Chain:
    """Veilig Thuis accepted the melding and registered the person with the zorgcoördinatie,
    which accepted: wijkteam, Veilig Thuis and the zorgcoördinatie in one case."""
    vt = chain.accept_report(partners.adviser, reported.pk)
    add(partners.adviser, vt, "observation", OBSERVATION)
    registration = chain.send_registration(access_to(partners.adviser, vt.pk), REGISTRATION, [2])
    zc = chain.accept(partners.coordinator, registration.pk)
    return Chain(partners, Dossier.objects.get(pk=reported.sender_dossier_id), vt, zc)


def agree(chain_: Chain, user: User, note: str = NOTE) -> Agreement:
    """``user`` (on the wijkteam's dossier) agrees that Veilig Thuis registers."""
    return services.agree(access_to(user, chain_.sender.pk), chain_.partners.vt.pk, note)


@pytest.fixture
def agreed(pair: Chain, professional: User) -> Chain:
    """The wijkteam's professional agreed that Veilig Thuis registers with CoMensha."""
    agree(pair, professional)
    return pair


@pytest.fixture
def registered(agreed: Chain) -> Registration:
    """Veilig Thuis' adviser recorded the registration (:data:`DETAILS`)."""
    adviser = agreed.partners.adviser
    return services.record_registration(access_to(adviser, agreed.vt.pk), DETAILS)


@pytest.fixture
def team_volunteer(
    make_user: Callable[..., User],
    reported: Share,  # noqa: F811
    professional: User,
) -> User:
    """A volunteer of the wijkteam in the case team of the dossier the melding came from."""
    sender = Dossier.objects.get(pk=reported.sender_dossier_id)
    user = make_user("proef-vrijwilliger", Role.VOLUNTEER, sender.organisation)
    dossier_services.add_colleague(
        access_to(professional, sender.pk), user.pk, seen_sequence=sender.last_sequence
    )
    return user


@pytest.fixture
def agreed_at_14(agreed: Chain) -> Chain:
    """As ``agreed``, about a person Veilig Thuis' dossier records as 14 today (the consent
    rule reads the dossier's age on the day of signing)."""
    Dossier.objects.filter(pk=agreed.vt.pk).update(birth_date=None, age_at_opening=14)
    agreed.vt.refresh_from_db()
    return agreed
