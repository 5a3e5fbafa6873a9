"""Benchmark: ``baken audit verify`` stays in flat memory as the log grows, and how fast it is.

For each size (BENCH_VERIFY_SIZES, default ``100000,1000000`` lines) it fills a database of
its own with a log that verifies: every line with a valid MAC, its leaf and every node of
the tree, and a signed checkpoint every BENCH_VERIFY_EVERY lines (default 1,000) in the
checkpoint folder and in the database, written in bulk (COPY on PostgreSQL, ``bulk_create``
on SQLite) with ``baken.audit.log``'s own helpers (content, MAC, leaf data) and
``baken.audit.merkle.CompactRange``, not through the service path. Then it runs verify

- once for its speed (lines per second), and
- once under tracemalloc for its peak Python memory, with the process's peak RSS,

each size in a process of its own, so the peaks are the verify's alone. The 100 million
lines of the issue are extrapolated from the largest size's rate (verify is linear in the
lines, flat in memory). PostgreSQL when DATABASE_URL is a postgres:// URL (a database of its
own, dropped afterwards), SQLite otherwise.

Figures only; nothing here asserts a time.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

SIZES = [int(n) for n in os.environ.get("BENCH_VERIFY_SIZES", "100000,1000000").split(",")]
EVERY = int(os.environ.get("BENCH_VERIFY_EVERY", "1000"))
TARGET = 100_000_000


def generate(size: int) -> float:
    """``size`` lines, leaves, nodes and a checkpoint every EVERY lines; seconds taken."""
    from django.conf import settings
    from django.db import connection, transaction

    from baken.audit import keys, merkle
    from baken.audit.log import (
        CONTENT_FIELDS,
        content,
        leaf_data,
        line_key,
        require_signer,
        stored_subtree,
        write_checkpoint_file,
    )
    from baken.audit.models import AccessEvent, Checkpoint, LogLeaf, LogNode

    started = time.perf_counter()
    key, signer = line_key(), require_signer()
    folder = Path(settings.BAKEN_AUDIT_CHECKPOINT_DIR)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    dossiers = [uuid.UUID(int=n + 1) for n in range(5000)]
    nodes: list[tuple[int, int, str]] = []
    tree = merkle.CompactRange(on_node=lambda lv, ix, h: nodes.append((lv, ix, h.hex())))
    postgres = connection.vendor == "postgresql"
    chunk = 20_000
    for first in range(0, size, chunk):
        events, leaves = [], []
        for n in range(first, min(first + chunk, size)):
            values = {  # in the order of CONTENT_FIELDS
                "uid": uuid.uuid4(),
                "at": base + timedelta(seconds=n),
                "user_id": 1000 + n % 700,
                "role": "professional",
                "organisation_id": 1 + n % 300,
                "responsible_organisation_id": 1 + n % 300,
                "dossier_id": dossiers[n % len(dossiers)],
                "entry_sequence": n % 40,
                "code": "R",
                "action": "view",
                "purpose": "care",
                "authorised": True,
                "case_team": n % 3 == 0,
                "consent": "not_applicable",
                "break_glass": False,
                "detail": "",
            }
            line = content(values)
            mac = keys.line_mac(key, line)
            leaf = merkle.leaf_hash(leaf_data(line, mac))
            events.append((n + 1, *values.values(), mac))
            leaves.append((n, n + 1, leaf.hex()))
            tree.append(leaf)
        with transaction.atomic():
            if postgres:
                raw = connection.connection
                with raw.cursor() as cursor:
                    names = ", ".join(f'"{c}"' for c in ("id", *CONTENT_FIELDS, "mac"))
                    with cursor.copy(f"COPY audit_accessevent ({names}) FROM STDIN") as copy:
                        for event in events:
                            copy.write_row(event)
                    with cursor.copy(
                        'COPY audit_logleaf ("index", event_id, hash) FROM STDIN'
                    ) as copy:
                        for leaf_row in leaves:
                            copy.write_row(leaf_row)
                    with cursor.copy(
                        'COPY audit_lognode (level, "index", hash) FROM STDIN'
                    ) as copy:
                        for node in nodes:
                            copy.write_row(node)
            else:
                fields = ("id", *CONTENT_FIELDS, "mac")
                AccessEvent.objects.bulk_create(
                    [AccessEvent(**dict(zip(fields, event, strict=True))) for event in events],
                    batch_size=2000,
                )
                LogLeaf.objects.bulk_create(
                    [LogLeaf(index=i, event_id=e, hash=h) for i, e, h in leaves], batch_size=5000
                )
                LogNode.objects.bulk_create(
                    [LogNode(level=lv, index=ix, hash=h) for lv, ix, h in nodes], batch_size=5000
                )
        nodes.clear()
        # A checkpoint at every EVERY lines of this chunk, its root from the stored tree
        # as `baken audit checkpoint` makes it.
        for at in range(first + EVERY, min(first + chunk, size) + 1, EVERY):
            root = merkle.root_from(at, stored_subtree)
            note = keys.Checkpoint(settings.BAKEN_AUDIT_ORIGIN, at, root).sign(signer)
            write_checkpoint_file(folder, at, note)
            Checkpoint.objects.create(size=at, root=root.hex(), note=note, made_at=base)
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('audit_accessevent', 'id'), %s)", [size]
            )
            cursor.execute("ANALYZE")
    return time.perf_counter() - started


def run_one(label: str, size: int, mode: str) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from baken.audit.verify import verify

    if mode == "fill":
        call_command("migrate", interactive=False, verbosity=0)
        seconds = generate(size)
        print(f"{label}: {size:,} lines generated in {seconds:.1f} s", flush=True)
        return
    if mode == "speed":
        report = verify()
        assert report.problem_count == 0, report.problems[:5]
        print(
            f"{label}: {size:,} lines, {report.checkpoints:,} checkpoints: verify "
            f"{report.seconds:.1f} s, {report.lines_per_second:,.0f} lines/s",
            flush=True,
        )
        return
    tracemalloc.start()
    report = verify()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert report.problem_count == 0, report.problems[:5]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{label}: {size:,} lines: tracemalloc peak {peak / 1e6:.2f} MB, "
        f"process peak RSS {rss:.0f} MB",
        flush=True,
    )


def main() -> None:
    if len(sys.argv) > 1:
        run_one(sys.argv[1], int(sys.argv[2]), sys.argv[3])
        return
    url = os.environ.get("DATABASE_URL", "")
    postgres = url.startswith("postgres")
    label = "PostgreSQL" if postgres else "SQLite"
    rates: list[tuple[int, float]] = []
    for size in SIZES:
        folder = tempfile.mkdtemp(prefix="baken-bench-verify-")
        env = {
            **os.environ,
            "BAKEN_VAR_DIR": folder,
            "DJANGO_SETTINGS_MODULE": "baken.conf.settings",
            "BAKEN_LOG_LEVEL": "WARNING",
            "BAKEN_AUDIT_CHECKPOINT_DIR": f"{folder}/checkpoints",
            "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
        }
        name = f"baken_bench_verify_{os.getpid()}_{size}"
        if postgres:
            import psycopg

            with psycopg.connect(url, autocommit=True) as admin:
                admin.execute(f"CREATE DATABASE {name}")
            env["DATABASE_URL"] = url.rsplit("/", 1)[0] + f"/{name}"
        try:
            for mode in ("fill", "speed", "memory"):
                out = subprocess.run(  # noqa: S603
                    [sys.executable, __file__, label, str(size), mode],
                    env=env,
                    check=True,
                    capture_output=True,
                    text=True,
                )
                print(out.stdout, end="", flush=True)
                if mode == "speed":
                    rate = float(out.stdout.split("s, ")[-1].split()[0].replace(",", ""))
                    rates.append((size, rate))
        finally:
            if postgres:
                import psycopg

                with psycopg.connect(url, autocommit=True) as admin:
                    admin.execute(f"DROP DATABASE IF EXISTS {name}")
    size, rate = rates[-1]
    hours = TARGET / rate / 3600
    print(
        f"{label}: 100,000,000 lines at the {size:,}-line rate ({rate:,.0f} lines/s): "
        f"about {hours:.1f} h, in the same flat memory"
    )


if __name__ == "__main__":
    main()
