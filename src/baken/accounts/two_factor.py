"""Mandatory two-factor authentication.

Every account of Baken either reads dossiers or decides who may (the functioneel
beheerder), so every account needs an authenticator app (TOTP, with recovery codes:
django-allauth's mfa). Until it is set up, a logged-in user reaches nothing but the set-up
itself, logging out and the public handbook. Logging in with an authenticator asks for its
code after the password (django-allauth's login stage).

A code is accepted once. allauth remembers a used code for one period (30 s) in the
default cache, which was per-process memory, while ``MFA_TOTP_TOLERANCE = 1`` keeps a code
valid for three periods (RFC 6238 section 5.2: the verifier must not accept the second
attempt of a code after a successful validation). Baken's own forms (``MFA_FORMS``) check
every code the app shows, at login, at re-authentication and at set-up, against the
``two_factor`` cache, which every server process shares (the database, or Redis with
``BAKEN_CACHE_URL``), and remember it for :func:`used_code_seconds`. Every refused code at
login and re-authentication, a replayed one too, is an access-log line
(``two_factor_failed``).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from datetime import timedelta
from enum import Enum
from functools import wraps
from typing import Any, cast

import structlog
from allauth.account import app_settings as account_settings
from allauth.account.decorators import reauthentication_required
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core.internal.cryptokit import normalize_user_code
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.adapter import get_adapter
from allauth.mfa.base import forms as allauth_base_forms
from allauth.mfa.base.internal.flows import check_rate_limit
from allauth.mfa.internal.flows.add import validate_can_add_authenticator
from allauth.mfa.models import Authenticator
from allauth.mfa.totp import forms as allauth_totp_forms
from allauth.mfa.totp.internal import auth as totp_auth
from allauth.mfa.utils import decrypt
from django import forms
from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from baken.audit import chain
from baken.audit.models import Action, Code, Purpose

log = structlog.stdlib.get_logger("baken.accounts")

USED_CODES_CACHE = "two_factor"
"""The cache (settings.CACHES) that remembers used codes: its own table, so the many
short-lived rate-limit entries in the default cache can never push a used code out (the
database cache culls a third of its entries when it is full)."""

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
    the same 404 as for something that does not exist.

    A user who re-authenticated within the window goes straight through
    (:func:`_reauthenticated_recently`); everyone else goes through allauth's check, which
    then decides and asks."""
    guarded = cast(View, reauthentication_required(view))

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if _reauthenticated_recently(request):
            return view(request, *args, **kwargs)
        return guarded(request, *args, **kwargs)

    return checked


def _reauthenticated_recently(request: HttpRequest) -> bool:
    """allauth's ``did_recently_reauthenticate`` for a user with a password (every Baken
    user): the newest re-authentication recorded in the session lies within
    ``ACCOUNT_REAUTHENTICATION_TIMEOUT``. It skips only allauth's look-up of which ways to
    re-authenticate the user has (three queries), which matters only for a user without a
    password; for anyone else this answers exactly as allauth does."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_usable_password():
        return False
    records = [r for r in get_authentication_records(request, user) if r.get("reauthenticated")]
    if not records:
        return False
    return bool(time.time() - records[-1]["at"] < account_settings.REAUTHENTICATION_TIMEOUT)


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


ENROLLED_SESSION_KEY = "baken.two_factor.enrolled"
"""The session remembers that its user has an authenticator app (the user's id), so that a
request does not ask the database again. Safe to keep for the session's life: nobody
switches two-factor authentication off (``MFAAdapter.can_delete_authenticator``), and the
functioneel beheerder's reset (:func:`baken.accounts.services.reset_two_factor`) ends every
session of the user with it. A session without an authenticator is never remembered: it
asks each request until the set-up is done."""


def _known_enrolled(request: HttpRequest, user: Any) -> bool:
    """Whether ``user`` has an authenticator app: from the session when it said so before
    (for this same user), else from the database (and then remembered)."""
    session = getattr(request, "session", None)
    if session is not None and session.get(ENROLLED_SESSION_KEY) == user.pk:
        return True
    if not has_authenticator_app(user):
        return False
    if session is not None:
        session[ENROLLED_SESSION_KEY] = user.pk
    return True


class RequireTwoFactorMiddleware:
    """Send a logged-in user without an authenticator app to its set-up page. Once the
    user has one, the session remembers it (:data:`ENROLLED_SESSION_KEY`): no query."""

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
        if _known_enrolled(request, user):
            return None
        target = reverse("mfa_activate_totp")
        if request.headers.get("HX-Request") == "true":
            # htmx would swap the set-up page into a fragment; have it load the page whole.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)


class Check(Enum):
    """What became of one code from the authenticator app."""

    ACCEPTED = "accepted"
    WRONG = "wrong"
    REPLAYED = "replayed"
    """A right code that was used before, within the time it stays valid."""


def used_code_seconds(*, tolerance: int | None = None, period: int | None = None) -> int:
    """How long a used code is remembered: the whole time it is valid, plus one period.

    With tolerance t and period p a code is accepted in 2t + 1 consecutive periods, so at
    most (2t + 1) * p seconds after it is first used; one more period covers clocks of two
    servers that differ by up to p. With Baken's settings (t = 1, p = 30 s): 120 s.
    ``tolerance`` and ``period`` default to the settings (MFA_TOTP_TOLERANCE, _PERIOD)."""
    t = int(mfa_settings.TOTP_TOLERANCE) if tolerance is None else tolerance
    p = int(mfa_settings.TOTP_PERIOD) if period is None else period
    return (2 * t + 1) * p + p


def used_code_key(user_id: object, secret: str, code: str) -> str:
    """The cache key of a used code: per user and authenticator key, with the code hashed.

    The code is hashed with the TOTP secret as the HMAC key, so the key reveals neither
    (a six-digit code alone would be found from its plain hash by trying a million). The
    set-up form and the login see the same secret, so the code that confirmed the set-up
    does not log in again; a reset (a new secret) starts afresh."""
    digest = hmac.new(
        secret.encode("ascii"),
        b"baken-used-totp-code:" + normalize_user_code(code).encode("ascii"),
        hashlib.sha256,
    ).hexdigest()
    return f"baken.two_factor.used:{user_id}:{digest}"


def use_code(user_id: object, secret: str, code: str) -> Check:
    """Check ``code`` against ``secret`` (RFC 6238, allauth's tolerance) and, when it is
    right, mark it used in the shared cache. ``cache.add`` is atomic in every process (a
    primary key in the database, SET NX in Redis), so of two requests with the same code at
    the same moment only one is accepted."""
    if not totp_auth.validate_totp_code(secret, code):
        return Check.WRONG
    key = used_code_key(user_id, secret, code)
    used = caches[USED_CODES_CACHE]
    if used.add(key, True, timeout=used_code_seconds()):
        return Check.ACCEPTED
    if not used.has_key(key):
        # The database cache gives False instead of an error when it cannot write; the
        # code is refused (fail closed), and the operator is told why logins fail.
        log.error("two_factor_used_code_not_stored", user_id=user_id)
    return Check.REPLAYED


def check_authenticator(authenticator: Authenticator, code: str) -> Check:
    """One authenticator against ``code``: the app's codes through :func:`use_code`,
    recovery codes through allauth (which records each used one in the database)."""
    if authenticator.type == Authenticator.Type.TOTP:
        secret = decrypt(authenticator.data["secret"])
        return use_code(authenticator.user_id, secret, code)
    return Check.ACCEPTED if authenticator.wrap().validate_code(code) else Check.WRONG


def log_failed_code(user: Any, stage: str, check: Check) -> None:
    """An access-log line for a refused second-factor code: ids and machine values only,
    never the code. ``stage`` is ``login`` or ``reauthentication``."""
    chain.append(
        code=Code.EXECUTE,
        action=Action.TWO_FACTOR_FAILED,
        purpose=Purpose.AUTHENTICATION,
        user_id=user.pk,
        role=getattr(user, "role", "") or "",
        organisation_id=getattr(user, "organisation_id", None),
        authorised=False,
        detail=f"{stage}:{check.value}",
    )


class _CodeOnceMixin:
    """django-allauth's ``BaseAuthenticateForm.clean_code``, with every code of the app
    checked through :func:`check_authenticator` and every refusal logged. allauth has no
    hook for its used-code memory (``TOTP._mark_code_used`` uses the default cache with a
    timeout of one period), so the form, which ``MFA_FORMS`` lets Baken replace, does the
    check. The rate limit is consumed first and cleared only on success, as in allauth, so
    a replayed code counts as a failed attempt."""

    stage = "login"
    user: Any
    cleaned_data: dict[str, Any]
    authenticator: Authenticator
    _emit_authentication_failed: Callable[[Authenticator], None]  # allauth's (the form's)

    def clean_code(self) -> str:
        clear_rate_limit = check_rate_limit(self.user)
        code: str = self.cleaned_data["code"]
        main: Authenticator | None = None
        outcome = Check.WRONG
        for authenticator in Authenticator.objects.filter(user=self.user).exclude(
            type=Authenticator.Type.WEBAUTHN
        ):
            if main is None or authenticator.type == Authenticator.Type.TOTP:
                main = authenticator
            check = check_authenticator(authenticator, code)
            if check is Check.ACCEPTED:
                authenticator.user = self.user
                self.authenticator = authenticator
                clear_rate_limit()
                return code
            if check is Check.REPLAYED:
                outcome = check
        log_failed_code(self.user, self.stage, outcome)
        if main is not None:
            self._emit_authentication_failed(main)
        error = "code_used" if outcome is Check.REPLAYED else "incorrect_code"
        raise get_adapter().validation_error(error)


class AuthenticateForm(_CodeOnceMixin, allauth_base_forms.AuthenticateForm):  # type: ignore[misc]
    """The code after the password at login."""

    stage = "login"


class ReauthenticateForm(_CodeOnceMixin, allauth_base_forms.ReauthenticateForm):  # type: ignore[misc]
    """The code instead of the password before a sensitive action."""

    stage = "reauthentication"


class ActivateTOTPForm(allauth_totp_forms.ActivateTOTPForm):  # type: ignore[misc]
    """django-allauth's set-up form, but the pending key stays the same for the session,
    and the confirming code is used once, like every other code.

    allauth makes a new key each time the set-up page is loaded (``regenerate=not
    is_bound``), so someone who scans the QR code and then reloads the page holds a key that
    no longer matches. Here the pending key is kept in the session until it is confirmed
    (allauth then drops it) or the session ends."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.user = kwargs.pop("user")
        forms.Form.__init__(self, *args, **kwargs)
        self.secret = totp_auth.get_totp_secret(regenerate=False)

    def clean_code(self) -> str:
        """allauth's check, with the code marked used in the shared cache (:func:`use_code`)."""
        validate_can_add_authenticator(self.user)
        clear_rate_limit = check_rate_limit(self.user, error_key="rate_limited")
        code: str = self.cleaned_data["code"]
        check = use_code(self.user.pk, self.secret, code)
        if check is not Check.ACCEPTED:
            error = "code_used" if check is Check.REPLAYED else "incorrect_code"
            raise get_adapter().validation_error(error)
        clear_rate_limit()
        return code
