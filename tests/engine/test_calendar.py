"""Working days and due dates by the protocol's Dutch calendar (baken.engine.calendar)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baken.engine.calendar import add_working_days, due_date, is_working_day, next_working_day
from baken.engine.rules.acute import is_public_holiday
from baken.protocol import Protocol
from baken.protocol.schema import Deadline, DeadlineUnit
from tests.engine.strategies import PROTOCOL

HOURS = PROTOCOL.acute_danger.office_hours
# Reports up to 9999-10-01 keep every term inside the calendar.
report_dates = st.dates(date(1, 1, 1), date(9999, 10, 1))
working_day_counts = st.integers(0, 60)


def _deadline(amount: int, unit: DeadlineUnit) -> Deadline:
    return Deadline.model_validate(
        {"id": "t", "what": "x", "amount": amount, "unit": unit, "from": "report", "cite": "c"}
    )


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        (date(2026, 3, 2), 5, date(2026, 3, 9)),  # Monday -> next Monday
        (date(2026, 3, 6), 1, date(2026, 3, 9)),  # Friday -> Monday
        (date(2026, 3, 7), 1, date(2026, 3, 9)),  # Saturday -> Monday
        (date(2026, 4, 2), 5, date(2026, 4, 10)),  # Goede Vrijdag counts, Tweede Paasdag not
        (date(2026, 4, 24), 2, date(2026, 4, 29)),  # Koningsdag (Monday 27 April) skipped
        (date(2026, 5, 4), 1, date(2026, 5, 6)),  # Bevrijdingsdag skipped
        (date(2026, 12, 24), 1, date(2026, 12, 28)),  # Christmas and a weekend skipped
        (date(2026, 12, 31), 1, date(2027, 1, 4)),  # Nieuwjaarsdag and a weekend skipped
        (date(2026, 3, 2), 0, date(2026, 3, 2)),
    ],
)
def test_working_days_skip_weekends_and_public_holidays(
    protocol: Protocol, start: date, n: int, due: date
) -> None:
    """Counted from the day after the start, without Saturdays, Sundays and holidays."""
    assert add_working_days(start, n, protocol) == due


@pytest.mark.parametrize(
    ("report", "amount", "unit", "due"),
    [
        (date(2026, 3, 2), 10, DeadlineUnit.WEEKS, date(2026, 5, 11)),
        (date(2026, 2, 24), 10, DeadlineUnit.WEEKS, date(2026, 5, 6)),  # 5 May -> 6 May
        (date(2026, 3, 7), 10, DeadlineUnit.WEEKS, date(2026, 5, 18)),  # a Saturday -> Monday
        (date(2026, 3, 2), 3, DeadlineUnit.CALENDAR_DAYS, date(2026, 3, 5)),
        (date(2026, 3, 2), 5, DeadlineUnit.CALENDAR_DAYS, date(2026, 3, 9)),  # Sat 7 -> Mon 9
        (date(2026, 3, 2), 5, DeadlineUnit.WORKING_DAYS, date(2026, 3, 9)),
    ],
)
def test_due_date_counts_each_unit(
    protocol: Protocol, report: date, amount: int, unit: DeadlineUnit, due: date
) -> None:
    """Weeks and calendar days count every day and end on a working day; working days skip."""
    assert due_date(_deadline(amount, unit), report, protocol) == due


def test_a_negative_count_of_working_days_is_refused(protocol: Protocol) -> None:
    """There is no working day before the start in this calendar's sense."""
    with pytest.raises(ValueError, match="zero or more"):
        add_working_days(date(2026, 3, 2), -1, protocol)


def test_a_term_past_the_year_9999_overflows(protocol: Protocol) -> None:
    """The calendar ends in 9999; a term beyond it raises OverflowError for the parser."""
    with pytest.raises(OverflowError):
        due_date(_deadline(10, DeadlineUnit.WEEKS), date(9999, 12, 1), protocol)


@settings(max_examples=300, deadline=None)
@given(report_dates, working_day_counts)
def test_a_working_day_term_ends_on_a_working_day_after_the_start(start: date, n: int) -> None:
    """Never a Saturday, Sunday or protocol holiday; strictly after the start; exactly n."""
    due = add_working_days(start, n, PROTOCOL)
    if n == 0:
        assert due == start
        return
    assert due > start
    assert due.isoweekday() < 6 and not is_public_holiday(HOURS, due)
    days = (due - start).days
    between = [start + timedelta(days=i) for i in range(1, days + 1)]
    assert sum(is_working_day(day, PROTOCOL) for day in between) == n


@settings(max_examples=300, deadline=None)
@given(report_dates, report_dates, st.integers(1, 60), st.sampled_from(list(DeadlineUnit)))
def test_due_dates_are_monotone_and_on_working_days(
    first: date, second: date, amount: int, unit: DeadlineUnit
) -> None:
    """A later melding is never due earlier; every due date is a working day after it."""
    early, late = sorted((first, second))
    deadline = _deadline(amount, unit)
    due_early, due_late = (due_date(deadline, day, PROTOCOL) for day in (early, late))
    assert due_early <= due_late
    for report, due in ((early, due_early), (late, due_late)):
        assert due > report
        assert is_working_day(due, PROTOCOL)


@settings(max_examples=200, deadline=None)
@given(report_dates, st.integers(1, 59), st.sampled_from(list(DeadlineUnit)))
def test_a_longer_term_is_never_due_earlier(report: date, amount: int, unit: DeadlineUnit) -> None:
    """One more day, week or working day never moves the due date back."""
    shorter = due_date(_deadline(amount, unit), report, PROTOCOL)
    assert due_date(_deadline(amount + 1, unit), report, PROTOCOL) >= shorter


@settings(max_examples=200, deadline=None)
@given(report_dates)
def test_the_next_working_day_is_the_first_working_day_from_a_date(day: date) -> None:
    """next_working_day returns the date itself when it is a working day, else the next one."""
    found = next_working_day(day, PROTOCOL)
    assert is_working_day(found, PROTOCOL)
    assert all(
        not is_working_day(day + timedelta(days=i), PROTOCOL) for i in range((found - day).days)
    )
