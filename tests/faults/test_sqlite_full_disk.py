"""On SQLite, a full disk gives a clear error and nothing is half-written.

Two ways to fill the disk, both run where they can:

- ``tmpfs``: the database lives on a small tmpfs mounted for the test (as root), filled up
  with a file to the last byte; SQLite cannot write its rollback journal and answers
  SQLITE_FULL. This is a real full filesystem. Skipped where mounting is not permitted.
- ``page_limit``: the database may not grow (``PRAGMA max_page_count`` on every connection,
  tests/faults/page_limit_settings.py); a write that needs a new page gets SQLITE_FULL. The
  fallback that runs everywhere.

Either way a professional's new observation gets the Dutch 503 page "De opslag is vol",
neither the entry nor its access-log line exists, and a ``baken`` command that must write
says so in one English line."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

from tests.faults import harness

pytestmark = pytest.mark.faults

DISK_BYTES = 4 * 1024 * 1024
MARKER = "volle-schijf"
LONG_TEXT = (MARKER + " ") + "x" * 4900
"""An observation long enough (about 5,000 characters) to need new pages in any case."""


@contextmanager
def _small_disk() -> Iterator[Path]:
    """A 4 MiB tmpfs on a new folder; unmounted and removed afterwards."""
    mount_point = Path(tempfile.mkdtemp(prefix="baken-faults-disk-"))
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK_BYTES},mode=0700", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    if done.returncode != 0:
        mount_point.rmdir()
        pytest.skip(
            "mounting a small tmpfs is not permitted here "
            f"({done.stderr.strip() or done.returncode}); the page_limit variant "
            "(PRAGMA max_page_count) tests the full disk instead"
        )
    try:
        yield mount_point
    finally:
        if subprocess.run(["umount", str(mount_point)], check=False, timeout=30).returncode:
            subprocess.run(["umount", "-l", str(mount_point)], check=False, timeout=30)
        mount_point.rmdir()


def _fill(folder: Path) -> Path:
    """Write a file into ``folder`` until its filesystem has no byte left."""
    filler = folder / "filler"
    block = b"\0" * 4096
    with filler.open("wb", buffering=0) as out:
        with suppress(OSError):
            while True:
                out.write(block)
        with suppress(OSError):
            while True:
                out.write(b"\0")
    return filler


@contextmanager
def _normal_disk(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "disk"
    folder.mkdir()
    yield folder


@pytest.mark.parametrize("way", ["tmpfs", "page_limit"])
def test_a_full_disk_gives_the_dutch_storage_full_page_and_writes_nothing(
    way: str, tmp_path: Path, var_dir: Path, sqlite_template: Path
) -> None:
    """With the disk full, a professional's new observation is answered with the Dutch 503
    page "De opslag is vol" (no traceback, after a POST the word that it may not be saved);
    the dossier keeps the entries and access-log lines it had, exactly (no entry, no log
    line of the refused POST); ``baken serve`` on a new database on the full disk exits 1
    with one English line saying the storage is full, no traceback. On the tmpfs, once the
    filler file is removed, the same Baken process saves the next observation."""
    with _small_disk() if way == "tmpfs" else _normal_disk(tmp_path) as disk:
        database = disk / "baken.sqlite3"
        shutil.copyfile(sqlite_template, database)
        env = harness.server_env(var_dir, f"sqlite:///{database}", tmp_path / "checkpoints")
        before = login = harness.tool(env, "seed", "1", "2")
        dossier = login["dossiers"][0]
        full_env = env | {
            "DJANGO_SETTINGS_MODULE": "tests.faults.page_limit_settings",
            "BAKEN_FAULTS_BASE_SETTINGS": env.get("DJANGO_SETTINGS_MODULE", ""),
        }
        server = harness.Server(env, tmp_path / "serve.log")
        filler = None
        try:
            server.start()
            browser = harness.Browser(server.base)
            browser.log_in(login["username"], login["password"], login["secret"])
            if way == "tmpfs":
                filler = _fill(disk)
            else:  # the same session, on a server whose database may not grow
                server.stop()
                server = harness.Server(full_env, tmp_path / "serve-full.log")
                server.start()
                browser.base = server.base
            form = harness.observation_form(LONG_TEXT)
            refused = browser.request(harness.record_path(dossier), form)
            during = harness.tool(env, "entries")
            fresh = {"DATABASE_URL": f"sqlite:///{disk / 'nieuw.sqlite3'}"}
            port = str(harness.free_port())
            command = harness.cli(
                (env if way == "tmpfs" else full_env) | fresh, "serve", "--port", port
            )
            recovered = None
            if filler is not None:
                filler.unlink()
                again = browser.request(harness.record_path(dossier), form)
                recovered = (again.status, "/stap/1/" in again.location)
        finally:
            server.kill()
        after = harness.tool(env, "entries") if filler is not None else during
        free = shutil.disk_usage(disk).free

    stderr_lines = command.stderr.strip().splitlines()
    print(
        f"\n[faults] SQLite full disk ({way}): the POST got {refused.status}; "
        f"{len(before['entries'])} entries and {len(before['logged'])} entry_added lines "
        f"before, {len(during['entries'])} and {len(during['logged'])} after the refusal; "
        f"`baken serve` on the full disk: exit {command.returncode}, {stderr_lines!r}; "
        f"after making room: {recovered}; {free} bytes free at the end"
    )
    assert {
        "page": harness.problems_with_fault_page(refused, harness.STORAGE_FULL_HEADING),
        "says what was typed may not be saved": "misschien niet opgeslagen" in refused.text,
        "entries and log lines after the refusal": (during["entries"], during["logged"]),
        "command": (
            command.returncode,
            len(stderr_lines),
            "storage is full" in command.stderr,
            "Traceback" in command.stderr,
        ),
        "after making room": recovered,
        "new entries and log lines at the end": (
            len(after["entries"]) - len(before["entries"]),
            len(after["logged"]) - len(before["logged"]),
        ),
    } == {
        "page": [],
        "says what was typed may not be saved": True,
        "entries and log lines after the refusal": (before["entries"], before["logged"]),
        "command": (1, 1, True, False),
        "after making room": (302, True) if way == "tmpfs" else None,
        "new entries and log lines at the end": (1, 1) if way == "tmpfs" else (0, 0),
    }
