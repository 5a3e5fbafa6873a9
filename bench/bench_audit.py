"""Benchmark: the access log as a transparency log (docs/adr/0009-transparency-log.md).

Builds a throwaway database (SQLite in a temporary folder; PostgreSQL too when
DATABASE_URL is set, in a database of its own that is dropped afterwards) and reports, at
100,000 lines (BENCH_AUDIT_LINES to change it):

- **append**: lines per second through ``baken.audit.chain.append``: 2,000 lines in one
  transaction each (as requests write them), then the rest in transactions of 500 lines;
- **integrate**: lines per second the integrator puts into the tree (leaves and nodes);
- **checkpoint**: one signed checkpoint (root from stored subtrees, file, fsync);
- **verify**: lines per second of ``baken audit verify`` and its peak Python memory
  (tracemalloc), which stays flat as the log grows (it streams).

Figures only; nothing here asserts a time.
"""

from __future__ import annotations

import os
import sys
import time
import tracemalloc

from bench_databases import on_both

LINES = int(os.environ.get("BENCH_AUDIT_LINES", "100000"))


def run_one(label: str) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from baken.audit.chain import append
    from baken.audit.log import integrate, make_checkpoint
    from baken.audit.verify import verify

    call_command("migrate", interactive=False, verbosity=0)

    def line(n: int) -> None:
        append(code="R", action="view", purpose="care", user_id=n % 500, role="professional")

    single = min(2000, LINES)
    start = time.perf_counter()
    for n in range(single):
        with transaction.atomic():
            line(n)
    one_each = time.perf_counter() - start
    start = time.perf_counter()
    for first in range(single, LINES, 500):
        with transaction.atomic():
            for n in range(first, min(first + 500, LINES)):
                line(n)
    batched = time.perf_counter() - start
    start = time.perf_counter()
    integrated = integrate()
    integration = time.perf_counter() - start
    start = time.perf_counter()
    make_checkpoint()
    checkpoint = time.perf_counter() - start
    tracemalloc.start()
    report = verify()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert not report.problems, report.problems
    print(f"{label}: {LINES} lines")
    print(f"  append       {single / one_each:10,.0f} lines/s (one transaction each)")
    if LINES > single:
        print(f"  append       {(LINES - single) / batched:10,.0f} lines/s (500 a transaction)")
    print(f"  integrate    {integrated / integration:10,.0f} lines/s")
    print(f"  checkpoint   {checkpoint * 1000:10.1f} ms")
    print(f"  verify       {report.lines_per_second:10,.0f} lines/s, peak {peak / 1e6:.1f} MB")


def main() -> None:
    if len(sys.argv) > 1:
        run_one(sys.argv[1])
        return
    on_both(__file__, "audit")


if __name__ == "__main__":
    main()
