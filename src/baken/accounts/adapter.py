"""django-allauth adapter: no sign-up; accounts are made by the functioneel beheerder."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """The functioneel beheerder starts at management; everyone else at the dossiers."""
        if getattr(request.user, "is_administrator", False):
            return reverse("accounts:manage")
        return str(super().get_login_redirect_url(request))

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
