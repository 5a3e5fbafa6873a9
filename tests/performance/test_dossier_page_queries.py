"""Every page of one dossier runs the same number of SQL queries for a short dossier and a
long one (issue 13: "the number of SQL queries per page is constant, whatever the number of
entries"). Query counts are deterministic, so they are asserted exactly; speed never is
(bench/bench_dossier.py has the figures).

The short dossiers are the synthetic demo's (``baken demo``: a wijkteam dossier that went
through the chain, the zorgcoördinator's trajectory dossier with its screening and CoMensha
registration); the long ones are the same dossiers after 300 more entries (observations,
consultations, signals, corrections and withdrawals) and 300 more access-log lines.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from baken.accounts.models import User
from baken.audit.chain import append_many
from baken.chain.models import Share
from baken.comensha.models import Registration
from baken.demo import fill_everything
from baken.dossiers.demo import fill_demo_database
from baken.dossiers.models import Dossier, Entry, EntryKind
from baken.protocol import default_registry
from baken.protocol.index import all_signals
from tests.support import enrol_totp, mark_reauthenticated

EXTRA_ENTRIES = 300
EXTRA_LINES = 300

Page = tuple[str, str, str, dict[str, Any] | None]
"""(label, method, url, POST data or None)."""


def _grow(dossier: Dossier, author: User) -> None:
    """Make ``dossier`` long: 300 more entries, a realistic mix whose newest page holds every
    kind of the bulk (observations, consultations, signals; corrections and withdrawals of
    observations), and 300 more access-log lines. Synthetic only."""
    dossier.refresh_from_db()
    signals = list(all_signals(default_registry().get(dossier.protocol_id)))
    start, now = dossier.last_sequence, timezone.now()
    made = []
    for n in range(1, EXTRA_ENTRIES - 40 + 1):
        kind, data = (
            EntryKind.OBSERVATION,
            {
                "nature": "fact",
                "observed_on": "2026-11-20",
                "source": "mentor",
                "description": f"Waarneming {n}",
            },
        )
        if n % 5 == 0:
            kind, data = EntryKind.CONSULTATION, {"with_whom": "Collega", "advice": f"Advies {n}"}
        elif n % 7 == 0:
            kind, data = EntryKind.SIGNAL, {"signal_id": signals[n % len(signals)], "note": ""}
        made.append(
            Entry(
                dossier=dossier,
                sequence=start + n,
                kind=kind,
                data=data,
                author=author,
                created_at=now + timedelta(seconds=n),
            )
        )
    Entry.objects.bulk_create(made)
    originals = [
        e
        for e in Entry.objects.filter(dossier=dossier, sequence__gt=start).order_by("sequence")
        if e.kind == EntryKind.OBSERVATION
    ][-40:]
    base = start + EXTRA_ENTRIES - 40
    corrections = [
        Entry(
            dossier=dossier,
            sequence=base + i + 1,
            kind=EntryKind.OBSERVATION,
            data={**original.data, "withdrawn": True}
            if i % 4 == 0
            else {**original.data, "description": "Gecorrigeerd"},
            author=author,
            created_at=now + timedelta(seconds=EXTRA_ENTRIES + i),
            corrects=original,
            correction_reason="Verkeerd genoteerd",
        )
        for i, original in enumerate(originals)
    ]
    Entry.objects.bulk_create(corrections)
    Dossier.objects.filter(pk=dossier.pk).update(last_sequence=start + EXTRA_ENTRIES)
    append_many(
        {
            "user_id": author.pk,
            "role": author.role,
            "organisation_id": author.organisation_id,
            "responsible_organisation_id": dossier.organisation_id,
            "dossier_id": dossier.pk,
            "code": "R",
            "action": "view",
            "purpose": "care",
            "case_team": True,
        }
        for _ in range(EXTRA_LINES)
    )


def _client(user: User) -> Client:
    """A client logged in as ``user``, with two-factor authentication set up and the
    password just confirmed (the export and print ask for it)."""
    enrol_totp(user)
    client = Client()
    client.force_login(user, backend="baken.web.auth.ModelBackend")
    mark_reauthenticated(client, user)
    return client


def _counts(client: Client, pages: list[Page]) -> dict[str, tuple[int, int]]:
    """Each page's (status, number of queries), after a first request that warms the caches
    a real server keeps warm (the protocol, templates, the session)."""
    found = {}
    for label, method, url, data in pages:
        call = client.post if method == "POST" else client.get
        call(url, data or {})
        with CaptureQueriesContext(connection) as queries:
            response = call(url, data or {})
        found[label] = (response.status_code, len(queries.captured_queries))
    return found


def _same_for_long(
    client: Client,
    pages: list[Page],
    grow: Callable[[], None],
    assert_num_queries: Any,
) -> dict[str, tuple[int, int]]:
    """The pages' counts on the short dossier; then, each page on the long one, asserted
    with ``django_assert_num_queries`` to run exactly as many queries."""
    short = _counts(client, pages)
    grow()
    for label, method, url, data in pages:
        call = client.post if method == "POST" else client.get
        call(url, data or {})
        with assert_num_queries(short[label][1]):
            response = call(url, data or {})
        assert response.status_code == short[label][0], label
    return short


@pytest.fixture
def demo(db: None) -> dict[str, User]:
    fill_demo_database(io.StringIO(), extend=fill_everything)
    return {u.username: u for u in User.objects.all()}


def _dossier_pages(dossier: Dossier, sequence: int) -> list[Page]:
    pk = dossier.pk
    pages: list[Page] = [("detail", "GET", reverse("dossiers:detail", args=[pk]), None)]
    pages += [
        (f"step {n}", "GET", reverse("dossiers:step", args=[pk, n]), None) for n in range(1, 6)
    ]
    pages.append(
        ("signals (filter)", "POST", reverse("dossiers:signals", args=[pk]), {"filter": "1"})
    )
    pages += [
        (f"record {kind} (refused)", "POST", reverse("dossiers:record", args=[pk, kind]), {})
        for kind in ("observation", "consultation", "conversation", "weighing", "acute_danger")
    ]
    pages += [
        (name, "GET", reverse(f"dossiers:{name}", args=[pk]), None)
        for name in ("acute", "close", "team", "details", "access_log", "export", "export_json")
    ]
    pages.append(("print", "GET", reverse("dossiers:print", args=[pk]), None))
    pages.append(("correct", "GET", reverse("dossiers:correct", args=[pk, sequence]), None))
    return pages


WIJKTEAM = {
    "detail": (200, 11),
    "step 1": (200, 10),
    "step 2": (200, 10),
    "step 3": (200, 10),
    "step 4": (200, 10),
    "step 5": (200, 10),
    "signals (filter)": (200, 10),
    "record observation (refused)": (400, 11),
    "record consultation (refused)": (400, 11),
    "record conversation (refused)": (400, 11),
    "record weighing (refused)": (400, 11),
    "record acute_danger (refused)": (400, 10),
    "acute": (200, 9),
    "close": (200, 10),
    "team": (200, 11),
    "details": (200, 9),
    "access_log": (200, 10),
    "export": (200, 11),
    "export_json": (200, 11),
    "print": (200, 11),
    "correct": (200, 10),
    "ask_advice": (200, 7),
    "report": (200, 10),
    "registration": (200, 10),
    "sent": (200, 6),
    "withdraw (refused)": (302, 10),
}
"""(status, queries) of each page of the wijkteam's dossier, short or long. The overview's
13: the session and the user (2); the dossier, the case team, the standing entries (which
give the log line its consent) and the INSERT of the log line (4); one page of the timeline
(1); the chain partners' links and the unread berichten for the menu (2); the dossier's
chain picture, its shares and its case (2); the screening's agenda items and the CoMensha
agreement (2). A session only read is saved once a minute, not here. The exports and the
print read every entry (by design: they are the whole record) in a few more queries, but
as many for a long dossier as for a short one."""


def test_wijkteam_dossier_pages_run_as_many_queries_long_as_short(
    demo: dict[str, User], django_assert_num_queries: Any
) -> None:
    """Every page of the wijkteam's demo dossier that went through the chain (the overview,
    each step, the forms refused, acute danger, closing, team, details, "Wie keek er", the
    export and print, and the chain's pages: advice request, melding, aanmelding, what was
    sent) runs exactly as many queries after 300 more entries and 300 more log lines."""
    user = demo["demo-professional"]
    dossier = max(
        Dossier.objects.filter(team__user=user, closed_at__isnull=True),
        key=lambda d: d.last_sequence,
    )
    observation = dossier.entries.filter(kind=EntryKind.OBSERVATION).first()
    assert observation is not None
    pages = _dossier_pages(dossier, observation.sequence)
    pk = dossier.pk
    pages += [
        (name, "GET", reverse(f"chain:{name}", args=[pk]), None)
        for name in ("ask_advice", "report", "registration")
    ]
    share = Share.objects.filter(sender_dossier=dossier).first()
    assert share is not None
    pages.append(("sent", "GET", reverse("chain:sent", args=[pk, share.pk]), None))
    pages.append(("withdraw (refused)", "POST", reverse("chain:withdraw", args=[pk, share.pk]), {}))
    counts = _same_for_long(
        _client(user), pages, lambda: _grow(dossier, user), django_assert_num_queries
    )
    assert counts == WIJKTEAM


TRAJECTORY = {
    "detail": (200, 12),
    "trajectory detail": (200, 9),
    "trajectory intake": (200, 8),
    "trajectory procedures": (200, 8),
    "trajectory casusregie": (200, 9),
    "trajectory progress": (200, 10),
    "trajectory close": (200, 8),
    "trajectory procedure": (200, 8),
    "comensha detail": (200, 9),
    "comensha register": (302, 8),
    "comensha print": (200, 12),
    "comensha export_json": (200, 11),
    "screening place": (200, 11),
}
"""(status, queries) of each page of the zorgcoördinator's trajectory dossier, short or long."""


def test_trajectory_dossier_pages_run_as_many_queries_long_as_short(
    demo: dict[str, User], django_assert_num_queries: Any
) -> None:
    """Every page of the zorgcoördinator's demo trajectory dossier (the dossier pages, the
    trajectory's pages, CoMensha's and the screening's) runs exactly as many queries after
    300 more entries and 300 more log lines."""
    user = demo["demo-zorgcoordinator"]
    dossier = Dossier.objects.get(
        team__user=user, closed_at__isnull=True, entries__kind=EntryKind.INTAKE
    )
    procedure = dossier.entries.filter(kind=EntryKind.PROCEDURE).first()
    assert procedure is not None
    pk = dossier.pk
    pages = _dossier_pages(dossier, procedure.sequence)[:1]
    pages += [
        (f"trajectory {name}", "GET", reverse(f"trajectory:{name}", args=[pk]), None)
        for name in ("detail", "intake", "procedures", "casusregie", "progress", "close")
    ]
    pages.append(
        (
            "trajectory procedure",
            "GET",
            reverse("trajectory:procedure", args=[pk, procedure.sequence]),
            None,
        )
    )
    assert Registration.objects.exists()
    pages += [
        (f"comensha {name}", "GET", reverse(f"comensha:{name}", args=[pk]), None)
        for name in ("detail", "register", "print", "export_json")
    ]
    pages.append(("screening place", "GET", reverse("screening:place", args=[pk]), None))
    counts = _same_for_long(
        _client(user), pages, lambda: _grow(dossier, user), django_assert_num_queries
    )
    assert counts == TRAJECTORY


VEILIG_THUIS = {
    "detail": (200, 11),
    "feedback": (200, 7),
    "feedback (refused)": (400, 7),
}
"""(status, queries) of the Veilig Thuis adviser's dossier opened from a melding, short or
long: the overview, with the melding's deadlines, and the page to give the reporter
feedback (Wmo 2015, art. 4.1.1 lid 2 sub g), also refused."""


def test_veilig_thuis_dossier_pages_run_as_many_queries_long_as_short(
    demo: dict[str, User], django_assert_num_queries: Any
) -> None:
    """The Veilig Thuis adviser's demo dossier opened from the wijkteam's melding: the
    overview and the feedback page (shown, and an empty form refused) run exactly as many
    queries after 300 more entries and 300 more log lines."""
    user = demo["demo-veilig-thuis"]
    share = Share.objects.get(receiving_dossier__organisation=user.organisation, kind="report")
    dossier = share.receiving_dossier
    assert dossier is not None
    pk = dossier.pk
    pages: list[Page] = [
        ("detail", "GET", reverse("dossiers:detail", args=[pk]), None),
        ("feedback", "GET", reverse("chain:feedback", args=[pk]), None),
        ("feedback (refused)", "POST", reverse("chain:feedback", args=[pk]), {}),
    ]
    counts = _same_for_long(
        _client(user), pages, lambda: _grow(dossier, user), django_assert_num_queries
    )
    assert counts == VEILIG_THUIS
