"""The read-only digital handbook: one page per part of the protocol. Views only render."""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from baken.accounts.models import Role
from baken.protocol import default_registry
from baken.web.context_processors import acute_danger
from baken.web.pages import PAGES


@require_safe
def handbook_page(request: HttpRequest, page: str) -> HttpResponse:
    """Render one handbook page of the default protocol."""
    protocol = default_registry().get()
    current = next(p for p in PAGES if p.name == page)
    return render(
        request,
        f"web/{page}.html",
        {
            "page": current,
            "pages": PAGES,
            "social_map": [p for p in protocol.partners if p.on_social_map],
        },
    )


@require_safe
def start(request: HttpRequest) -> HttpResponse:
    """The front door: a user's own work, or the login page."""
    user = request.user
    if not user.is_authenticated:
        return redirect("account_login")
    if getattr(user, "is_administrator", False):
        return redirect("accounts:manage")
    role = getattr(user, "role", "")
    if role == Role.PROCESS_DIRECTOR:
        return redirect("screening:meetings")  # only the screening's work (§2.2)
    if role == Role.CHAIN_DIRECTOR:
        return redirect("screening:riec")
    return redirect("dossiers:list")


@never_cache
@require_safe
def health(request: HttpRequest) -> HttpResponse:
    """``/health/`` for the proxy's or the monitoring's checks: 200 ``{"status": "ok"}``
    when the database answers one query, else 503 ``{"status": "unavailable"}``.

    No login, nothing about users or dossiers, no identifiers, no access-log line. The view
    never touches the session: a check without cookies (a monitor's) creates none and gets
    no cookie.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


# --- Error pages -----------------------------------------------------------------------------
# Every error a user can meet is a Dutch page in the base layout, with the acute-danger box,
# the menu and a way to log out. The 404 says nothing about why: a dossier that does not exist
# and one outside the user's need to know get the same page.

ERROR_STATUSES = frozenset({400, 403, 404, 405, 409, 429, 500})


def error_page(request: HttpRequest, status: int, **headers: str) -> HttpResponse:
    """The Dutch error page for ``status`` (one of :data:`ERROR_STATUSES`)."""
    if status == 500:
        return server_error(request)
    response = render(request, f"{status}.html", status=status)
    for name, value in headers.items():
        response[name] = value
    return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler400``: a request Django refused as malformed or suspicious."""
    return error_page(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler403``, and Django's CSRF failure view (``CSRF_FAILURE_VIEW``)."""
    return error_page(request, 403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form whose CSRF token was missing or expired: the Dutch 403 page."""
    return error_page(request, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler404``: the same page whatever the reason (the exception's text is not shown)."""
    return error_page(request, 404)


def too_many_requests(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler429`` (django-allauth's rate limits call it)."""
    return error_page(request, 429)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: rendered without the request's context processors, so it needs no user,
    no session and no database (the fault may be the database). Only the acute-danger box
    (pure: the protocol file and the clock) and the CSP nonce are computed."""
    context = {**acute_danger(request), "CSP_NONCE": getattr(request, "csp_nonce", "")}
    body = loader.get_template("500.html").render(context)
    return HttpResponse(body, status=500)
