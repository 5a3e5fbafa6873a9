"""Baken's session engine: Django's database sessions with the user's id in a column of its
own, so that the sessions of one user are found by index (issue 13).

Django's ``django.contrib.sessions.backends.db`` keeps who is logged in only inside the
encoded session data, so logging a user out everywhere (:func:`baken.accounts.services.
end_sessions`, after a two-factor reset) had to decode every session in the database. This
is Django's documented way to extend it (``AbstractBaseSession`` and a ``SessionStore``
that names it, "Extending database-backed session engines"): the column is written from
the session's own ``_auth_user_id`` every time the session is saved (every request, with
``SESSION_SAVE_EVERY_REQUEST``), so it always says whose session it is; a login cycles the
key and writes a new row, a logout deletes the row. It costs no query more than Django's
engine: the same SELECT to load, the same UPDATE to save.

Set ``SESSION_ENGINE = "baken.accounts.sessions"``. Sessions of the old engine are not
carried over: after the switch everyone logs in again, and no session of the old table
survives that ``end_sessions`` would miss.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, ClassVar, cast

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.base_session import AbstractBaseSession, BaseSessionManager
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

ENGINE = "baken.accounts.sessions"
"""The value of ``SESSION_ENGINE`` that selects this engine."""


class UserSession(AbstractBaseSession):
    """One session, with the id of the user logged in to it (empty before login)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=True,
    )
    user_id: int | None

    objects: ClassVar[BaseSessionManager[Any]] = BaseSessionManager()

    class Meta(AbstractBaseSession.Meta):  # type: ignore[name-defined,misc]
        app_label = "accounts"
        db_table = "accounts_session"
        verbose_name = "session"
        verbose_name_plural = "sessions"

    @classmethod
    def get_session_store_class(cls) -> type[SessionStore]:
        return SessionStore


def _user_id(data: dict[str, Any]) -> int | None:
    """The logged-in user's id in the session's data (Django keeps it as text), or None."""
    raw = data.get("_auth_user_id")
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 18:
        return int(raw)
    return None


REFRESH_SECONDS = 60
"""A session that is only read is saved again (its idle timeout renewed) at most once in
this many seconds: the idle timeout ends between ``SESSION_COOKIE_AGE - REFRESH_SECONDS``
and ``SESSION_COOKIE_AGE`` after the last request, and a user clicking through pages costs
no UPDATE on most of them. A session whose data changed is always saved."""


class SessionStore(DatabaseSessionStore):
    """Django's database session store, on :class:`UserSession`; it remembers when the
    session it loaded expires, for :meth:`due_for_refresh`."""

    _loaded_expiry: datetime | None = None

    @classmethod
    def get_model_class(cls) -> type[UserSession]:
        return UserSession

    def _get_session_from_db(self) -> UserSession | None:
        found = cast(UserSession | None, super()._get_session_from_db())  # type: ignore[misc]
        self._loaded_expiry = found.expire_date if found is not None else None
        return found

    def due_for_refresh(self) -> bool:
        """Whether the idle timeout should be renewed now: the session was loaded from the
        database and was last saved more than :data:`REFRESH_SECONDS` ago (or was never
        loaded: then Django decides, as for any new session)."""
        if self._loaded_expiry is None:
            return False
        renewed = self._loaded_expiry - timedelta(seconds=self.get_session_cookie_age())
        return timezone.now() - renewed >= timedelta(seconds=REFRESH_SECONDS)

    def create_model_instance(self, data: dict[str, Any]) -> UserSession:
        session = cast(UserSession, super().create_model_instance(data))
        session.user_id = _user_id(data)
        return session


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's session middleware, renewing a session that is only read at most once a
    minute (:data:`REFRESH_SECONDS`) instead of on every request; with
    ``SESSION_SAVE_EVERY_REQUEST`` off, a changed session is saved as always."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        session = getattr(request, "session", None)
        if isinstance(session, SessionStore) and not session.is_empty():
            if session.due_for_refresh():
                session.modified = True
        return super().process_response(request, response)


def sessions_of(user: Any) -> models.QuerySet[UserSession]:
    """Every session of ``user`` (by the index on the user column)."""
    return UserSession.objects.filter(user_id=user.pk)
