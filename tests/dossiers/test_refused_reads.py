"""Refused reads in the access log: a request for a dossier that exists but is not the
user's gets the same 404 as for one that does not exist, and one line with ``authorised``
false; at most REFUSED_LINES_PER_WINDOW lines per user per window, the rest counted in one
line; an id of no dossier writes nothing."""

from __future__ import annotations

import re
import socket
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import URLPattern, reverse
from django.utils import timezone, translation
from django.utils.text import capfirst

from baken.accounts.models import User
from baken.audit.models import AccessEvent, Action
from baken.dossiers.access import (
    REFUSAL_WINDOW_SECONDS,
    REFUSED_LINES_PER_WINDOW,
    flush_refusals,
    log_refused,
)
from baken.dossiers.models import Dossier
from baken.dossiers.selectors import access_lines
from tests.fixtures import PASSWORD
from tests.support import LOG_FIELDS, lines_after, log_in_with_code, newest, our_urls


def refused(user: User, dossier: Dossier | None, detail: str = "") -> tuple[Any, ...]:
    """The exact line of a refused read of ``dossier`` by ``user`` (``None``: the count)."""
    return (
        user.pk,
        user.role,
        user.organisation_id,
        dossier.organisation_id if dossier else None,
        dossier.pk if dossier else None,
        None,
        "R",
        "read_refused",
        "care",
        False,
        False,
        "not_applicable",
        False,
        detail,
    )


def window_start(moment: datetime) -> datetime:
    """The start of the window ``moment`` falls in."""
    seconds = int(moment.timestamp()) // REFUSAL_WINDOW_SECONDS * REFUSAL_WINDOW_SECONDS
    return datetime.fromtimestamp(seconds, tz=moment.tzinfo)


@pytest.fixture
def dossier(open_dossier: Callable[..., Dossier]) -> Dossier:
    """The professional's dossier, which the outsider (another organisation) may not see."""
    return open_dossier()


@pytest.fixture
def an_hour_ago() -> datetime:
    """The start of a window that has certainly ended."""
    return window_start(timezone.now() - timedelta(hours=1))


def test_a_refused_read_writes_one_line_with_the_dossier_and_its_organisation(
    dossier: Dossier, outsider: User, login: Callable[[User], Client]
) -> None:
    """The outsider asks for the dossier's page: 404, and one ``read_refused`` line (code
    R, ``authorised`` false) with the outsider's ids, the dossier and the organisation
    responsible for it."""
    client = login(outsider)
    start = newest()
    response = client.get(reverse("dossiers:detail", args=[dossier.pk]))
    assert (response.status_code, lines_after(start)) == (404, [refused(outsider, dossier)])


def test_an_id_of_no_dossier_writes_nothing(
    outsider: User, login: Callable[[User], Client]
) -> None:
    """An id that matches no dossier: the same 404, and no line (nothing to protect)."""
    client = login(outsider)
    start = newest()
    response = client.get(reverse("dossiers:detail", args=[uuid.uuid4()]))
    assert (response.status_code, lines_after(start)) == (404, [])


def _page(response: Any) -> tuple[int, str, str]:
    """Status, content type and body, with the per-request values (CSP nonce, CSRF token)
    blanked."""
    body = response.content.decode()
    body = re.sub(r'nonce="[^"]*"', 'nonce=""', body)
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "csrf", body)
    return response.status_code, response["Content-Type"], body


def test_the_refused_dossier_gets_the_page_of_a_missing_one(
    dossier: Dossier, outsider: User, login: Callable[[User], Client]
) -> None:
    """The page for the refused dossier is byte for byte the page for an id of no dossier
    (but for the nonce and CSRF token every page has afresh), logged line or not."""
    client = login(outsider)
    pages = [
        _page(client.get(reverse("dossiers:detail", args=[pk])))
        for pk in (dossier.pk, uuid.uuid4())
    ]
    assert pages[0] == pages[1]


def test_the_refused_page_is_the_same_when_the_refusal_is_only_counted(
    dossier: Dossier, outsider: User, login: Callable[[User], Client]
) -> None:
    """After the window's lines are used up, the refused dossier still gets exactly the
    missing dossier's page."""
    client = login(outsider)
    for _ in range(REFUSED_LINES_PER_WINDOW):
        log_refused(outsider, dossier)
    pages = [
        _page(client.get(reverse("dossiers:detail", args=[pk])))
        for pk in (dossier.pk, uuid.uuid4())
    ]
    assert pages[0] == pages[1]


def test_the_refusals_after_the_limit_are_counted_in_one_line(
    dossier: Dossier, outsider: User, an_hour_ago: datetime
) -> None:
    """In one window, the first REFUSED_LINES_PER_WINDOW refusals get a line each; the
    next three are counted, and once the window is over one line without a dossier says
    3 (written once)."""
    start = newest()
    for second in range(REFUSED_LINES_PER_WINDOW + 3):
        log_refused(outsider, dossier, an_hour_ago + timedelta(seconds=second))
    during = lines_after(start)
    later = an_hour_ago + timedelta(seconds=REFUSAL_WINDOW_SECONDS)
    flush_refusals(outsider, later)
    flush_refusals(outsider, later)
    assert (during, lines_after(start)[len(during) :]) == (
        [refused(outsider, dossier)] * REFUSED_LINES_PER_WINDOW,
        [refused(outsider, None, detail="3")],
    )


def test_the_count_is_not_written_while_its_window_runs(
    dossier: Dossier, outsider: User, an_hour_ago: datetime
) -> None:
    """Within the window that is still running, there is no count line yet."""
    for second in range(REFUSED_LINES_PER_WINDOW + 1):
        log_refused(outsider, dossier, an_hour_ago + timedelta(seconds=second))
    start = newest()
    flush_refusals(outsider, an_hour_ago + timedelta(seconds=REFUSAL_WINDOW_SECONDS - 1))
    assert lines_after(start) == []


def test_a_new_window_starts_with_lines_again_and_writes_the_old_count_first(
    dossier: Dossier, outsider: User, an_hour_ago: datetime
) -> None:
    """The next refusal, in a later window, first writes the count of the earlier one,
    then gets its own line."""
    for second in range(REFUSED_LINES_PER_WINDOW + 2):
        log_refused(outsider, dossier, an_hour_ago + timedelta(seconds=second))
    start = newest()
    log_refused(outsider, dossier, an_hour_ago + timedelta(seconds=REFUSAL_WINDOW_SECONDS))
    assert lines_after(start) == [refused(outsider, None, detail="2"), refused(outsider, dossier)]


def test_the_count_is_written_at_the_next_login(
    dossier: Dossier, outsider: User, an_hour_ago: datetime
) -> None:
    """A prober who stops after the limit: the count of that window is written when they
    next log in, before the login's own line."""
    for second in range(REFUSED_LINES_PER_WINDOW + 1):
        log_refused(outsider, dossier, an_hour_ago + timedelta(seconds=second))
    start = newest()
    log_in_with_code(Client(), outsider.username, PASSWORD, outsider.totp_secret)
    actions = [
        (row[LOG_FIELDS.index("action")], row[LOG_FIELDS.index("detail")])
        for row in lines_after(start)
    ]
    assert actions == [("read_refused", "1"), ("logged_in", "")]


def test_each_user_has_their_own_limit(
    dossier: Dossier,
    outsider: User,
    make_user: Callable[..., User],
    an_hour_ago: datetime,
) -> None:
    """Another user's refusals are not counted against the outsider's: both get their
    lines in the same window."""
    second_outsider = make_user("proef-buiten-2", outsider.role, outsider.organisation)
    for user in (outsider, second_outsider):
        for second in range(REFUSED_LINES_PER_WINDOW):
            log_refused(user, dossier, an_hour_ago + timedelta(seconds=second))
    counts = {
        user.pk: AccessEvent.objects.filter(action="read_refused", user_id=user.pk).count()
        for user in (outsider, second_outsider)
    }
    assert counts == {
        outsider.pk: REFUSED_LINES_PER_WINDOW,
        second_outsider.pk: REFUSED_LINES_PER_WINDOW,
    }


def _dossier_urls() -> Iterator[tuple[str, URLPattern]]:
    """Every URL of Baken's own apps about one dossier (``<uuid:pk>``)."""
    return ((name, p) for name, p in our_urls() if "<uuid:pk>" in str(p.pattern))


def _url(name: str, pattern: URLPattern, dossier: Dossier) -> str:
    fillers: dict[str, Any] = {
        "pk": dossier.pk,
        "step": 1,
        "sequence": 1,
        "kind": "observation",
        "share": uuid.uuid4(),
    }
    return reverse(name, kwargs={key: fillers[key] for key in pattern.pattern.converters})


def test_every_dossier_url_logs_the_refusal_once(
    dossier: Dossier, outsider: User, login: Callable[[User], Client]
) -> None:
    """Every dossier URL (the dossier's pages, exports, chain, trajectory, screening and
    CoMensha pages) answers the outsider with 404 and exactly one ``read_refused`` line
    about the dossier: a GET, or a POST where the URL takes only POST (a GET is refused
    there with 405 before anything is looked up, and writes nothing)."""
    client = login(outsider)
    answers = {}
    for name, pattern in _dossier_urls():
        url = _url(name, pattern, dossier)
        cache.clear()  # a fresh window's lines for each URL
        start = newest()
        got = client.get(url).status_code
        written = len(lines_after(start))
        if (got, written) == (405, 0):
            got = client.post(url, {}).status_code
            written = len(lines_after(start))
        answers[name] = (got, written)
    wrong = {name: got for name, got in answers.items() if got != (404, 1)}
    assert (len(answers), wrong) == (31, {})


def test_who_looked_shows_the_refused_read_with_its_label(
    dossier: Dossier,
    professional: User,
    outsider: User,
    login: Callable[[User], Client],
) -> None:
    """The dossier's "Wie keek er" page lists the outsider's refused read, with the refused
    label, the outsider's name and "not authorised" as a no in the case-team column."""
    login(outsider).get(reverse("dossiers:detail", args=[dossier.pk]))
    page = login(professional).get(reverse("dossiers:access_log", args=[dossier.pk]))
    with translation.override(settings.LANGUAGE_CODE):
        label = str(capfirst(str(Action.READ_REFUSED.label)))
    refused_lines = [
        (line.user_name, line.event.action)
        for line in access_lines(dossier)
        if line.event.action == "read_refused"
    ]
    assert (page.status_code, label in page.content.decode(), refused_lines) == (
        200,
        True,
        [(str(outsider), "read_refused")],
    )


def _closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_with_the_cache_down_every_refusal_gets_its_line_and_the_same_404(
    dossier: Dossier, outsider: User, login: Callable[[User], Client]
) -> None:
    """A Redis cache that cannot be reached: the outsider still gets the 404 of a missing
    dossier, and every refusal is logged (none is lost by a limit that cannot be counted)."""
    client = login(outsider)
    start = newest()
    down = {
        alias: {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
        }
        for alias in settings.CACHES
    }
    with override_settings(CACHES=down):
        statuses = [
            client.get(reverse("dossiers:detail", args=[dossier.pk])).status_code
            for _ in range(REFUSED_LINES_PER_WINDOW + 2)
        ]
    assert (statuses, lines_after(start)) == (
        [404] * (REFUSED_LINES_PER_WINDOW + 2),
        [refused(outsider, dossier)] * (REFUSED_LINES_PER_WINDOW + 2),
    )
