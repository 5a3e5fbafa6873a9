"""Every page that is not one dossier's, at scale (issue 13): the chain's inbox, one share,
the chain partners, the berichten, the management page, the break-glass review, the
screening's pages, the lessons, the handbook and the front door each run the same number
of SQL queries with a small and with a large data set (more rows than a page shows), at
most 12, on SQLite and on PostgreSQL. The lists are paged by keyset
(:mod:`baken.web.keyset`): each page shows 25 and decrypts and logs only those.

The counts include what every logged-in request costs (the middleware and the menu): the
session and the user (two queries), the menu's unread berichten (one), and the session's
save at the end (a savepoint, the UPDATE, its release). The two-factor check is remembered
in the session after the first request (:mod:`baken.accounts.two_factor`), so every request
here is the session's second or later, as a professional's are; the menu's inbox costs
nothing for a user who cannot work an inbox and two queries for one who does."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from baken.accounts.models import Organisation, OrganisationKind, Role, User
from baken.accounts.sessions import ENGINE, UserSession
from baken.audit.models import AccessEvent
from baken.chain.models import Share, ShareKind, ShareStatus, Snapshot
from baken.dossiers.break_glass import open_with_break_glass
from baken.dossiers.models import BreakGlassGrant, Dossier
from baken.lessons.models import EvaluationFigure
from baken.notifications.models import Notification, NotificationKind
from baken.screening.models import AgendaItem, Meeting
from baken.web.keyset import PROBLEMS
from baken.web.pages import PAGES
from tests.chain.conftest import (  # noqa: F401 (fixtures)
    Partners,
    partners,
    reported,
    unlinked,
    walked,
)
from tests.fixtures import PASSWORD
from tests.screening.conftest import (  # noqa: F401 (fixtures)
    Screening,
    placed,
    riec_outcome,
    screening,
)
from tests.support import enrol_totp, log_in_with_code, mark_reauthenticated

LARGE = 40
"""More rows than a page of 25 shows: the large data set of every list."""

BASE = 2
"""What a logged-in request costs without an inbox in the menu: the session, and the user
with the menu's count of unread berichten in the same query (``baken.web.auth``). A
session that is only read is saved at most once a minute
(``baken.accounts.sessions.REFRESH_SECONDS``), so not on these requests."""

ADMINISTRATOR = BASE
"""The functioneel beheerder's menu has no berichten: the same two queries."""

INBOX_BASE = BASE + 1
"""For who works an inbox: the session, the user (with the menu's unread berichten and the
inbox's number waiting), and the chain partners' links (read once per request,
``baken.chain.links``)."""

COUNTS = {
    "chain:inbox": INBOX_BASE + 1,  # the page
    "chain:share": INBOX_BASE + 5,
    "chain:partners": ADMINISTRATOR + 2,  # the organisations for the form, the links
    "notifications:list": BASE + 1,  # the page
    "notifications:open": 3,  # a redirect, no menu: the session, the user, the bericht
    "accounts:manage": ADMINISTRATOR + 3,  # organisations, users, grants waiting
    "accounts:organisation_create": ADMINISTRATOR,
    "accounts:user_create": ADMINISTRATOR + 1,  # the organisations of the form
    "accounts:user_role": ADMINISTRATOR + 3,  # the account twice, the organisations of
    # the form (a re-authentication within the window is read from the session)
    "accounts:break_glass_review": ADMINISTRATOR + 2,  # the page, the number waiting
    "screening:meetings": INBOX_BASE + 2,  # upcoming, held
    "screening:meeting_new": INBOX_BASE + 1,  # the chairs
    "screening:meeting": INBOX_BASE + 3,  # the meeting, its agenda, its log lines
    "screening:item": INBOX_BASE + 2,  # the item, its log line
    "screening:riec": INBOX_BASE + 2,  # the page, its log lines
    "screening:riec_item": INBOX_BASE + 2,  # the item, its log line
    "lessons:index": INBOX_BASE + 2,  # the figures (grouped), the log line
    "dossiers:new": BASE,
    "dossiers:break_glass": BASE,
    "web:handbook": BASE,
    "web:handbook-anonymous": 0,
    "start": 2,  # a redirect: no menu
    "health": 1,
}
"""Queries per page, the same for the small and the large data set."""


@pytest.fixture(autouse=True)
def _baken_sessions(settings: Any) -> None:
    """The sessions in Baken's own engine (``baken.accounts.sessions``), as in production."""
    settings.SESSION_ENGINE = ENGINE


def counted(client: Client, url: str, expected: int, status: int = 200) -> str:
    """GET ``url`` once to settle the session, then again, counting: exactly ``expected``
    queries (the message names them all when it is not)."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    found = [q["sql"][:160] for q in captured.captured_queries]
    assert (response.status_code, len(found)) == (status, expected), "\n".join(found)
    return response.content.decode() if status == 200 else ""


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="baken.web.auth.ModelBackend")
    return client


def copies(model: type[Model], original: Model, count: int, **changes: Any) -> list[Any]:
    """``count`` new rows like ``original`` (its decrypted values, encrypted again for each
    new row), with ``changes``; the primary key is the model's default."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    made = []
    for n in range(count):
        values = {f.attname: getattr(original, f.attname) for f in fields}
        values.update({k: v(n) if callable(v) else v for k, v in changes.items()})
        made.append(model(**values))
    return model.objects.bulk_create(made)  # type: ignore[attr-defined]


# --- the data sets ---------------------------------------------------------------------------


def more_shares(share: Share, count: int) -> None:
    """``count`` more shares waiting in the same inbox, meldingen and advice requests in
    turn, an hour apart, each with a copy of ``share``'s snapshot."""
    snapshot = Snapshot.objects.get(share=share)
    content = snapshot.content
    now = timezone.now()
    made = copies(
        Share,
        share,
        count,
        kind=lambda n: ShareKind.REPORT if n % 2 else ShareKind.ADVICE_REQUEST,
        sent_at=lambda n: now - timedelta(hours=n + 1),
        status_at=lambda n: now - timedelta(hours=n + 1),
        status=ShareStatus.PENDING,
        forwarded_to_id=None,
        receiving_dossier_id=None,
    )
    Snapshot.objects.bulk_create(
        [Snapshot(share=s, content=content, created_at=s.sent_at) for s in made]
    )


def more_organisations(count: int) -> list[Organisation]:
    return Organisation.objects.bulk_create(
        [
            Organisation(name=f"Wijkteam Proef-{n:03d}", kind=OrganisationKind.NEIGHBOURHOOD_TEAM)
            for n in range(count)
        ]
    )


def more_users(count: int, organisation: Organisation) -> None:
    User.objects.bulk_create(
        [
            User(
                username=f"proef-gebruiker-{n:03d}",
                role=Role.PROFESSIONAL,
                organisation=organisation,
                password="!",
                is_active=n % 5 != 0,
            )
            for n in range(count)
        ]
    )


def more_notifications(user: User, count: int) -> None:
    now = timezone.now()
    Notification.objects.bulk_create(
        [
            Notification(
                user=user,
                kind=NotificationKind.NEW_REPORT,
                url="/dossiers/",
                organisation=user.organisation,
                created_at=now - timedelta(minutes=n),
                read_at=now if n % 2 else None,
            )
            for n in range(count)
        ]
    )


def more_grants(grant: BreakGlassGrant, count: int) -> None:
    now = timezone.now()
    copies(
        BreakGlassGrant,
        grant,
        count,
        uid=lambda n: __import__("uuid").uuid4(),
        granted_at=lambda n: now - timedelta(hours=n + 1),
        reviewed_at=lambda n: now if n % 3 else None,
        reviewed_by_id=lambda n: grant.user_id if n % 3 else None,
    )


def more_figures(count: int) -> None:
    EvaluationFigure.objects.bulk_create(
        [
            EvaluationFigure(
                closed_year=2020 + n % 5,
                organisation_kind=OrganisationKind.NEIGHBOURHOOD_TEAM,
                categories=["comensha-arbeid"] if n % 2 else ["comensha-seksueel"],
                worked="ketensamenwerking-ja" if n % 3 else "ketensamenwerking-deels",
                gaps=[],
                lessons=[],
                protocol_id="gelderland-midden-2018",
            )
            for n in range(count)
        ]
    )


# --- the pages -------------------------------------------------------------------------------

SIZES = pytest.mark.parametrize("large", [False, True], ids=["small", "large"])


@SIZES
def test_the_inbox(large: bool, partners: Partners, reported: Share) -> None:  # noqa: F811
    """Veilig Thuis' inbox ("Binnengekomen"): the same queries with 1 item waiting and with
    41 (a page of 25 shown, "Volgende" to the rest), and the next page too."""
    if large:
        more_shares(reported, LARGE)
    client = logged_in(partners.adviser)
    body = counted(client, reverse("chain:inbox"), COUNTS["chain:inbox"])
    shown = re.findall(r'href="/binnengekomen/([0-9a-f-]{36})/"', body)
    following = re.search(r'rel="next" href="\?([^"]*)"', body)
    assert (len(shown), following is not None) == ((25, True) if large else (1, False))
    if following:
        url = reverse("chain:inbox") + "?" + following.group(1).replace("&amp;", "&")
        rest = counted(client, url, COUNTS["chain:inbox"])
        assert len(re.findall(r'href="/binnengekomen/([0-9a-f-]{36})/"', rest)) == 16


@SIZES
def test_one_share_for_its_recipient(
    large: bool,
    partners: Partners,  # noqa: F811
    reported: Share,  # noqa: F811
) -> None:
    """One melding opened by Veilig Thuis: the same queries whatever else waits."""
    if large:
        more_shares(reported, LARGE)
    client = logged_in(partners.adviser)
    counted(client, reverse("chain:share", args=[reported.pk]), COUNTS["chain:share"])


@SIZES
def test_the_chain_partners(
    large: bool,
    administrator: User,
    partners: Partners,  # noqa: F811
) -> None:
    """The chain partners page lists only the organisations that can be a partner."""
    if large:
        more_organisations(LARGE)
    client = logged_in(administrator)
    counted(client, reverse("chain:partners"), COUNTS["chain:partners"])


@SIZES
def test_the_berichten(large: bool, professional: User) -> None:
    """The berichten: 25 a page, the same queries with 2 and with 40, on the next page too."""
    more_notifications(professional, LARGE if large else 2)
    client = logged_in(professional)
    body = counted(client, reverse("notifications:list"), COUNTS["notifications:list"])
    older = re.search(r'rel="next" href="\?([^"]*)"', body)
    assert (older is not None) == large
    if older:
        url = reverse("notifications:list") + "?" + older.group(1).replace("&amp;", "&")
        counted(client, url, COUNTS["notifications:list"])


@SIZES
def test_opening_a_bericht(large: bool, professional: User) -> None:
    """Opening a bericht marks it read and redirects: the same queries whatever the number."""
    more_notifications(professional, LARGE if large else 2)
    target = Notification.objects.filter(user=professional).first()
    assert target is not None
    client = logged_in(professional)
    counted(
        client,
        reverse("notifications:open", args=[target.pk]),
        COUNTS["notifications:open"],
        status=302,
    )


@SIZES
def test_the_management_page(large: bool, administrator: User, organisation: Organisation) -> None:
    """The management page: organisations and users, 25 of each a page."""
    if large:
        more_organisations(LARGE)
        more_users(LARGE, organisation)
    client = logged_in(administrator)
    body = counted(client, reverse("accounts:manage"), COUNTS["accounts:manage"])
    assert body.count('rel="next"') == (2 if large else 0)
    if large:
        nexts = re.findall(r'rel="next" href="\?([^"]*)"', body)
        for query in nexts:
            url = reverse("accounts:manage") + "?" + query.replace("&amp;", "&")
            counted(client, url, COUNTS["accounts:manage"])


@SIZES
def test_the_management_forms(
    large: bool, administrator: User, professional: User, organisation: Organisation
) -> None:
    """The forms of the management pages (a new organisation, a new user, a role) cost the
    same with 2 and with 42 organisations."""
    if large:
        more_organisations(LARGE)
    client = logged_in(administrator)
    counted(
        client,
        reverse("accounts:organisation_create"),
        COUNTS["accounts:organisation_create"],
    )
    counted(client, reverse("accounts:user_create"), COUNTS["accounts:user_create"])
    mark_reauthenticated(client, administrator)  # a sensitive page: the password again
    counted(
        client, reverse("accounts:user_role", args=[professional.pk]), COUNTS["accounts:user_role"]
    )


@SIZES
def test_the_break_glass_review(
    large: bool,
    administrator: User,
    make_user: Callable[..., User],
    open_dossier: Callable[..., Dossier],
    other_organisation: Organisation,
) -> None:
    """The break-glass review: 25 grants a page, those waiting first."""
    dossier = open_dossier()
    expert = make_user("proef-expert-zuid", Role.DESIGNATED_EXPERT, other_organisation)
    grant = open_with_break_glass(expert, dossier.pk, "Melding over deze casus; afstemming.")
    if large:
        more_grants(grant, LARGE)
    client = logged_in(administrator)
    body = counted(
        client, reverse("accounts:break_glass_review"), COUNTS["accounts:break_glass_review"]
    )
    assert ('rel="next"' in body) == large


def _more_meetings(screening: Screening, count: int) -> None:  # noqa: F811
    """``count`` meetings held before today, a week apart."""
    today = timezone.localdate()
    copies(
        Meeting,
        screening.meeting,
        count,
        held_on=lambda n: today - timedelta(days=7 * (n + 1)),
    )


@SIZES
def test_the_screening_pages(
    large: bool,
    screening: Screening,  # noqa: F811
    placed: AgendaItem,  # noqa: F811
) -> None:
    """The procesregisseur's pages: the meetings (25 held a page), planning one, a meeting
    with 1 or 41 cases on its agenda (25 a page, their reads in one INSERT), and one case."""
    if large:
        _more_meetings(screening, LARGE)
        copies(AgendaItem, placed, LARGE, placed_at=lambda n: placed.placed_at + timedelta(n))
    client = logged_in(screening.director)
    counted(client, reverse("screening:meetings"), COUNTS["screening:meetings"])
    counted(client, reverse("screening:meeting_new"), COUNTS["screening:meeting_new"])
    before = AccessEvent.objects.count()
    body = counted(
        client,
        reverse("screening:meeting", args=[screening.meeting.pk]),
        COUNTS["screening:meeting"],
    )
    shown = len(re.findall(r'id="agendapunt-', body))
    assert (shown, AccessEvent.objects.count() - before) == ((25, 50) if large else (1, 2))
    counted(client, reverse("screening:item", args=[placed.pk]), COUNTS["screening:item"])


@SIZES
def test_the_riec_pages(
    large: bool,
    screening: Screening,  # noqa: F811
    riec_outcome: AgendaItem,  # noqa: F811
) -> None:
    """The ketenregisseur's cases for the RIEC: 25 a page, and one case."""
    if large:
        copies(
            AgendaItem,
            riec_outcome,
            LARGE,
            outcome_at=lambda n: riec_outcome.outcome_at - timedelta(minutes=n + 1),
        )
    client = logged_in(screening.chain_director)
    body = counted(client, reverse("screening:riec"), COUNTS["screening:riec"])
    assert len(re.findall(r'id="riec-', body)) == (25 if large else 1)
    counted(
        client,
        reverse("screening:riec_item", args=[riec_outcome.pk]),
        COUNTS["screening:riec_item"],
    )


@SIZES
def test_the_lessons(large: bool, screening: Screening) -> None:  # noqa: F811
    """The lessons: the figures counted in SQL, the same queries for 0 and 40 closed cases."""
    if large:
        more_figures(LARGE)
    client = logged_in(screening.chain_director)
    counted(client, reverse("lessons:index"), COUNTS["lessons:index"])


@SIZES
def test_the_forms_that_open_a_dossier(
    large: bool,
    professional: User,
    expert: User,
    open_dossier: Callable[..., Dossier],
) -> None:
    """The form for a new dossier, and the break-glass form (by its reference), cost the
    same whatever the number of dossiers (none is read)."""
    for _ in range(LARGE if large else 1):
        open_dossier()
    counted(logged_in(professional), reverse("dossiers:new"), COUNTS["dossiers:new"])
    counted(logged_in(expert), reverse("dossiers:break_glass"), COUNTS["dossiers:break_glass"])


@SIZES
def test_the_handbook_and_the_front_door(large: bool, professional: User) -> None:
    """Every handbook page, logged in and not, and the front door's redirect: no query of
    their own (the handbook is the protocol file), the same with 2 or 40 berichten."""
    more_notifications(professional, LARGE if large else 2)
    client = logged_in(professional)
    anonymous = Client()
    for page in PAGES:
        url = reverse(f"web:{page.name}")
        counted(client, url, COUNTS["web:handbook"])
        counted(anonymous, url, COUNTS["web:handbook-anonymous"])
    counted(client, reverse("start"), COUNTS["start"], status=302)
    counted(anonymous, reverse("health"), COUNTS["health"])


# --- the middleware --------------------------------------------------------------------------


def test_the_two_factor_check_is_remembered_in_the_session(professional: User) -> None:
    """The first request of a session asks the database whether the user has an
    authenticator app; the next ones do not."""
    client = logged_in(professional)
    url = reverse("notifications:list")
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    with CaptureQueriesContext(connection) as second:
        client.get(url)
    asked = [
        sum("mfa_authenticator" in q["sql"] for q in run.captured_queries)
        for run in (first, second)
    ]
    assert asked == [1, 0]


def test_a_login_through_the_two_factor_step_loads_the_user_with_the_menu(
    partners: Partners,  # noqa: F811
    reported: Share,  # noqa: F811
) -> None:
    """Logging in as a person does (password, then the authenticator code) names Baken's
    backend in the session, not allauth's: the adviser's inbox then costs what the counts
    above say, with the menu's numbers in the user's query."""
    client = Client()
    log_in_with_code(client, partners.adviser.username, PASSWORD, partners.adviser.totp_secret)
    backend = client.session.get("_auth_user_backend")
    counted(client, reverse("chain:inbox"), COUNTS["chain:inbox"])
    assert backend == "baken.web.auth.ModelBackend"


def test_a_user_without_an_authenticator_is_asked_every_time(
    make_user: Callable[..., User],
    organisation: Organisation,
) -> None:
    """Without an authenticator app nothing is remembered: every request is sent to the
    set-up, and once it is set up the next request goes through."""
    user = make_user("proef-zonder", Role.PROFESSIONAL, organisation, two_factor=False)
    client = logged_in(user)
    url = reverse("notifications:list")
    statuses = [client.get(url).status_code, client.get(url).status_code]
    enrol_totp(user)
    statuses.append(client.get(url).status_code)
    assert statuses == [302, 302, 200]


def test_a_two_factor_reset_ends_the_remembered_sessions(
    administrator: User, professional: User
) -> None:
    """After the functioneel beheerder resets a user's two-factor authentication, the
    user's sessions (which remembered the authenticator) are gone: the next request is a
    login again, not a page."""
    from baken.accounts.services import reset_two_factor

    client = logged_in(professional)
    url = reverse("notifications:list")
    client.get(url)
    before = client.get(url).status_code
    reset_two_factor(by=administrator, user=professional)
    after = client.get(url)
    assert (before, after.status_code, after["Location"].startswith("/account/login/")) == (
        200,
        302,
        True,
    )


# --- end_sessions ----------------------------------------------------------------------------


def test_end_sessions_deletes_the_users_sessions_by_index(
    professional: User, colleague: User, django_assert_num_queries: Any
) -> None:
    """``end_sessions`` deletes the user's two sessions with one DELETE and leaves a
    colleague's and an anonymous session alone, whatever else is in the table."""
    from baken.accounts.services import end_sessions

    logged_in(professional)
    logged_in(professional)
    logged_in(colleague)
    anonymous = Client()
    anonymous.get(reverse("account_login"))
    UserSession.objects.bulk_create(
        [
            UserSession(
                session_key=f"proef{n:035d}",
                session_data="",
                expire_date=timezone.now() + timedelta(hours=1),
            )
            for n in range(LARGE)
        ]
    )
    with django_assert_num_queries(1):
        ended = end_sessions(professional)
    left = sorted(
        {s.user_id for s in UserSession.objects.all()}, key=lambda v: (v is not None, v or 0)
    )
    assert (ended, left) == (2, [None, colleague.pk])


def test_a_session_knows_its_user_from_login_to_logout(professional: User) -> None:
    """The session row carries the user's id from the login on; logging out deletes it."""
    client = logged_in(professional)
    key = client.session.session_key
    owner = UserSession.objects.get(session_key=key).user_id
    client.post(reverse("account_logout"))
    assert (owner, UserSession.objects.filter(session_key=key).exists()) == (
        professional.pk,
        False,
    )


# --- the keyset pagination -------------------------------------------------------------------


def test_paging_the_berichten_shows_each_once_newest_first(professional: User) -> None:
    """60 berichten are three pages (25, 25, 10), newest first, each once; "Nieuwere
    berichten" from the last page leads back to the second."""
    more_notifications(professional, 60)
    client = logged_in(professional)
    order = list(
        Notification.objects.filter(user=professional)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)
    )
    seen: list[int] = []
    url = reverse("notifications:list")
    pages = []
    while url:
        body = client.get(url).content.decode()
        found = [int(p) for p in re.findall(r'href="/berichten/(\d+)/"', body)]
        pages.append(len(found))
        seen.extend(found)
        following = re.search(r'rel="next" href="\?([^"]*)"', body)
        back = re.search(r'rel="prev" href="\?([^"]*)"', body)
        last_back = back.group(1).replace("&amp;", "&") if back else None
        url = (
            reverse("notifications:list") + "?" + following.group(1).replace("&amp;", "&")
            if following
            else ""
        )
    again = client.get(reverse("notifications:list") + "?" + str(last_back)).content.decode()
    assert (pages, seen, re.findall(r'href="/berichten/(\d+)/"', again)) == (
        [25, 25, 10],
        order,
        [str(p) for p in order[25:50]],
    )


def test_a_token_that_is_not_one_shows_the_first_page_with_a_message(
    professional: User,
) -> None:
    """A page link typed over shows the first page and says so (in Dutch once the
    catalogue has the message)."""
    more_notifications(professional, 30)
    client = logged_in(professional)
    body = client.get(reverse("notifications:list") + "?na=niet-een-plek").content.decode()
    assert (
        len(re.findall(r'href="/berichten/(\d+)/"', body)),
        str(PROBLEMS["bad_cursor"]) in html.unescape(body),
    ) == (25, True)


def _each_page(client: Client, url: str, pattern: str) -> Iterator[list[str]]:
    while url:
        body = client.get(url).content.decode()
        yield re.findall(pattern, body)
        following = re.search(r'rel="next" href="\?([^"]*)"', body)
        base = url.split("?")[0]
        url = base + "?" + following.group(1).replace("&amp;", "&") if following else ""


def test_the_inbox_pages_meldingen_first_oldest_first(
    partners: Partners,  # noqa: F811
    reported: Share,  # noqa: F811
) -> None:
    """41 items: two pages (25, 16), the meldingen (with deadlines) first, each group
    oldest first, every item once."""
    more_shares(reported, LARGE)
    client = logged_in(partners.adviser)
    seen = [
        s
        for found in _each_page(
            client, reverse("chain:inbox"), r'href="/binnengekomen/([0-9a-f-]{36})/"'
        )
        for s in found
    ]
    shares = Share.objects.filter(recipient=partners.vt, status=ShareStatus.PENDING)
    expected = [
        str(s.pk)
        for s in sorted(shares, key=lambda s: (s.kind != ShareKind.REPORT, s.sent_at, s.pk))
    ]
    assert seen == expected


def test_the_users_pages_active_first(administrator: User, organisation: Organisation) -> None:
    """The management page's users: every user once, active first, then by username,
    while the organisations' list stays on its first page."""
    more_users(LARGE, organisation)
    client = logged_in(administrator)
    seen = []
    for found in _each_page(
        client,
        reverse("accounts:manage"),
        r'<th class="utrecht-table__header-cell" scope="row">(proef-[^<]+)</th>',
    ):
        seen.extend(found)
    expected = list(
        User.objects.filter(username__startswith="proef-")
        .order_by("-is_active", "username")
        .values_list("username", flat=True)
    )
    assert seen == expected


def test_a_meeting_agenda_pages(
    screening: Screening,  # noqa: F811
    placed: AgendaItem,  # noqa: F811
) -> None:
    """41 cases on one agenda: 25 on the first page, 16 on the next; each read logged once."""
    copies(AgendaItem, placed, LARGE, placed_at=lambda n: placed.placed_at + timedelta(n))
    client = logged_in(screening.director)
    before = AccessEvent.objects.filter(action="screening_item_opened").count()
    pages = [
        len(found)
        for found in _each_page(
            client, reverse("screening:meeting", args=[screening.meeting.pk]), r'id="agendapunt-'
        )
    ]
    logged = AccessEvent.objects.filter(action="screening_item_opened").count() - before
    assert (pages, logged) == ([25, 16], 41)


def test_the_lessons_count_the_same_grouped(screening: Screening) -> None:  # noqa: F811
    """The lessons counted in SQL equal the lessons counted figure by figure."""
    from baken.lessons.selectors import _grouped, build
    from baken.protocol import default_registry

    more_figures(LARGE)
    protocol = default_registry().get()
    one_by_one = build(list(EvaluationFigure.objects.all()), protocol)
    grouped = build(_grouped(), protocol)
    assert (grouped, len(_grouped()) < LARGE) == (one_by_one, True)
