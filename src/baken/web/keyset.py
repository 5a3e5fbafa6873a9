"""Keyset pagination for Baken's lists that grow (ADR 11, issue 13).

A page is the rows after (or before) a place in a fixed order, and the place is named by
an opaque token in the link ("Volgende" carries ``na=<token>``, "Vorige" ``voor=<token>``):
the values of the order's keys for the last (or first) row shown. Every page is one query
that ranges over an index, whatever the page's number, and a page does not shift when rows
are added meanwhile. No total is counted (a ``COUNT`` grows with the list). One row more
than shown is fetched, to know whether there is a next page; it is not used otherwise (its
encrypted values are never decrypted, ADR 10).

The order must be total: its last key is unique (the primary key, or a unique field).
Keys are model fields or annotations that are never NULL.

This is the dossier list's scheme (``baken.dossiers.selectors.dossiers_for``) for any
query set; the tokens carry the values themselves, so they need no state on the server.
"""

from __future__ import annotations

import json
from base64 import urlsafe_b64decode, urlsafe_b64encode
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Generic, Literal, TypedDict, TypeVar
from urllib.parse import urlencode
from uuid import UUID

from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext_lazy

T = TypeVar("T")
M = TypeVar("M", bound=Model)

Kind = Literal["datetime", "date", "uuid", "int", "str", "bool"]

PAGE_SIZE = 25
"""Rows a page shows, unless a list says otherwise."""

MAX_TOKEN = 1000
"""A longer token is not one a page made."""

PROBLEMS = {
    "bad_cursor": gettext_lazy(
        "This page does not exist: the link is not complete. Here is the first page."
    ),
    "stale_cursor": gettext_lazy(
        "There is nothing more after that page: the list has changed. Here is the first page."
    ),
}
"""What a list says about a page link that does not work (:attr:`Page.problem`)."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class Key:
    """One key of a list's order: a field (or annotation) of the rows, its kind, and
    whether the list runs from high to low."""

    field: str
    kind: Kind
    descending: bool = False


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page: the rows shown, in the list's order, and the tokens of the pages beside it."""

    rows: list[T]
    after: str | None = None
    """The token for "Volgende" (the rows after the last shown), or ``None``."""
    before: str | None = None
    """The token for "Vorige" (the rows before the first shown), or ``None``."""
    problem: str = ""
    """``bad_cursor`` (a token no page made) or ``stale_cursor`` (nothing is there any
    more): the first page is shown instead, and the page may say why."""

    @property
    def paged(self) -> bool:
        """Whether there is a page beside this one."""
        return self.after is not None or self.before is not None


class BadToken(ValueError):
    """A page token that is not one a page made (typed over, cut off)."""


def _encode_value(value: Any, kind: Kind) -> Any:
    if kind == "datetime":
        return (value - _EPOCH) // _MICROSECOND
    if kind == "date":
        return value.isoformat()
    if kind == "uuid":
        return UUID(str(value)).hex
    if kind == "bool":
        return bool(value)
    if kind == "int":
        return int(value)
    return str(value)


def _decode_value(raw: Any, kind: Kind) -> Any:
    if kind == "datetime" and type(raw) is int:
        return _EPOCH + raw * _MICROSECOND
    if kind == "date" and isinstance(raw, str) and len(raw) == 10:
        return date.fromisoformat(raw)
    if kind == "uuid" and isinstance(raw, str) and len(raw) == 32:
        return UUID(hex=raw)
    if kind == "bool" and type(raw) is bool:
        return raw
    if kind == "int" and type(raw) is int:
        return raw
    if kind == "str" and isinstance(raw, str):
        return raw
    raise BadToken(kind)


def token_of(row: Any, keys: Sequence[Key]) -> str:
    """The token of ``row``'s place in the order of ``keys``."""
    values = [_encode_value(getattr(row, key.field), key.kind) for key in keys]
    raw = json.dumps(values, separators=(",", ":"), ensure_ascii=True).encode("ascii")
    return urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def parse(token: str, keys: Sequence[Key]) -> tuple[Any, ...]:
    """The place a token names, or :class:`BadToken`."""
    if not token or len(token) > MAX_TOKEN or not token.isascii():
        raise BadToken(token[:40])
    try:
        raw = json.loads(urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii"))
    except (ValueError, UnicodeError) as exc:
        raise BadToken(token[:40]) from exc
    if not isinstance(raw, list) or len(raw) != len(keys):
        raise BadToken(token[:40])
    try:
        return tuple(_decode_value(value, key.kind) for value, key in zip(raw, keys, strict=True))
    except (ValueError, OverflowError) as exc:
        raise BadToken(token[:40]) from exc


def _beyond(keys: Sequence[Key], place: Sequence[Any], backwards: bool) -> Q:
    """The rows after ``place`` in the order of ``keys`` (before it, ``backwards``): the
    lexicographic comparison, written out so that every database can range over an index."""
    found = Q()
    for i, key in enumerate(keys):
        upward = key.descending == backwards
        step = Q(**{f"{key.field}__{'gt' if upward else 'lt'}": place[i]})
        for earlier, value in zip(keys[:i], place[:i], strict=True):
            step &= Q(**{earlier.field: value})
        found |= step
    return found


def _ordering(keys: Sequence[Key], backwards: bool) -> list[str]:
    return [f"{'-' if key.descending != backwards else ''}{key.field}" for key in keys]


def _rows(
    rows: QuerySet[M], keys: Sequence[Key], place: Sequence[Any] | None, backwards: bool, size: int
) -> list[M]:
    if place is not None:
        rows = rows.filter(_beyond(keys, place, backwards))
    return list(rows.order_by(*_ordering(keys, backwards))[:size])


def page(
    rows: QuerySet[M],
    keys: Sequence[Key],
    *,
    after: str | None = None,
    before: str | None = None,
    size: int = PAGE_SIZE,
) -> Page[M]:
    """One page of ``rows`` in the order of ``keys``: the first, or the one after (before)
    the place of the token ``after`` (``before``). One query; one more when the token leads
    nowhere any more and the first page is shown instead."""
    problem = ""
    place: tuple[Any, ...] | None = None
    backwards = bool(before) and not after
    if after or before:
        try:
            place = parse(str(after or before), keys)
        except BadToken:
            problem, backwards = "bad_cursor", False
    found = _rows(rows, keys, place, backwards, size + 1)
    if place is not None and (not found if not backwards else len(found) < size):
        # Forwards to nothing: the rows after it have gone, or the token is old; backwards
        # to less than a page: that is the first page. Either way, show the first page.
        problem = "stale_cursor" if not backwards else ""
        place, backwards = None, False
        found = _rows(rows, keys, None, False, size + 1)
    more = len(found) > size
    shown = found[:size]
    if backwards:
        shown.reverse()
    # Forwards, "more" is a next page and a token a previous one; backwards the other way.
    has_next, has_previous = (True, more) if backwards else (more, place is not None)
    return Page(
        shown,
        after=token_of(shown[-1], keys) if shown and has_next else None,
        before=token_of(shown[0], keys) if shown and has_previous else None,
        problem=problem,
    )


class Place(TypedDict):
    """The tokens of a request's place in a list, as :func:`page` takes them."""

    after: str | None
    before: str | None


def tokens(query: Mapping[str, str], prefix: str = "") -> Place:
    """``after`` and ``before`` from a request's query (``na``/``voor``, with ``prefix``
    for a page that pages two lists), for :func:`page`."""
    return Place(after=query.get(f"{prefix}na") or None, before=query.get(f"{prefix}voor") or None)


def with_rows(found: Page[Any], rows: list[T]) -> Page[T]:
    """``found`` with ``rows`` in place of its rows (the same rows, presented)."""
    return Page(rows, after=found.after, before=found.before, problem=found.problem)


def links(
    query: Mapping[str, str], found: Page[Any], prefix: str = ""
) -> tuple[str | None, str | None]:
    """The query strings of "Vorige" and "Volgende" for ``found``: the request's own query
    (other filters, another list's place) with this list's place changed."""
    kept = {k: v for k, v in query.items() if k not in (f"{prefix}na", f"{prefix}voor")}
    previous = urlencode({**kept, f"{prefix}voor": found.before}) if found.before else None
    following = urlencode({**kept, f"{prefix}na": found.after}) if found.after else None
    return previous, following


def pager(query: Mapping[str, str], found: Page[Any], prefix: str = "") -> dict[str, Any]:
    """The template context of ``web/_pager.html`` for ``found``: ``previous_query``,
    ``next_query`` and ``problem_text`` (what to say about a link that did not work)."""
    previous, following = links(query, found, prefix)
    return {
        "previous_query": previous,
        "next_query": following,
        "problem_text": PROBLEMS.get(found.problem, ""),
    }
