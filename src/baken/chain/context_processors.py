"""The inbox in the main menu, for who works a chain partner's inbox."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from baken.chain.access import inbox_of
from baken.chain.models import Share, ShareStatus


def inbox(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    link = inbox_of(user)
    if link is None:
        return {}
    waiting = Share.objects.filter(
        recipient_id=link.organisation_id, status=ShareStatus.PENDING
    ).count()
    return {"inbox_link": link, "inbox_waiting": waiting}
