"""The read-only digital handbook: one page per part of the protocol. Views only render."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from baken.protocol import default_registry
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
    return redirect("dossiers:list")
