"""The form-of-exploitation division counts each case once (its one CoMensha category,
"more than one form", or "no form CoMensha registers"), so a case outside CoMensha's
categories cannot be singled out by subtracting the groups shown from the whole."""

from __future__ import annotations

from baken.lessons.models import EvaluationFigure
from baken.lessons.selectors import build
from baken.protocol import Protocol


def _figure(categories: list[str], worked: str) -> EvaluationFigure:
    return EvaluationFigure(
        closed_year=2026,
        organisation_kind="neighbourhood_team",
        categories=categories,
        worked=worked,
        gaps=[],
        lessons=[],
        protocol_id="gelderland-midden-2018",
    )


def test_one_case_without_a_category_hides_the_other_group_of_the_division(
    protocol: Protocol,
) -> None:
    """Eleven cases of sexual exploitation and one of another form: the whole (12) is shown,
    and in the form-of-exploitation division no group is shown at all (the one case alone
    would be hidden, so the sexual group is hidden with it)."""
    figures = [_figure(["comensha-seksueel"], "ketensamenwerking-ja") for _ in range(11)]
    figures.append(_figure([], "ketensamenwerking-nee"))
    lessons = build(figures, protocol)
    division = next(d for d in lessons.dimensions if d.slug == "per-vorm-van-uitbuiting")
    assert (lessons.overall.cases, [(g.title, g.cases) for g in division.groups]) == (
        12,
        [("Seksuele uitbuiting", None), ("Geen vorm die CoMensha registreert", None)],
    )
