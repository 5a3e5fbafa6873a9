"""PostgreSQL restarted under load: users get the Dutch "probeer het zo opnieuw" page (503,
``Retry-After``), never a traceback or a 500, and Baken recovers by itself once the database
is back, without a restart of Baken.

The shared PostgreSQL on 5432 is never touched: the test starts a private cluster (``initdb``
as the ``postgres`` system user, trust authentication, a free 127.0.0.1 port), restores the
migrated template database into it, and points a real ``baken serve`` at it."""

from __future__ import annotations

import http.client
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.faults import harness

pytestmark = pytest.mark.faults

THREADS = 4
MAX_REQUESTS_PER_THREAD = 400
BEFORE_SECONDS = 1.5
DOWN_SECONDS = 2.0
AFTER_SECONDS = 3.0
NOT_SAVED = "misschien niet opgeslagen"


@dataclass(frozen=True)
class Sent:
    started: float
    ended: float
    method: str
    status: int
    problems: tuple[str, ...]


@dataclass
class Load:
    """GETs of a dossier (a logged read) and POSTs of an observation, from a few threads,
    until told to stop (or a bounded number each)."""

    browser: harness.Browser
    dossiers: list[str]
    sent: list[Sent] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self, worker: int) -> None:
        for number in range(MAX_REQUESTS_PER_THREAD):
            if self.stop.is_set():
                return
            dossier = self.dossiers[(worker + number) % len(self.dossiers)]
            post = number % 2 == 1
            started = time.monotonic()
            try:
                if post:
                    form = harness.observation_form(f"load-{worker}-{number}")
                    answer = self.browser.request(harness.record_path(dossier), form)
                else:
                    answer = self.browser.request(f"/dossiers/{dossier}/")
            except (OSError, http.client.HTTPException) as error:
                answer = harness.Answer(0, {}, repr(error))
            problems: tuple[str, ...] = ()
            if answer.status == 503:
                problems = tuple(
                    harness.problems_with_fault_page(answer, harness.UNAVAILABLE_HEADING)
                )
                if post and NOT_SAVED not in answer.text:
                    problems += ("no word about what was typed",)
                if harness.TRY_AGAIN not in answer.text:
                    problems += ("no 'probeer het zo opnieuw'",)
            elif answer.status not in {200, 302}:
                problems = (f"status {answer.status}: {answer.text[:200]}",)
            with self.lock:
                self.sent.append(
                    Sent(
                        started,
                        time.monotonic(),
                        "POST" if post else "GET",
                        answer.status,
                        problems,
                    )
                )


def _copy_database(source: str, target: str) -> None:
    """``pg_dump`` the template into the private cluster's new database."""
    dump = subprocess.run(
        ["pg_dump", "--format=custom", f"--dbname={source}"],
        capture_output=True,
        timeout=120,
        check=True,
    )
    subprocess.run(
        ["pg_restore", "--exit-on-error", "--no-owner", f"--dbname={target}"],
        input=dump.stdout,
        capture_output=True,
        timeout=120,
        check=True,
    )


def test_a_postgres_restart_under_load_gives_the_dutch_503_page_and_baken_recovers(
    tmp_path: Path, var_dir: Path, postgres_template: str
) -> None:
    """Under a load of GETs and POSTs from four threads, PostgreSQL is stopped (fast
    shutdown), stays down for 2 s and is started again. Every answer is 200, 302 or the
    Dutch 503 page (its heading, "Probeer het zo opnieuw.", Retry-After, no traceback, no
    script; after a POST, the word that it may not be saved); at least one 503 was seen; and
    every request sent after PostgreSQL accepts connections again succeeds, from the same
    Baken process."""
    with harness.private_cluster() as cluster:
        harness.admin(cluster.url, 'CREATE DATABASE "baken"')
        _copy_database(f"{harness.SHARED_POSTGRES}/{postgres_template}", f"{cluster.url}/baken")
        env = harness.server_env(var_dir, f"{cluster.url}/baken", tmp_path / "checkpoints")
        login = harness.tool(env, "seed", "2", "1")
        server = harness.Server(env, tmp_path / "serve.log")
        try:
            server.start()
            browser = harness.Browser(server.base)
            browser.log_in(login["username"], login["password"], login["secret"])
            load = Load(browser, login["dossiers"])
            threads = [threading.Thread(target=load.run, args=(n,)) for n in range(THREADS)]
            for thread in threads:
                thread.start()
            time.sleep(BEFORE_SECONDS)
            down = time.monotonic()
            stop_seconds = cluster.pg_ctl("stop", "-m", "fast")
            time.sleep(DOWN_SECONDS)
            start_seconds = cluster.pg_ctl("start")
            up = time.monotonic()
            time.sleep(AFTER_SECONDS)
            load.stop.set()
            for thread in threads:
                thread.join(timeout=60)
            same_process = server.process is not None and server.process.poll() is None
        finally:
            server.kill()

    sent = sorted(load.sent, key=lambda s: s.started)
    unavailable = [s for s in sent if s.status == 503]
    after = [s for s in sent if s.started >= up]
    first_success = next(
        (s for s in sent if s.started >= down and s.ended >= up and s.status in {200, 302}), None
    )
    recovered_in = first_success.ended - up if first_success else float("nan")
    outage = (unavailable[-1].ended - unavailable[0].started) if unavailable else 0.0
    print(
        f"\n[faults] PostgreSQL restart under load: {len(sent)} requests "
        f"({sum(s.method == 'POST' for s in sent)} POST) from {THREADS} threads, "
        f"{len(unavailable)} answered 503, {sum(s.status in {200, 302} for s in sent)} succeeded, "
        f"{sum(s.status not in {200, 302, 503} for s in sent)} other; "
        f"pg_ctl stop {stop_seconds:.2f} s, down {DOWN_SECONDS:.0f} s, "
        f"start {start_seconds:.2f} s; "
        f"users saw 503s for {outage:.2f} s; first success {recovered_in:.3f} s after "
        f"PostgreSQL was back; {len(after)} requests after that, "
        f"{sum(s.status != 503 for s in after)} succeeded; slowest answer during the outage "
        f"{max((s.ended - s.started for s in unavailable), default=0):.3f} s"
    )
    assert {
        "answers other than 200, 302 or the 503 page": [
            (s.method, s.status, s.problems) for s in sent if s.problems
        ],
        "saw the outage": bool(unavailable),
        "failed after PostgreSQL was back": [
            (s.method, s.status) for s in after if s.status not in {200, 302}
        ],
        "requests after PostgreSQL was back": bool(after),
        "the same Baken process": same_process,
    } == {
        "answers other than 200, 302 or the 503 page": [],
        "saw the outage": True,
        "failed after PostgreSQL was back": [],
        "requests after PostgreSQL was back": True,
        "the same Baken process": True,
    }
