"""Build situations for the engine tests through the same parser the command line uses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from baken.engine import Advice, assess, parse_situation
from baken.protocol import Protocol

# A Wednesday within office hours (11:00 in Amsterdam), as in the worked examples.
OFFICE_HOURS = "2026-02-11T11:00:00+01:00"
# A Sunday afternoon: outside office hours.
SUNDAY = "2026-02-15T15:00:00+01:00"
NOW = datetime.fromisoformat(OFFICE_HOURS)


def advise(protocol: Protocol, **fields: Any) -> Advice:
    """Assess a situation given as JSON-style fields (moment defaults to OFFICE_HOURS)."""
    data: dict[str, Any] = {"moment": OFFICE_HOURS, "reporter": "professional", **fields}
    return assess(parse_situation(data, protocol, now=NOW), protocol)


def all_steps() -> list[int]:
    return [1, 2, 3, 4]
