"""The access log as a transparency log against someone who can run SQL (issue 12, §1).

Each attack test writes lines, takes a checkpoint outside the database first (the test's
own BAKEN_AUDIT_CHECKPOINT_DIR), attacks with raw SQL as the tables' owner would (the
guard lifted: ``SET LOCAL baken.maintenance`` on PostgreSQL, the trigger dropped on
SQLite), and asserts the exact problems ``verify`` names. The attacker knows every
algorithm and recomputes every hash; only the signing key and the files outside are out
of reach. Runs on SQLite, and on PostgreSQL with DATABASE_URL.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

from baken.audit import merkle
from baken.audit.chain import append
from baken.audit.log import event_leaf_hash, integrate, make_checkpoint
from baken.audit.models import AccessEvent, Checkpoint, LogLeaf, LogNode
from baken.audit.verify import VerifyInputError, verify

pytestmark = pytest.mark.django_db

GUARDED = ("audit_accessevent", "audit_logleaf", "audit_lognode", "audit_checkpoint")


def write(count: int) -> list[AccessEvent]:
    return [
        append(code="R", action="view", purpose="care", user_id=1000 + n, role="professional")
        for n in range(count)
    ]


def sql(statement: str, params: list[object] | None = None) -> None:
    """One statement as the tables' owner, with the append-only guard lifted."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL baken.maintenance = 'on'")
        else:
            for table in GUARDED:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
        cursor.execute(statement, params or [])


def event_at(position: int) -> int:
    """The id of the line at ``position`` (1-based)."""
    return LogLeaf.objects.get(index=position - 1).event_id  # type: ignore[return-value]


def rebuild_tree_as_attacker() -> None:
    """What an attacker with the algorithms but no key does after changing lines: every
    leaf and node made again from the lines as they are now, in their present order."""
    order = list(LogLeaf.objects.order_by("index").values_list("event_id", flat=True))
    order = [pk for pk in order if AccessEvent.objects.filter(pk=pk).exists()]
    sql("DELETE FROM audit_lognode")
    sql("DELETE FROM audit_logleaf")
    nodes: list[LogNode] = []
    tree = merkle.CompactRange(
        on_node=lambda lv, ix, h: nodes.append(LogNode(level=lv, index=ix, hash=h.hex()))
    )
    for pk in order:
        h = event_leaf_hash(AccessEvent.objects.get(pk=pk))
        LogLeaf.objects.create(index=tree.size, event_id=pk, hash=h.hex())
        tree.append(h)
    LogNode.objects.bulk_create(nodes)
    # The database's copy of the head: the attacker moves it too (it cannot sign it).
    newest = Checkpoint.objects.order_by("-size").values_list("size", flat=True).first()
    if (
        newest is not None
        and not Checkpoint.objects.filter(size=tree.size).exclude(size=newest).exists()
    ):
        sql(
            "UPDATE audit_checkpoint SET root = %s, size = %s WHERE size = %s",
            [tree.root().hex(), tree.size, newest],
        )


def problems() -> list[str]:
    return [str(problem) for problem in verify().problems]


@pytest.fixture
def twelve(checkpoint_dir: Path) -> list[AccessEvent]:
    """Twelve lines, checkpointed outside the database at 6 and at 12."""
    lines = write(6)
    make_checkpoint()
    lines += write(6)
    make_checkpoint()
    assert sorted(p.name for p in checkpoint_dir.glob("checkpoint-*")) == [
        "checkpoint-000000000006",
        "checkpoint-000000000012",
    ]
    return lines


def test_an_intact_log_verifies_with_pending_lines_mac_checked(twelve: list[AccessEvent]) -> None:
    """Twelve lines in the tree and three not yet: no problem, the three counted pending."""
    write(3)
    report = verify()
    assert (report.problems, report.lines, report.leaves, report.pending) == ([], 15, 12, 3)
    assert report.newest is not None and report.newest.size == 12


def test_recompute_a_changed_line_with_every_hash_made_again_is_found(
    twelve: list[AccessEvent],
) -> None:
    """Line 5 changed, every leaf, node and the database's head recomputed: its MAC gives
    it away, and the tree no longer matches the checkpoint outside."""
    sql("UPDATE audit_accessevent SET user_id = 7 WHERE id = %s", [event_at(5)])
    rebuild_tree_as_attacker()
    assert problems() == ["line 5: changed after it was written"]


def test_forge_a_line_with_its_leaf_and_a_moved_tree_is_found(twelve: list[AccessEvent]) -> None:
    """A line INSERTed after the newest checkpoint, with its leaf and the tree moved on:
    without the key its MAC cannot match."""
    sql(
        "INSERT INTO audit_accessevent (at, user_id, role, code, action, purpose, authorised, "
        "case_team, consent, break_glass, detail, uid, mac) VALUES (%s, 1, 'professional', 'R', "
        "'view', 'care', %s, %s, 'not_applicable', %s, '', %s, %s)",
        [
            twelve[0].at,
            True,
            False,
            False,
            uuid.uuid4().hex if connection.vendor == "sqlite" else uuid.uuid4(),
            "0" * 64,
        ],
    )
    rebuild_tree_as_attacker()
    assert LogLeaf.objects.count() == 12
    integrate()  # the attacker need not even add the leaf: Baken's integrator does
    assert problems() == ["line 13: not written by Baken (its MAC does not match)"]


def test_a_forged_line_not_yet_in_the_tree_is_found(twelve: list[AccessEvent]) -> None:
    """A copy of a real line's fields with a new uid and an old MAC, not yet integrated."""
    line = twelve[3]
    sql(
        "INSERT INTO audit_accessevent (at, user_id, role, code, action, purpose, authorised, "
        "case_team, consent, break_glass, detail, uid, mac) VALUES (%s, %s, %s, 'R', 'view', "
        "'care', %s, %s, 'not_applicable', %s, '', %s, %s)",
        [
            line.at,
            line.user_id,
            line.role,
            True,
            False,
            False,
            uuid.uuid4().hex if connection.vendor == "sqlite" else uuid.uuid4(),
            line.mac,
        ],
    )
    assert problems() == [
        "line 13: not written by Baken (its MAC does not match; not yet in the tree)"
    ]


def test_cut_off_the_newest_lines_with_their_leaves_and_checkpoints_is_found(
    twelve: list[AccessEvent],
) -> None:
    """Lines 10 to 12, their leaves, every node over them and the database's checkpoints
    deleted: the checkpoint outside still covers 12."""
    ids = [event_at(n) for n in (10, 11, 12)]
    sql(f"DELETE FROM audit_accessevent WHERE id IN ({', '.join(map(str, ids))})")  # noqa: S608
    sql('DELETE FROM audit_logleaf WHERE "index" >= 9')
    sql("DELETE FROM audit_lognode")
    sql("DELETE FROM audit_checkpoint")
    rebuild_tree_as_attacker()
    assert problems() == [
        "the log ends at line 9 but checkpoint checkpoint-000000000012 covers 12 lines: "
        "the newest lines were removed"
    ]


def test_wipe_every_line_leaf_node_and_checkpoint_is_found(twelve: list[AccessEvent]) -> None:
    """Everything in the database deleted: 'every line is missing', not 'intact'."""
    for table in GUARDED:
        sql(f"DELETE FROM {table}")  # noqa: S608
    assert problems() == ["every line is missing"]


def test_a_deleted_middle_line_is_found_with_or_without_its_leaf(
    twelve: list[AccessEvent],
) -> None:
    """Line 6 deleted (its leaf left), and line 8 deleted with its leaf: both named."""
    eight = event_at(8)
    sql("DELETE FROM audit_accessevent WHERE id = %s", [event_at(6)])
    sql("DELETE FROM audit_accessevent WHERE id = %s", [eight])
    sql('DELETE FROM audit_logleaf WHERE "index" = 7')
    assert problems() == ["line 6: missing", "line 8: missing"]


def test_a_line_removed_with_the_whole_tree_renumbered_is_found_between_checkpoints(
    twelve: list[AccessEvent],
) -> None:
    """Line 3 deleted and the tree made again without it: every line's MAC holds, but lines
    1 to 6 no longer match their checkpoint, and the log is one line short of 12."""
    sql("DELETE FROM audit_accessevent WHERE id = %s", [event_at(3)])
    rebuild_tree_as_attacker()
    assert problems() == [
        "lines 1 to 6 do not match checkpoint checkpoint-000000000006: a line was removed, "
        "inserted or moved",
        "the log ends at line 11 but checkpoint checkpoint-000000000012 covers 12 lines: "
        "the newest lines were removed",
    ]


def test_a_copied_line_is_found(twelve: list[AccessEvent]) -> None:
    """A line INSERTed again with its own uid and MAC (the uid's unique index dropped
    first) is named as a copy."""
    line = twelve[1]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conname FROM pg_constraint WHERE conrelid = 'audit_accessevent'::regclass "
                "AND contype = 'u'"
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f'ALTER TABLE audit_accessevent DROP CONSTRAINT "{name}"')
    else:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA index_list('audit_accessevent')")
            for row in cursor.fetchall():
                if row[2] and row[1].startswith("sqlite_autoindex"):
                    pytest.skip("SQLite keeps a column's UNIQUE in the table definition")
    sql(
        "INSERT INTO audit_accessevent (at, user_id, role, code, action, purpose, authorised, "
        "case_team, consent, break_glass, detail, uid, mac) SELECT at, user_id, role, code, "
        "action, purpose, authorised, case_team, consent, break_glass, detail, uid, mac FROM "
        "audit_accessevent WHERE id = %s",
        [line.pk],
    )
    integrate()
    assert problems() == ["line 13: a copy of line 2"]


def test_a_line_changed_with_the_trigger_off_is_found(twelve: list[AccessEvent]) -> None:
    """ALTER TABLE … DISABLE TRIGGER (PostgreSQL; SQLite: the trigger dropped) as the
    table's owner, then an UPDATE of line 3: its leaf no longer matches."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_accessevent DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_accessevent_no_update")
        cursor.execute(
            "UPDATE audit_accessevent SET dossier_id = NULL, detail = 'x' WHERE id = %s",
            [event_at(3)],
        )
    assert problems() == ["line 3: changed after it was written"]


def test_truncate_is_refused_and_found_when_forced_as_the_owner(
    twelve: list[AccessEvent],
) -> None:
    """PostgreSQL: TRUNCATE of the log is refused by the guard; as the owner with
    ``SET LOCAL baken.maintenance = 'on'`` it goes through, and verify finds it."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    tables = ", ".join(GUARDED)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables}")
    sql(f"TRUNCATE {tables}")
    assert problems() == ["every line is missing"]


def test_a_checkpoint_signed_with_another_key_is_refused_as_input(
    twelve: list[AccessEvent], tmp_path: Path
) -> None:
    """A --checkpoint file not signed by this log's key is bad input (exit 2), one line."""
    from baken.audit import keys

    other = keys.Signer("127.0.0.1:8000/access-log", keys.parse_seed(keys.generate_seed()))
    forged = tmp_path / "forged"
    forged.write_text(keys.Checkpoint(other.name, 12, b"\0" * 32).sign(other), encoding="utf-8")
    with pytest.raises(VerifyInputError) as refused:
        verify([forged])
    assert (
        str(refused.value)
        == f"checkpoint {forged}: its signature does not verify with this log's key"
    )
    missing = tmp_path / "nothing-here"
    with pytest.raises(VerifyInputError) as unreadable:
        verify([missing])
    assert str(unreadable.value) == f"cannot read checkpoint {missing}: no such file"


def test_verify_with_the_public_key_alone_checks_the_tree_but_not_the_macs(
    twelve: list[AccessEvent], settings: object
) -> None:
    """A witness or auditor with only the verifier key: the tree checks out, MACs unchecked."""
    from baken.audit.log import verifier

    public = str(verifier())
    settings.BAKEN_AUDIT_SIGNING_KEY = ""  # type: ignore[attr-defined]
    report = verify(public_key=public)
    assert (report.problems, report.macs_checked, report.lines) == ([], False, 12)


def test_the_database_checkpoint_without_a_valid_signature_is_named(
    twelve: list[AccessEvent],
) -> None:
    """A checkpoint row in the database whose note was changed no longer verifies: named."""
    sql("UPDATE audit_checkpoint SET note = replace(note, '\n12\n', '\n13\n') WHERE size = 12")
    assert problems() == [
        "the checkpoint of 12 lines in the database is not signed by this log's key (it was "
        "made or changed without it)"
    ]


def test_appends_never_update_a_line(twelve: list[AccessEvent]) -> None:
    """Lines stay as written: integration writes leaves and nodes only, and Checkpoint,
    LogLeaf and LogNode refuse an update through the application too."""
    from baken.audit.models import AppendOnlyError

    before = list(AccessEvent.objects.values_list("pk", "mac", "uid"))
    write(2)
    integrate()
    assert list(AccessEvent.objects.values_list("pk", "mac", "uid"))[:12] == before
    for model in (LogLeaf, LogNode, Checkpoint):
        with pytest.raises(AppendOnlyError):
            model.objects.update(hash="0") if model is not Checkpoint else model.objects.update(
                root="0"
            )


# Writers do not wait for each other (PostgreSQL) --------------------------------------------


@pytest.fixture
def postgresql_only() -> Iterator[None]:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every writer by design (one write lock)")
    yield


@pytest.mark.django_db(transaction=True)
def test_writers_do_not_wait_for_an_open_transaction_and_a_late_commit_is_integrated(
    postgresql_only: None, checkpoint_dir: Path
) -> None:
    """While one transaction holds a line uncommitted, eight writers each append and commit
    (all eight finish before it ends: no lock between them). The held line commits last
    with the lowest id and gets the next leaf after theirs; the log verifies."""
    from django.db import connections

    held = threading.Event()
    release = threading.Event()
    held_id: list[int] = []

    def holder() -> None:
        with transaction.atomic():
            held_id.append(write(1)[0].pk)
            held.set()
            release.wait(60)
        connections.close_all()

    def writer(done: list[int]) -> None:
        with transaction.atomic():
            done.append(write(1)[0].pk)
        connections.close_all()

    first = threading.Thread(target=holder)
    first.start()
    assert held.wait(30)
    done: list[int] = []
    writers = [threading.Thread(target=writer, args=(done,)) for _ in range(8)]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join(30)
    finished_while_held = len(done)
    assert integrate() == 8  # the held line is not committed: not integrated yet
    release.set()
    first.join(30)
    assert integrate() == 1
    order = list(LogLeaf.objects.order_by("index").values_list("event_id", flat=True))
    assert finished_while_held == 8
    assert order == [*sorted(done), held_id[0]] and held_id[0] < min(done)
    make_checkpoint()
    assert problems() == []


def test_the_checkpointer_refuses_to_sign_a_rewritten_history(
    twelve: list[AccessEvent], checkpoint_dir: Path
) -> None:
    """Line 5 changed and the whole tree recomputed: the next checkpoint is refused (its
    first 12 lines no longer give the root of the newest checkpoint in the folder), so the
    key never signs the fork, and no new file or database checkpoint appears."""
    from baken.audit.log import CheckpointConflict

    sql("UPDATE audit_accessevent SET user_id = 7 WHERE id = %s", [event_at(5)])
    rebuild_tree_as_attacker()
    write(2)
    with pytest.raises(CheckpointConflict, match="does not extend"):
        make_checkpoint()
    assert (
        sorted(p.name for p in checkpoint_dir.glob("checkpoint-*")),
        Checkpoint.objects.filter(size__gt=12).count(),
    ) == (["checkpoint-000000000006", "checkpoint-000000000012"], 0)


def test_the_checkpointer_refuses_to_sign_a_tree_smaller_than_the_newest_file(
    twelve: list[AccessEvent],
) -> None:
    """The last four lines and their leaves deleted and the tree recomputed: refused, the
    checkpoint in the folder covers more lines than the database holds."""
    from baken.audit.log import CheckpointConflict

    for position in (12, 11, 10, 9):
        sql("DELETE FROM audit_accessevent WHERE id = %s", [event_at(position)])
    rebuild_tree_as_attacker()
    with pytest.raises(CheckpointConflict, match="covers 12 lines but the tree in the database"):
        make_checkpoint()


def test_verify_refuses_a_checkpoint_folder_that_is_not_there(
    twelve: list[AccessEvent], settings: object, tmp_path: Path
) -> None:
    """The folder moved away (a failed mount, a wrong path) while the tree holds lines:
    verify stops with an error naming the folder instead of trusting the database's own
    checkpoints."""
    missing = tmp_path / "not-mounted"
    settings.BAKEN_AUDIT_CHECKPOINT_DIR = missing  # type: ignore[attr-defined]
    with pytest.raises(VerifyInputError, match="does not exist"):
        verify()
