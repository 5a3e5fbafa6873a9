"""``baken audit verify`` at scale: the line's content without a model instance is the same
bytes, the folder is listed in windows in name order, the stored problems are capped and
the rest counted, and a checkpoint file under another name still counts by its signed
size. Runs on SQLite, and on PostgreSQL with DATABASE_URL."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from baken.audit import verify as verify_module
from baken.audit.chain import append
from baken.audit.log import CONTENT_FIELDS, content, make_checkpoint, values_of
from baken.audit.models import AccessEvent, LogLeaf
from baken.audit.verify import _line_content, checkpoint_names, verify
from tests.audit.test_transparency_log import sql, write

pytestmark = pytest.mark.django_db


def test_the_content_read_with_values_list_is_the_lines_content() -> None:
    """For lines with empty and filled optional fields and details with quotes,
    backslashes, control characters and non-ASCII text, the content made from
    ``values_list`` is byte for byte ``baken.audit.log.content``."""
    append(code="R", action="view", purpose="care", user_id=1, role="professional")
    for detail in ('"aan" \\ en\ttab\n', "\x01\x1f\x7f", "😀 𝄞 ü", "/<>&'"):
        append(code="R", action="view", purpose="care", user_id=5, detail=detail)
    append(
        code="R",
        action="view",
        purpose="care",
        user_id=2,
        role="professional",
        organisation_id=3,
        responsible_organisation_id=4,
        dossier_id=uuid.uuid4(),
        entry_sequence=7,
        detail="reden: zorg – ‘spoed’ é",
    )
    events = list(AccessEvent.objects.order_by("pk"))
    rows = list(AccessEvent.objects.order_by("pk").values_list(*CONTENT_FIELDS))
    assert [_line_content(row) for row in rows] == [content(values_of(e)) for e in events]


def test_the_folder_is_listed_in_name_order_a_window_at_a_time(tmp_path: Path) -> None:
    """Five checkpoint files and two other files, windows of two: the five names in
    order, nothing else."""
    for size in (12, 3, 40, 7, 1):
        (tmp_path / f"checkpoint-{size:012d}").write_text("x", encoding="utf-8")
    (tmp_path / "checkpoints.log").write_text("x", encoding="utf-8")
    (tmp_path / "witness-000000000003").write_text("x", encoding="utf-8")
    assert list(checkpoint_names(tmp_path, window=2)) == [
        f"checkpoint-{size:012d}" for size in (1, 3, 7, 12, 40)
    ]


def test_the_problems_kept_are_capped_and_the_rest_counted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Five lines changed after a checkpoint, with a cap of three: three named, five
    counted, two left unlisted."""
    write(6)
    make_checkpoint()
    ids = list(LogLeaf.objects.order_by("index").values_list("event_id", flat=True))[:5]
    sql(
        f"UPDATE audit_accessevent SET detail = 'x' WHERE id IN ({', '.join(map(str, ids))})"  # noqa: S608
    )
    monkeypatch.setattr(verify_module, "MAX_PROBLEMS", 3)
    report = verify()
    assert ([str(p) for p in report.problems], report.problem_count, report.unlisted) == (
        [f"line {n}: changed after it was written" for n in (1, 2, 3)],
        5,
        2,
    )


def test_a_checkpoint_file_under_another_name_counts_by_its_signed_size(
    checkpoint_dir: Path,
) -> None:
    """The checkpoint of 6 lines copied to the name of 9 lines (larger than it holds): it
    is found after the walk passed 6, is the same as the one of 6, and no problem arises;
    the log still verifies against 12."""
    write(6)
    make_checkpoint()
    write(6)
    make_checkpoint()
    six = (checkpoint_dir / "checkpoint-000000000006").read_text(encoding="utf-8")
    (checkpoint_dir / "checkpoint-000000000009").write_text(six, encoding="utf-8")
    report = verify()
    assert (report.problems, report.checkpoints, report.newest and report.newest.size) == (
        [],
        2,
        12,
    )
