"""The Dutch 503 pages in the request cycle, and what counts as "the database cannot be used"
(baken.web.middleware.database_fault), on real errors from real SQLite and PostgreSQL
connections: a database that is down, locked past its timeout or full is a 503; a mistake of
ours (a missing table, a division by zero) stays the 500 page."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db import DatabaseError, connection
from django.db.utils import ConnectionHandler
from django.test import Client
from django.urls import reverse

from baken.accounts.models import User
from baken.web.middleware import database_fault
from tests.faults import harness

pytestmark = pytest.mark.faults

HEADING = f'<h1 class="utrecht-heading-1">{harness.UNAVAILABLE_HEADING}</h1>'


@pytest.fixture
def logged_in(login: Callable[..., Client], professional: User) -> Client:
    """A professional's client, logged in while the database still answers; a failing
    request gives its answer instead of raising in the test."""
    client = login(professional)
    client.raise_request_exception = False
    return client


@pytest.fixture
def database_down(logged_in: Client) -> Iterator[None]:
    """Every new connection fails as with a database that is down: PostgreSQL on a port
    where nothing listens, SQLite in a folder that does not exist."""
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "postgresql":
        connection.settings_dict["PORT"] = str(harness.free_port())
        connection.settings_dict["HOST"] = "127.0.0.1"
    else:
        connection.settings_dict["NAME"] = str(settings.VAR_DIR / "bestaat-niet" / "weg.sqlite3")
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@pytest.mark.django_db(transaction=True)
def test_a_database_that_is_down_gives_the_dutch_503_page(
    logged_in: Client, database_down: None
) -> None:
    """A logged-in professional opens the dossier list while the database is down (not even
    the session can be read): 503, "Baken is even niet bereikbaar" in the layout with the
    acute-danger box and the static menu, "Probeer het zo opnieuw.", Retry-After 30, never
    cached, a CSP that allows no script; nothing about a form, since none was sent."""
    response = logged_in.get(reverse("dossiers:list"))
    html = response.text
    assert (
        response.status_code,
        HEADING in html,
        harness.TRY_AGAIN in html,
        'href="tel:112"' in html,
        'aria-label="Hoofdmenu"' in html,
        "misschien niet opgeslagen" in html,
        "<script" in html,
        response["Retry-After"],
        "no-store" in response["Cache-Control"],
        response["Content-Security-Policy"].startswith("default-src 'none'"),
    ) == (503, True, True, True, True, False, False, "30", True, True)


@pytest.mark.django_db(transaction=True)
def test_a_form_sent_while_the_database_is_down_says_it_may_not_be_saved(
    logged_in: Client, database_down: None, settings: object
) -> None:
    """An observation posted while the database is down gets the 503 page with the word
    that what was typed may not be saved and the browser's Back button still has it; with
    BAKEN_DEBUG on (DEBUG), too, and no traceback."""
    settings.DEBUG = True  # type: ignore[attr-defined]
    form = harness.observation_form("tijdens de storing")
    response = logged_in.post(harness.record_path("3f2a8a4e-8a51-4b8e-9d4a-6c3f3b0b1c2d"), form)
    html = response.text
    assert (
        response.status_code,
        HEADING in html,
        "misschien niet opgeslagen" in html and "Vorige" in html,
        any(marker in html for marker in harness.TRACEBACK_MARKERS),
    ) == (503, True, True, False)


def _sqlite_locked(tmp_path: Path) -> BaseException:
    """A write that waited for another connection's write lock past its (short) timeout."""
    path = tmp_path / "locked.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    waiter = sqlite3.connect(path, timeout=0.05, isolation_level=None)
    try:
        waiter.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as exc:
        return exc
    finally:
        holder.close()
        waiter.close()
    raise AssertionError("the write lock was not held")


def _sqlite_full(tmp_path: Path) -> BaseException:
    """A write into a database that may not grow (SQLITE_FULL)."""
    db = sqlite3.connect(tmp_path / "full.sqlite3")
    db.execute("CREATE TABLE t (x)")
    db.commit()
    db.execute("PRAGMA max_page_count = 1")
    try:
        db.execute("INSERT INTO t VALUES (?)", ("x" * 100_000,))
    except sqlite3.Error as exc:
        return exc
    finally:
        db.close()
    raise AssertionError("the database grew")


def _sqlite_no_table(tmp_path: Path) -> BaseException:
    db = sqlite3.connect(tmp_path / "empty.sqlite3")
    try:
        db.execute("SELECT * FROM no_such_table")
    except sqlite3.Error as exc:
        return exc
    finally:
        db.close()
    raise AssertionError("the table exists")


def _postgres_refused(tmp_path: Path) -> BaseException:
    try:
        psycopg.connect(f"postgres://postgres@127.0.0.1:{harness.free_port()}/x").close()
    except psycopg.Error as exc:
        return exc
    raise AssertionError("something listens there")


def _postgres_terminated(tmp_path: Path) -> BaseException:
    """A query on a connection the server ended (as a fast shutdown or a restart does)."""
    url = f"{harness.SHARED_POSTGRES}/postgres"
    with psycopg.connect(url, autocommit=True) as victim, psycopg.connect(url) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (victim.info.backend_pid,))
        try:
            victim.execute("SELECT 1")
        except psycopg.Error as exc:
            return exc
    raise AssertionError("the connection survived")


def _postgres_division(tmp_path: Path) -> BaseException:
    with psycopg.connect(f"{harness.SHARED_POSTGRES}/postgres") as conn:
        try:
            conn.execute("SELECT 1 / 0")
        except psycopg.Error as exc:
            return exc
    raise AssertionError("1 / 0 answered")


def _through_django(engine: str, **options: object) -> Callable[..., BaseException]:
    """The error as Django raises it (its own class, the driver's error as the cause), from a
    Django connection of its own: ``statements`` run on it, or only connecting."""

    def make(tmp_path: Path, *statements: tuple[str, list[object]]) -> BaseException:
        nonlocal options
        if engine == SQLITE:
            options = {"NAME": str(tmp_path / "django.sqlite3"), **options}
        # A handler of its own (its "default" is not Baken's): nothing else uses it.
        django_connection = ConnectionHandler({"default": {"ENGINE": engine, **options}})["default"]
        try:
            django_connection.ensure_connection()
            with django_connection.cursor() as cursor:
                for sql, params in statements:
                    cursor.execute(sql, params)
        except DatabaseError as exc:
            return exc
        finally:
            django_connection.close()
        raise AssertionError("no error")

    return make


SQLITE = "django.db.backends.sqlite3"


def _django_sqlite_locked(tmp_path: Path) -> BaseException:
    holder = sqlite3.connect(tmp_path / "django.sqlite3", isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    try:
        return _through_django(SQLITE, OPTIONS={"timeout": 0.05})(tmp_path, ("BEGIN IMMEDIATE", []))
    finally:
        holder.close()


def _django_sqlite_full(tmp_path: Path) -> BaseException:
    return _through_django(SQLITE)(
        tmp_path,
        ("CREATE TABLE t (x)", []),
        ("PRAGMA max_page_count = 1", []),
        ("INSERT INTO t VALUES (%s)", ["x" * 100_000]),
    )


def _django_sqlite_no_table(tmp_path: Path) -> BaseException:
    return _through_django(SQLITE)(tmp_path, ("SELECT * FROM no_such_table", []))


def _django_postgres_refused(tmp_path: Path) -> BaseException:
    return _through_django(
        "django.db.backends.postgresql",
        NAME="x",
        USER="postgres",
        HOST="127.0.0.1",
        PORT=str(harness.free_port()),
    )(tmp_path)


@pytest.mark.parametrize(
    ("make", "fault"),
    [
        (_sqlite_locked, "unavailable"),
        (_sqlite_full, "storage_full"),
        (_sqlite_no_table, None),
        (_postgres_refused, "unavailable"),
        (_postgres_terminated, "unavailable"),
        (_postgres_division, None),
        (_django_sqlite_locked, "unavailable"),
        (_django_sqlite_full, "storage_full"),
        (_django_sqlite_no_table, None),
        (_django_postgres_refused, "unavailable"),
    ],
    ids=lambda value: getattr(value, "__name__", str(value)),
)
def test_what_counts_as_a_database_that_cannot_be_used(
    make: Callable[[Path], BaseException],
    fault: str | None,
    tmp_path: Path,
    django_db_blocker: Any,
) -> None:
    """Locked past the timeout, refused or cut-off connections are "unavailable"; a full
    SQLite file is "storage_full"; a missing table or a division by zero is neither (the
    500 page), whether the driver's error comes bare or as Django raises it. (The Django
    connections here are the test's own, to files and ports of its own.)"""
    with django_db_blocker.unblock():
        error = make(tmp_path)
    assert database_fault(error) == fault


def test_a_command_against_a_database_that_is_down_says_so_in_one_line(
    var_dir: Path, tmp_path: Path
) -> None:
    """``baken serve`` with DATABASE_URL on a port where no PostgreSQL listens exits 1 with
    one English line that says the database cannot be reached, no traceback."""
    url = f"postgres://postgres@127.0.0.1:{harness.free_port()}/baken"
    env = harness.server_env(var_dir, url, tmp_path / "checkpoints")
    done = harness.cli(env, "serve", "--port", str(harness.free_port()))
    lines = done.stderr.strip().splitlines()
    assert (
        done.returncode,
        len(lines),
        lines[0].startswith("baken: error: the database cannot be reached (connection failed"),
        "Traceback" in done.stderr,
    ) == (1, 1, True, False), done.stderr
