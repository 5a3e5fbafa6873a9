"""Hypothesis strategies: any situation the command line accepts for a protocol."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from baken.engine.calendar import local_date
from baken.protocol import Protocol, default_registry
from baken.protocol.index import all_signals

PROTOCOL = default_registry().get()
ANSWER = st.sampled_from(["yes", "no", "unknown"])


def _subset(values: list[str]) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(values), unique=True, max_size=6)


# Hypothesis takes naive bounds and attaches the drawn offset itself. A day's
# margin on either side keeps every moment inside years 1-9999 once in UTC.
moments = st.datetimes(
    min_value=datetime(1, 1, 2),  # noqa: DTZ001
    max_value=datetime(9999, 12, 30),  # noqa: DTZ001
    timezones=st.integers(min_value=-12 * 60, max_value=14 * 60).map(
        lambda minutes: timezone(timedelta(minutes=minutes))
    ),
)


@st.composite
def situations(draw: st.DrawFn, protocol: Protocol = PROTOCOL) -> dict[str, Any]:
    """Any situation the command line accepts for this protocol."""
    article = protocol.article_273f
    data: dict[str, Any] = {
        "moment": draw(moments).isoformat(),
        "reporter": draw(st.sampled_from(["professional", "volunteer"])),
        "acute_danger": draw(st.booleans()),
        "exploitation_forms": draw(_subset(["sexual", "labour", "criminal", "organ", "other"])),
        "signals": draw(_subset(sorted(all_signals(protocol)))),
        "profiles": draw(_subset([p.id for p in protocol.profiles])),
        "steps_completed": draw(st.lists(st.integers(1, 5), unique=True, max_size=5)),
        "weighing": draw(st.dictionaries(st.sampled_from(["q1", "q2", "q3", "q4", "q5"]), ANSWER)),
        "consent_to_report": draw(st.sampled_from(["yes", "no", "not_asked"])),
        "art_273f": {
            "acts": draw(_subset([e.id for e in article.acts])),
            "means": draw(_subset([e.id for e in article.means])),
            "purposes": draw(_subset([e.id for e in article.purposes])),
        },
    }
    # Keep only answers that can be true together (Situation.contradiction).
    weighing = data["weighing"]
    if data["acute_danger"]:
        for question in ("q1", "q2"):
            if weighing.get(question) == "no":
                weighing[question] = draw(st.sampled_from(["yes", "unknown"]))
    if weighing.get("q1") == "no" and weighing.get("q2") == "yes":
        weighing["q2"] = draw(st.sampled_from(["no", "unknown"]))
    age = draw(st.none() | st.integers(0, 120))
    if age is not None:
        data["person"] = {"age": age}
    data.update(draw(chain_fields(datetime.fromisoformat(data["moment"]), protocol)))
    return data


LATEST_REPORT = date(9999, 10, 1)
"""A melding after this date has deadlines past 9999, which the parser refuses."""


@st.composite
def chain_fields(draw: st.DrawFn, moment: datetime, protocol: Protocol) -> dict[str, Any]:
    """``report_made`` (never after ``moment``'s date) and ``case_direction``, or neither."""
    fields: dict[str, Any] = {}
    latest = min(local_date(moment, protocol), LATEST_REPORT)
    if draw(st.booleans()):
        earliest = date(max(latest.year - 10, 1), 1, 1)
        fields["report_made"] = draw(st.dates(earliest, latest)).isoformat()
    directions = ["own", "care_coordinator"] + (["veilig_thuis"] if fields else [])
    if draw(st.booleans()):
        fields["case_direction"] = draw(st.sampled_from(directions))
    return fields
