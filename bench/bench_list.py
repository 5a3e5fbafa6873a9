"""Benchmark: the dossier list for a user with 50 and with 600 dossiers (issue 13, ADR 11).

Builds a throwaway database (SQLite in a temporary folder; PostgreSQL too when DATABASE_URL
is set, in a database of its own that is dropped afterwards), opens the dossiers through the
service (forms varied, every fourth closed), and measures through Django's test client
(middleware, selectors, access log, template), median and best of repeated GETs:

- the list's first page, with no filter and with a form filter (``?vorm=labour``);
- the page after it ("Volgende"), where the list has one;

and the number of SQL queries of each. BENCH_LIST_SIZES changes the sizes (``50,600``).
To compare with another version of the code, run this file with that version first on
``PYTHONPATH`` (e.g. an unpacked ``git archive``): it only uses the URL and the services.

Figures only; nothing here asserts a time.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from functools import partial

from bench_databases import on_both

SIZES = [int(n) for n in os.environ.get("BENCH_LIST_SIZES", "50,600").split(",")]
FORMS = ["sexual", "labour", "criminal", "organ", "other"]


def measure(label: str, action: Callable[[], object], repeat: int) -> None:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    median, best = statistics.median(times) * 1000, min(times) * 1000
    print(f"  {label:<40} median {median:8.2f} ms   best {best:8.2f} ms", flush=True)


def run_one(label: str) -> None:
    import django

    django.setup()
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse
    from django.utils import timezone

    from baken.accounts.models import Organisation, OrganisationKind, Role, User
    from baken.dossiers import services
    from baken.dossiers.selectors import access_to

    setup_test_environment()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # hashed names, as deployed
    organisation = Organisation.objects.create(
        name="Wijkteam Bench", kind=OrganisationKind.NEIGHBOURHOOD_TEAM
    )
    url = reverse("dossiers:list")
    print(f"{label} (Python {sys.version.split()[0]})", flush=True)
    for size in SIZES:
        user = User.objects.create_user(
            username=f"bench-{size}", role=Role.PROFESSIONAL, organisation=organisation
        )
        TOTP.activate(user, generate_totp_secret())
        start = timezone.now() - timedelta(days=size)
        built = time.perf_counter()
        for n in range(size):
            forms = sorted({FORMS[n % 5], *(["labour"] if n % 3 == 0 else [])})
            dossier = services.open_dossier(
                user,
                services.NewDossier(f"Casus {n:04d}", None, 16, forms),
                start + timedelta(hours=n),
            )
            if n % 4 == 0:
                evaluation = {f"evaluatie-{k}": "klaar" for k in range(1, 5)}
                services.close_dossier(access_to(user, dossier.pk), evaluation, seen_sequence=0)
        print(f" {size} dossiers (opened in {time.perf_counter() - built:.1f} s)", flush=True)
        client = Client()
        client.force_login(user, backend="baken.web.auth.ModelBackend")
        first = client.get(url)
        assert first.status_code == 200, first.status_code
        pages = {"list, first page": url, "list, ?vorm=labour": url + "?vorm=labour"}
        found = re.search(r'rel="next" href="\?([^"]*)"', first.content.decode())
        if found:
            pages["list, second page"] = url + "?" + found.group(1).replace("&amp;", "&")
        for page, target in pages.items():
            with CaptureQueriesContext(connection) as queries:
                response = client.get(target)
            assert response.status_code == 200, (page, response.status_code)
            shown = len(re.findall(r'href="/dossiers/[0-9a-f-]{36}/"', response.content.decode()))
            print(f"  {page:<40} {len(queries)} queries, {shown} dossiers shown", flush=True)
            measure(page, partial(client.get, target), repeat=30 if size <= 100 else 10)


def main() -> None:
    if len(sys.argv) > 1:
        run_one(sys.argv[1])
        return
    on_both(__file__, "list")


if __name__ == "__main__":
    main()
