"""The lessons' part of ``baken demo``: fourteen real closings with structured answers, so
the ketenregisseur's page shows the whole and hides the small CoMensha categories."""

from __future__ import annotations

import io
from collections.abc import Callable

from django.test import Client

from baken.accounts.models import User
from baken.chain.demo import fill_chain
from baken.dossiers.demo import fill_demo_database
from baken.dossiers.models import Dossier
from baken.lessons.demo import CLOSED, fill_lessons
from baken.lessons.models import EvaluationFigure
from tests.lessons.test_page import HIDDEN_GROUP, _groups, _page
from tests.support import enrol_totp


def _demo(users: dict[str, User], dossiers: list[Dossier]) -> list[Dossier]:
    return fill_chain(users, dossiers) + fill_lessons(users, dossiers)


def test_the_demo_closes_fourteen_dossiers_that_each_write_a_figure(
    db: None, login: Callable[..., Client]
) -> None:
    """After the demo with the lessons' part, the fourteen dossiers are closed, fourteen
    figures (of the wijkteam) exist, and the ketenregisseur sees the whole (14 cases) and
    every CoMensha category hidden (labour and criminal are small; sexual exploitation would
    give them away)."""
    fill_demo_database(io.StringIO(), extend=_demo)
    labels = [label for label, *_ in CLOSED]
    closed = sum(d.label in labels for d in Dossier.objects.filter(closed_at__isnull=False))
    kinds = list(EvaluationFigure.objects.values_list("organisation_kind", flat=True).distinct())
    assert (closed, EvaluationFigure.objects.count(), kinds) == (14, 14, ["neighbourhood_team"])
    chain_director = User.objects.get(username="demo-ketenregisseur")
    enrol_totp(chain_director)
    groups = dict(_groups(_page(login(chain_director))))
    assert (
        groups["Alle afgesloten casussen"],
        groups["Wijkteam"],
        groups["Seksuele uitbuiting"],
        groups["Arbeidsuitbuiting buiten de seksindustrie"],
        groups["Criminele uitbuiting"],
    ) == ("14 casussen", "14 casussen", HIDDEN_GROUP, HIDDEN_GROUP, HIDDEN_GROUP)
