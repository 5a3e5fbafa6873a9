"""A figure is written when a dossier closes (the ``dossier_closed`` signal, inside the
closing transaction): the structured choices only, nothing personal, nothing that leads
back to the dossier or the organisation."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.utils import timezone

from baken.accounts.models import User
from baken.dossiers import services
from baken.dossiers.models import Dossier
from baken.dossiers.selectors import access_to
from baken.lessons.models import EvaluationFigure
from tests.lessons.conftest import evaluation
from tests.web.stages import add, seen


def test_the_figure_holds_exactly_the_choices_the_kind_the_year_and_the_categories(
    professional: User, close_one: Callable[..., Dossier]
) -> None:
    """Closing a wijkteam's dossier about labour, sexual and "other" exploitation with
    "Deels", two gaps and one lesson writes one figure with exactly these values: the
    CoMensha categories sorted ("other" has none), the ids sorted, the year closed."""
    dossier = close_one(
        data=evaluation(
            "ketensamenwerking-deels",
            gaps=["hiaat-regie", "hiaat-bereikbaarheid"],
            lessons=["les-gesprek"],
        ),
        forms=["sexual", "labour", "other"],
    )
    assert dossier.closed_at is not None
    values = list(
        EvaluationFigure.objects.values(
            "closed_year",
            "organisation_kind",
            "categories",
            "worked",
            "gaps",
            "lessons",
            "protocol_id",
        )
    )
    assert values == [
        {
            "closed_year": timezone.localtime(dossier.closed_at).year,
            "organisation_kind": "neighbourhood_team",
            "categories": ["comensha-arbeid", "comensha-seksueel"],
            "worked": "ketensamenwerking-deels",
            "gaps": ["hiaat-bereikbaarheid", "hiaat-regie"],
            "lessons": ["les-gesprek"],
            "protocol_id": "gelderland-midden-2018",
        }
    ]


def test_the_figure_has_no_field_for_anything_personal_or_identifying() -> None:
    """The model has exactly these columns: a random key, the year, the kind of
    organisation, the categories, the three answers and the protocol; no dossier,
    organisation, user, date or text."""
    columns = {f.name for f in EvaluationFigure._meta.get_fields()}
    assert columns == {
        "id",
        "closed_year",
        "organisation_kind",
        "categories",
        "worked",
        "gaps",
        "lessons",
        "protocol_id",
    }
    assert type(EvaluationFigure._meta.pk).__name__ == "UUIDField"


def test_no_free_text_label_or_name_reaches_the_figure(
    professional: User, close_one: Callable[..., Dossier]
) -> None:
    """The free texts (with a synthetic name and address in them), the dossier's label and
    the organisation's name appear in no column of the stored row."""
    dossier = close_one()
    row = [
        str(v)
        for v in EvaluationFigure.objects.values_list(
            "closed_year",
            "organisation_kind",
            "categories",
            "worked",
            "gaps",
            "lessons",
            "protocol_id",
        ).get()
    ]
    for secret in (
        "Proefnaam",
        "Proefstraat",
        "Goed afgestemd",
        dossier.label,
        "Wijkteam",
        str(dossier.pk),
    ):
        assert [value for value in row if secret in value] == []


def test_an_evaluation_without_the_choices_is_not_counted(
    professional: User, close_one: Callable[..., Dossier]
) -> None:
    """A dossier closed with the four texts only (as before the choices existed) writes no
    figure."""
    close_one(data={f"evaluatie-{n}": "Afgerond" for n in range(1, 5)})
    assert EvaluationFigure.objects.count() == 0


def test_a_refused_closing_writes_no_figure(
    professional: User, open_dossier: Callable[..., Dossier]
) -> None:
    """When closing is refused because something was recorded after the form was opened,
    neither the closing nor a figure is written."""
    dossier = open_dossier()
    opened_at = seen(dossier)
    add(
        professional,
        dossier,
        "observation",
        {"nature": "fact", "observed_on": "2026-11-28", "source": "mentor", "description": "Nieuw"},
    )
    with pytest.raises(services.StaleEdit):
        services.close_dossier(
            access_to(professional, dossier.pk), evaluation(), seen_sequence=opened_at
        )
    dossier.refresh_from_db()
    assert (dossier.closed_at, EvaluationFigure.objects.count()) == (None, 0)


def test_a_figure_that_cannot_be_written_leaves_the_dossier_open(
    professional: User, open_dossier: Callable[..., Dossier]
) -> None:
    """The figure is written inside the closing transaction: when a later receiver of
    ``dossier_closed`` fails after the figure was written, neither the closing, the
    evaluation entry nor the figure stays."""
    from django.db import IntegrityError

    from baken.dossiers.services import dossier_closed

    def refuse(sender: object, dossier: Dossier, **kwargs: object) -> None:
        raise IntegrityError("refused")

    dossier = open_dossier()
    dossier_closed.connect(refuse, dispatch_uid="test-refuse")
    try:
        with pytest.raises(IntegrityError):
            services.close_dossier(
                access_to(professional, dossier.pk), evaluation(), seen_sequence=seen(dossier)
            )
    finally:
        dossier_closed.disconnect(dispatch_uid="test-refuse")
    dossier.refresh_from_db()
    assert (dossier.closed_at, dossier.entries.count(), EvaluationFigure.objects.count()) == (
        None,
        0,
        0,
    )
