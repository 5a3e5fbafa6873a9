"""Benchmark: how long a dossier page takes, from the record to the rendered HTML.

Builds a throwaway SQLite database in a temporary folder with the synthetic demo data
plus one dossier with many entries, then measures (median and best of repeated runs):

- ``state_of``: reading the entries and computing the engine's advice;
- a full GET of the dossier overview and of the step-4 page through Django's test client
  (middleware, selectors, engine, templates);
- adding one entry through the service (lock, checks, insert, progress, audit event).

Each page's number of SQL queries is printed beside it (the same for every dossier size is
what tests/performance/test_dossier_page_queries.py asserts). ``BENCH_ENTRIES`` sets the
long dossier's entries (default 200; e.g. ``BENCH_ENTRIES=500``). Static files are served
without the manifest (none is collected in a throwaway folder).

Figures only; nothing here asserts a time.
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable

VAR = tempfile.mkdtemp(prefix="baken-bench-")
os.environ["BAKEN_VAR_DIR"] = VAR
os.environ["DATABASE_URL"] = f"sqlite:///{VAR}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baken.conf.settings")
os.environ.setdefault("BAKEN_LOG_LEVEL", "WARNING")  # the figures, not a line per request

import django  # noqa: E402

django.setup()

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from baken.accounts.models import User  # noqa: E402
from baken.dossiers import services  # noqa: E402
from baken.dossiers.demo import fill_demo_database  # noqa: E402
from baken.dossiers.models import Dossier  # noqa: E402
from baken.dossiers.selectors import access_to, state_of  # noqa: E402

OBSERVATION = {
    "nature": "fact",
    "observed_on": "2026-11-20",
    "source": "mentor",
    "description": "x",
}


def measure(label: str, action: Callable[[], object], repeat: int = 200) -> None:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    median, best = statistics.median(times) * 1000, min(times) * 1000
    print(f"{label:<44} median {median:8.2f} ms   best {best:8.2f} ms")


ENTRIES = int(os.environ.get("BENCH_ENTRIES", "200"))


def queries(action: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured.captured_queries)


def main() -> None:
    setup_test_environment()
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("migrate", verbosity=0)
    fill_demo_database(io.StringIO())
    user = User.objects.get(username="demo-professional")
    dossier = max(
        Dossier.objects.filter(team__user=user, closed_at__isnull=True),
        key=lambda d: d.last_sequence,
    )
    big = services.open_dossier(user, services.NewDossier("Casus Bench", None, 16, ["sexual"]))
    for sequence in range(ENTRIES):
        services.record(access_to(user, big.pk), "observation", OBSERVATION, seen_sequence=sequence)
    # Every account has two-factor authentication; without it every page is a redirect.
    TOTP.activate(user, generate_totp_secret())
    client = Client()
    client.force_login(user, backend="baken.web.auth.ModelBackend")
    print(f"Python {sys.version.split()[0]}; SQLite in {VAR}")
    for label, target in (("demo dossier", dossier), (f"dossier with {ENTRIES} entries", big)):
        target.refresh_from_db()
        n = target.entries.count()
        measure(
            f"state_of, {label} ({n} entries)",
            lambda t=target: state_of(access_to(t.opened_by, t.pk)),
        )
        detail = reverse("dossiers:detail", args=[target.pk])
        step4 = reverse("dossiers:step", args=[target.pk, 4])
        log = reverse("dossiers:access_log", args=[target.pk])
        for page, url in (("overview", detail), ("step 4", step4), ("Wie keek er", log)):
            assert client.get(url).status_code == 200, f"{page} did not answer 200"
            count = queries(lambda u=url: client.get(u))
            measure(f"GET {page}, {label} [{count} q]", lambda u=url: client.get(u), repeat=50)

    def add() -> None:
        big.refresh_from_db()
        services.record(
            access_to(user, big.pk), "observation", OBSERVATION, seen_sequence=big.last_sequence
        )

    measure("record one entry (service, SQLite)", add, repeat=100)


if __name__ == "__main__":
    main()
