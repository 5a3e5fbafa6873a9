"""A backup with ``pg_dump`` restored into a new database is whole: ``baken audit verify``
passes against the checkpoints taken before the backup, and every dossier reads (every label
and entry decrypts through Baken's ORM, in a process pointed at the restored database)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.faults import harness

pytestmark = pytest.mark.faults


def test_a_pg_dump_restored_into_a_new_database_verifies_and_every_dossier_reads(
    tmp_path: Path, var_dir: Path, fresh_database: Callable[[str], str]
) -> None:
    """Three dossiers with four entries each are backed up with ``pg_dump --format=custom``
    after a checkpoint, and restored with ``pg_restore`` into a new database. There, with the
    checkpoint folder as it was at the backup, ``baken audit verify`` exits 0, and the
    decrypted labels and entries, the counts and the number of log lines equal the
    original's. Where Baken signs checkpoints, the restored database is also checked against
    a checkpoint taken after more was written to the original: verify then exits 1, because
    the backup lacks those lines."""
    url = fresh_database("postgresql")
    live = tmp_path / "checkpoints"
    env = harness.server_env(var_dir, url, live)
    harness.tool(env, "seed", "3", "4")
    said = harness.checkpoint(env)
    original = harness.tool(env, "readall")
    dump = tmp_path / "baken.dump"
    subprocess.run(
        ["pg_dump", "--format=custom", f"--file={dump}", f"--dbname={url}"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    at_backup = tmp_path / "checkpoints-at-backup"
    shutil.copytree(live, at_backup)
    signed = harness.has_checkpoint_command(env)
    if signed:  # the original goes on: one more dossier, and a newer checkpoint
        harness.tool(env, "seed-more")
        harness.checkpoint(env)

    with harness.postgres_database("faults_restored") as restored_url:
        restore = subprocess.run(
            ["pg_restore", "--exit-on-error", f"--dbname={restored_url}", str(dump)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        restored_env = harness.server_env(var_dir, restored_url, at_backup)
        verify = harness.audit_verify(restored_env)
        restored = harness.tool(restored_env, "readall")
        behind = (
            harness.audit_verify(harness.server_env(var_dir, restored_url, live))
            if signed
            else None
        )

    print(
        f"\n[faults] pg_dump and restore: {original['dossiers']} dossiers, "
        f"{original['entries']} entries, {original['log_lines']} log lines, "
        f"dump {dump.stat().st_size} bytes; checkpoint: {said!r}; verify of the restored "
        f"database: {verify.stdout.splitlines()[0] if verify.stdout else verify.stderr}"
        + (f"; against a newer checkpoint: exit {behind.returncode}" if behind else "")
    )
    assert {
        "restore": (restore.returncode, restore.stderr),
        "verify": (verify.returncode, verify.stderr),
        "restored reads as the original": restored,
        "verify against a checkpoint after the backup": behind.returncode if behind else None,
    } == {
        "restore": (0, ""),
        "verify": (0, ""),
        "restored reads as the original": original,
        "verify against a checkpoint after the backup": 1 if signed else None,
    }
