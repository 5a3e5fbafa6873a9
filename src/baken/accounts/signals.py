"""Access-log lines for signing in and out (NEN 7513; OWASP ASVS V7, logging of
authentication events): logins, logouts, failed logins and lockouts, one line each.

They come from Django's own signals, which every way in sends once: django-allauth's login
ends in :func:`django.contrib.auth.login` (after the second factor), its logout in
:func:`django.contrib.auth.logout`, and every failed password check goes through
:func:`django.contrib.auth.authenticate`. allauth's own ``user_logged_in`` signal, sent for
the same login, is not used, so a login is one line, not two. The lockout comes from
django-axes' ``user_locked_out``. Wrong two-factor codes are logged where they are checked
(:mod:`baken.accounts.two_factor`).

Not a signal, so not here: a session that ends by itself after 30 idle minutes, and the
sessions a deactivation ends (that is logged as ``user_deactivated``).

Ids only: the account's id, role and organisation. What was typed as a username is never
written: for an existing account its id says it, and a username that belongs to no account
may be a real user's name with a typo, or a password typed in the wrong field.
"""

from __future__ import annotations

from typing import Any

from axes.helpers import get_failure_limit  # type: ignore[import-untyped]
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest

from baken.accounts.adapter import axes_username
from baken.accounts.models import User
from baken.audit.models import Action
from baken.dossiers.access import flush_refusals, log_authentication

LOCKOUT_STARTED = "_baken_lockout_started"
"""Set on the request by :func:`locked_out` when this failure is the one that starts a
lockout; :func:`login_failed` writes the lockout line after the failure's own line."""

LOCKED_DETAIL = "locked"
"""The ``detail`` of a failed login refused during a lockout (the password was not even
checked); an ordinary failure has none."""


def connect() -> None:
    """Connect the receivers (from the accounts app's ``ready``). django-axes' receivers are
    connected first, so that when ours run, axes has counted the failure and decided on the
    lockout."""
    import axes.signals  # type: ignore[import-untyped]

    user_logged_in.connect(logged_in, dispatch_uid="baken.accounts.logged_in")
    user_logged_out.connect(logged_out, dispatch_uid="baken.accounts.logged_out")
    user_login_failed.connect(login_failed, dispatch_uid="baken.accounts.login_failed")
    axes.signals.user_locked_out.connect(locked_out, dispatch_uid="baken.accounts.locked_out")


def logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """``logged_in``: the whole login, password and second factor, succeeded."""
    if not isinstance(user, User):
        return
    flush_refusals(user)
    log_authentication(user, Action.LOGGED_IN, authorised=True)


def logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """``logged_out``: the user logged out (a logout while not logged in is no event)."""
    if not isinstance(user, User):
        return
    flush_refusals(user)
    log_authentication(user, Action.LOGGED_OUT, authorised=True)


def login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """``login_failed`` for the account the username names (none when it names no account),
    marked ``locked`` when a lockout refused it; then ``locked_out`` when this failure
    started the lockout."""
    user = account_named(credentials, request)
    failures, limit = _failures(request, credentials)
    during_lockout = failures is not None and limit is not None and failures > limit
    if failures is None and getattr(request, "axes_locked_out", False):
        during_lockout = True  # axes refused it without counting it
    log_authentication(
        user,
        Action.LOGIN_FAILED,
        authorised=False,
        detail=LOCKED_DETAIL if during_lockout else "",
    )
    if request is not None and getattr(request, LOCKOUT_STARTED, False):
        setattr(request, LOCKOUT_STARTED, False)
        log_authentication(user, Action.LOCKED_OUT, authorised=False)


def locked_out(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """django-axes sends this for the failure that reaches the limit and for every attempt
    during the lockout; only the first starts a lockout, and gets a line (written by
    :func:`login_failed`, which axes calls this from, after the failure's own line)."""
    if request is None:
        return
    failures, limit = _failures(request, getattr(request, "axes_credentials", None))
    if failures is not None and limit is not None and failures == limit:
        setattr(request, LOCKOUT_STARTED, True)


def account_named(credentials: dict[str, Any] | None, request: HttpRequest | None) -> User | None:
    """The account a login attempt was for, found as django-allauth finds it (the username,
    whatever its case); ``None`` when the username names no account."""
    username = axes_username(request, credentials) if request is not None else None
    if username is None:
        value = (credentials or {}).get("username")
        username = value.strip() if isinstance(value, str) else None
    if not username:
        return None
    found = list(User.objects.filter(username__iexact=username)[:2])
    return found[0] if len(found) == 1 else None


def _failures(
    request: HttpRequest | None, credentials: dict[str, Any] | None
) -> tuple[int | None, int | None]:
    """django-axes' count of failures behind this attempt (set on the request while it
    handles the failure) and its limit; ``None`` where axes did not count."""
    if request is None:
        return None, None
    failures = getattr(request, "axes_failures_since_start", None)
    if not isinstance(failures, int):
        return None, None
    return failures, int(get_failure_limit(request, credentials))
