"""What a closed dossier shows instead of tasks: its newest decision and its evaluation."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def latest_entry(timeline: list[tuple[Any, Any]], standing: set[int], kind: str) -> Any:
    """The newest standing (entry, rows) pair of ``kind`` in the timeline, or None."""
    found = None
    for entry, rows in timeline:
        if entry.kind == kind and entry.pk in standing:
            found = (entry, rows)
    return found
