"""``kill -9`` of the web server in the middle of a burst of writes loses no entry that was
confirmed, leaves nothing half-written, and ``baken audit verify`` passes afterwards.

A real ``baken serve`` (waitress, 8 threads) runs on SQLite and on PostgreSQL; a
professional logs in with password and authenticator code; four threads post observations
into two dossiers until, a dozen confirmed, the server gets SIGKILL mid-burst. After a
restart the database holds every entry whose POST got the success answer (302), each with
exactly one ``entry_added`` access-log line, no log line without its entry, entry numbers
without gaps, and the access log verifies."""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.faults import harness

pytestmark = pytest.mark.faults

THREADS = 4
POSTS_PER_THREAD = 80
KILL_AFTER_CONFIRMED = 20


@dataclass
class Burst:
    """What each POST of the burst got: saved (302), refused (another status) or no answer
    (the connection broke: the server was killed while it ran, or before it was read)."""

    saved: list[str] = field(default_factory=list)
    refused: list[tuple[str, int]] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    gone: threading.Event = field(default_factory=threading.Event)

    def fire(self, browser: harness.Browser, dossiers: list[str], worker: int) -> None:
        for number in range(POSTS_PER_THREAD):
            description = f"burst-{worker}-{number}"
            dossier = dossiers[(worker + number) % len(dossiers)]
            try:
                answer = browser.request(
                    harness.record_path(dossier), harness.observation_form(description)
                )
            except (OSError, http.client.HTTPException):
                with self.lock:
                    self.unanswered.append(description)
                self.gone.set()
                return
            with self.lock:
                if answer.status == 302 and "/stap/1/" in answer.location:
                    self.saved.append(description)
                else:
                    self.refused.append((description, answer.status))
            if self.gone.is_set():
                return


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_kill_9_during_a_burst_of_writes_loses_no_confirmed_entry(
    backend: str, tmp_path: Path, var_dir: Path, fresh_database: Callable[[str], str]
) -> None:
    """Every observation whose POST was answered 302 before the SIGKILL is in the database
    after the restart; only those and the ones in flight at the kill are there, each with
    exactly one access-log line; the entry numbers have no gaps; no POST was refused; the
    restarted server takes a new entry in the same session; and the access log verifies
    (where Baken signs checkpoints: after a new one, and against the one taken before the
    burst)."""
    env = harness.server_env(var_dir, fresh_database(backend), tmp_path / "checkpoints")
    login = harness.tool(env, "seed", "2", "1")
    dossiers = [str(d) for d in login["dossiers"]]
    before = harness.checkpoint(env)
    before_files = harness.checkpoint_files(env)
    server = harness.Server(env, tmp_path / "serve.log")
    try:
        server.start()
        browser = harness.Browser(server.base)
        browser.log_in(str(login["username"]), str(login["password"]), str(login["secret"]))
        burst = Burst()
        threads = [
            threading.Thread(target=burst.fire, args=(browser, dossiers, worker))
            for worker in range(THREADS)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        while len(burst.saved) < KILL_AFTER_CONFIRMED and time.monotonic() - started < 60:
            time.sleep(0.01)
        server.kill()
        killed_after = time.monotonic() - started
        burst.gone.set()
        for thread in threads:
            thread.join(timeout=60)
        restart_seconds = server.start()
        after_restart = browser.request(
            harness.record_path(dossiers[0]), harness.observation_form("after-restart")
        )
    finally:
        server.kill()
    found = harness.tool(env, "entries")
    after = harness.checkpoint(env)
    verify = harness.audit_verify(env)
    verify_before = (
        harness.audit_verify(env, "--checkpoint", str(before_files[-1]), "--no-checkpoint-dir")
        if before_files
        else None
    )

    present = {row[2] for row in found["entries"] if row[2].startswith("burst-")}
    entries = {(row[0], row[1]) for row in found["entries"]}
    logged = [tuple(row) for row in found["logged"]]
    gapless = {
        dossier: sequences == list(range(1, found["last_sequences"][dossier] + 1))
        for dossier, sequences in found["all_sequences"].items()
    }
    sent = len(burst.saved) + len(burst.refused) + len(burst.unanswered)
    print(
        f"\n[faults] kill -9 on {backend}: {sent} POSTs sent by {THREADS} threads, "
        f"{len(burst.saved)} confirmed before the kill at {killed_after:.2f} s, "
        f"{len(burst.unanswered)} unanswered (in flight), {len(burst.refused)} refused; "
        f"after the restart ({restart_seconds:.1f} s to answer) "
        f"{len(present & set(burst.unanswered))} of the unanswered were committed; "
        f"{len(entries)} entries, {len(logged)} entry_added log lines; "
        f"checkpoints: {before!r} / {after!r}; verify: {verify.stdout.splitlines()[0]}"
        + (
            f"; against the one before: {verify_before.stdout.splitlines()[0]}"
            if verify_before
            else ""
        )
    )
    assert {
        "confirmed and missing": sorted(set(burst.saved) - present),
        "present but never sent": sorted(present - set(burst.saved) - set(burst.unanswered)),
        "refused": burst.refused,
        "entries without one log line": sorted(e for e in entries if logged.count(e) != 1),
        "log lines without an entry": sorted(set(logged) - entries),
        "dossiers with a gap": sorted(d for d, ok in gapless.items() if not ok),
        "killed mid-burst": len(burst.saved) >= KILL_AFTER_CONFIRMED and bool(burst.unanswered),
        "after the restart": (after_restart.status, "/stap/1/" in after_restart.location),
        "verify": verify.returncode,
        "verify against the checkpoint before the burst": (
            verify_before.returncode if verify_before else None
        ),
    } == {
        "confirmed and missing": [],
        "present but never sent": [],
        "refused": [],
        "entries without one log line": [],
        "log lines without an entry": [],
        "dossiers with a gap": [],
        "killed mid-burst": True,
        "after the restart": (302, True),
        "verify": 0,
        "verify against the checkpoint before the burst": 0 if before_files else None,
    }, verify.stderr
