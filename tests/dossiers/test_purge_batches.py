"""``baken purge`` in batches: the candidates are read a page at a time, each dossier is
purged in a transaction of its own, progress is told after each page, and a purge that
stops between two dossiers is finished by running it again. Runs on SQLite, and on
PostgreSQL with DATABASE_URL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from baken.audit.models import AccessEvent, PurgeRecord
from baken.dossiers.models import Dossier
from baken.dossiers.retention import PurgeProgress, due_dossiers, due_pages, purge

pytestmark = pytest.mark.django_db

CLOSED = datetime(2003, 6, 15, 10, 0, tzinfo=UTC)
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


class Stop(Exception):
    """Stands for a crash between two batches."""


@pytest.fixture
def five_due(open_dossier: Callable[..., Dossier]) -> list[Dossier]:
    """Five dossiers closed a day apart, all past their term; one open dossier beside."""
    made = [open_dossier(label=f"Casus Oud {n}") for n in range(5)]
    for n, dossier in enumerate(made):
        Dossier.objects.filter(pk=dossier.pk).update(closed_at=CLOSED + timedelta(days=n))
    open_dossier(label="Casus Open")
    return made


def test_the_candidates_come_a_page_at_a_time_in_closing_order(five_due: list[Dossier]) -> None:
    """With pages of two: three pages (2, 2, 1 candidates), oldest closing first, the same
    dossiers as the unpaged list."""
    pages = list(due_pages(NOW, batch=2))
    assert [(looked, [d.dossier_id for d in page]) for looked, page in pages] == [
        (2, [five_due[0].pk, five_due[1].pk]),
        (2, [five_due[2].pk, five_due[3].pk]),
        (1, [five_due[4].pk]),
    ]
    assert [d.dossier_id for d in due_dossiers(NOW)] == [d.pk for d in five_due]


def test_purge_tells_its_progress_after_each_page(five_due: list[Dossier]) -> None:
    """Pages of two: three progress reports in English, and all five purged."""
    heard: list[str] = []
    result = purge(NOW, batch=2, progress=lambda p: heard.append(str(p)))
    assert (len(result.dossiers), heard) == (
        5,
        [
            "2 of 5 candidate dossier(s) checked, 2 purged so far",
            "4 of 5 candidate dossier(s) checked, 4 purged so far",
            "5 of 5 candidate dossier(s) checked, 5 purged so far",
        ],
    )


def test_a_purge_stopped_between_batches_is_finished_by_running_it_again(
    five_due: list[Dossier],
) -> None:
    """Stopped after the first page of two: those two are purged (record and log line
    each), the other three untouched; run again, it purges exactly those three. Every
    dossier is purged once, and the open one stays."""

    def crash(progress: PurgeProgress) -> None:
        raise Stop

    with pytest.raises(Stop):
        purge(NOW, batch=2, progress=crash)
    first = (
        set(PurgeRecord.objects.values_list("dossier_id", flat=True)),
        set(Dossier.objects.values_list("pk", flat=True)) >= {d.pk for d in five_due[2:]},
    )
    again = purge(NOW, batch=2)
    purged_lines = AccessEvent.objects.filter(action="purged").values_list("dossier_id", flat=True)
    assert (
        first,
        [d.dossier_id for d in again.dossiers],
        sorted(PurgeRecord.objects.values_list("dossier_id", flat=True)),
        sorted(purged_lines),
        Dossier.objects.count(),
    ) == (
        ({five_due[0].pk, five_due[1].pk}, True),
        [d.pk for d in five_due[2:]],
        sorted(d.pk for d in five_due),
        sorted(d.pk for d in five_due),
        1,
    )


def test_a_dry_run_in_pages_lists_every_due_dossier_and_changes_nothing(
    five_due: list[Dossier],
) -> None:
    """A dry run with pages of two lists the five, purges none."""
    result = purge(NOW, dry_run=True, batch=2)
    assert (
        result.dry_run,
        [d.dossier_id for d in result.dossiers],
        PurgeRecord.objects.count(),
        Dossier.objects.count(),
    ) == (True, [d.pk for d in five_due], 0, 6)
