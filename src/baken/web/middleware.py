"""Security headers Django itself does not set, and the one log line per request."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import structlog
from django.conf import settings
from django.http import HttpRequest, HttpResponse

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
        # once every middleware has returned, still carries this request's id.)
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
