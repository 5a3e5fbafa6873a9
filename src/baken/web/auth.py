"""The authentication backend: Django's model backend, loading the request's user together
with the two numbers the menu shows on every page, the user's unread berichten and, for who
works a chain partner's inbox, the items waiting in it (issue 13: one query a request for
the user and the menu, instead of three).

Logging in (the password check) is Django's own, unchanged; only :meth:`get_user`, which
``AuthenticationMiddleware`` calls on every request for the session's user, adds two
subqueries to the one SELECT of the user, each over an index (the user's berichten; the
shares waiting for the user's organisation, none for most, counted up to
``baken.chain.context_processors.COUNTED``). The context processors read
the numbers from the user (``baken.notifications.selectors.unread_on``,
``baken.chain.context_processors.waiting_on``) and count themselves only for a user loaded
another way.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.db import connection
from django.db.models import IntegerField, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from baken.accounts.models import User
from baken.chain.context_processors import COUNTED, WAITING
from baken.chain.models import Share, ShareStatus
from baken.notifications.selectors import UNREAD, unread_count_of

PATH = "baken.web.auth.ModelBackend"
"""This backend, as ``AUTHENTICATION_BACKENDS`` and a session name it."""


class ModelBackend(DjangoModelBackend):
    """Django's model backend; the user it loads for a session carries the menu's numbers."""

    def get_user(self, user_id: Any) -> User | None:
        found = (
            User.objects.annotate(
                **{
                    UNREAD: Coalesce(Subquery(unread_count_of(user_id)), 0),
                    WAITING: _bounded_waiting_count(),
                }
            )
            .filter(pk=user_id)
            .first()
        )
        return found if found is not None and self.user_can_authenticate(found) else None


def _bounded_waiting_count() -> RawSQL:
    """How many shares wait for the user's organisation, counted up to ``COUNTED``: a count
    over a limited subquery, which Django's ORM does not build as a correlated subquery.
    It reads at most ``COUNTED`` entries of the inbox index, whatever the backlog."""
    quote = connection.ops.quote_name
    share, user = Share._meta, User._meta
    # Only the models' own table and column names (quoted) and a constant are in the text;
    # the status goes as a parameter. It names the outer table as itself: right in
    # get_user's query, where Django gives the user table no alias; this expression is not
    # for a query nested in another, where the table would be renamed.
    return RawSQL(  # noqa: S611
        f"SELECT COUNT(*) FROM (SELECT 1 FROM {quote(share.db_table)} waiting"  # noqa: S608
        f" WHERE waiting.{quote(share.get_field('recipient').column)}"
        f" = {quote(user.db_table)}.{quote(user.get_field('organisation').column)}"
        f" AND waiting.{quote(share.get_field('status').column)} = %s"
        f" LIMIT {COUNTED}) counted",
        (ShareStatus.PENDING,),
        output_field=IntegerField(),
    )
