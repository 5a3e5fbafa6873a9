"""Working days and due dates by the protocol's Dutch calendar (pure, no I/O).

The calendar is the one the acute-danger rule already uses: the public holidays of the
protocol's office hours (Algemene termijnenwet art. 3). Saturdays and Sundays are never
working days, whatever the office hours say, because the Algemene termijnenwet counts
terms that way.

- Working days are counted from the day after the start: a melding on a Monday with a
  term of 5 working days is due the next Monday.
- Calendar days and weeks count every day; a term that would end on a Saturday, a Sunday
  or a public holiday ends on the next working day instead (Algemene termijnenwet art. 1).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from baken.engine.rules.acute import is_public_holiday, zone
from baken.protocol.schema import Deadline, DeadlineUnit, Protocol

SATURDAY = 6


def local_date(moment: datetime, protocol: Protocol) -> date:
    """The date of ``moment`` (timezone-aware) in the protocol's time zone."""
    return moment.astimezone(zone(protocol.acute_danger.office_hours.timezone)).date()


def is_working_day(day: date, protocol: Protocol) -> bool:
    """Monday to Friday, and not one of the protocol's public holidays."""
    hours = protocol.acute_danger.office_hours
    return day.isoweekday() < SATURDAY and not is_public_holiday(hours, day)


def next_working_day(day: date, protocol: Protocol) -> date:
    """``day`` itself when it is a working day, otherwise the first working day after it."""
    while not is_working_day(day, protocol):
        day += timedelta(days=1)
    return day


def add_working_days(start: date, n: int, protocol: Protocol) -> date:
    """The ``n``-th working day after ``start`` (``start`` itself for ``n == 0``).

    Counting begins the day after ``start``, so for ``n >= 1`` the result is always a
    working day strictly after ``start``. Raises ``OverflowError`` past 31 December 9999.
    """
    if n < 0:
        raise ValueError(f"n must be zero or more, got {n}")
    day = start
    for _ in range(n):
        day = next_working_day(day + timedelta(days=1), protocol)
    return day


def due_date(deadline: Deadline, report_date: date, protocol: Protocol) -> date:
    """The last day of ``deadline`` for a melding made on ``report_date``.

    Raises ``OverflowError`` when the date would fall after 31 December 9999.
    """
    if deadline.unit is DeadlineUnit.WORKING_DAYS:
        return add_working_days(report_date, deadline.amount, protocol)
    days = deadline.amount * 7 if deadline.unit is DeadlineUnit.WEEKS else deadline.amount
    return next_working_day(report_date + timedelta(days=days), protocol)
