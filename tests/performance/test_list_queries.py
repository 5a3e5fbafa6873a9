"""The dossier list at scale (issue 13, ADR 11): a page of 25, paged by keyset, every filter
in SQL, the same number of queries for 3 dossiers and for 60, and one access-log line per
dossier shown, all in one INSERT."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from html import unescape
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from baken.accounts.models import User
from baken.audit import keys
from baken.audit.chain import append, append_many
from baken.audit.log import content, line_key, values_of
from baken.audit.models import AccessEvent, Action
from baken.dossiers import services
from baken.dossiers.models import FORM_COLUMNS, Dossier
from baken.dossiers.selectors import PAGE_SIZE, access_to, cursor_of, record_read
from baken.dossiers.views import LIST_PROBLEMS
from baken.protocol.schema import ExploitationForm
from tests.support import conversation

LIST_QUERIES = 6
"""Queries of one list page for a professional, whatever the number of dossiers: the
session, and the user with the menu's count of unread berichten (``baken.web.auth``); the
page of dossiers, the case-team check, the consents and the one INSERT of the log lines.
A session only read is saved at most once a minute (``baken.accounts.sessions``), so not
here. A Veilig Thuis adviser has one more (the chain partners' links, for the menu's
inbox); a designated expert or an adviser with dossiers outside their case teams one more
(their break-glass grants)."""

START = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.get_current_timezone())
FORMS = ["sexual", "labour", "criminal", "organ", "other"]

DOSSIER_LINK = re.compile(r'href="/dossiers/([0-9a-f-]{36})/"')


def form_of(n: int) -> list[str]:
    """The synthetic forms of dossier ``n``: one form, every third also labour."""
    forms = {FORMS[n % len(FORMS)]}
    if n % 3 == 0:
        forms.add("labour")
    return sorted(forms)


@pytest.fixture
def dossiers(professional: User) -> Callable[[int], list[Dossier]]:
    """``count`` dossiers of the professional, opened an hour apart (dossier 0 first), with
    forms from :func:`form_of`; every fourth is closed."""

    def make(count: int) -> list[Dossier]:
        made = []
        for n in range(count):
            new = services.NewDossier(f"Casus {n:03d}", None, 16, form_of(n))
            dossier = services.open_dossier(professional, new, START + timedelta(hours=n))
            made.append(dossier)
        for dossier in made[::4]:
            evaluation = {f"evaluatie-{n}": "klaar" for n in range(1, 5)}
            services.close_dossier(access_to(professional, dossier.pk), evaluation, seen_sequence=0)
        return made

    return make


def shown(client: Client, query: str = "") -> tuple[list[str], str]:
    """The ids of the dossiers the list shows, in order, and the page's HTML."""
    response = client.get(reverse("dossiers:list") + query)
    assert response.status_code == 200
    body = response.content.decode()
    return DOSSIER_LINK.findall(body), body


def dutch(text: object) -> str:
    """``text`` as the Dutch page shows it (the catalogue's translation, once it has one)."""
    with translation.override("nl"):
        return escape(str(gettext(str(text))))


def newest_first(made: list[Dossier]) -> list[str]:
    return [str(d.pk) for d in reversed(made)]


def link(body: str, rel: str) -> str | None:
    """The query of the page's "Vorige" (``prev``) or "Volgende" (``next``) link."""
    found = re.search(rf'rel="{rel}" href="\?([^"]*)"', body)
    return found.group(1).replace("&amp;", "&") if found else None


# Query counts ------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 60])
@pytest.mark.parametrize("query", ["", "?stap=1", "?vorm=labour", "?status=open", "?status=closed"])
def test_a_list_page_runs_the_same_queries_for_3_and_60_dossiers(
    count: int,
    query: str,
    professional: User,
    dossiers: Callable[[int], list[Dossier]],
    login: Callable[[User], Client],
    django_assert_num_queries: Any,
) -> None:
    """A page of the list runs exactly LIST_QUERIES queries, with or without a filter, for a
    user with 3 dossiers and for one with 60 (of which it shows 25)."""
    dossiers(count)
    client = login(professional)
    client.get(reverse("dossiers:list"))  # the session's first request settles it
    with django_assert_num_queries(LIST_QUERIES):
        ids, _ = shown(client, query)
    assert ids


def test_the_second_and_the_previous_page_run_the_same_queries(
    professional: User,
    dossiers: Callable[[int], list[Dossier]],
    login: Callable[[User], Client],
    django_assert_num_queries: Any,
) -> None:
    """ "Volgende" and then "Vorige" each run exactly LIST_QUERIES queries, with a filter."""
    dossiers(60)
    client = login(professional)
    _, body = shown(client, "?status=open")
    with django_assert_num_queries(LIST_QUERIES):
        _, body = shown(client, "?" + str(link(body, "next")))
    with django_assert_num_queries(LIST_QUERIES):
        shown(client, "?" + str(link(body, "prev")))


def test_a_page_writes_its_log_lines_in_one_insert(
    professional: User,
    dossiers: Callable[[int], list[Dossier]],
    login: Callable[[User], Client],
    django_assert_num_queries: Any,
) -> None:
    """The 25 log lines of a page are one INSERT into the access log, no more."""
    dossiers(60)
    client = login(professional)
    client.get(reverse("dossiers:list"))
    with django_assert_num_queries(LIST_QUERIES) as captured:
        shown(client)
    inserts = [q["sql"] for q in captured.captured_queries if "INSERT" in q["sql"].upper()]
    assert [sql for sql in inserts if "audit_accessevent" in sql] == inserts
    assert len(inserts) == 1


# Pagination --------------------------------------------------------------------------------


def test_the_list_is_paged_newest_first_with_previous_and_next(
    professional: User, dossiers: Callable[[int], list[Dossier]], login: Callable[[User], Client]
) -> None:
    """60 dossiers are three pages, newest first: 25, 25 and 10, each dossier once;
    "Volgende" and "Vorige" lead back and forth, and the first page has no "Vorige", the
    last no "Volgende"."""
    order = newest_first(dossiers(60))
    client = login(professional)
    first, body = shown(client)
    assert first == order[:25] and link(body, "prev") is None
    second, body = shown(client, "?" + str(link(body, "next")))
    assert second == order[25:50]
    third, body = shown(client, "?" + str(link(body, "next")))
    assert third == order[50:] and link(body, "next") is None
    back, body = shown(client, "?" + str(link(body, "prev")))
    assert back == order[25:50]
    start, body = shown(client, "?" + str(link(body, "prev")))
    assert start == order[:25] and link(body, "prev") is None
    label = dutch("Pages of the dossier list")
    pagers = re.findall(
        r'<nav class="utrecht-button-group baken-pager" aria-label="([^"]*)">', body
    )
    assert [unescape(found) for found in pagers] == [unescape(label)]


def test_a_short_list_has_no_page_links(
    professional: User, dossiers: Callable[[int], list[Dossier]], login: Callable[[User], Client]
) -> None:
    """Three dossiers are one page: all three, counted, and no "Vorige" or "Volgende"."""
    order = newest_first(dossiers(3))
    ids, body = shown(login(professional))
    assert ids == order
    assert "3 dossiers" in body and "<nav" not in body.split('id="dossier-tabel"')[1]
    assert link(body, "next") is None and link(body, "prev") is None


def test_the_page_links_keep_the_filters(
    professional: User, dossiers: Callable[[int], list[Dossier]], login: Callable[[User], Client]
) -> None:
    """With a filter, "Volgende" keeps it: the second page holds the next open dossiers with
    that form, and nothing else."""
    made = dossiers(80)
    client = login(professional)
    wanted = [
        str(d.pk)
        for d in reversed(made)
        if d.pk not in {c.pk for c in made[::4]} and "labour" in d.exploitation_forms
    ]
    assert len(wanted) > PAGE_SIZE
    first, body = shown(client, "?vorm=labour&status=open")
    query = str(link(body, "next"))
    assert "vorm=labour" in query and "status=open" in query
    second, _ = shown(client, "?" + query)
    assert first + second == wanted


def test_a_page_with_dossiers_opened_in_the_same_instant_loses_none(
    professional: User, login: Callable[[User], Client]
) -> None:
    """Dossiers opened at the same moment are ordered by their id: 30 of them are 25 and 5
    over two pages, each once."""
    for n in range(30):
        services.open_dossier(professional, services.NewDossier(f"Casus {n}", None, 16, []), START)
    order = [
        str(pk) for pk in Dossier.objects.order_by("-opened_at", "-pk").values_list("pk", flat=True)
    ]
    client = login(professional)
    first, body = shown(client)
    second, _ = shown(client, "?" + str(link(body, "next")))
    assert first + second == order


def test_a_bad_page_link_is_named_in_dutch_and_shows_the_first_page(
    professional: User, dossiers: Callable[[int], list[Dossier]], login: Callable[[User], Client]
) -> None:
    """A page token that was typed over answers 200 with a Dutch message and the first page."""
    order = newest_first(dossiers(30))
    for query in ("?na=kapot", "?voor=%FF%FE", "?na=" + "A" * 300, "?na=MTIz"):
        ids, body = shown(login(professional), query)
        assert dutch(LIST_PROBLEMS["bad_cursor"]) in body
        assert ids == order[:25]


def test_a_page_link_that_leads_nowhere_any_more_says_so(
    professional: User, dossiers: Callable[[int], list[Dossier]], login: Callable[[User], Client]
) -> None:
    """A "Volgende" after the oldest dossier (the dossiers after it were purged or closed
    since) says in Dutch that the list has changed and shows the first page."""
    made = dossiers(30)
    ids, body = shown(login(professional), "?status=open&na=" + cursor_of(made[0]))
    assert dutch(LIST_PROBLEMS["stale_cursor"]) in body
    open_ones = [str(d.pk) for d in reversed(made) if d not in made[::4]]
    assert ids == open_ones[:25]


# The form filter ---------------------------------------------------------------------------


@pytest.mark.parametrize("form", FORMS)
def test_the_form_filter_shows_exactly_the_dossiers_with_that_form(
    form: str,
    professional: User,
    dossiers: Callable[[int], list[Dossier]],
    login: Callable[[User], Client],
) -> None:
    """?vorm= shows exactly the dossiers that name the form, newest first."""
    made = dossiers(20)
    ids, _ = shown(login(professional), f"?vorm={form}")
    assert ids == [str(d.pk) for d in reversed(made) if form in form_of(made.index(d))]


def test_changing_the_details_moves_a_dossier_between_form_filters(
    professional: User, dossiers: Callable[[int], list[Dossier]], login: Callable[[User], Client]
) -> None:
    """After its forms are changed from sexual to organ, a dossier is under "organ" and no
    longer under "sexual"."""
    dossier = services.open_dossier(
        professional, services.NewDossier("Casus Wissel", None, 16, ["sexual"])
    )
    services.change_details(
        access_to(professional, dossier.pk),
        services.NewDossier("Casus Wissel", None, 16, ["organ"]),
        reason="verkeerd gekozen",
        seen_sequence=0,
    )
    client = login(professional)
    assert shown(client, "?vorm=organ")[0] == [str(dossier.pk)]
    assert shown(client, "?vorm=sexual")[0] == []
    dossier.refresh_from_db()
    assert (dossier.form_organ, dossier.form_sexual) == (True, False)


def test_the_form_columns_name_the_protocol_forms() -> None:
    """There is one column for each exploitation form the protocol knows, and no other."""
    assert set(FORM_COLUMNS) == {form.value for form in ExploitationForm}
    assert all(Dossier._meta.get_field(column) for column in FORM_COLUMNS.values())


def test_the_migration_fills_the_form_columns_from_the_list(
    professional: User, dossiers: Callable[[int], list[Dossier]]
) -> None:
    """Migration 0012's fill sets each column exactly where ``exploitation_forms`` names the
    form (here on dossiers whose columns were all false, as before the migration)."""
    made = dossiers(10)
    Dossier.objects.update(**dict.fromkeys(FORM_COLUMNS.values(), False))
    migration = importlib.import_module("baken.dossiers.migrations.0012_exploitation_form_columns")
    migration.fill(None, SimpleNamespace(connection=connection))
    for dossier in made:
        dossier.refresh_from_db()
        assert [f for f, column in FORM_COLUMNS.items() if getattr(dossier, column)] == [
            f for f in FORMS if f in dossier.exploitation_forms
        ]


# The access log ----------------------------------------------------------------------------


def test_only_the_dossiers_shown_get_a_log_line(
    professional: User, dossiers: Callable[[int], list[Dossier]], login: Callable[[User], Client]
) -> None:
    """A page of 25 of 60 dossiers writes 25 ``list`` lines, one for each dossier shown, and
    none for the 35 others (nor for the one fetched to know that a next page exists)."""
    dossiers(60)
    client = login(professional)
    before = AccessEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    ids, _ = shown(client)
    lines = list(AccessEvent.objects.filter(pk__gt=before, action=Action.LIST).order_by("pk"))
    written = AccessEvent.objects.filter(pk__gt=before).count()
    assert [str(line.dossier_id) for line in lines] == ids
    assert written == len(ids) == PAGE_SIZE
    assert {(line.user_id, line.code, line.case_team) for line in lines} == {
        (professional.pk, "R", True)
    }


def talk(user: User, dossier: Dossier, consent: str, **correction: Any) -> int:
    dossier.refresh_from_db()
    data = conversation(consent)
    if correction:
        data["withdrawn"] = True
    entry = services.record(
        access_to(user, dossier.pk),
        "conversation",
        data,
        seen_sequence=dossier.last_sequence,
        **correction,
    )
    return entry.sequence


def test_the_list_lines_carry_the_consent_as_a_single_line_would(
    professional: User, login: Callable[[User], Client]
) -> None:
    """Each list line records the consent of the dossier's newest standing conversation, as
    the line of opening that dossier does: ``no`` where a later conversation with consent
    was withdrawn, ``yes``, and ``not_recorded`` without a conversation."""

    def new(label: str) -> Dossier:
        return services.open_dossier(professional, services.NewDossier(label, None, 16, []))

    withdrawn, given, none = new("Casus Terug"), new("Casus Ja"), new("Casus Leeg")
    client = login(professional)
    talk(professional, withdrawn, "no")
    later = talk(professional, withdrawn, "yes")
    talk(professional, withdrawn, "yes", corrects=later, reason="Over iemand anders.")
    talk(professional, given, "yes")
    before = AccessEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    shown(client)
    listed = dict(
        AccessEvent.objects.filter(pk__gt=before, action=Action.LIST).values_list(
            "dossier_id", "consent"
        )
    )
    for dossier in (withdrawn, given, none):
        record_read(access_to(professional, dossier.pk), "view")
    viewed = dict(
        AccessEvent.objects.filter(pk__gt=before, action=Action.VIEW).values_list(
            "dossier_id", "consent"
        )
    )
    expected = {withdrawn.pk: "no", given.pk: "yes", none.pk: "not_recorded"}
    assert (listed, viewed) == (expected, expected)


def test_append_many_writes_each_line_as_append_does(db: None) -> None:
    """Lines written together by append_many each have their own uid and a MAC over their
    own content, as a line from append; their ids follow the order given."""
    single = append(code="R", action="view", user_id=7, detail="één")
    many = append_many(
        [
            {"code": "R", "action": "list", "user_id": 7, "detail": "a"},
            {"code": "R", "action": "list", "user_id": 8, "detail": "b"},
        ]
    )
    stored = list(AccessEvent.objects.order_by("pk"))
    assert [e.pk for e in stored] == [single.pk, *(e.pk for e in many)]
    assert len({e.uid for e in stored}) == 3
    for event in stored:
        assert keys.line_mac(line_key(), content(values_of(event))) == event.mac
    assert append_many([]) == []
