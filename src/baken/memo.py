"""What one request reads several times, read once (issue 13).

A page asks the same small question in many places: which organisation is linked as Veilig
Thuis, as the zorgcoördinatie, as the Veiligheidshuis (the menu, the chain's panel, the
screening's panel, the inbox). :func:`remembered` answers it from the request's memo after
the first time. The memo lives for one request (:func:`request_scope`, opened by
``baken.web.middleware.RequestMemoMiddleware``) and is never shared between requests,
processes or users; outside a request (the command line, the worker, a test calling a
service) nothing is remembered and every call computes.

A service that changes what a memo holds calls :func:`forget`, so the rest of its request
reads the change. Only small, rarely changed, non-personal facts belong here; a dossier's
own reads are kept with the dossier (``baken.dossiers.selectors.once``).

No Django: this module sits below every layer.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

_memo: ContextVar[dict[Hashable, Any] | None] = ContextVar("baken_request_memo", default=None)


@contextmanager
def request_scope() -> Iterator[None]:
    """A fresh memo for the duration of one request; what it held is dropped after."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def remembered(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, once per request under ``key``; outside a request, every time."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    kept: T = memo[key]
    return kept


def forget(key: Hashable) -> None:
    """Drop what the request's memo keeps under ``key`` (after a change to it)."""
    memo = _memo.get()
    if memo is not None:
        memo.pop(key, None)
