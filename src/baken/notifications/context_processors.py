"""The number of unread berichten, for the menu on every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from baken.notifications.selectors import unread_count, unread_on


def unread_notifications(request: HttpRequest) -> dict[str, Any]:
    """``unread_notifications``: as it came with the request's user (``baken.web.auth``),
    else counted (one query) only when a page shows it."""
    user = getattr(request, "user", None)
    known = unread_on(user) if getattr(user, "is_authenticated", False) else None
    if known is not None:
        return {"unread_notifications": known}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
