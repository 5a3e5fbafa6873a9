"""A closed dossier shows its outcome and evaluation, not tasks; acute danger after step 5
says why step 5 is no longer ticked; closing while acute danger is open says so before the
form and keeps what was typed."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from baken.accounts.models import User
from baken.dossiers import services
from baken.dossiers.models import Dossier
from baken.dossiers.selectors import access_to
from tests.web.stages import ACUTE_OVER, ACUTE_RAISED, EVALUATION, add, seen, walk

TASKS = ("weeg opnieuw", "Neem het besluit opnieuw", "volgende: stap", "Nog te doen")


def test_a_closed_dossier_shows_its_outcome_and_no_tasks(
    professional: User, open_dossier: Callable[..., Dossier], login: Callable[..., Client]
) -> None:
    """After acute danger and closing, the overview shows the outcome, the decision and the
    evaluation, and nowhere (overview, steps, list) asks to weigh or decide again."""
    dossier = walk(professional, open_dossier(), to_step=5)
    add(professional, dossier, "acute_danger", ACUTE_RAISED)
    add(professional, dossier, "acute_danger", ACUTE_OVER)
    services.close_dossier(
        access_to(professional, dossier.pk), EVALUATION, seen_sequence=seen(dossier)
    )
    client = login(professional)
    pages = [reverse("dossiers:detail", args=[dossier.pk]), reverse("dossiers:list")]
    pages += [reverse("dossiers:step", args=[dossier.pk, n]) for n in range(1, 6)]
    for url in pages:
        body = client.get(url).content.decode()
        for task in TASKS:
            assert task not in body, (url, task)
    overview = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert "Uitkomst" in overview
    assert "Besluit (stap 5)" in overview
    assert "Antwoord 1" in overview


def test_acute_danger_after_step_5_says_why_step_5_is_no_longer_ticked(
    professional: User, open_dossier: Callable[..., Dossier], login: Callable[..., Client]
) -> None:
    """Recording acute danger after the decision un-ticks step 5, and the page says that
    the acute danger is why."""
    dossier = walk(professional, open_dossier(), to_step=5)
    add(professional, dossier, "acute_danger", ACUTE_RAISED)
    body = login(professional).get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert "Stap 5 is niet meer afgevinkt: na het besluit van stap 5 is acuut gevaar" in body


def test_closing_with_acute_danger_open_says_so_before_the_form(
    professional: User, open_dossier: Callable[..., Dossier], login: Callable[..., Client]
) -> None:
    """The close page warns, above the form, that acute danger must be ended first, with a
    link to where that is recorded; a POST is still refused (409) and keeps the answers."""
    dossier = walk(professional, open_dossier(), to_step=5)
    add(professional, dossier, "acute_danger", ACUTE_RAISED)
    client = login(professional)
    url = reverse("dossiers:close", args=[dossier.pk])
    body = client.get(url).content.decode()
    warning = body.index("Je kunt dit dossier nog niet afsluiten")
    assert warning < body.index('name="evaluation-evaluatie-1"')
    link = reverse("dossiers:acute", args=[dossier.pk]) + "#acuut-vastleggen"
    assert f'href="{link}"' in body
    answers = {f"evaluation-evaluatie-{n}": f"Getypt antwoord {n}" for n in range(1, 5)}
    answers["evaluation-worked"] = "ketensamenwerking-ja"
    response = client.post(url, {"evaluation-seen": seen(dossier), **answers})
    assert response.status_code == 409
    assert "Getypt antwoord 3" in response.content.decode()
