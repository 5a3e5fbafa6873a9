"""The berichten pages: the user's own list (newest first, unread marked, 25 a page), the
link that marks one read and goes to it, 404 for anyone else's, and the count in the menu."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from baken.accounts.models import Organisation, Role, User
from baken.notifications.models import Notification, NotificationKind
from baken.notifications.services import notify
from tests.notifications.conftest import Chain

pytestmark = pytest.mark.django_db

LIST = "/berichten/"


def _items(html: str) -> list[str]:
    return re.findall(r'<li class="(baken-notification[^"]*)"', html)


def _make(user: User, count: int, organisation: Organisation | None = None) -> list[Notification]:
    """``count`` berichten for ``user``, one minute apart, the last one newest."""
    start = timezone.now() - timedelta(hours=1)
    return Notification.objects.bulk_create(
        Notification(
            user=user,
            kind=NotificationKind.NEW_REPORT,
            url="/dossiers/",
            organisation=organisation,
            created_at=start + timedelta(minutes=n),
        )
        for n in range(count)
    )


def test_the_list_shows_the_users_own_berichten_newest_first_with_the_unread_marked(
    chain: Chain, login: Callable[..., Client]
) -> None:
    """Three of the adviser's berichten (one read) and none of another user's: newest
    first, each with its kind's label and the organisation's name, the unread two marked."""
    older = notify([chain.adviser], NotificationKind.NEW_ADVICE_REQUEST, "/dossiers/")[0]
    Notification.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - timedelta(days=1), read_at=timezone.now()
    )
    notify([chain.adviser], NotificationKind.DEADLINE_NEAR, "/dossiers/", organisation=chain.vt)
    notify([chain.adviser, chain.other_vt_adviser], NotificationKind.NEW_REPORT, "/dossiers/")
    html = login(chain.adviser).get(LIST).content.decode()
    with translation.override("nl"):
        labels = [
            str(NotificationKind.NEW_REPORT.label),
            str(NotificationKind.DEADLINE_NEAR.label),
            str(NotificationKind.NEW_ADVICE_REQUEST.label),
        ]
    positions = [html.find(label) for label in labels]
    assert (
        _items(html),
        positions == sorted(positions) and -1 not in positions,
        chain.vt.name in html,
    ) == (
        [
            "baken-notification baken-notification--unread",
            "baken-notification baken-notification--unread",
            "baken-notification",
        ],
        True,
        True,
    )


def test_opening_a_bericht_marks_it_read_and_goes_to_its_link(
    chain: Chain, login: Callable[..., Client]
) -> None:
    """The link view redirects to the bericht's path inside Baken and sets read_at once."""
    made = notify([chain.adviser], NotificationKind.NEW_REPORT, "/dossiers/?inbox=1")[0]
    client = login(chain.adviser)
    response = client.get(reverse("notifications:open", args=[made.pk]))
    first = Notification.objects.get(pk=made.pk).read_at
    client.get(reverse("notifications:open", args=[made.pk]))
    assert (response.status_code, response["Location"], first is not None) == (
        302,
        "/dossiers/?inbox=1",
        True,
    )
    assert Notification.objects.get(pk=made.pk).read_at == first


def test_someone_elses_bericht_is_not_found_and_stays_unread(
    chain: Chain, login: Callable[..., Client]
) -> None:
    """Another user's bericht answers 404, exactly as one that does not exist."""
    made = notify([chain.other_vt_adviser], NotificationKind.NEW_REPORT, "/dossiers/")[0]
    client = login(chain.adviser)
    theirs = client.get(reverse("notifications:open", args=[made.pk])).status_code
    missing = client.get(reverse("notifications:open", args=[made.pk + 1000])).status_code
    assert (theirs, missing, Notification.objects.get(pk=made.pk).read_at) == (404, 404, None)


def test_the_functioneel_beheerder_has_no_berichten(
    administrator: User, login: Callable[..., Client]
) -> None:
    """The functioneel beheerder works with no dossiers, so has no berichten page (404)."""
    assert login(administrator).get(LIST).status_code == 404


def test_the_list_shows_25_a_page_with_a_link_to_older_ones(
    chain: Chain, login: Callable[..., Client]
) -> None:
    """30 berichten: the first page shows the newest 25 and links the older ones, which
    show the other 5 and link back; a link that no page made shows the first page and
    says so."""
    _make(chain.adviser, 30)
    client = login(chain.adviser)
    first = client.get(LIST).content.decode()
    older = re.search(r'rel="next" href="\?([^"]+)"', first)
    assert older is not None
    second = client.get(f"{LIST}?{older.group(1).replace('&amp;', '&')}").content.decode()
    bad = client.get(f"{LIST}?na=niet-een-pagina").content.decode()
    assert (
        len(_items(first)),
        'rel="prev"' in first,
        len(_items(second)),
        'rel="prev"' in second,
        'rel="next"' in second,
        len(_items(bad)),
        "de link is niet compleet" in bad,
    ) == (25, False, 5, True, False, 25, True)


def test_the_list_runs_as_many_queries_for_25_berichten_as_for_one(
    chain: Chain, login: Callable[..., Client]
) -> None:
    """The organisation names come with the berichten (one query), not one query each."""
    client = login(chain.adviser)
    client.get(LIST)  # the first request of a session writes what later ones only read
    counts = []
    for count in (1, 24):
        _make(chain.adviser, count, organisation=chain.vt)
        with CaptureQueriesContext(connection) as queries:
            client.get(LIST)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_menu_shows_the_unread_count(chain: Chain, login: Callable[..., Client]) -> None:
    """On every page the menu's Berichten item carries the number of unread berichten."""
    made = _make(chain.professional, 3)
    Notification.objects.filter(pk=made[0].pk).update(read_at=timezone.now())
    html = login(chain.professional).get("/dossiers/").content.decode()
    assert re.findall(r'<span class="baken-count">(\d+)<', html) == ["2"]


def test_the_menu_shows_no_count_when_all_is_read(
    chain: Chain, login: Callable[..., Client]
) -> None:
    """No unread berichten: the menu item has no number."""
    assert 'class="baken-count"' not in login(chain.professional).get("/dossiers/").content.decode()


@pytest.mark.parametrize("method", ["post", "put"])
def test_the_pages_only_answer_get(chain: Chain, login: Callable[..., Client], method: str) -> None:
    """Reading is GET (and HEAD); anything else is 405 on both pages."""
    made = _make(chain.adviser, 1)[0]
    client = login(chain.adviser)
    codes = [
        getattr(client, method)(url).status_code
        for url in (LIST, reverse("notifications:open", args=[made.pk]))
    ]
    assert (codes, Notification.objects.get(pk=made.pk).read_at) == ([405, 405], None)


def test_only_dossier_roles_get_the_menu_item(
    make_user: Callable[..., User], login: Callable[..., Client]
) -> None:
    """The functioneel beheerder's menu has no Berichten item."""
    admin = make_user("beheer-menu", Role.ADMINISTRATOR, None)
    assert LIST not in login(admin).get("/beheer/").content.decode()
