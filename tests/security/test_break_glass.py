"""Break-glass (noodtoegang): only a designated expert or Veilig Thuis adviser, only with a
reason, read-only, for a limited time, logged as break-glass and listed for review."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from baken.accounts.models import Organisation, OrganisationKind, Role, User
from baken.audit.models import AccessEvent
from baken.dossiers import services
from baken.dossiers.break_glass import GRANT_HOURS, BreakGlassRefused, open_with_break_glass
from baken.dossiers.models import BreakGlassGrant, Dossier
from baken.dossiers.selectors import access_to
from tests.fixtures import PASSWORD

pytestmark = pytest.mark.django_db

REASON = "Melding bij Veilig Thuis over deze casus; afstemming met het wijkteam nodig."


@pytest.fixture
def adviser(make_user: Callable[..., User]) -> User:
    vt = Organisation.objects.create(name="Veilig Thuis Proef", kind=OrganisationKind.VEILIG_THUIS)
    return make_user("proef-vt", Role.VEILIG_THUIS_ADVISER, vt)


@pytest.fixture
def dossier(open_dossier: Callable[..., Dossier]) -> Dossier:
    return open_dossier(label="Casus Noodtoegang")


def test_the_adviser_cannot_see_the_dossier_before_break_glass(
    adviser: User, dossier: Dossier, login: Callable[..., Client]
) -> None:
    """Outside the case team the dossier answers 404, like one that does not exist."""
    assert login(adviser).get(f"/dossiers/{dossier.pk}/").status_code == 404


def test_break_glass_with_a_reason_after_reauthentication(
    adviser: User, dossier: Dossier, login: Callable[..., Client]
) -> None:
    """The form asks for a password confirmation, keeps the typed reason through it, then
    opens the dossier read-only with a banner; the grant and every read are logged as
    break-glass."""
    client = login(adviser)
    assert client.get("/dossiers/noodtoegang/").status_code == 200
    ask = client.post("/dossiers/noodtoegang/", {"reference": str(dossier.pk), "reason": REASON})
    assert ask.status_code == 302 and ask["Location"].startswith("/account/reauthenticate/")
    assert not BreakGlassGrant.objects.exists()
    resumed = client.post(ask["Location"], {"password": PASSWORD})
    assert resumed.status_code == 302 and resumed["Location"] == f"/dossiers/{dossier.pk}/"
    grant = BreakGlassGrant.objects.get()
    assert grant.reason == REASON and grant.user == adviser
    assert grant.expires_at - grant.granted_at == timedelta(hours=GRANT_HOURS)
    page = client.get(f"/dossiers/{dossier.pk}/")
    assert page.status_code == 200
    assert "Noodtoegang" in page.content.decode()
    lines = AccessEvent.objects.filter(dossier_id=dossier.pk, user_id=adviser.pk)
    assert [(e.code, e.action, e.break_glass, e.purpose) for e in lines] == [
        ("E", "break_glass_opened", True, "break_glass"),
        ("R", "view", True, "break_glass"),
    ]
    assert not any(e.case_team for e in lines)


def test_break_glass_is_read_only(adviser: User, dossier: Dossier) -> None:
    """A break-glass grant lets the adviser read, not record."""
    open_with_break_glass(adviser, dossier.pk, REASON)
    with pytest.raises(Exception, match="no such dossier"):
        services.record(
            access_to(adviser, dossier.pk),
            "observation",
            {"nature": "fact", "observed_on": "2026-11-20", "source": "x", "description": "x"},
            seen_sequence=dossier.last_sequence,
        )


def test_the_grant_expires(adviser: User, dossier: Dossier, login: Callable[..., Client]) -> None:
    """After the grant's hours the dossier answers 404 again."""
    open_with_break_glass(adviser, dossier.pk, REASON, now=timezone.now() - timedelta(hours=9))
    assert login(adviser).get(f"/dossiers/{dossier.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("reference", "reason", "message"),
    [
        ("geen-kenmerk", REASON, "Dit is geen dossierkenmerk"),
        ("11111111-2222-3333-4444-555555555555", REASON, "Er is geen dossier met dit kenmerk"),
        (None, "te kort", "minstens 20 tekens"),
    ],
)
def test_bad_input_is_refused_in_dutch_and_kept(
    adviser: User,
    dossier: Dossier,
    login: Callable[..., Client],
    reference: str | None,
    reason: str,
    message: str,
) -> None:
    """A malformed or unknown reference and a short reason each get a Dutch message; what
    was typed stays in the form; no grant is made."""
    client = login(adviser, reauthenticated=True)
    typed = reference or str(dossier.pk)
    response = client.post("/dossiers/noodtoegang/", {"reference": typed, "reason": reason})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert typed in html and reason in html
    assert not BreakGlassGrant.objects.exists()


def test_only_experts_and_advisers_may_break_glass(
    professional: User, outsider: User, adviser: User, dossier: Dossier
) -> None:
    """A professional gets no break-glass (404 on the page, refusal in the service)."""
    with pytest.raises(BreakGlassRefused) as refused:
        open_with_break_glass(outsider, dossier.pk, REASON)
    assert refused.value.code == "not_allowed"


def test_someone_who_already_sees_the_dossier_needs_no_grant(
    expert: User, dossier: Dossier
) -> None:
    """The organisation's own aandachtsfunctionaris already sees it: no grant is made."""
    with pytest.raises(BreakGlassRefused) as refused:
        open_with_break_glass(expert, dossier.pk, REASON)
    assert refused.value.code == "already_visible"


def test_grants_are_listed_for_review_and_reviewed_once(
    adviser: User, administrator: User, dossier: Dossier, login: Callable[..., Client]
) -> None:
    """The functioneel beheerder sees the grant with its reason (but no dossier label),
    marks it reviewed with a note, and the review is logged."""
    grant = open_with_break_glass(adviser, dossier.pk, REASON)
    client = login(administrator)
    page = client.get("/beheer/noodtoegang/").content.decode()
    assert REASON in page and "Casus Noodtoegang" not in page
    empty = client.post("/beheer/noodtoegang/", {"grant": grant.pk, f"g{grant.pk}-note": ""})
    assert empty.status_code == 400
    done = client.post(
        "/beheer/noodtoegang/", {"grant": grant.pk, f"g{grant.pk}-note": "Gecontroleerd."}
    )
    assert done.status_code == 302
    grant.refresh_from_db()
    assert grant.reviewed_by == administrator and grant.review_note == "Gecontroleerd."
    assert AccessEvent.objects.filter(action="break_glass_reviewed", user_id=administrator.pk)
