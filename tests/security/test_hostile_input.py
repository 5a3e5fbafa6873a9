"""Hostile input in the dossier forms: script and HTML payloads, control characters,
right-to-left marks and very long text are stored intact (or refused with a Dutch message)
and always shown inert."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from baken.accounts.models import User
from baken.dossiers.models import Dossier, Entry

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
