"""A dossier walked through the five steps with the Django test client: the advice follows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client
from django.urls import reverse

from baken.accounts.models import User
from baken.dossiers.models import Dossier, Entry
from baken.dossiers.selectors import access_to, state_of

TODAY = "2026-11-20"


def post(client: Client, dossier: Dossier, kind: str, fields: dict[str, Any]) -> Any:
    dossier.refresh_from_db()
    data = {f"{kind}-seen": dossier.last_sequence}
    data.update({f"{kind}-{key}": value for key, value in fields.items()})
    return client.post(reverse("dossiers:record", args=[dossier.pk, kind]), data)


WEIGHING = {
    "expert_consulted": "aandachtsfunctionaris",
    "discussed_with_person": "yes",
    **{f"q{n}_motivation": f"Motivering {n}" for n in range(1, 6)},
}


def test_the_five_steps_move_the_advice_to_a_required_report(
    professional: User, open_dossier: Callable[..., Dossier], login: Callable[[User], Client]
) -> None:
    """Each step is recorded through its form, and the advice changes as the protocol says."""
    dossier = open_dossier(age=16)
    client = login(professional)
    detail = reverse("dossiers:detail", args=[dossier.pk])

    response = post(
        client,
        dossier,
        "observation",
        {
            "nature": "fact",
            "observed_on": TODAY,
            "source": "mentor",
            "description": "Nieuwe telefoon",
        },
    )
    assert response.status_code == 302
    assert (
        post(client, dossier, "signal", {"signal_id": "sex-1-01", "note": "gezien"}).status_code
        == 302
    )
    assert (
        post(
            client,
            dossier,
            "consultation",
            {
                "consulted": "designated_expert",
                "held_on": TODAY,
                "advice": "Gesprek voeren",
            },
        ).status_code
        == 302
    )
    assert (
        post(
            client,
            dossier,
            "conversation",
            {
                "held": "yes",
                "held_on": TODAY,
                "discussed": "Zorgen besproken",
                "consent_to_involve": "no",
                "consent_to_report": "no",
            },
        ).status_code
        == 302
    )
    before = state_of(access_to(dossier.opened_by, dossier.pk)).advice
    assert before.steps.missing == (4,)
    assert before.conclusion is None and before.report_to_veilig_thuis is None
    assert client.get(detail).status_code == 200

    answers = {"q1": "yes", "q2": "no", "q3": "no", "q4": "unknown", "q5": "unknown"}
    assert post(client, dossier, "weighing", {**WEIGHING, **answers}).status_code == 302
    dossier.refresh_from_db()
    assert dossier.steps_done == "1234"
    advice = state_of(access_to(dossier.opened_by, dossier.pk)).advice
    assert advice.conclusion == "suspicion"
    assert advice.report_to_veilig_thuis == "required"
    assert advice.help_possible is False

    # Departing from the required report without a motivation is refused and nothing is lost.
    response = post(
        client,
        dossier,
        "decision",
        {
            "report": "no",
            "report_motivation": "Eerst afwachten",
            "help": "no",
            "help_motivation": "Niet mogelijk",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Eerst afwachten" in body
    assert Entry.objects.filter(dossier=dossier, kind="decision").count() == 0

    response = post(
        client,
        dossier,
        "decision",
        {
            "report": "no",
            "report_motivation": "Eerst afwachten",
            "help": "no",
            "help_motivation": "Niet mogelijk",
            "deviation_motivation": "Melding volgt na overleg",
        },
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.deviates is True
    assert dossier.next_step == 6

    evaluation = {f"evaluation-evaluatie-{n}": f"Antwoord {n}" for n in range(1, 5)}
    evaluation["evaluation-worked"] = "ketensamenwerking-ja"
    response = client.post(
        reverse("dossiers:close", args=[dossier.pk]),
        {"evaluation-seen": dossier.last_sequence, **evaluation},
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.closed_at is not None


def test_a_form_with_errors_keeps_what_was_typed_and_says_what_to_fix(
    professional: User, open_dossier: Callable[..., Dossier], login: Callable[[User], Client]
) -> None:
    """A missing date: status 400, a Dutch message, and the description is still in the form."""
    dossier = open_dossier()
    client = login(professional)
    response = post(
        client,
        dossier,
        "observation",
        {
            "nature": "fact",
            "observed_on": "",
            "source": "mentor",
            "description": "Blauwe plekken",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Blauwe plekken" in body
    assert "Dit veld is verplicht" in body


def test_the_decision_waits_for_steps_1_to_4(
    professional: User, open_dossier: Callable[..., Dossier], login: Callable[[User], Client]
) -> None:
    """With steps missing, step 5 shows what is still to do and a posted decision is refused."""
    dossier = open_dossier()
    client = login(professional)
    page = client.get(reverse("dossiers:step", args=[dossier.pk, 5])).content.decode()
    assert "Nog te doen" in page and 'name="decision-report"' not in page
    response = post(
        client,
        dossier,
        "decision",
        {
            "report": "yes",
            "report_motivation": "m",
            "help": "no",
            "help_motivation": "m",
        },
    )
    assert response.status_code == 409
    assert "Leg eerst stap 1 tot en met 4 vast" in response.content.decode()
    assert not Entry.objects.filter(dossier=dossier).exists()
