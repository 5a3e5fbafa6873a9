"""`baken worker`: one sweep with --once, a clean stop on SIGTERM, refusal of an unmigrated
database, and `baken serve --with-worker` (what `make run` starts) stopping both.

The commands run as a user runs them, in subprocesses on their own SQLite database in a
temporary folder, with mail written to files (Django's file backend).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from django_tasks_db.models import DBTaskResult

from baken.notifications import worker
from baken.notifications.tasks import send_due_reminders_task
from tests.conftest import CliResult

Run = Callable[..., CliResult]

PREPARE = """
from datetime import timedelta
import django
django.setup()
from django.core.management import call_command
from django.utils import timezone
call_command("migrate", interactive=False, verbosity=0)
from baken.accounts.models import Organisation, Role, User
from baken.notifications.models import NotificationKind
from baken.notifications.services import schedule_reminder
vt = Organisation.objects.create(name="Veilig Thuis Proef", kind="veilig_thuis")
User.objects.create_user(
    username="vt-een", email="vt-een@proef.invalid", role=Role.VEILIG_THUIS_ADVISER,
    organisation=vt,
)
schedule_reminder(
    "report:proef:veiligheidsbeoordeling:passed", timezone.now() - timedelta(minutes=1),
    NotificationKind.DEADLINE_PASSED, "/dossiers/", organisation=vt,
    role=Role.VEILIG_THUIS_ADVISER,
)
"""


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A fresh development installation in ``tmp_path``, mail as files in ``mail/``."""
    return {
        "BAKEN_VAR_DIR": str(tmp_path),
        "BAKEN_ENV": "development",
        "DATABASE_URL": "",
        "DJANGO_SETTINGS_MODULE": "baken.conf.settings",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "BAKEN_BASE_URL": "https://baken.proef.invalid",
        "PYTEST_VERSION": "",
    }


def _prepare(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-c", PREPARE], env={**os.environ, **env}, check=True, timeout=120
    )


def _mails(env: dict[str, str]) -> list[str]:
    folder = Path(env["EMAIL_FILE_PATH"])
    return [p.read_text("utf-8") for p in sorted(folder.glob("*.log"))] if folder.is_dir() else []


def test_worker_once_sends_a_due_reminder_once_across_restarts(
    baken: Run, env: dict[str, str]
) -> None:
    """`baken worker --once` sweeps, sends the due reminder's mail with the link to the
    berichten, and exits 0; a second run (a restarted worker) sends nothing more."""
    _prepare(env)
    first = baken("worker", "--once", env=env)
    after_first = _mails(env)
    second = baken("worker", "--once", env=env)
    assert (first.code, second.code, len(after_first), len(_mails(env))) == (0, 0, 1, 1)
    assert "https://baken.proef.invalid/berichten/" in after_first[0]


def test_worker_refuses_a_database_that_is_not_migrated(baken: Run, env: dict[str, str]) -> None:
    """On a fresh database the worker does not start: one line, exit 2 (`baken serve`
    migrates, then starts it)."""
    result = baken("worker", "--once", env=env)
    assert (result.code, result.stderr.count("\n"), "not up to date" in result.stderr) == (
        2,
        1,
        True,
    )


@pytest.mark.parametrize("value", ["0", "abc", "3601", "-5"])
def test_worker_refuses_a_bad_interval(baken: Run, env: dict[str, str], value: str) -> None:
    """--interval takes whole seconds from 1 to 3600; anything else is a usage error naming
    the option (argparse's usage line, then one error line), exit 2, no traceback."""
    result = baken("worker", f"--interval={value}", env=env)
    last = result.stderr.strip().splitlines()[-1]
    assert (result.code, "Traceback" in result.stderr, "argument --interval" in last) == (
        2,
        False,
        True,
    )


def test_worker_stops_cleanly_on_sigterm(env: dict[str, str]) -> None:
    """A running worker asked to stop (SIGTERM, as a service manager does) finishes and
    exits 0, saying so."""
    _prepare(env)
    process = subprocess.Popen(
        [sys.executable, "-m", "baken.cli", "worker", "--interval", "60"],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        started = process.stdout.readline()
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert (started.startswith("Baken worker runs"), process.returncode, out.strip()) == (
        True,
        0,
        "baken worker: stopped",
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_with_worker_migrates_first_and_stops_the_worker_with_it(
    env: dict[str, str],
) -> None:
    """`baken serve --with-worker` (what `make run` runs) on a fresh database migrates,
    starts the worker (which would refuse an unmigrated database), and on SIGTERM stops the
    worker before it exits itself."""
    process = subprocess.Popen(
        [sys.executable, "-m", "baken.cli", "serve", "--port", str(_free_port()), "--with-worker"],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        started = next(line for line in process.stdout if line.startswith("Baken worker runs"))
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert (bool(started), process.returncode, out.strip().splitlines()[-1]) == (
        True,
        0,
        "baken worker: stopped",
    )


@pytest.mark.django_db(transaction=True)
def test_the_worker_loop_stops_when_its_parent_is_gone() -> None:
    """Started by `baken serve`, the worker ends by itself once that process is gone (even
    after a SIGKILL that left no chance to stop it): here, after its first round, which
    swept once."""
    said: list[str] = []
    worker.run(interval=60, parent_pid=os.getppid() + 1_000_000, say=said.append)
    sweeps = DBTaskResult.objects.filter(task_path=send_due_reminders_task.module_path)
    assert (said, [s.status for s in sweeps]) == (
        ["baken worker: the web server stopped; stopping too"],
        ["SUCCESSFUL"],
    )


@pytest.mark.django_db(transaction=True)
def test_the_sweep_is_not_enqueued_twice_while_one_waits() -> None:
    """A sweep that is still waiting in the queue (worker stopped for a while, or several
    workers) is not joined by another."""
    assert (worker.enqueue_sweep(), worker.enqueue_sweep()) == (True, False)
