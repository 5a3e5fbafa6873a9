"""The art. 273f schema as one table: acts, means and purposes side by side."""

from __future__ import annotations

from itertools import zip_longest
from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def law_rows(acts: list[Any], means: list[Any], purposes: list[Any]) -> list[list[Any]]:
    """Rows of (act, means, purpose); a shorter column is filled with None."""
    return [list(row) for row in zip_longest(acts, means, purposes)]
