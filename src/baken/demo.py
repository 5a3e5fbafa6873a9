"""What ``baken demo`` adds to the dossiers' demo: the chain (:mod:`baken.chain.demo`), the
screeningsoverleg (:mod:`baken.screening.demo`), the CoMensha agreement and registration,
and closed cases for the lessons (:mod:`baken.lessons.demo`). It sits above those apps so
that none of them imports another's demo. Synthetic only, written through the services as
the pages do."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from baken.accounts.models import User
from baken.chain.demo import fill_chain
from baken.comensha import services as comensha
from baken.dossiers.models import Dossier
from baken.dossiers.selectors import access_to
from baken.lessons.demo import fill_lessons
from baken.screening.demo import fill_screening


def fill_everything(users: dict[str, User], dossiers: list[Dossier]) -> list[Dossier]:
    """The chain's cases; "Casus Reiger" on today's screeningsoverleg, with its outcome
    back at the zorgcoördinator and the ketenregisseur's inbreng in the RIEC; the wijkteam
    and the zorgcoördinatie agree that the zorgcoördinatie registers her with CoMensha, and
    it does; fourteen closed cases for the lessons."""
    made = fill_chain(users, dossiers)
    coordinator = users["demo-zorgcoordinator"]
    zc = next(
        d
        for d in made
        if d.label == "Casus Reiger" and d.organisation_id == coordinator.organisation_id
    )
    fill_screening(
        coordinator,
        zc,
        users["demo-procesregisseur"],
        users["demo-ketenregisseur"],
        name="Demo Reiger",
    )
    if coordinator.organisation_id is None:
        raise ValueError("the demo's zorgcoördinator has no organisation")
    comensha.agree(
        access_to(
            users["demo-professional"],
            next(d for d in made if d.label == "Casus Reiger" and d.pk != zc.pk).pk,
        ),
        coordinator.organisation_id,
        "De zorgcoördinatie meldt; het wijkteam niet.",
    )
    today = timezone.localdate()
    comensha.record_registration(
        access_to(coordinator, zc.pk),
        comensha.RegistrationDetails(
            category="comensha-arbeid",
            country_of_origin="Demoland",
            age=19,
            sex="female",
            reporter_organisation=coordinator.organisation.name if coordinator.organisation else "",
            contact_name=str(coordinator),
            contact_phone="010 000 0001",
            contact_email="",
            kind="comensha-registratie-opvang",
            registered_on=today,
            consent_signed_by="person",
            consent_signed_on=today - timedelta(days=1),
            consent_kept_at="Getekend formulier in het dossier van de zorgcoördinatie.",
        ),
    )
    return [*made, *fill_lessons(users, dossiers)]
