"""Hostile input in the dossier forms: script and HTML payloads, control characters,
right-to-left marks and very long text are stored intact (or refused with a Dutch message)
and always shown inert."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from baken.accounts.models import Organisation, OrganisationKind, Role, User
from baken.dossiers.models import BreakGlassGrant, Dossier, Entry

PAYLOADS = [
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "</textarea><svg onload=alert(1)>",
    "{{ 7*7 }} {% now 'Y' %}",
    "Naam\u202eevil\u202c met RTL-override en \u200fRLM",
    "regel 1\r\nregel 2\ttab",
    "'; DROP TABLE dossiers_entry; --",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_are_stored_intact_and_shown_escaped(
    payload: str,
    professional: User,
    open_dossier: Callable[..., Dossier],
    login: Callable[[User], Client],
) -> None:
    """Saved exactly as typed, rendered escaped on the timeline; nothing executes."""
    dossier = open_dossier()
    client = login(professional)
    response = client.post(
        reverse("dossiers:record", args=[dossier.pk, "observation"]),
        {
            "observation-seen": 0,
            "observation-nature": "fact",
            "observation-observed_on": "2026-11-20",
            "observation-source": "mentor",
            "observation-description": payload,
        },
    )
    assert response.status_code == 302
    stored = Entry.objects.get(dossier=dossier).data["description"]
    assert stored == payload
    page = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert "<script>alert" not in page
    assert "<img src=x" not in page and "<svg onload" not in page
    if "{{" in payload:
        assert "{{ 7*7 }}" in page  # shown as typed, never evaluated as a template


def test_a_nul_character_is_refused_with_a_dutch_message_and_the_rest_kept(
    professional: User, open_dossier: Callable[..., Dossier], login: Callable[[User], Client]
) -> None:
    """A NUL byte cannot be stored: the form says so and keeps the other fields."""
    dossier = open_dossier()
    response = login(professional).post(
        reverse("dossiers:record", args=[dossier.pk, "observation"]),
        {
            "observation-seen": 0,
            "observation-nature": "fact",
            "observation-observed_on": "2026-11-20",
            "observation-source": "mentor-met-naam",
            "observation-description": "tekst\x00meer",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "mentor-met-naam" in body
    assert "Null-tekens zijn niet toegestaan" in body
    assert not Entry.objects.filter(dossier=dossier).exists()


def test_a_megabyte_of_text_is_refused_with_the_limit_and_nothing_stored(
    professional: User, open_dossier: Callable[..., Dossier], login: Callable[[User], Client]
) -> None:
    """1 MB in a text field: a Dutch message naming the maximum, the source still filled."""
    dossier = open_dossier()
    response = login(professional).post(
        reverse("dossiers:record", args=[dossier.pk, "observation"]),
        {
            "observation-seen": 0,
            "observation-nature": "fact",
            "observation-observed_on": "2026-11-20",
            "observation-source": "mentor-lang",
            "observation-description": "x" * 1_000_000,
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "5000" in body and "mentor-lang" in body
    assert not Entry.objects.filter(dossier=dossier).exists()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_break_glass_reasons_and_review_notes_are_stored_intact_and_shown_inert(
    payload: str,
    make_user: Callable[..., User],
    administrator: User,
    open_dossier: Callable[..., Dossier],
    login: Callable[..., Client],
) -> None:
    """A hostile break-glass reason and review note are kept exactly as typed and shown
    escaped on the review list and in the dossier's inspection export."""
    vt = Organisation.objects.create(name="Veilig Thuis Proef", kind=OrganisationKind.VEILIG_THUIS)
    adviser = make_user("proef-vt", Role.VEILIG_THUIS_ADVISER, vt)
    dossier = open_dossier()
    reason = f"Dringend nodig voor de melding: {payload}"
    response = login(adviser, reauthenticated=True).post(
        reverse("dossiers:break_glass"), {"reference": str(dossier.pk), "reason": reason}
    )
    assert response.status_code == 302
    grant = BreakGlassGrant.objects.get()
    assert grant.reason == reason.strip()
    admin = login(administrator)
    reviewed = admin.post(
        reverse("accounts:break_glass_review"), {"grant": grant.pk, f"g{grant.pk}-note": payload}
    )
    assert reviewed.status_code == 302
    grant.refresh_from_db()
    assert grant.review_note == payload.strip()
    owner = dossier.team.get().user
    pages = [
        admin.get(reverse("accounts:break_glass_review")).content.decode(),
        login(owner, reauthenticated=True)
        .get(reverse("dossiers:export", args=[dossier.pk]))
        .content.decode(),
    ]
    for page in pages:
        assert "<script>alert" not in page
        assert "<img src=x" not in page and "<svg onload" not in page
