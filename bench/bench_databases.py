"""Run a benchmark script once on SQLite and, when ``DATABASE_URL`` names a PostgreSQL
server, once more in a PostgreSQL database of its own (made for the run and dropped after):
each run a process of its own, with a fresh ``BAKEN_VAR_DIR`` and checkpoint folder."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile


def on_both(script: str, prefix: str) -> None:
    """``python script SQLite``, then ``python script PostgreSQL``; ``prefix`` names the
    temporary folder and the PostgreSQL database (``baken_bench_<prefix>_<pid>``)."""
    folder = tempfile.mkdtemp(prefix=f"baken-bench-{prefix}-")
    base = {
        **os.environ,
        "BAKEN_VAR_DIR": folder,
        "DJANGO_SETTINGS_MODULE": "baken.conf.settings",
        "BAKEN_LOG_LEVEL": "WARNING",
        "BAKEN_AUDIT_CHECKPOINT_DIR": f"{folder}/checkpoints",
    }
    sqlite = {**base, "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3"}
    subprocess.run([sys.executable, script, "SQLite"], env=sqlite, check=True)  # noqa: S603
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return
    import psycopg

    name = f"baken_bench_{prefix}_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        postgres = {
            **base,
            "DATABASE_URL": url.rsplit("/", 1)[0] + f"/{name}",
            "BAKEN_AUDIT_CHECKPOINT_DIR": f"{folder}/checkpoints-pg",
        }
        subprocess.run([sys.executable, script, "PostgreSQL"], env=postgres, check=True)  # noqa: S603
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name}")
