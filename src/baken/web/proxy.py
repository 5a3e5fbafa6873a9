"""Behind a reverse proxy: which proxies are trusted, the client's real address, and the
scheme (https) a trusted proxy forwards.

``BAKEN_TRUSTED_PROXIES`` (docs/configuration.md) lists the addresses or networks of the
reverse proxies in front of Baken, such as the nginx on the same machine (``127.0.0.1``).
Only a request whose ``REMOTE_ADDR`` is one of them may say, in ``X-Forwarded-For``, who the
client is and, in ``X-Forwarded-Proto``, that the client used https. From anyone else those
headers are a client's claim and count for nothing. Nothing is trusted when it is unset.

Django trusts ``SECURE_PROXY_SSL_HEADER`` from every peer, so :class:`TrustedProxyMiddleware`
(first in ``MIDDLEWARE``) removes ``X-Forwarded-Proto`` from a request that did not come
from a trusted proxy before Django looks at it. :func:`client_address` is the one answer to
"who sent this request", used by the lockout (django-axes), django-allauth's rate limits and
the first-run set-up link's "only from this machine" check
(:func:`baken.accounts.setup.from_this_machine`).

This module imports nothing from Django at load time except the lazy settings object, so
the settings module can use :func:`parse_trusted_proxies`.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

FORWARDED_PROTO = "HTTP_X_FORWARDED_PROTO"
FORWARDED_FOR = "HTTP_X_FORWARDED_FOR"
PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")
"""Headers by which a proxy says whom it forwards for."""


def parse_trusted_proxies(raw: str) -> tuple[str, ...]:
    """The networks in a comma-separated list of addresses or CIDRs (``127.0.0.1,
    10.0.0.0/24, ::1``), each written out in full (``127.0.0.1/32``).

    A bad entry raises :class:`~django.core.exceptions.ImproperlyConfigured` with one line,
    as does a network with host bits set (``10.0.0.1/24``: write ``10.0.0.0/24``), so a typo
    never silently trusts more, or less, than meant.
    """
    networks: list[str] = []
    for item in raw.split(","):
        entry = item.strip()
        if not entry:
            continue
        try:
            network = ipaddress.ip_network(entry, strict=True)
        except ValueError as exc:
            from django.core.exceptions import ImproperlyConfigured

            raise ImproperlyConfigured(
                f"BAKEN_TRUSTED_PROXIES must list IP addresses or networks (CIDR) separated by "
                f"commas; {entry!r} is not one: {exc}"
            ) from None
        networks.append(str(network))
    return tuple(networks)


@functools.lru_cache(maxsize=8)
def _networks(configured: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(n) for n in configured)


def _trusted() -> tuple[Network, ...]:
    from django.conf import settings

    return _networks(tuple(getattr(settings, "BAKEN_TRUSTED_PROXIES", ())))


def _address(value: str | None) -> Address | None:
    """``value`` as an IP address (an IPv4-mapped IPv6 address as its IPv4 one), or None."""
    if not value:
        return None
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_trusted_proxy(value: str | None) -> bool:
    """Whether ``value`` is the address of one of ``BAKEN_TRUSTED_PROXIES``."""
    address = _address(value)
    return address is not None and any(address in network for network in _trusted())


def _forwarded_client(meta: Mapping[str, Any]) -> Address | None:
    """The client a trusted proxy forwarded for: ``X-Forwarded-For`` read from the right, the
    first address that is not itself a trusted proxy (all trusted: the leftmost). None when
    the header is missing or holds anything but addresses."""
    hops = [hop.strip() for hop in str(meta.get(FORWARDED_FOR, "")).split(",")]
    if hops == [""]:
        return None
    addresses: list[Address] = []
    for hop in hops:
        address = _address(hop)
        if address is None:
            return None
        addresses.append(address)
    trusted = _trusted()
    for address in reversed(addresses):
        if not any(address in network for network in trusted):
            return address
    return addresses[0]


def client_address(request: HttpRequest) -> str | None:
    """The address of the client that sent ``request``.

    ``REMOTE_ADDR``, unless that is a trusted proxy: then the client it forwarded for in
    ``X-Forwarded-For``. None when there is no valid address, and when a trusted proxy
    forwarded no valid one (a proxy that must say who the client is but does not: failing
    closed, never taking the proxy's own address, which may be loopback, for the client's).
    """
    peer = _address(request.META.get("REMOTE_ADDR"))
    if peer is None:
        return None
    if not any(peer in network for network in _trusted()):
        return str(peer)
    forwarded = _forwarded_client(request.META)
    return None if forwarded is None else str(forwarded)


def is_loopback(value: str | None) -> bool:
    """Whether ``value`` is a loopback address (127.0.0.0/8, ::1)."""
    address = _address(value)
    return address is not None and address.is_loopback


class TrustedProxyMiddleware:
    """First in ``MIDDLEWARE``: ``X-Forwarded-Proto`` counts only from a trusted proxy.

    Django's ``SECURE_PROXY_SSL_HEADER`` believes that header from any peer, so a client
    reaching the application server directly could claim https. Here it is removed unless
    ``REMOTE_ADDR`` is a trusted proxy, and kept from one only as ``https`` or ``http``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        if FORWARDED_PROTO in meta:
            proto = str(meta[FORWARDED_PROTO]).strip().lower()
            if not is_trusted_proxy(meta.get("REMOTE_ADDR")) or proto not in {"https", "http"}:
                del meta[FORWARDED_PROTO]
            else:
                meta[FORWARDED_PROTO] = proto
        return self.get_response(request)
