"""Reads: a user's own berichten, and nobody else's."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from baken.notifications.models import Notification


def _own(user: Any) -> QuerySet[Notification]:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return Notification.objects.none()
    return Notification.objects.filter(user_id=user.pk)


def unread_count(user: Any) -> int:
    """How many of ``user``'s berichten are unread (0 for an anonymous visitor)."""
    return _own(user).filter(read_at__isnull=True).count()


def notifications_for(user: Any, limit: int, offset: int = 0) -> list[Notification]:
    """``user``'s berichten, newest first: at most ``limit``, after skipping ``offset``."""
    return list(
        _own(user)
        .select_related("organisation")
        .order_by("-created_at", "-pk")[offset : offset + limit]
    )


def notification_for(user: Any, pk: int) -> Notification | None:
    """``user``'s own bericht ``pk``; None for anyone else's or one that does not exist."""
    return _own(user).filter(pk=pk).first()
