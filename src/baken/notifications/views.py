"""The user's berichten: the list, and the link that marks one read and goes to it.

Only the owner sees a bericht: anyone else's answers 404, like a dossier outside one's
need to know. Only users who work with dossiers have berichten.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_safe

from baken.accounts.models import SCREENING_ROLES, User
from baken.notifications import selectors, services
from baken.web import keyset


def _user(request: HttpRequest) -> User:
    """The user, who must work with dossiers or in the screening (the procesregisseur and
    the ketenregisseur): only they get berichten (the functioneel beheerder never does,
    and gets 404 here as on the dossier pages)."""
    user = request.user
    if not isinstance(user, User) or not (
        user.works_with_dossiers or (user.is_active and user.role in SCREENING_ROLES)
    ):
        raise Http404("no berichten for this user")
    return user


@login_required
@require_safe
def notification_list(request: HttpRequest) -> HttpResponse:
    """The user's berichten, newest first, the unread ones marked; 25 a page, paged by
    keyset ("Oudere berichten" carries ``na``, "Nieuwere berichten" ``voor``)."""
    user = _user(request)
    found = selectors.notifications_page(user, **keyset.tokens(request.GET))
    newer, older = keyset.links(request.GET, found)
    return render(
        request,
        "notifications/list.html",
        {
            "notifications": found.rows,
            "newer_query": newer,
            "older_query": older,
            "problem_text": keyset.PROBLEMS.get(found.problem, ""),
            "section": "notifications",
        },
    )


@login_required
@require_safe
def notification_open(request: HttpRequest, notification: int) -> HttpResponse:
    """Mark the user's own bericht read and go where it links (a path inside Baken)."""
    found = selectors.notification_for(_user(request), notification)
    if found is None:
        raise Http404("no such bericht for this user")
    services.mark_read(found)
    return HttpResponseRedirect(found.url)
