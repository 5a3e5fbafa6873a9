"""The lessons page: thin, the decision from :mod:`baken.lessons.access`, the figures from
:mod:`baken.lessons.selectors`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from baken.lessons import selectors
from baken.lessons.access import lessons_access


@login_required
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """The lessons from the chain, for the ketenregisseur (everyone else: 404)."""
    access = lessons_access(request)
    return render(
        request,
        "lessons/index.html",
        {"lessons": selectors.lessons_for(access), "section": "lessons"},
    )
