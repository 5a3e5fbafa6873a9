"""Benchmark: an ordinary write's latency while ``baken keys rotate`` runs (PostgreSQL).

In a PostgreSQL database of its own (from DATABASE_URL, dropped afterwards) it builds
BENCH_MAINTENANCE_ROWS entries (default 50,000) in 50 dossiers (bulk, encrypted for their
rows), puts a new key first, and measures recording one entry through the service
(``services.record``: the dossier's row lock, checks, the insert, its access-log line),
one after the other in a dossier of its own:

- **before**: with nothing else running;
- **during a batched rotation**: ``rotate()`` in a process of its own (as ``baken keys
  rotate`` runs beside the web servers), 500 rows a transaction
  (``baken.crypto.rotate.BATCH``);
- **during a rotation in one transaction**: the same inside one outer transaction, as the
  rotation was before batching (it held every row it rewrote, the writer's dossier row
  among them, until the end).

It reports p50, p95 and the worst write of each, and how long each rotation took.
Figures only; nothing here asserts a time.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date

ROWS = int(os.environ.get("BENCH_MAINTENANCE_ROWS", "50000"))
DOSSIERS = 50
OBSERVATION = {
    "nature": "fact",
    "observed_on": "2026-11-20",
    "source": "mentor",
    "description": "Synthetische observatie voor de meting",
}


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    from baken.accounts.models import Organisation, OrganisationKind, Role, User
    from baken.crypto import Keyring
    from baken.crypto.fields import _keyring
    from baken.dossiers import services
    from baken.dossiers.models import Entry
    from baken.dossiers.selectors import access_to

    call_command("migrate", interactive=False, verbosity=0)
    organisation = Organisation.objects.create(
        name="Wijkteam Meting", kind=OrganisationKind.NEIGHBOURHOOD_TEAM
    )
    user = User.objects.create_user(
        username="meting", password="x" * 20, role=Role.PROFESSIONAL, organisation=organisation
    )

    def new_dossier(label: str) -> object:
        return services.open_dossier(
            user, services.NewDossier(label, date(2010, 5, 17), None, ["sexual"])
        )

    started = time.perf_counter()
    per = ROWS // DOSSIERS
    now = timezone.now()
    for n in range(DOSSIERS):
        dossier = new_dossier(f"Casus Meting {n}")
        Entry.objects.bulk_create(
            [
                Entry(
                    dossier=dossier,
                    sequence=s,
                    kind="observation",
                    data=OBSERVATION,
                    author=user,
                    created_at=now,
                )
                for s in range(1, per + 1)
            ],
            batch_size=2000,
        )
    print(
        f"{per * DOSSIERS:,} entries in {DOSSIERS} dossiers made in "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )
    writer = new_dossier("Casus Schrijver")
    seen = [0]

    def write_one() -> float:
        start = time.perf_counter()
        services.record(
            access_to(user, writer.pk), "observation", OBSERVATION, seen_sequence=seen[0]
        )
        seen[0] += 1
        return time.perf_counter() - start

    def show(label: str, samples: list[float]) -> None:
        print(
            f"  {label:<44} n={len(samples):4}  p50 {statistics.median(samples) * 1000:7.1f} ms"
            f"  p95 {percentile(samples, 0.95) * 1000:7.1f} ms"
            f"  worst {max(samples) * 1000:8.1f} ms",
            flush=True,
        )

    for _ in range(20):  # warm up
        write_one()
    show("before (nothing else running)", [write_one() for _ in range(300)])

    old = os.environ["BAKEN_ENCRYPTION_KEYS_BENCH"]
    for label, mode in (
        ("during a batched rotation (500 rows a batch)", "batched"),
        ("during a rotation in one transaction", "whole"),
    ):
        from django.conf import settings

        ring = f"{Keyring.generate()},{old}"
        settings.BAKEN_ENCRYPTION_KEYS = ring
        _keyring.cache_clear()
        # The rotation in a process of its own, as `baken keys rotate` runs beside the
        # web servers (a thread here would share this process's interpreter lock).
        child = subprocess.Popen(  # noqa: S603
            [sys.executable, __file__, "rotate", mode],
            env={**os.environ, "BAKEN_ENCRYPTION_KEYS": ring},
            stdout=subprocess.PIPE,
            text=True,
        )
        samples = []
        while child.poll() is None:
            samples.append(write_one())
        took = child.communicate()[0].strip()
        show(label, samples)
        print(f"  {'':<44} the rotation took {took} s", flush=True)
        old = ring
    connections.close_all()


def rotate_in_child(mode: str) -> None:
    import django

    django.setup()
    from django.db import transaction

    from baken.crypto.rotate import rotate

    time.sleep(0.5)  # let the writer run first
    start = time.perf_counter()
    if mode == "whole":
        # As before batching: every row in one transaction, held until the end.
        with transaction.atomic():
            rotate(batch=10**9)
    else:
        rotate()
    print(f"{time.perf_counter() - start:.1f}")


def main() -> None:
    if len(sys.argv) > 2:
        rotate_in_child(sys.argv[2])
        return
    if len(sys.argv) > 1:
        run()
        return
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("bench_maintenance.py measures PostgreSQL: set DATABASE_URL=postgres://…")
    import psycopg

    folder = tempfile.mkdtemp(prefix="baken-bench-maintenance-")
    name = f"baken_bench_maintenance_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    keys = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "from baken.crypto import Keyring; print(Keyring.generate())"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    env = {
        **os.environ,
        "BAKEN_VAR_DIR": folder,
        "DJANGO_SETTINGS_MODULE": "baken.conf.settings",
        "BAKEN_LOG_LEVEL": "WARNING",
        "BAKEN_AUDIT_CHECKPOINT_DIR": f"{folder}/checkpoints",
        "BAKEN_ENCRYPTION_KEYS": keys,
        "BAKEN_ENCRYPTION_KEYS_BENCH": keys,
        "DATABASE_URL": url.rsplit("/", 1)[0] + f"/{name}",
    }
    try:
        print(f"PostgreSQL: recording one entry through the service, {ROWS:,} rows to rotate")
        subprocess.run([sys.executable, __file__, "run"], env=env, check=True)  # noqa: S603
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name}")


if __name__ == "__main__":
    main()
