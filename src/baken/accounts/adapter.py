"""django-allauth adapters: no sign-up (accounts are made by the functioneel beheerder);
two-factor secrets encrypted with Baken's own keys, and never removed by the user."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """The functioneel beheerder starts at management; everyone else at the dossiers."""
        if getattr(request.user, "is_administrator", False):
            return reverse("accounts:manage")
        return str(super().get_login_redirect_url(request))

    def login(self, request: HttpRequest, user: Any) -> None:
        """Log in with Baken's authentication backend named in the session, so every later
        request loads the user with the menu's numbers in one query (``baken.web.auth``).
        allauth names its own backend for a user that comes back from the two-factor step
        without one, whose user then costs two more queries a request."""
        from baken.web.auth import PATH

        if not hasattr(user, "backend"):
            user.backend = PATH
        super().login(request, user)

    def get_client_ip(self, request: HttpRequest) -> str:
        """The client's address for allauth's per-address rate limits: the same one the
        lockout uses (:func:`baken.web.proxy.client_address`), so behind the proxy the
        limits count per client, not for everyone at once."""
        from django.core.exceptions import PermissionDenied

        from baken.web.proxy import client_address

        address = client_address(request)
        if address is None:
            raise PermissionDenied("Unable to determine client IP address")
        return address

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """Setting up the first authenticator app right after logging in, and seeing its
        recovery codes just after, do not ask for the password a second time; every later
        change to two-factor authentication does."""
        if app == "allauth.mfa" and self.request is not None:
            from baken.accounts.two_factor import just_enrolled

            user = getattr(self.request, "user", None)
            if user is not None and user.is_authenticated and just_enrolled(user):
                return False
        return bool(super().is_reauthentication_required(app=app, **kwargs))

    def add_message(
        self,
        request: HttpRequest,
        level: int,
        message_template: str | None = None,
        message_context: dict[str, Any] | None = None,
        extra_tags: str = "",
        message: str | None = None,
    ) -> None:
        """Leave out "signed in as ...": the page header already names who is logged in."""
        if message_template == "account/messages/logged_in.txt":
            return
        super().add_message(
            request,
            level,
            message_template=message_template,
            message_context=message_context,
            extra_tags=extra_tags,
            message=message,
        )


def axes_username(request: HttpRequest, credentials: dict[str, object] | None) -> str | None:
    """The username django-axes counts failures for, however the login arrives: allauth
    passes ``username`` in the credentials, the form posts ``login``."""
    for source in (credentials or {}, request.POST if request is not None else {}):
        for field in ("username", "login"):
            value = source.get(field)
            if isinstance(value, str) and value:
                return value.strip().lower()
    return None


class MFAAdapter(DefaultMFAAdapter):  # type: ignore[misc]
    """Two-factor authentication is mandatory in Baken (see :mod:`.two_factor`)."""

    error_messages = {
        **DefaultMFAAdapter.error_messages,
        # A right code that was used before (baken.accounts.two_factor.use_code).
        "code_used": _("This code was just used. Wait until your app shows a new code."),
    }

    def encrypt(self, text: str) -> str:
        """TOTP secrets and recovery-code seeds are stored encrypted with the data keys,
        bound to their Authenticator row when it is saved (:mod:`baken.crypto.authenticators`)."""
        from baken.crypto.authenticators import seal_secret

        return seal_secret(text)

    def decrypt(self, encrypted_text: str) -> str:
        """Only a secret read through its Authenticator row opens, and only for that row."""
        from baken.crypto.authenticators import open_secret

        return open_secret(encrypted_text)

    def get_totp_label(self, user: Any) -> str:
        """The username, not an e-mail address, beside "Baken" in the authenticator app."""
        return str(user.get_username())

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Nobody switches two-factor authentication off; a lost phone is handled by the
        functioneel beheerder, who resets it so the user sets up a new one."""
        return False
