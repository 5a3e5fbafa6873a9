"""The inbox in the main menu, for who works a chain partner's inbox."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from baken.chain.access import RECIPIENT_ROLE, inbox_of
from baken.chain.models import ChainPartner, Share, ShareStatus

INBOX_ROLES = frozenset(RECIPIENT_ROLE.values())
"""The roles that can work an inbox; for every other user (most of them) the menu needs no
query at all."""


_LINK = "_baken_inbox_link"
"""Where a view leaves the inbox link it looked up for this request."""


WAITING = "inbox_waiting_count"
"""Where the request's user carries how many shares wait for their organisation, when it
was loaded with it (``baken.web.auth``)."""


COUNTED = 100
"""The menu counts the waiting items up to this many and shows "99+" from there: the count
reads at most this many index entries, however long the backlog (a Veilig Thuis inbox at
national scale holds thousands)."""


def waiting_on(user: Any) -> int | None:
    """The waiting count that came with ``user``, or ``None`` when it was loaded another way."""
    value = getattr(user, WAITING, None)
    return value if isinstance(value, int) else None


def remember_inbox(request: HttpRequest, link: ChainPartner | None) -> None:
    """Keep the inbox link a view looked up (:func:`inbox_of`) for the menu of the same
    request, so it is not looked up twice."""
    setattr(request, _LINK, link)


def inbox(request: HttpRequest) -> dict[str, Any]:
    """``inbox_link``, ``inbox_waiting`` (the open items, counted up to :data:`COUNTED`) and
    ``inbox_more`` (the number shown with a "+" when there are at least that many) for the
    menu of who works an inbox: the link from the request's chain partner links, and the
    count as it came with the user (``baken.web.auth``; else one bounded count over the
    inbox index). Nothing for anyone else."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(user, "role", "") not in INBOX_ROLES:
        return {}
    link = getattr(request, _LINK) if hasattr(request, _LINK) else inbox_of(user)
    if link is None:
        return {}
    waiting = waiting_on(user)
    if waiting is None:
        waiting = (
            Share.objects.filter(recipient_id=link.organisation_id, status=ShareStatus.PENDING)
            .order_by()[:COUNTED]
            .count()
        )
    more = COUNTED - 1 if waiting >= COUNTED else None
    return {"inbox_link": link, "inbox_waiting": waiting, "inbox_more": more}
