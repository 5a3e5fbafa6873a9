"""The number beside "Binnengekomen" in the menu: exact up to 99 waiting items, "99+" from
100 on, so that counting reads at most 100 entries of the inbox index however long the
backlog is (a Veilig Thuis inbox at national scale holds thousands)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from baken.accounts.models import User
from baken.chain.models import Share
from tests.chain.conftest import Partners

pytestmark = pytest.mark.django_db

MENU_COUNT = re.compile(
    r'href="/binnengekomen/"[^>]*>[^<]*<span class="baken-count">(.*?)</span></a>'
)
"""The number in the menu's "Binnengekomen" link (the berichten have a number of their own)."""


def _count(html: str) -> tuple[str, str]:
    """What the menu's inbox number shows, and what a screen reader reads of it."""
    found = MENU_COUNT.search(html)
    inner = found[1] if found else ""
    shown = re.sub(r'<span class="baken-visually-hidden">.*?</span>', "", inner)
    heard = re.sub(r'<span aria-hidden="true">.*?</span>', "", inner)
    return re.sub(r"<[^>]+>", "", shown), re.sub(r"<[^>]+>", "", heard).strip()


def _waiting(asked: Share, total: int) -> None:
    """``total`` open advice requests in Veilig Thuis' inbox: ``asked`` and copies of it
    (the count reads only the recipient and the status; each copy's reason is encrypted
    anew, for its own row)."""
    copies = []
    for _ in range(total - 1):
        copy = Share.objects.get(pk=asked.pk)
        copy.pk = uuid.uuid4()
        copy.reason = ""
        copies.append(copy)
    Share.objects.bulk_create(copies)


@pytest.mark.parametrize(
    ("total", "shown", "heard"),
    [
        (1, "1", "1 wachtend"),
        (99, "99", "99 wachtend"),
        (100, "99+", "meer dan 99 wachtend"),
        (140, "99+", "meer dan 99 wachtend"),
    ],
)
def test_the_menu_counts_the_inbox_up_to_99_and_shows_99_plus_beyond(
    asked: Share,
    partners: Partners,
    login: Callable[[User], Client],
    total: int,
    shown: str,
    heard: str,
) -> None:
    """With 1, 99, 100 or 140 items waiting, the adviser's menu shows 1, 99, 99+ and 99+
    (a screen reader reads "meer dan 99 wachtend"), on every page (here the dossier list) as
    on the inbox itself."""
    _waiting(asked, total)
    client = login(partners.adviser)
    pages = [
        client.get(reverse(name)).content.decode() for name in ("dossiers:list", "chain:inbox")
    ]
    assert [_count(html) for html in pages] == [(shown, heard), (shown, heard)]
