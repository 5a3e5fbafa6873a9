"""Reads: a user's own berichten, and nobody else's."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from baken.notifications.models import Notification
from baken.web.keyset import PAGE_SIZE, Key, Page, page


def _own(user: Any) -> QuerySet[Notification]:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return Notification.objects.none()
    return Notification.objects.filter(user_id=user.pk)


def unread_count(user: Any) -> int:
    """How many of ``user``'s berichten are unread (0 for an anonymous visitor)."""
    return _own(user).filter(read_at__isnull=True).count()


UNREAD = "unread_notifications_count"
"""Where the request's user carries how many of their berichten are unread, when it was
loaded with it (``baken.web.auth``)."""


def unread_on(user: Any) -> int | None:
    """The unread count that came with ``user``, or ``None`` when it was loaded another way."""
    value = getattr(user, UNREAD, None)
    return value if isinstance(value, int) else None


def unread_count_of(user_id: Any) -> QuerySet[Any, Any]:
    """How many berichten of the user ``user_id`` are unread, as a query of one row and one
    column (``n``; no row when there are none): for a query that reads it together with
    something else (``baken.web.auth``)."""
    return (
        Notification.objects.filter(user_id=user_id, read_at__isnull=True)
        .order_by()
        .values("user_id")
        .annotate(n=Count("pk"))
        .values("n")
    )


def notifications_for(user: Any, limit: int, offset: int = 0) -> list[Notification]:
    """``user``'s berichten, newest first: at most ``limit``, after skipping ``offset``."""
    return list(
        _own(user)
        .select_related("organisation")
        .order_by("-created_at", "-pk")[offset : offset + limit]
    )


NEWEST_FIRST = (Key("created_at", "datetime", descending=True), Key("id", "int", descending=True))
"""The berichten's order, newest first (the index ``notification_user_newest``)."""


def notifications_page(
    user: Any, *, after: str | None = None, before: str | None = None, size: int = PAGE_SIZE
) -> Page[Notification]:
    """One page of ``user``'s berichten, newest first, paged by keyset (``after``/
    ``before``, :mod:`baken.web.keyset`): one query on every page, however many there are."""
    return page(
        _own(user).select_related("organisation"),
        NEWEST_FIRST,
        after=after,
        before=before,
        size=size,
    )


def notification_for(user: Any, pk: int) -> Notification | None:
    """``user``'s own bericht ``pk``; None for anyone else's or one that does not exist."""
    return _own(user).filter(pk=pk).first()
