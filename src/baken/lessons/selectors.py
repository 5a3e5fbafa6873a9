"""Reading the lessons: the figures counted per grouping, with small groups suppressed
(:mod:`baken.lessons.suppression`), and the reading logged.

A grouping is the whole (every closed case with structured answers), or one group of a
dimension: the year closed, the kind of organisation, the CoMensha category. A hidden group
carries its title only, never a count, so no page can show one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext as _

from baken.accounts.models import OrganisationKind
from baken.audit.chain import append
from baken.audit.models import Action, Code
from baken.lessons.access import LessonsAccess
from baken.lessons.models import EvaluationFigure
from baken.lessons.suppression import hidden_groups
from baken.protocol import Protocol, UnknownProtocolError, default_registry
from baken.protocol.schema import Choice


@dataclass(frozen=True)
class Count:
    """How many cases of a group gave one answer."""

    title: str
    count: int


@dataclass(frozen=True)
class Group:
    """One grouping: shown with its counts, or hidden with none."""

    title: str
    cases: int | None = None
    """The number of cases behind it; ``None`` when hidden."""
    worked: list[Count] = field(default_factory=list)
    gaps: list[Count] = field(default_factory=list)
    lessons: list[Count] = field(default_factory=list)

    @property
    def shown(self) -> bool:
        return self.cases is not None


@dataclass(frozen=True)
class Dimension:
    """A way of dividing the cases, with its groups in a fixed order."""

    slug: str
    """The Dutch anchor of its section on the page."""
    title: str
    groups: list[Group]


@dataclass(frozen=True)
class Lessons:
    """What the lessons page shows."""

    overall: Group
    dimensions: list[Dimension]
    """Empty while the whole is hidden: the groups of fewer cases than the whole are."""
    min_cases: int
    min_cases_cite: str
    evaluation_cite: str
    worked_question: str
    gaps_question: str
    lessons_question: str


@dataclass(frozen=True)
class _Choices:
    worked: list[Choice]
    gaps: list[Choice]
    lessons: list[Choice]


def _choices(protocol: Protocol, figures: list[EvaluationFigure]) -> _Choices:
    """The choices to count: the default protocol's, then any other installed protocol's
    that a figure was written under (in its order, each id once)."""
    registry = default_registry()
    protocols = [protocol]
    for protocol_id in sorted({f.protocol_id for f in figures} - {protocol.id}):
        try:
            protocols.append(registry.get(protocol_id))
        except UnknownProtocolError:
            continue

    def merged(pick: Callable[[Protocol], list[Choice]]) -> list[Choice]:
        seen: dict[str, Choice] = {}
        for each in protocols:
            for choice in pick(each):
                seen.setdefault(choice.id, choice)
        return list(seen.values())

    return _Choices(
        merged(lambda p: p.case_evaluation.choices.worked),
        merged(lambda p: p.case_evaluation.choices.gaps),
        merged(lambda p: p.case_evaluation.choices.lessons),
    )


def _weight(figure: EvaluationFigure) -> int:
    """How many cases a figure stands for: one, or the number of identical figures it was
    counted from in SQL (:func:`lessons_for`)."""
    return int(getattr(figure, "cases", 1))


def _cases(figures: list[EvaluationFigure]) -> int:
    return sum(_weight(f) for f in figures)


def _shown(title: str, figures: list[EvaluationFigure], choices: _Choices) -> Group:
    return Group(
        title=title,
        cases=_cases(figures),
        worked=[
            Count(c.title, sum(_weight(f) for f in figures if f.worked == c.id))
            for c in choices.worked
        ],
        gaps=[
            Count(c.title, sum(_weight(f) for f in figures if c.id in f.gaps)) for c in choices.gaps
        ],
        lessons=[
            Count(c.title, sum(_weight(f) for f in figures if c.id in f.lessons))
            for c in choices.lessons
        ],
    )


SEVERAL, NONE = "several", "none"
"""The category groups of cases with more than one of CoMensha's forms, or with none."""


def _one_category(figure: EvaluationFigure) -> list[str]:
    """The one group of the form-of-exploitation dimension a case counts in: its one
    CoMensha category, or "several", or "none". Every dimension is a partition of the
    cases, so the complementary suppression holds (a hidden group cannot be computed as
    the whole minus the groups shown)."""
    categories = list(dict.fromkeys(figure.categories))
    if len(categories) == 1:
        return categories
    return [SEVERAL] if categories else [NONE]


def _dimension(
    slug: str,
    title: str,
    members: Iterable[tuple[str, str]],
    keys_of: Callable[[EvaluationFigure], Iterable[str]],
    figures: list[EvaluationFigure],
    choices: _Choices,
    k: int,
) -> Dimension:
    """The groups of one dimension, in the order of ``members`` (key, title); only the
    groups with at least one case."""
    by_key: dict[str, list[EvaluationFigure]] = {}
    for figure in figures:
        for key in keys_of(figure):
            by_key.setdefault(key, []).append(figure)
    present = [(key, name) for key, name in members if key in by_key]
    counts = {key: _cases(by_key[key]) for key, _ in present}
    hidden = hidden_groups(counts, k, whole_shown=True)
    groups = [
        Group(name) if key in hidden else _shown(name, by_key[key], choices)
        for key, name in present
    ]
    return Dimension(slug, title, groups)


def build(figures: list[EvaluationFigure], protocol: Protocol) -> Lessons:
    """The lessons of ``figures``, counted with ``protocol``'s choices and ``min_cases``
    (pure: no query beyond the registry, no log)."""
    evaluation = protocol.case_evaluation
    k = evaluation.choices.min_cases
    choices = _choices(protocol, figures)
    title = _("All closed cases")
    if hidden_groups({"all": _cases(figures)}, k, whole_shown=False):
        overall = Group(title)
    else:
        overall = _shown(title, figures, choices)
    dimensions: list[Dimension] = []
    if overall.shown:
        years = sorted({f.closed_year for f in figures})
        categories = protocol.chain.comensha.categories
        dimensions = [
            _dimension(
                "per-jaar",
                _("By year closed"),
                [(str(year), str(year)) for year in years],
                lambda f: [str(f.closed_year)],
                figures,
                choices,
                k,
            ),
            _dimension(
                "per-soort-organisatie",
                _("By kind of organisation"),
                [(kind.value, str(kind.label)) for kind in OrganisationKind],
                lambda f: [f.organisation_kind],
                figures,
                choices,
                k,
            ),
            _dimension(
                "per-vorm-van-uitbuiting",
                _("By form of exploitation (CoMensha's categories)"),
                [
                    *((c.id, c.title) for c in categories),
                    (SEVERAL, _("More than one form")),
                    (NONE, _("No form CoMensha registers")),
                ],
                _one_category,
                figures,
                choices,
                k,
            ),
        ]
    return Lessons(
        overall=overall,
        dimensions=dimensions,
        min_cases=k,
        min_cases_cite=evaluation.choices.min_cases_cite,
        evaluation_cite=evaluation.intro.cite,
        worked_question=_("Did the cooperation in the chain work as it should?"),
        gaps_question=_("Where are there still gaps?"),
        lessons_question=_("What should be different or better next time?"),
    )


GROUPED = (
    "closed_year",
    "organisation_kind",
    "categories",
    "worked",
    "gaps",
    "lessons",
    "protocol_id",
)
"""Every field a figure is counted by: figures equal in all of them count the same."""


def _grouped() -> list[EvaluationFigure]:
    """The figures counted in SQL: one (unsaved) figure per distinct answer, with the
    number of cases that gave it in ``cases``. One query, and as many rows as there are
    distinct answers (bounded by the protocol's choices and the years), never one per
    closed case."""
    rows = (
        EvaluationFigure.objects.order_by()
        .values(*GROUPED)
        .annotate(cases=models.Count("id"))
        .order_by(*GROUPED)
    )
    found = []
    for row in rows:
        figure = EvaluationFigure(**{name: row[name] for name in GROUPED})
        figure.cases = row["cases"]  # type: ignore[attr-defined]
        found.append(figure)
    return found


def lessons_for(access: LessonsAccess) -> Lessons:
    """The lessons for the ketenregisseur, counted over every figure (grouped in SQL:
    :func:`_grouped`); the reading is one line of the access log (code R,
    ``lessons_viewed``, no dossier), on the municipality's responsibility. Two queries."""
    protocol = default_registry().get()
    figures = _grouped()
    append(
        user_id=access.user.pk,
        role=access.user.role,
        organisation_id=access.user.organisation_id,
        responsible_organisation_id=access.municipality.pk,
        code=Code.READ,
        action=Action.LESSONS_VIEWED,
    )
    return build(figures, protocol)
