"""Mandatory two-factor authentication.

Every account of Baken either reads dossiers or decides who may (the functioneel
beheerder), so every account needs an authenticator app (TOTP, with recovery codes:
django-allauth's mfa). Until it is set up, a logged-in user reaches nothing but the set-up
itself, logging out and the public handbook. Logging in with an authenticator asks for its
code after the password (django-allauth's login stage).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, cast

from allauth.account.decorators import reauthentication_required
from allauth.mfa.models import Authenticator
from allauth.mfa.totp import forms as allauth_totp_forms
from allauth.mfa.totp.internal import auth as totp_auth
from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

ENROLMENT_URL_NAMES = frozenset(
    {
        "mfa_activate_totp",
        "mfa_index",
        "mfa_view_recovery_codes",
        "mfa_download_recovery_codes",
        "account_reauthenticate",
        "mfa_reauthenticate",
        "account_logout",
    }
)
"""What a user without an authenticator app may open: setting one up, and leaving."""

PUBLIC_NAMESPACES = frozenset({"web"})
"""The handbook is public (it holds no dossier data): it stays open to everyone, so the
acute-danger route can always be read."""


View = Callable[..., HttpResponse]


def sensitive(view: View) -> View:
    """Re-authentication before a sensitive action (export, print, role change, break-glass,
    a two-factor reset): django-allauth asks for the password or an authenticator code
    again unless the user confirmed it within ACCOUNT_REAUTHENTICATION_TIMEOUT; a POST is
    kept and carried out after the confirmation, so nothing typed is lost.

    Put it *after* the check that the user may see the object at all, so an outsider gets
    the same 404 as for something that does not exist."""
    return cast(View, reauthentication_required(view))


def has_authenticator_app(user: Any) -> bool:
    """Whether ``user`` has set up an authenticator app (TOTP)."""
    return bool(
        Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()
    )


def just_enrolled(user: Any) -> bool:
    """No authenticator app yet, or one set up within the re-authentication window."""
    since = timezone.now() - timedelta(seconds=settings.ACCOUNT_REAUTHENTICATION_TIMEOUT)
    totp = Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP)
    return not totp.exists() or totp.filter(created_at__gte=since).exists()


class RequireTwoFactorMiddleware:
    """Send a logged-in user without an authenticator app to its set-up page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        match = request.resolver_match
        if match is not None and (
            match.url_name in ENROLMENT_URL_NAMES or match.namespace in PUBLIC_NAMESPACES
        ):
            return None
        if has_authenticator_app(user):
            return None
        target = reverse("mfa_activate_totp")
        if request.headers.get("HX-Request") == "true":
            # htmx would swap the set-up page into a fragment; have it load the page whole.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)


class ActivateTOTPForm(allauth_totp_forms.ActivateTOTPForm):  # type: ignore[misc]
    """django-allauth's set-up form, but the pending key stays the same for the session.

    allauth makes a new key each time the set-up page is loaded (``regenerate=not
    is_bound``), so someone who scans the QR code and then reloads the page holds a key that
    no longer matches. Here the pending key is kept in the session until it is confirmed
    (allauth then drops it) or the session ends."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.user = kwargs.pop("user")
        forms.Form.__init__(self, *args, **kwargs)
        self.secret = totp_auth.get_totp_secret(regenerate=False)
