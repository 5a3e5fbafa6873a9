"""The session's user comes with the menu's numbers (baken.web.auth), in one query, and a
deactivated user is nobody, as with Django's own backend."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from baken.accounts.models import User
from baken.chain.context_processors import waiting_on
from baken.notifications.models import Notification, NotificationKind
from baken.notifications.selectors import unread_on
from baken.web.auth import ModelBackend


def _notify(user: User, read: bool) -> None:
    now = timezone.now()
    Notification.objects.create(
        user=user,
        kind=NotificationKind.choices[0][0],
        url="/berichten/",
        created_at=now,
        read_at=now if read else None,
    )


def test_the_user_comes_with_the_unread_count_in_one_query(professional: User) -> None:
    """Two unread berichten and one read: the user loaded for the session carries 2 unread
    and 0 waiting (a wijkteam receives nothing), read in exactly one query."""
    _notify(professional, read=False)
    _notify(professional, read=False)
    _notify(professional, read=True)
    with CaptureQueriesContext(connection) as queries:
        user: Any = ModelBackend().get_user(professional.pk)
    assert (len(queries), user.pk, unread_on(user), waiting_on(user)) == (
        1,
        professional.pk,
        2,
        0,
    )


def test_a_deactivated_user_is_nobody(professional: User) -> None:
    """A deactivated account's session gives no user."""
    User.objects.filter(pk=professional.pk).update(is_active=False)
    assert ModelBackend().get_user(professional.pk) is None
