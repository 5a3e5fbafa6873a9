"""Writing the lessons' figures: when a dossier closes, what its evaluation chose at
questions 2 and 3 becomes one :class:`~baken.lessons.models.EvaluationFigure`.

Connected to :data:`baken.dossiers.services.dossier_closed` in
:mod:`baken.lessons.apps`; the signal is sent inside ``close_dossier``'s transaction, so
the figure and the closing commit or roll back together. Only protocol choice ids are
copied; the four free texts stay in the dossier.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from baken.dossiers.models import Dossier, Entry, EntryKind
from baken.dossiers.selectors import protocol_of
from baken.lessons.models import EvaluationFigure
from baken.protocol import Protocol


def figure_of(dossier: Dossier, evaluation: Entry, protocol: Protocol) -> EvaluationFigure | None:
    """The (unsaved) figure of a closed dossier's evaluation, or ``None`` when it has no
    structured answer (an evaluation written before the choices existed): such a case is
    not counted. Ids the protocol does not offer are dropped."""
    choices = protocol.case_evaluation.choices
    data = evaluation.data
    worked = data.get("worked")
    if worked not in {choice.id for choice in choices.worked}:
        return None

    def chosen(name: str, offered: set[str]) -> list[str]:
        given = data.get(name)
        return (
            sorted({str(i) for i in given if str(i) in offered}) if isinstance(given, list) else []
        )

    category_of = protocol.chain.comensha.category_of
    closed_at = dossier.closed_at or evaluation.created_at
    return EvaluationFigure(
        closed_year=timezone.localtime(closed_at).year,
        organisation_kind=dossier.organisation.kind,
        categories=sorted(
            {category_of[form] for form in dossier.exploitation_forms if form in category_of}
        ),
        worked=str(worked),
        gaps=chosen("gaps", {choice.id for choice in choices.gaps}),
        lessons=chosen("lessons", {choice.id for choice in choices.lessons}),
        protocol_id=protocol.id,
    )


def record_on_close(sender: Any, dossier: Dossier, **kwargs: Any) -> None:
    """Write the figure of the evaluation the dossier was just closed with (its newest
    evaluation entry), if it has structured answers."""
    evaluation = (
        Entry.objects.filter(dossier_id=dossier.pk, kind=EntryKind.EVALUATION)
        .order_by("-sequence")
        .first()
    )
    if evaluation is None:
        return
    figure = figure_of(dossier, evaluation, protocol_of(dossier))
    if figure is not None:
        figure.save()
