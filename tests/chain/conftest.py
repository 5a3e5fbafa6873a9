"""Synthetic chain partners for the chain tests: a wijkteam (the ``organisation`` of
tests/fixtures.py) that sends, a Veilig Thuis and a zorgcoördinatie linked as the protocol's
partners, a Veilig Thuis that is not linked, and a school that is no partner at all.

Everything goes through the real services, on the test database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import pytest

from baken.accounts.models import Organisation, OrganisationKind, Role, User
from baken.chain import services as chain
from baken.chain.models import PartnerRole, Share
from baken.dossiers.models import Dossier
from baken.dossiers.selectors import access_to
from tests.web.stages import walk

VT_NAME = "Veilig Thuis Proef-Midden"
CARE_NAME = "Zorgcoördinatie Proef-Oost"
QUESTION = "Wat raad je ons aan bij deze signalen?"

REPORT = chain.ReportDetails(
    reporter_name="Proef Melder",
    reporter_organisation="Wijkteam Proef-Noord",
    reporter_phone="030 000 0000",
    reporter_email="melder@proef.invalid",
    person_name="Persoon Proefnaam",
    person_birth_date=date(2010, 5, 17),
    person_address="Proefstraat 1, Proefdorp",
    parents="Ouders Proefnaam",
    network="Een tante in Proefdorp",
    done_so_far="Gesprek met mentor",
    consent="no",
    legal_basis="meldrecht",
    legal_basis_reason="Zonder toestemming, op grond van het meldrecht",
    family_hidden="Niet voor het gezin",
    non_disclosure=False,
    departure_motivation="",
)
"""A complete melding form (synthetic)."""


def report(**changes: Any) -> chain.ReportDetails:
    """:data:`REPORT` with ``changes``."""
    return replace(REPORT, **changes)


@dataclass(frozen=True)
class Partners:
    """The chain of one installation, with its people."""

    vt: Organisation
    care: Organisation
    unlinked_vt: Organisation
    school: Organisation
    adviser: User
    second_adviser: User
    coordinator: User
    unlinked_adviser: User
    school_professional: User


@pytest.fixture
def unlinked(make_user: Callable[..., User], other_organisation: Organisation) -> Partners:
    """The organisations and users, before the functioneel beheerder links anything."""
    vt = Organisation.objects.create(name=VT_NAME, kind=OrganisationKind.VEILIG_THUIS)
    care = Organisation.objects.create(name=CARE_NAME, kind=OrganisationKind.CARE_COORDINATION)
    unlinked_vt = Organisation.objects.create(
        name="Veilig Thuis Proef-Elders", kind=OrganisationKind.VEILIG_THUIS
    )
    return Partners(
        vt=vt,
        care=care,
        unlinked_vt=unlinked_vt,
        school=other_organisation,
        adviser=make_user("vt-adviseur", Role.VEILIG_THUIS_ADVISER, vt),
        second_adviser=make_user("vt-adviseur-twee", Role.VEILIG_THUIS_ADVISER, vt),
        coordinator=make_user("zc-coordinator", Role.CARE_COORDINATOR, care),
        unlinked_adviser=make_user("vt-elders", Role.VEILIG_THUIS_ADVISER, unlinked_vt),
        school_professional=make_user("school-prof", Role.PROFESSIONAL, other_organisation),
    )


@pytest.fixture
def partners(unlinked: Partners, administrator: User) -> Partners:
    """Veilig Thuis and the zorgcoördinatie linked as the protocol's partners."""
    chain.link_partner(administrator, unlinked.vt.pk, PartnerRole.VEILIG_THUIS)
    chain.link_partner(administrator, unlinked.care.pk, PartnerRole.CARE_COORDINATOR)
    return unlinked


@pytest.fixture
def volunteer(make_user: Callable[..., User], organisation: Organisation) -> User:
    return make_user("proef-vrijwilliger", Role.VOLUNTEER, organisation)


@pytest.fixture
def walked(professional: User, open_dossier: Callable[..., Dossier]) -> Callable[..., Dossier]:
    """A dossier of ``professional`` walked through steps 1 up to ``to_step``."""

    def make(to_step: int, **fields: Any) -> Dossier:
        return walk(professional, open_dossier(**fields), to_step=to_step)

    return make


@pytest.fixture
def reported(professional: User, partners: Partners, walked: Callable[..., Dossier]) -> Share:
    """A melding to Veilig Thuis from a dossier at step 5 (decision: report), carrying the
    observation (#1) and the conversation (#4)."""
    dossier = walked(5)
    return chain.send_report(access_to(professional, dossier.pk), REPORT, [1, 4])


@pytest.fixture
def asked(professional: User, partners: Partners, walked: Callable[..., Dossier]) -> Share:
    """An advice request to Veilig Thuis from a dossier at step 1 only."""
    dossier = walked(1)
    return chain.ask_advice(access_to(professional, dossier.pk), QUESTION, [1])


CONSENT = chain.RegistrationConsent(
    given_by="person",
    given_on=date(2026, 11, 30),
    how="written",
    note="Getekend formulier in het papieren dossier",
)
"""Consent of a person of 16 or older, given by the person (synthetic)."""

REGISTRATION = chain.RegistrationDetails(
    sender_name="Proef Aanmelder",
    sender_organisation="Wijkteam Proef-Noord",
    sender_phone="030 000 0001",
    sender_email="aanmelder@proef.invalid",
    person_name="Persoon Proefnaam",
    person_birth_date=None,
    person_age=None,
    person_contact="Proefstraat 2, Proefdorp",
    person_language="Nederlands",
    needs="Veilige opvang en een uitkering",
    reason="Wordt gedwongen te werken en houdt niets over van het loon",
    consent=CONSENT,
)
"""A complete aanmelding form for a dossier that knows the person's age (synthetic)."""


def registration(**changes: Any) -> chain.RegistrationDetails:
    """:data:`REGISTRATION` with ``changes``; ``consent`` may be a dict of changes to
    :data:`CONSENT`."""
    consent = changes.pop("consent", None)
    if isinstance(consent, dict):
        changes["consent"] = replace(CONSENT, **consent)
    elif consent is not None:
        changes["consent"] = consent
    return replace(REGISTRATION, **changes)


@pytest.fixture
def registered(professional: User, partners: Partners, walked: Callable[..., Dossier]) -> Share:
    """An aanmelding with the zorgcoördinatie from a dossier at step 1 (the person is 16,
    consent given by the person), carrying the observation (#1)."""
    dossier = walked(1)
    return chain.send_registration(access_to(professional, dossier.pk), REGISTRATION, [1])
