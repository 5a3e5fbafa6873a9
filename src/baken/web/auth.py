"""The authentication backend: Django's model backend, loading the request's user together
with the two numbers the menu shows on every page, the user's unread berichten and, for who
works a chain partner's inbox, the items waiting in it (issue 13: one query a request for
the user and the menu, instead of three).

Logging in (the password check) is Django's own, unchanged; only :meth:`get_user`, which
``AuthenticationMiddleware`` calls on every request for the session's user, adds two
subqueries to the one SELECT of the user, each over an index (the user's berichten; the
shares waiting for the user's organisation, none for most). The context processors read
the numbers from the user (``baken.notifications.selectors.unread_on``,
``baken.chain.context_processors.waiting_on``) and count themselves only for a user loaded
another way.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from baken.accounts.models import User
from baken.chain.context_processors import WAITING
from baken.chain.models import Share, ShareStatus
from baken.notifications.selectors import UNREAD, unread_count_of

PATH = "baken.web.auth.ModelBackend"
"""This backend, as ``AUTHENTICATION_BACKENDS`` and a session name it."""


class ModelBackend(DjangoModelBackend):
    """Django's model backend; the user it loads for a session carries the menu's numbers."""

    def get_user(self, user_id: Any) -> User | None:
        waiting = (
            Share.objects.filter(
                recipient_id=OuterRef("organisation_id"), status=ShareStatus.PENDING
            )
            .order_by()
            .values("recipient_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        found = (
            User.objects.annotate(
                **{
                    UNREAD: Coalesce(Subquery(unread_count_of(user_id)), 0),
                    WAITING: Coalesce(Subquery(waiting), 0),
                }
            )
            .filter(pk=user_id)
            .first()
        )
        return found if found is not None and self.user_can_authenticate(found) else None
