"""Security headers Django itself does not set, the one log line per request, the Dutch
error pages for bare error responses, and the Dutch 503 pages for a database that cannot be
used (unreachable, or its storage full)."""

from __future__ import annotations

import sqlite3
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any, Final, Literal

import structlog
from django.conf import settings
from django.core.signals import got_request_exception, request_finished
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils import translation
from django.utils.cache import add_never_cache_headers

from baken.memo import request_scope
from baken.web.context_processors import acute_danger
from baken.web.views import error_page

request_log = structlog.stdlib.get_logger("baken.request")


class PermissionsPolicyMiddleware:
    """Add ``Permissions-Policy``: Baken needs no camera, microphone, location or payment."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


def _user_id(request: HttpRequest) -> int | None:
    user = getattr(request, "user", None)
    try:
        if user is None or not user.is_authenticated:
            return None
    except Exception:  # the request's own error (e.g. no database) is logged
        return None
    pk = user.pk
    return pk if isinstance(pk, int) else None


HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"})


def _method(request: HttpRequest) -> str:
    """The request's method; any other word a client sent is logged as ``OTHER``."""
    return request.method if request.method in HTTP_METHODS else "OTHER"


def _route(request: HttpRequest) -> dict[str, Any]:
    """The URL's name (``dossiers:detail``), never its path (a path may hold a setup token),
    and the dossier's id for a dossier URL."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return {"route": None}
    route: dict[str, Any] = {"route": match.view_name}
    if match.namespace == "dossiers" and isinstance(match.kwargs.get("pk"), uuid.UUID):
        route["dossier_id"] = match.kwargs["pk"]
    return route


class RequestLogMiddleware:
    """Log one ``http_request`` line per request: method, route name, status, duration and
    user id. A fresh ``request_id`` is bound for the request, so every line logged while it
    runs (an ``access_event``, a library's error) carries the same id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # A thread serves one request after another: nothing of the previous one is kept.
        # (The ids stay bound after the response, so Django's own line about a 4xx, written
        # once every middleware has returned, still carries this request's id; they go when
        # the response is closed, see _forget_the_request.)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=uuid.uuid4().hex)
        started = time.monotonic()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            return response
        finally:
            request_log.info(
                "http_request",
                method=_method(request),
                **_route(request),
                status=status,
                duration_ms=round((time.monotonic() - started) * 1000),
                user_id=_user_id(request),
            )

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> None:
        # Known once the URL is resolved: lines logged by the view carry the route too.
        structlog.contextvars.bind_contextvars(**_route(request))


class RequestMemoMiddleware:
    """Open the request's memo (:mod:`baken.memo`): what the page asks several times (the
    linked chain partners) is read once, and forgotten when the response is made."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with request_scope():
            return self.get_response(request)


def _forget_the_request(**kwargs: object) -> None:
    """Unbind the request's ids once its response is closed (Django's ``request_finished``),
    so a line logged later in the same thread, outside any request (a worker round, a
    command, a test's own set-up), does not carry the last request's id and route."""
    structlog.contextvars.clear_contextvars()


request_finished.connect(_forget_the_request, dispatch_uid="baken.web.forget_the_request")


class ErrorPageMiddleware:
    """Give a bare error response a Dutch page. Django's ``require_http_methods`` answers 405
    with an empty body, and a plain 409 or 429 may come from a library; such a response is
    replaced by :func:`baken.web.views.error_page` with the same status (and ``Allow``
    header). Responses that already have a body, such as a 409 that shows the form with
    everything typed kept, pass untouched."""

    BARE_STATUSES = frozenset({400, 403, 404, 405, 409, 429})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code in self.BARE_STATUSES
            and not getattr(response, "streaming", False)
            and not response.content
        ):
            headers = {"Allow": response["Allow"]} if response.has_header("Allow") else {}
            return error_page(request, response.status_code, **headers)
        return response


# --- The database cannot be used ---------------------------------------------------------------

DatabaseFault = Literal["unavailable", "storage_full"]
"""What a database error means for the person who met it: ``unavailable`` (the database
cannot be reached or is busy; it passes, try again shortly) or ``storage_full`` (the disk or
quota is full; it needs someone to make room)."""

SQLITE_UNAVAILABLE: Final = frozenset(
    {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_IOERR}
)
"""SQLite's primary result codes for a database that is locked past the timeout (BUSY,
LOCKED), cannot be opened (CANTOPEN) or failed to read or write its file (IOERR). Any other
code (a missing table, a syntax error, a corrupt file) is a fault of ours: the 500 page."""
POSTGRESQL_STORAGE_FULL: Final = "53100"
"""SQLSTATE ``disk_full``; every other psycopg ``OperationalError`` (a refused or lost
connection, ``admin_shutdown``, ``cannot_connect_now`` while it starts or stops, too many
connections, a serialization failure) and ``InterfaceError`` (a closed connection) passes."""
_CHAIN_DEPTH: Final = 8


def database_fault(exc: BaseException | None) -> DatabaseFault | None:
    """Whether ``exc`` (or an exception it was raised from, as Django wraps the driver's)
    means the database cannot be used at all, and how; ``None`` for any other error.

    Django wraps the driver's errors (``django.db.OperationalError`` from
    ``sqlite3.OperationalError`` or ``psycopg.OperationalError``, with the original as
    ``__cause__``); the driver's own error, when there is one, decides."""
    seen = 0
    current = exc
    django_level = False
    while current is not None and seen < _CHAIN_DEPTH:
        if isinstance(current, sqlite3.Error):
            code = getattr(current, "sqlite_errorcode", None)
            if not isinstance(code, int):
                return None
            if code & 0xFF == sqlite3.SQLITE_FULL:
                return "storage_full"
            return "unavailable" if code & 0xFF in SQLITE_UNAVAILABLE else None
        driver = _psycopg_fault(current)
        if driver is not False:
            return driver
        if isinstance(current, OperationalError | InterfaceError):
            django_level = True
        current = current.__cause__ or current.__context__
        seen += 1
    return "unavailable" if django_level else None


def _psycopg_fault(exc: BaseException) -> DatabaseFault | None | Literal[False]:
    """The fault a psycopg error means, ``None`` for another psycopg error, ``False`` when
    ``exc`` is not psycopg's (or psycopg is not installed: SQLite only)."""
    psycopg = sys.modules.get("psycopg")
    if psycopg is None or not isinstance(exc, psycopg.Error):
        return False
    if getattr(exc, "sqlstate", None) == POSTGRESQL_STORAGE_FULL:
        return "storage_full"
    if isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError):
        return "unavailable"
    return None


_FAULT_ATTRIBUTE: Final = "_baken_database_fault"


def _remember_fault(sender: object, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """``got_request_exception``: Django sends it from inside the ``except`` of whichever
    layer caught the error (a view, a middleware, the session's save), before it renders the
    500 page; the request remembers what the error meant, for :class:`FaultPageMiddleware`."""
    fault = database_fault(sys.exc_info()[1])
    if request is not None and fault is not None:
        setattr(request, _FAULT_ATTRIBUTE, fault)


got_request_exception.connect(_remember_fault, dispatch_uid="baken.web.middleware.fault")

RETRY_AFTER_SECONDS: Final = 30
"""``Retry-After`` on the unavailable page: a database restart or fail-over takes seconds."""
FAULT_TEMPLATES: Final[dict[DatabaseFault, str]] = {
    "unavailable": "503.html",
    "storage_full": "503_storage_full.html",
}
FAULT_CSP: Final = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
"""The fault page links only Baken's stylesheets and icon, and runs no script."""
UNSAFE_METHODS: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class FaultPageMiddleware:
    """Answer a request that failed because the database cannot be used with a Dutch 503
    page instead of the 500 page, never with a traceback (not even with ``BAKEN_DEBUG=1``).

    - **Unreachable or busy** (PostgreSQL down, restarting or refusing connections; a lost
      connection; SQLite locked past its timeout): "Baken is even niet bereikbaar", try
      again shortly, with ``Retry-After``.
    - **Storage full** (SQLite ``SQLITE_FULL``, PostgreSQL ``disk_full``): the storage is
      full, tell the functioneel beheerder. The failed transaction wrote nothing: an entry
      and its access-log line commit together or not at all.

    After a form was sent, the page adds that what was typed may not be saved and that the
    browser's Back button usually still has it.

    The page is rendered without the request's context processors (no user, no session, no
    query): the layout's stylesheets, the acute-danger box (the protocol file and the clock)
    and a menu of plain links. It sits just inside the request log, outside the session and
    authentication middleware, so that a failure in any layer below (reading the session,
    the user, the view, saving the session) gets it; those layers' own headers are set here
    instead (CSP without scripts, no framing, no caching). The error itself is logged by
    Django as ever, and a ``database_unavailable`` or ``database_storage_full`` line names
    it; Django's ``CONN_HEALTH_CHECKS`` (settings) drops the broken connection, so the next
    request after the database is back works without a restart."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        fault: DatabaseFault | None = getattr(request, _FAULT_ATTRIBUTE, None)
        if fault is None or response.status_code < 500:
            return response
        return fault_page(request, fault)


def fault_page(request: HttpRequest, fault: DatabaseFault) -> HttpResponse:
    """The Dutch 503 page for ``fault``, rendered without touching the database."""
    request_log.warning(f"database_{fault}")
    context = {
        **acute_danger(request),
        "form_sent": request.method in UNSAFE_METHODS,
    }
    with translation.override(getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)):
        body = loader.get_template(FAULT_TEMPLATES[fault]).render(context)
    response = HttpResponse(body, status=503)
    if fault == "unavailable":
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    response["Content-Security-Policy"] = FAULT_CSP
    response["X-Frame-Options"] = "DENY"
    response["Permissions-Policy"] = settings.PERMISSIONS_POLICY
    return response
