"""Benchmark: what remembering used two-factor codes costs (baken.accounts.two_factor).

Builds a throwaway SQLite database and measures (median and best of repeated runs) one
``use_code`` call, the check of one code plus its mark in the shared "two_factor" cache:

- on Django's database cache (the default), with the used-code table holding 0, 10,000
  and 100,000 rows (the database cache counts its rows on every write, and culls at
  MAX_ENTRIES = 100,000);
- the refusal of a replayed code (the add that fails, and the check that the row is there);
- on Redis (BAKEN_CACHE_URL), when one answers on 127.0.0.1:6379.

Figures only; nothing here asserts a time. Run: ``.venv/bin/python bench/bench_two_factor.py``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

REDIS_URL = "redis://127.0.0.1:6379/8"


def measure(label: str, action: Callable[[], object], repeat: int = 300) -> None:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    median, best = statistics.median(times) * 1000, min(times) * 1000
    print(f"{label:<52} median {median:7.2f} ms   best {best:7.2f} ms", flush=True)


def run(cache_url: str | None) -> None:
    """Measure in this process, with BAKEN_CACHE_URL as given (set before Django loads)."""
    var = tempfile.mkdtemp(prefix="baken-bench-2fa-")
    os.environ["BAKEN_VAR_DIR"] = var
    os.environ["DATABASE_URL"] = f"sqlite:///{var}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baken.conf.settings")
    os.environ.setdefault("BAKEN_LOG_LEVEL", "WARNING")
    if cache_url:
        os.environ["BAKEN_CACHE_URL"] = cache_url
    import django

    django.setup()
    from allauth.mfa.totp.internal.auth import generate_totp_secret
    from django.core.management import call_command
    from django.db import connection
    from tests.support import totp_code

    from baken.accounts.two_factor import use_code

    call_command("migrate", verbosity=0)
    where = "Redis" if cache_url else "database cache"
    print(f"Python {sys.version.split()[0]}; SQLite in {var}; used codes in the {where}")

    def fresh_code() -> object:
        # A new secret every call: each code is new, so every call marks one code.
        secret = generate_totp_secret()
        return use_code(1, secret, totp_code(secret))

    def fill(rows: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM baken_cache_2fa")
            cursor.executemany(
                "INSERT INTO baken_cache_2fa (cache_key, value, expires) VALUES (%s, %s, %s)",
                [(f":1:filler:{n}", "gAJLAS4=", "2999-01-01 00:00:00") for n in range(rows)],
            )

    sizes = (None,) if cache_url else (0, 10_000, 100_000)
    for rows in sizes:
        if rows is not None:
            fill(rows)
        label = "use_code, a new right code" + (f" ({rows:,} rows)" if rows is not None else "")
        measure(label, fresh_code)
    if not cache_url:
        fill(0)
    secret = generate_totp_secret()
    code = totp_code(secret)
    use_code(1, secret, code)
    measure("use_code, a replayed code (refused)", lambda: use_code(1, secret, code))
    measure("use_code, a wrong code (no cache access)", lambda: use_code(1, secret, "000000"))


def main() -> None:
    if len(sys.argv) > 1:
        run(sys.argv[1] or None)
        return
    here = os.path.dirname(os.path.abspath(__file__))
    env = {**os.environ, "PYTHONPATH": os.path.dirname(here)}
    env.pop("BAKEN_CACHE_URL", None)
    subprocess.run([sys.executable, __file__, ""], env=env, check=True)  # noqa: S603
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
    except Exception as exc:  # noqa: BLE001 (any failure: no Redis to measure)
        print(f"Redis not measured: {exc}")
        return
    subprocess.run([sys.executable, __file__, REDIS_URL], env=env, check=True)  # noqa: S603


if __name__ == "__main__":
    main()
