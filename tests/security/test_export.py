"""Inzage (AVG art. 15) and print: everything about the person, readable and as JSON,
corrections as such, after re-authentication, logged; not for volunteers or break-glass."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client

from baken.accounts.models import Role, User
from baken.audit.models import AccessEvent
from baken.dossiers import services
from baken.dossiers.models import Dossier
from baken.dossiers.selectors import access_to

pytestmark = pytest.mark.django_db

OBSERVATION = {
    "nature": "fact",
    "observed_on": "2026-11-20",
    "source": "mentor",
    "description": "Ziet er moe uit, telefoon gaat steeds.",
}


@pytest.fixture
def dossier(professional: User, open_dossier: Callable[..., Dossier]) -> Dossier:
    made = open_dossier(label="Casus Inzage")
    services.record(access_to(professional, made.pk), "observation", OBSERVATION, seen_sequence=0)
    services.record(
        access_to(professional, made.pk),
        "observation",
        {**OBSERVATION, "description": "Ziet er moe uit."},
        seen_sequence=1,
        corrects=1,
        reason="Tweede zin hoorde bij een andere casus.",
    )
    return made


def test_export_asks_for_reauthentication_first(
    professional: User, dossier: Dossier, login: Callable[..., Client]
) -> None:
    """Without a recent password confirmation the export sends the user to confirm it."""
    response = login(professional).get(f"/dossiers/{dossier.pk}/export/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/reauthenticate/")


def test_json_export_holds_everything_with_corrections_as_such(
    professional: User, dossier: Dossier, login: Callable[..., Client]
) -> None:
    """The JSON holds the details, both entries (the correction pointing at the original,
    with its reason), the case team and the access log including this export."""
    response = login(professional, reauthenticated=True).get(f"/dossiers/{dossier.pk}/export.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["dossier"]["label"] == "Casus Inzage"
    first, second = data["entries"]
    assert first["data"]["description"] == OBSERVATION["description"]
    assert first["corrected_later"] is True
    assert second["corrects"] == 1
    assert second["correction_reason"] == "Tweede zin hoorde bij een andere casus."
    assert [m["name"] for m in data["case_team"]] == [str(professional)]
    assert data["access_log"][-1]["action"] == "export_json"
    assert data["access_log"][-1]["code"] == "E"


def test_readable_export_and_print_are_logged(
    professional: User, dossier: Dossier, login: Callable[..., Client]
) -> None:
    """The readable export writes an R and an E line; print writes an R line 'print'."""
    client = login(professional, reauthenticated=True)
    before = AccessEvent.objects.order_by("pk").last().pk  # type: ignore[union-attr]
    html = client.get(f"/dossiers/{dossier.pk}/export/").content.decode()
    assert "Tweede zin hoorde bij een andere casus." in html
    assert "Correctie van vastlegging #1." in html
    printed = client.get(f"/dossiers/{dossier.pk}/afdrukken/")
    assert printed.status_code == 200
    lines = AccessEvent.objects.filter(pk__gt=before).order_by("pk")
    assert [(e.code, e.action) for e in lines] == [
        ("R", "export_view"),
        ("E", "export"),
        ("R", "print"),
    ]


def test_volunteers_cannot_export(
    professional: User,
    make_user: Callable[..., User],
    dossier: Dossier,
    login: Callable[..., Client],
) -> None:
    """A volunteer in the case team gets 404 on export and print: handing data out is for
    professionals."""
    volunteer = make_user("proef-vrijwilliger", Role.VOLUNTEER, professional.organisation)
    services.add_colleague(access_to(professional, dossier.pk), volunteer.pk, seen_sequence=2)
    client = login(volunteer, reauthenticated=True)
    for suffix in ("export/", "export.json", "afdrukken/"):
        assert client.get(f"/dossiers/{dossier.pk}/{suffix}").status_code == 404
