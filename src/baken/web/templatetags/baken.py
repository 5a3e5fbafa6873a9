"""Template helpers for the handbook."""

from __future__ import annotations

import re

from django import template
from django.utils.dates import WEEKDAYS

from baken.protocol.schema import Weekday

register = template.Library()


@register.filter
def tel(value: str) -> str:
    """A phone number as a ``tel:`` URI (digits only)."""
    return "tel:" + re.sub(r"\D", "", value)


@register.filter
def web_url(value: str) -> str:
    """A web address as an absolute https URL."""
    return value if value.startswith(("http://", "https://")) else f"https://{value}"


@register.filter
def weekday_name(day: Weekday) -> str:
    """The weekday's name in the active language (Django's own translations)."""
    return str(WEEKDAYS[day.iso - 1])
