"""Benchmark of protocol load time and assessment throughput (figures, not assertions)."""

from __future__ import annotations

import json
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from baken.engine import assess, parse_situation
from baken.protocol import load_protocol
from baken.protocol.loader import DATA_DIR

PATH = DATA_DIR / "gelderland-midden-2018.yaml"
NOW = datetime(2026, 2, 11, 10, 0, tzinfo=UTC)


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def situations(protocol: Any) -> list[dict[str, Any]]:
    signals = [s.id for lst in protocol.signal_lists for g in lst.groups for s in g.signals]
    article = protocol.article_273f
    base = {"moment": "2026-02-11T11:00:00+01:00", "reporter": "professional"}
    return [
        {**base, "acute_danger": True, "signals": signals[:3]},
        {**base, "moment": "2026-02-15T15:00:00+01:00", "acute_danger": True},
        {**base, "reporter": "volunteer", "person": {"age": 16}, "steps_completed": [1]},
        {**base, "steps_completed": [1, 2]},
        {
            **base,
            "person": {"age": 15},
            "exploitation_forms": ["sexual", "labour"],
            "signals": signals[:12],
            "profiles": [p.id for p in protocol.profiles[:2]],
            "steps_completed": [1, 2, 3, 4, 5],
            "weighing": {"q1": "yes", "q2": "yes", "q3": "no", "q4": "unknown"},
            "consent_to_report": "no",
            "art_273f": {
                "acts": [article.acts[0].id],
                "means": [],
                "purposes": [article.purposes[0].id],
            },
        },
        {**base, "steps_completed": [1, 2, 3, 4], "weighing": {"q1": "no"}},
    ]


def report(name: str, samples: list[float], per: int = 1) -> None:
    per_call = [s / per for s in samples]
    median = statistics.median(per_call)
    best = min(per_call)
    unit, scale = ("µs", 1e6) if median < 1e-3 else ("ms", 1e3)
    print(f"{name:<28} median {median * scale:9.1f} {unit}   best {best * scale:9.1f} {unit}")


def main() -> int:
    print(f"Python {sys.version.split()[0]}; protocol file {PATH.name} ({PATH.stat().st_size} B)")
    report("protocol load (cold)", timed(lambda: load_protocol(PATH), 20))

    tracemalloc.start()
    protocol = load_protocol(PATH)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{'protocol load peak memory':<28} {peak / 1024 / 1024:9.2f} MiB")

    report("export to JSON", timed(lambda: json.dumps(protocol.model_dump(mode="json")), 50))

    cases = situations(protocol)
    parsed = [parse_situation(c, protocol, now=NOW) for c in cases]
    rounds = 2000

    def parse_and_assess() -> None:
        for case in cases:
            assess(parse_situation(case, protocol, now=NOW), protocol)

    def assess_only() -> None:
        for situation in parsed:
            assess(situation, protocol)

    report("parse + assess (per case)", timed(parse_and_assess, rounds), per=len(cases))
    report("assess (per case)", timed(assess_only, rounds), per=len(cases))
    total = timed(assess_only, rounds)
    print(f"{'assess throughput':<28} {rounds * len(cases) / sum(total):9.0f} per second")
    return 0


if __name__ == "__main__":
    sys.exit(main())
