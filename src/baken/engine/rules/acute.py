"""Acute danger (§1.1 'Bij acuut gevaar'): which police number applies at this moment."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from baken.protocol.schema import Holiday, OfficeHours, Partner, PartnerPhone, Protocol


def easter_sunday(year: int) -> date:
    """Western Easter Sunday by the anonymous Gregorian algorithm (Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


def holiday_date(holiday: Holiday, year: int) -> date:
    """The date of ``holiday`` in ``year``."""
    if holiday.easter_offset is not None:
        return easter_sunday(year) + timedelta(days=holiday.easter_offset)
    if holiday.month is None or holiday.day is None:
        raise ValueError(f"holiday {holiday.id!r} has neither a date nor an Easter offset")
    day = date(year, holiday.month, holiday.day)
    if holiday.if_sunday_move_days is not None and day.isoweekday() == 7:
        day += timedelta(days=holiday.if_sunday_move_days)
    return day


@cache
def zone(name: str) -> ZoneInfo:
    """The time zone called ``name``, loaded once."""
    return ZoneInfo(name)


_CALENDARS: dict[tuple[int, int], tuple[OfficeHours, frozenset[date]]] = {}


def _holidays(hours: OfficeHours, year: int) -> frozenset[date]:
    """The public holidays of ``year``, computed once per calendar and year."""
    key = (id(hours), year)
    cached = _CALENDARS.get(key)
    if cached is None or cached[0] is not hours:
        cached = (hours, frozenset(holiday_date(h, year) for h in hours.holidays))
        _CALENDARS[key] = cached
    return cached[1]


def is_public_holiday(hours: OfficeHours, day: date) -> bool:
    """Whether ``day`` is one of the office-hours calendar's public holidays."""
    return day in _holidays(hours, day.year)


_OFFICE_DAYS: dict[int, tuple[OfficeHours, frozenset[int]]] = {}


def _office_days(hours: OfficeHours) -> frozenset[int]:
    """The ISO weekdays of the office hours, computed once per calendar."""
    cached = _OFFICE_DAYS.get(id(hours))
    if cached is None or cached[0] is not hours:
        cached = (hours, frozenset(day.iso for day in hours.days))
        _OFFICE_DAYS[id(hours)] = cached
    return cached[1]


def within_office_hours(hours: OfficeHours, moment: datetime) -> bool:
    """Whether ``moment`` (timezone-aware) falls within office hours, judged in local time."""
    local = moment.astimezone(zone(hours.timezone))
    if local.isoweekday() not in _office_days(hours):
        return False
    if is_public_holiday(hours, local.date()):
        return False
    return hours.opens <= local.time().replace(tzinfo=None) < hours.closes


def police_numbers(protocol: Protocol, moment: datetime) -> list[tuple[Partner, str, str]]:
    """The police numbers that apply at ``moment``, most urgent first: (partner, phone, route id).

    Within office hours the front office comes first and the emergency number second
    ('bij spoed'); outside office hours only the emergency number applies.
    """
    acute = protocol.acute_danger
    partners = {p.id: p for p in protocol.partners}

    def resolve(ref: PartnerPhone) -> tuple[Partner, str]:
        partner = partners[ref.partner]
        return partner, partner.require_phone(ref.phone_label or None).value

    emergency = (*resolve(acute.outside_office_hours), "route-politie-spoed")
    if within_office_hours(acute.office_hours, moment):
        return [(*resolve(acute.within_office_hours), "route-politie-kantoortijden"), emergency]
    return [emergency]
