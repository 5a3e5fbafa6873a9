"""``baken keys rotate`` in batches: each batch of rows is a transaction of its own with its
own access-log line, progress is told per batch, and a rotation that stops halfway is
finished by running it again. Runs on SQLite, and on PostgreSQL with DATABASE_URL."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.db import connection

from baken.audit.models import AccessEvent
from baken.crypto import Keyring
from baken.crypto.fields import _keyring, keyring
from baken.crypto.rotate import RotationProgress, rotate
from baken.dossiers.models import Dossier

pytestmark = pytest.mark.django_db


class Stop(Exception):
    """Stands for a crash between two batches."""


@pytest.fixture
def new_key(settings: object) -> Iterator[str]:
    """A fresh key first, the old one kept for decryption (as an operator would)."""
    old = settings.BAKEN_ENCRYPTION_KEYS  # type: ignore[attr-defined]
    key = Keyring.generate()
    settings.BAKEN_ENCRYPTION_KEYS = f"{key},{old}"  # type: ignore[attr-defined]
    yield old
    _keyring.cache_clear()


@pytest.fixture
def five(open_dossier: Callable[..., Dossier]) -> list[Dossier]:
    """Five dossiers, each with a label and a date of birth (two encrypted values)."""
    from datetime import date

    return [
        open_dossier(label=f"Casus Sleutel {n}", birth_date=date(2010, 1, n + 1)) for n in range(5)
    ]


def labels_to_rotate() -> int:
    """Dossier values not yet under the newest key."""
    ring = keyring()
    with connection.cursor() as cursor:
        cursor.execute("SELECT label, birth_date FROM dossiers_dossier")
        rows = cursor.fetchall()
    return sum(1 for row in rows for token in row if token and ring.needs_rotation(token))


def dossier_batches(heard: list[RotationProgress]) -> list[tuple[int, int, int]]:
    return [(p.rows, p.rewritten, p.table_rows) for p in heard if p.table == "dossiers_dossier"]


def test_the_dossiers_are_rotated_two_rows_a_batch_each_with_its_log_line(
    five: list[Dossier], new_key: str
) -> None:
    """Batches of two: the dossier table takes three batches (2, 2, 1 rows, four, four and
    two values), each with its own access-log line naming what it rewrote, and every
    value ends under the new key."""
    heard: list[RotationProgress] = []
    result = rotate(batch=2, progress=heard.append)
    details = list(
        AccessEvent.objects.filter(action="keys_rotated", detail__contains="dossiers_dossier")
        .order_by("pk")
        .values_list("detail", flat=True)
    )
    key = result.key_id
    assert (dossier_batches(heard), details, labels_to_rotate()) == (
        [(2, 4, 2), (2, 4, 4), (1, 2, 5)],
        [
            f"key {key}: 4 of 4 values in dossiers_dossier (one batch)",
            f"key {key}: 4 of 4 values in dossiers_dossier (one batch)",
            f"key {key}: 2 of 2 values in dossiers_dossier (one batch)",
        ],
        0,
    )
    assert str(heard[-1]).endswith("value(s) so far")


def test_a_rotation_stopped_halfway_is_finished_by_running_it_again(
    five: list[Dossier], new_key: str
) -> None:
    """Stopped after the second dossier batch: four dossiers (eight values) are under the
    new key, one (two values) is not; run again, it rewrites exactly what was left and
    everything reads back the same."""
    stopped_at: list[int] = []
    heard: list[RotationProgress] = []

    def crash(progress: RotationProgress) -> None:
        heard.append(progress)
        if progress.table == "dossiers_dossier" and progress.table_rows == 4:
            stopped_at.append(labels_to_rotate())
            raise Stop

    before = rotate(dry_run=True)
    with pytest.raises(Stop):
        rotate(batch=2, progress=crash)
    dossier_values_after_the_stop = labels_to_rotate()
    again = rotate(batch=2)
    done_before_the_stop = sum(p.rewritten for p in heard)
    assert (
        stopped_at,
        dossier_values_after_the_stop,
        again.values,
        again.rewritten,
        labels_to_rotate(),
        rotate(dry_run=True).rewritten,
        sorted(d.label for d in Dossier.objects.all()),
    ) == (
        [2],
        2,
        before.values,
        before.rewritten - done_before_the_stop,
        0,
        0,
        [f"Casus Sleutel {n}" for n in range(5)],
    )


def test_a_dry_run_in_batches_changes_nothing_and_writes_no_log_line(
    five: list[Dossier], new_key: str
) -> None:
    """A dry run counts what it would rewrite, in batches, and leaves every value and the
    log as they were."""
    lines = AccessEvent.objects.count()
    result = rotate(dry_run=True, batch=2)
    assert (result.rewritten == result.values, labels_to_rotate(), AccessEvent.objects.count()) == (
        True,
        10,
        lines,
    )
