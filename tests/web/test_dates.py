"""One Dutch way to write dates and moments, through the locale, in Nederlandse tijd: the
list, the timeline, "Who looked" and the dates inside entries all read "1 december 2026"
or "1 december 2026, 21:37"."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

from django.test import Client
from django.urls import reverse

from baken.accounts.models import User
from baken.dossiers import services
from baken.dossiers.selectors import access_to
from tests.web.stages import OBSERVATION, seen

# 20:37 UTC on 1 December 2026 is 21:37 in the Netherlands (winter time, UTC+1).
MOMENT = datetime(2026, 12, 1, 20, 37, tzinfo=UTC)


def _dossier(user: User) -> object:
    dossier = services.open_dossier(
        user, services.NewDossier("Casus Datum", None, 16, ["sexual"]), now=MOMENT
    )
    services.record(
        access_to(user, dossier.pk),
        "observation",
        OBSERVATION,
        seen_sequence=seen(dossier),
        now=MOMENT,
    )
    return dossier


def test_the_list_writes_the_opening_date_in_dutch(
    professional: User, login: Callable[..., Client]
) -> None:
    """The list shows "1 december 2026", not "1 Dec 2026"."""
    _dossier(professional)
    page = login(professional).get(reverse("dossiers:list")).content.decode()
    assert "1 december 2026" in page
    assert "Dec 2026" not in page


def test_the_timeline_writes_moments_in_dutch_time(
    professional: User, login: Callable[..., Client]
) -> None:
    """An entry made at 20:37 UTC shows as "1 december 2026, 21:37" (Nederlandse tijd)."""
    dossier = _dossier(professional)
    page = login(professional).get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert "1 december 2026, 21:37" in page


def test_a_date_inside_an_entry_is_written_as_a_date(
    professional: User, login: Callable[..., Client]
) -> None:
    """The observation date stored as 2026-11-28 reads "28 november 2026" in the timeline."""
    dossier = _dossier(professional)
    page = login(professional).get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert "<dd>28 november 2026</dd>" in page
    assert "2026-11-28" not in page


def test_who_looked_writes_each_moment_in_dutch(
    professional: User, login: Callable[..., Client]
) -> None:
    """ "Who looked" writes each line's moment like "1 december 2026, 21:37", with no English
    month abbreviation, and each action by its Dutch label."""
    dossier = _dossier(professional)
    page = login(professional).get(reverse("dossiers:access_log", args=[dossier.pk]))
    body = page.content.decode()
    months = (
        "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
    )
    moment = re.compile(
        rf'<time datetime="[^"]+">\d{{1,2}} (?:{months}) \d{{4}}, \d{{2}}:\d{{2}}</time>'
    )
    assert len(moment.findall(body)) == body.count("<time ")
    assert body.count("<time ") >= 2
    assert "begon het dossier" in body.lower()
    assert (
        re.search(r"\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b", body)
        is None
    )


def test_a_date_field_stays_an_html_date_input(
    professional: User, login: Callable[..., Client]
) -> None:
    """Step 1's observation date is still an <input type="date">, which sends YYYY-MM-DD."""
    dossier = _dossier(professional)
    page = login(professional).get(reverse("dossiers:step", args=[dossier.pk, 1])).content.decode()
    assert re.search(r'<input type="date" name="observation-observed_on"', page)
