"""Synthetic dossiers at each stage of the protocol, recorded through the services as a user
would record them (for the page tests in tests/web and tests/dossiers)."""

from __future__ import annotations

from typing import Any

from baken.accounts.models import User
from baken.dossiers import services
from baken.dossiers.models import Dossier, Entry
from baken.dossiers.selectors import access_to

OBSERVED_ON = "2026-11-28"
OBSERVATION = {
    "nature": "fact",
    "observed_on": OBSERVED_ON,
    "source": "mentor",
    "description": "Nieuwe telefoon en dure kleding",
}
SIGNAL = {"signal_id": "sex-1-01", "note": "gezien op school"}
CONSULTATION = {"consulted": "designated_expert", "held_on": "2026-11-29", "advice": "Gesprek"}
CONVERSATION = {
    "held": "yes",
    "held_on": "2026-11-30",
    "discussed": "Zorgen besproken",
    "consent_to_involve": "no",
    "consent_to_report": "no",
}
WEIGHING = {
    "answers": {"q1": "yes", "q2": "no", "q3": "no", "q4": "unknown", "q5": "unknown"},
    "motivations": {f"q{n}": f"Motivering {n}" for n in range(1, 6)},
    "expert_consulted": "aandachtsfunctionaris",
    "discussed_with_person": "yes",
}
DECISION = {
    "report": "yes",
    "report_motivation": "Melding nodig",
    "help": "no",
    "help_motivation": "Niet mogelijk",
    "deviation_motivation": "",
}
EVALUATION = {f"evaluatie-{n}": f"Antwoord {n}" for n in range(1, 5)}
ACUTE_RAISED = {"active": True, "raised": True}
ACUTE_OVER = {"active": False, "police_called": "yes", "victim_consent": "yes", "note": ""}


def seen(dossier: Dossier) -> int:
    return Dossier.objects.get(pk=dossier.pk).last_sequence


def add(user: User, dossier: Dossier, kind: str, data: dict[str, Any]) -> Entry:
    """Record one entry of ``kind`` as ``user``, knowing the whole record."""
    return services.record(access_to(user, dossier.pk), kind, data, seen_sequence=seen(dossier))


def walk(user: User, dossier: Dossier, *, to_step: int) -> Dossier:
    """Record steps 1 up to and including ``to_step`` (0 records nothing)."""
    plan: list[tuple[str, dict[str, Any]]] = [
        ("observation", OBSERVATION),
        ("signal", SIGNAL),
        ("consultation", CONSULTATION),
        ("conversation", CONVERSATION),
        ("weighing", WEIGHING),
    ]
    steps = {"observation": 1, "signal": 1, "consultation": 2, "conversation": 3, "weighing": 4}
    for kind, data in plan:
        if steps[kind] <= to_step:
            add(user, dossier, kind, data)
    if to_step >= 5:
        services.record_decision(access_to(user, dossier.pk), DECISION, seen_sequence=seen(dossier))
    dossier.refresh_from_db()
    return dossier


def closed(user: User, dossier: Dossier) -> Dossier:
    """All five steps, then acute danger raised and ended, then the evaluation closes it."""
    walk(user, dossier, to_step=5)
    add(user, dossier, "acute_danger", ACUTE_RAISED)
    add(user, dossier, "acute_danger", ACUTE_OVER)
    services.close_dossier(access_to(user, dossier.pk), EVALUATION, seen_sequence=seen(dossier))
    dossier.refresh_from_db()
    return dossier
