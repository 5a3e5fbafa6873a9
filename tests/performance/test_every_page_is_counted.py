"""Every page Baken serves has its number of SQL queries asserted (issue 13): each GET URL of
the URL configuration is named in one of the query-count modules (tests/performance/
test_*.py), except the few listed in :data:`EXEMPT`, each with its reason. A new page
fails here until its queries are counted."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.urls import URLPattern

from tests.support import our_urls

HERE = Path(__file__).resolve().parent

EXEMPT = {
    "accounts:setup": "the first-run set-up: once per installation, only from this machine, "
    "and only while no user exists",
}
"""GET URLs of Baken's own apps whose queries are not counted, with the reason.

django-allauth's own pages (login, logout, the two-factor set-up and re-authentication) are
left out as a whole, as the authorization matrix does: they are allauth's, and Baken does
not make them."""

HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def allowed_methods(view: Callable[..., Any]) -> frozenset[str] | None:
    """The HTTP methods a view's ``require_http_methods`` (``require_POST``,
    ``require_safe``) allows, found in the closures of its decorators; None when it names
    none (every method)."""
    seen: set[int] = set()
    current: Any = view
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        for value in inspect.getclosurevars(current).nonlocals.values():
            if (
                isinstance(value, (list, tuple, set, frozenset))
                and value
                and all(isinstance(v, str) and v in HTTP_METHODS for v in value)
            ):
                return frozenset(value)
        current = getattr(current, "__wrapped__", None)
    return None


def get_urls() -> dict[str, URLPattern]:
    """Baken's URLs that answer GET."""
    found = {}
    for name, pattern in our_urls():
        methods = allowed_methods(pattern.callback)
        if methods is None or "GET" in methods:
            found[name] = pattern
    return found


def counting_modules() -> list[str]:
    """The text of every query-count module beside this one."""
    return [
        path.read_text(encoding="utf-8")
        for path in sorted(HERE.glob("test_*.py"))
        if path.name != Path(__file__).name
    ]


def named(name: str, modules: list[str]) -> bool:
    """Whether a query-count module names the URL ``name``: as one string
    (``"chain:inbox"``), or as its namespace in an f-string and its own name in a string
    (``reverse(f"dossiers:{name}", ...) for name in ("acute", ...)``); a handbook page
    counts when the handbook is walked page by page (``f"web:{page.name}"``)."""
    namespace, _, short = name.rpartition(":")
    for text in modules:
        if f'"{name}"' in text or f"'{name}'" in text:
            return True
        if namespace and f'f"{namespace}:{{' in text and f'"{short}"' in text:
            return True
        if namespace == "web" and 'f"web:{page.name}"' in text:
            return True
    return False


def test_every_get_url_has_its_queries_counted() -> None:
    """Every GET URL of Baken's own apps is named in a query-count module or exempt."""
    modules = counting_modules()
    missing = sorted(name for name in get_urls() if name not in EXEMPT and not named(name, modules))
    assert missing == []


def test_the_exemptions_are_get_urls_that_exist() -> None:
    """Every exemption names a GET URL that exists, and is not counted after all."""
    urls = get_urls()
    modules = counting_modules()
    stale = sorted(name for name in EXEMPT if name not in urls or named(name, modules))
    assert stale == []


def test_post_only_urls_are_recognised() -> None:
    """A URL whose view allows only POST (withdrawing a share, deactivating a user) is not a
    GET URL; one that allows GET and POST (the inbox item) is."""
    urls = get_urls()
    assert (
        "chain:withdraw" in urls,
        "accounts:user_deactivate" in urls,
        "chain:share" in urls,
        "dossiers:list" in urls,
    ) == (False, False, True, True)
