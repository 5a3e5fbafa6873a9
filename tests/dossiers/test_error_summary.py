"""The error summary at the top of a form (GOV.UK / NL Design System pattern): a box with
role="alert" titled "Er is een probleem"; each line names its question and links to its
field; no ".:" punctuation."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from baken.accounts.models import User
from baken.dossiers.models import Dossier
from tests.web.stages import seen, walk


def _summary(body: str) -> str:
    match = re.search(
        r'<div class="[^"]*baken-error-summary[^"]*" role="alert".*?</div>', body, re.S
    )
    assert match, "no error summary"
    return match.group(0)


def test_step_4_names_each_motivation_by_its_question(
    professional: User, open_dossier: Callable[..., Dossier], login: Callable[..., Client]
) -> None:
    """An empty weighing lists "Motivering bij vraag 1" … "5", each linking to its field."""
    dossier = walk(professional, open_dossier(), to_step=3)
    response = login(professional).post(
        reverse("dossiers:record", args=[dossier.pk, "weighing"]),
        {"weighing-seen": seen(dossier)},
    )
    assert response.status_code == 400
    summary = _summary(response.content.decode())
    assert "Er is een probleem" in summary
    for n in range(1, 6):
        assert (
            f'<a class="utrecht-link" href="#id_weighing-q{n}_motivation">'
            f"Motivering bij vraag {n}: Dit veld is verplicht.</a>"
        ) in summary
    assert "Motivering: " not in summary


def test_a_question_label_keeps_its_question_mark_and_no_stray_colon(
    professional: User, open_dossier: Callable[..., Dossier], login: Callable[..., Client]
) -> None:
    """The case evaluation's questions end in "." or "?": the summary never writes ".:" or
    "?:", and each line links to the question's field."""
    dossier = open_dossier()
    response = login(professional).post(
        reverse("dossiers:close", args=[dossier.pk]), {"evaluation-seen": seen(dossier)}
    )
    assert response.status_code == 400
    summary = _summary(response.content.decode())
    assert ".:" not in summary and "?:" not in summary
    assert summary.count('href="#id_evaluation-evaluatie-') == 4


def test_a_radio_question_links_to_its_group(
    professional: User, open_dossier: Callable[..., Dossier], login: Callable[..., Client]
) -> None:
    """A missing radio answer links to the fieldset that holds the choices."""
    dossier = open_dossier()
    response = login(professional).post(
        reverse("dossiers:record", args=[dossier.pk, "acute_danger"]),
        {"acute_danger-seen": seen(dossier)},
    )
    summary = _summary(response.content.decode())
    assert 'href="#id_acute_danger-police_called_groep"' in summary
    assert 'id="id_acute_danger-police_called_groep"' in response.content.decode()
