"""First-run setup: a one-time link to create the first functioneel beheerder.

While no user exists, ``baken serve`` asks :func:`setup_link` for a link and prints it on the
console. The link holds a random token of which only the SHA-256 hash is stored; it works
once, only from the machine itself (:func:`from_this_machine`, checked by
:func:`baken.accounts.views.setup`), and only while there are still no users.
"""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from baken.accounts import services
from baken.accounts.models import Role, SetupToken, User
from baken.web import proxy


class SetupUnavailable(Exception):
    """The token is unknown or used, or a user exists already."""


def hash_token(token: str) -> str:
    """The SHA-256 hash (hex) under which a setup token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def from_this_machine(request: HttpRequest) -> bool:
    """Whether the client of ``request`` is on this machine: its address is loopback.

    The address is the real client's (:func:`baken.web.proxy.client_address`): through a
    proxy in ``BAKEN_TRUSTED_PROXIES``, the client that proxy forwarded for, so the nginx on
    this machine does not make every client look local. A request with a proxy header
    (``X-Forwarded-For``, ``Forwarded``, ``X-Real-IP``) from a peer that is not a trusted
    proxy is refused: it came through a proxy Baken was not told about.
    """
    if proxy.is_trusted_proxy(request.META.get("REMOTE_ADDR")):
        return proxy.is_loopback(proxy.client_address(request))
    if any(request.META.get(header) for header in proxy.PROXY_HEADERS):
        return False
    return proxy.is_loopback(proxy.client_address(request))


def setup_link(base_url: str) -> str | None:
    """A fresh one-time setup link under ``base_url`` while no user exists; else ``None``.

    Older unused tokens stop working: only the most recently printed link is valid.
    """
    with transaction.atomic():
        if User.objects.exists():
            return None
        SetupToken.objects.filter(used_at__isnull=True).delete()
        token = secrets.token_urlsafe(32)
        SetupToken.objects.create(token_hash=hash_token(token))
    return base_url.rstrip("/") + reverse("accounts:setup", kwargs={"token": token})


def token_is_usable(token: str) -> bool:
    """Whether ``token`` is an unused setup token while no user exists yet."""
    return (
        not User.objects.exists()
        and SetupToken.objects.filter(token_hash=hash_token(token), used_at__isnull=True).exists()
    )


def create_first_administrator(*, token: str, username: str, email: str, password: str) -> User:
    """Create the first functioneel beheerder and use up ``token``, in one transaction.

    Raises :class:`SetupUnavailable` when the token is unknown or used, or a user exists.
    """
    with transaction.atomic():
        row = (
            SetupToken.objects.select_for_update()
            .filter(token_hash=hash_token(token), used_at__isnull=True)
            .first()
        )
        if row is None or User.objects.exists():
            raise SetupUnavailable
        # A compare-and-set as well, for databases that ignore SELECT ... FOR UPDATE (SQLite).
        used = SetupToken.objects.filter(pk=row.pk, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if used != 1:
            raise SetupUnavailable
        return services.create_user(
            by=None,
            username=username,
            email=email,
            password=password,
            role=Role.ADMINISTRATOR,
            organisation=None,
            action="first_administrator_created",
        )
