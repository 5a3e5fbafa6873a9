"""The background worker behind ``baken worker``: django-tasks-db's worker for the task
queue, and the reminder sweep enqueued on it every ``interval`` seconds.

One loop, in one thread: enqueue the sweep when it is due (unless one is still waiting),
run every task that is ready (claimed as django-tasks-db's worker claims them, and run by
its ``Worker.run_task``: the sweep, and the e-mails it and the web requests enqueued),
wait a poll interval, again. A stop request
(SIGINT, SIGTERM, or the parent process gone) lets the running task finish, then ends the
loop; see docs/adr/0005-background-tasks.md.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.management import call_command
from django.db import OperationalError, close_old_connections
from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from baken.audit.log import checkpoint_quietly
from baken.notifications.tasks import send_due_reminders_task

POLL_SECONDS = 1.0
"""How long the worker waits for new tasks (e-mails) between looks at the queue."""
PRUNE_EVERY = timedelta(hours=1)
PRUNE_AFTER_DAYS = 14
"""Finished task results older than this are deleted (django-tasks-db's prune command)."""


@dataclass
class Stop:
    """Set by a signal handler or a test; the loop ends after the running task."""

    event: threading.Event = field(default_factory=threading.Event)

    def __call__(self, *_: object) -> None:
        self.event.set()

    @property
    def requested(self) -> bool:
        return self.event.is_set()


def enqueue_sweep() -> bool:
    """Put the reminder sweep on the queue unless one is already waiting there (after a
    worker was stopped for a while, or with several workers); True if enqueued."""
    waiting = DBTaskResult.objects.filter(
        task_path=send_due_reminders_task.module_path,
        status=TaskResultStatus.READY,
    ).exists()
    if waiting:
        return False
    send_due_reminders_task.enqueue()
    return True


def _make_worker() -> Worker:
    return Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name=DEFAULT_TASK_BACKEND_ALIAS,
        startup_delay=False,
        max_tasks=None,
        worker_id=f"baken-{os.getpid()}-{get_random_string(8)}",
        excluded_queue_names=[],
    )


def run_ready_tasks(worker: Worker | None = None, stop: Stop | None = None) -> int:
    """Run every task that is ready now, one at a time, then return how many ran (what
    ``--once`` and the tests use). Each is claimed as django-tasks-db's own loop does (in
    an exclusive transaction, ``SKIP LOCKED`` where the database has it, so two workers
    never run the same task), then run and recorded by its ``Worker.run_task``."""
    worker = worker or _make_worker()
    ran = 0
    while stop is None or not stop.requested:
        ready = DBTaskResult.objects.ready().filter(backend_name=worker.backend_name)
        try:
            with exclusive_transaction(ready.db):
                claimed = ready.get_locked()
                if claimed is not None:
                    claimed.claim(worker.worker_id)
        except OperationalError as exc:
            if is_locked_database_exception(exc):
                return ran  # another process holds the database: next round
            raise
        if claimed is None:
            return ran
        worker.run_task(claimed)
        ran += 1
    return ran


def run(
    *,
    interval: float,
    once: bool = False,
    stop: Stop | None = None,
    parent_pid: int | None = None,
    say: Callable[[str], None] = print,
) -> None:
    """Sweep every ``interval`` seconds and run the queue until ``stop`` is requested (or
    once, with ``once``). With ``parent_pid``, also stop when that process is gone."""
    stop = stop or Stop()
    worker = _make_worker()
    next_sweep = time.monotonic()
    next_prune = time.monotonic()
    next_checkpoint = time.monotonic()
    while not stop.requested:
        close_old_connections()
        now = time.monotonic()
        if now >= next_sweep:
            enqueue_sweep()
            next_sweep = now + interval
        if now >= next_prune:
            call_command(
                "prune_db_task_results", queue_name="*", min_age_days=PRUNE_AFTER_DAYS, verbosity=0
            )
            next_prune = now + PRUNE_EVERY.total_seconds()
        if now >= next_checkpoint:
            # The access log's new lines into its tree, and a signed checkpoint outside the
            # database (docs/transparency-log.md); a failure is logged, never raised.
            checkpoint_quietly()
            next_checkpoint = now + settings.BAKEN_AUDIT_CHECKPOINT_INTERVAL
        run_ready_tasks(worker, stop)
        if once:
            break
        if parent_pid is not None and os.getppid() != parent_pid:
            say("baken worker: the web server stopped; stopping too")
            break
        stop.event.wait(min(POLL_SECONDS, max(next_sweep - time.monotonic(), 0)))
    close_old_connections()
