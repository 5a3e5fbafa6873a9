"""Database roles (issue 12; baken.dbroles, docs/deploy.md "Database roles").

On PostgreSQL the migrations run as an owner role, and the application's role may only read
and add to the record: a test database gets two roles of its own (cluster-wide names with
this process's id, dropped at the end), ``baken migrate`` runs as a subprocess with both
URLs, ``baken demo`` writes dossiers, entries and access-log lines as the application, and
then every way of changing history is tried as the application (refused for want of
privilege, SQLSTATE 42501) and as the owner (refused by the guard unless the transaction is
maintenance, as purge and key rotation are).

The tests that need no role run on SQLite as well.
"""

# ruff: noqa: S310, S608 (requests go to our own server on 127.0.0.1 only; the SQL is the
# attacker's, built from this module's own table names)

from __future__ import annotations

import base64
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dj_database_url
import psycopg
import pytest
from django.db import DatabaseError, connection, transaction

from baken.crypto import Keyring
from tests.conftest import CliResult

Run = Callable[..., CliResult]

POSTGRESQL = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
on_postgresql = pytest.mark.skipif(
    not POSTGRESQL, reason="database roles are PostgreSQL's (DATABASE_URL=postgres://…)"
)

GUARDED = ("dossiers_entry", "audit_accessevent")
ORDINARY = {"SELECT", "INSERT", "UPDATE", "DELETE"}

SETUP_SQL = """
CREATE ROLE {owner} LOGIN PASSWORD '{owner_password}';
CREATE ROLE {app} LOGIN PASSWORD '{app_password}';
CREATE DATABASE {database} OWNER {owner};
REVOKE ALL ON DATABASE {database} FROM PUBLIC;
GRANT CONNECT ON DATABASE {database} TO {app};
"""
"""The set-up of docs/deploy.md ("Database roles"), with this test's names."""

IN_DATABASE_SQL = "REVOKE CREATE ON SCHEMA public FROM PUBLIC;"
"""docs/deploy.md's statement for PostgreSQL 14 and older (15 has it as the default)."""


def _superuser_params() -> dict[str, Any]:
    parsed = dj_database_url.parse(os.environ["DATABASE_URL"])
    return {
        "host": parsed.get("HOST") or "127.0.0.1",
        "port": int(parsed.get("PORT") or 5432),
        "user": parsed.get("USER") or None,
        "password": parsed.get("PASSWORD") or None,
    }


def _connect(dbname: str, **params: Any) -> psycopg.Connection[Any]:
    return psycopg.connect(**{**_superuser_params(), **params}, dbname=dbname, autocommit=True)


def _url(role: str, password: str, database: str) -> str:
    params = _superuser_params()
    return f"postgres://{role}:{password}@{params['host']}:{params['port']}/{database}"


@dataclass
class Roles:
    owner: str
    app: str
    database: str
    passwords: dict[str, str]
    env: dict[str, str]
    """Both URLs, as `baken migrate`, `baken purge` and `baken keys rotate` run."""
    app_only: dict[str, str]
    """Only the application's DATABASE_URL, as the web server and the worker run."""
    migrated: CliResult
    demo: CliResult

    def url(self, role: str) -> str:
        return _url(role, self.passwords[role], self.database)

    def as_role(self, role: str) -> psycopg.Connection[Any]:
        return _connect(self.database, user=role, password=self.passwords[role])

    def superuser(self) -> psycopg.Connection[Any]:
        return _connect(self.database)


def _secrets_env(var: Path) -> dict[str, str]:
    """The keys given, not generated into BAKEN_VAR_DIR, so the same database can be served
    in production mode too."""
    return {
        "BAKEN_VAR_DIR": str(var),
        "BAKEN_ENV": "development",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "BAKEN_ENCRYPTION_KEYS": Keyring.generate(),
        "BAKEN_AUDIT_SIGNING_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "BAKEN_AUDIT_CHECKPOINT_DIR": str(var / "checkpoints"),
    }


@pytest.fixture(scope="module")
def roles(baken: Run, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Roles]:
    """Two fresh roles and a database owned by the owner, migrated by `baken migrate` with
    both URLs and filled by `baken demo` as the application's role."""
    if not POSTGRESQL:
        pytest.skip("database roles are PostgreSQL's")
    pid = os.getpid()
    owner, app, database = f"baken_owner_{pid}", f"baken_app_{pid}", f"baken_roles_{pid}"
    passwords = {owner: secrets.token_hex(16), app: secrets.token_hex(16)}
    setup = SETUP_SQL.format(
        owner=owner,
        app=app,
        database=database,
        owner_password=passwords[owner],
        app_password=passwords[app],
    )
    try:
        with _connect("postgres") as admin:
            for statement in filter(str.strip, setup.split(";\n")):
                admin.execute(statement)
        with _connect(database) as admin:
            admin.execute(IN_DATABASE_SQL)
        base = _secrets_env(tmp_path_factory.mktemp("roles"))
        app_url = _url(app, passwords[app], database)
        env = {**base, "DATABASE_URL": app_url}
        env["BAKEN_OWNER_DATABASE_URL"] = _url(owner, passwords[owner], database)
        app_only = {**base, "DATABASE_URL": app_url, "BAKEN_OWNER_DATABASE_URL": ""}
        migrated = baken("migrate", env=env)
        demo = baken("demo", env=app_only)
        yield Roles(owner, app, database, passwords, env, app_only, migrated, demo)
    finally:
        with _connect("postgres") as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
            admin.execute(f"DROP ROLE IF EXISTS {app}")
            admin.execute(f"DROP ROLE IF EXISTS {owner}")


def _privileges(roles: Roles) -> dict[str, str]:
    """Every table of schema public: what the application role may do (from PostgreSQL's
    own privilege check), ``owned`` when it could act as the table's owner."""
    with roles.superuser() as db:
        rows = db.execute(
            """
            SELECT c.relname,
                   has_table_privilege(%(app)s, c.oid, 'SELECT'),
                   has_table_privilege(%(app)s, c.oid, 'INSERT'),
                   has_any_column_privilege(%(app)s, c.oid, 'UPDATE'),
                   has_table_privilege(%(app)s, c.oid, 'DELETE'),
                   has_table_privilege(%(app)s, c.oid, 'TRUNCATE'),
                   has_table_privilege(%(app)s, c.oid, 'TRIGGER'),
                   has_table_privilege(%(app)s, c.oid, 'REFERENCES'),
                   pg_has_role(%(app)s, c.relowner, 'MEMBER')
            FROM pg_class c
            WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
            """,
            {"app": roles.app},
        ).fetchall()
    names = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "TRIGGER", "REFERENCES", "owned")
    return {
        table: " ".join(name for name, held in zip(names, flags, strict=True) if held)
        for table, *flags in rows
    }


def _guarded_tables(roles: Roles) -> set[str]:
    """Tables with the append-only row guard, by the trigger name guards.install gives."""
    with roles.superuser() as db:
        rows = db.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = c.relname || '_append_only'"
        ).fetchall()
    return {table for (table,) in rows}


@on_postgresql
def test_migrate_as_the_owner_grants_select_and_insert_only_on_every_guarded_table(
    roles: Roles,
) -> None:
    """`baken migrate` with both URLs migrates as the owner (who owns every table) and
    leaves the application role SELECT and INSERT on every append-only table (the audit
    tree's too, found by their guard), SELECT on django_migrations, the ordinary four on
    every other table, and nowhere TRUNCATE, TRIGGER, REFERENCES or ownership."""
    guarded = _guarded_tables(roles)
    actual = _privileges(roles)
    expected = {
        table: "SELECT INSERT"
        if table in guarded
        else "SELECT"
        if table == "django_migrations"
        else "SELECT INSERT UPDATE DELETE"
        for table in actual
    }
    assert (
        roles.migrated.code,
        roles.migrated.stdout.splitlines()[0].endswith(f"as the owner role {roles.owner}"),
        {"dossiers_entry", "audit_accessevent", "audit_purgerecord", "chain_snapshot"} <= guarded,
        actual,
    ) == (0, True, True, expected)


@on_postgresql
def test_the_application_role_adds_entries_and_access_log_lines(roles: Roles) -> None:
    """`baken demo` as the application role (only DATABASE_URL) wrote dossiers with their
    entries and the access-log lines that go with them: INSERT is all it needs."""
    with roles.as_role(roles.app) as db:
        counts = [db.execute(f"SELECT count(*) > 0 FROM {t}").fetchone() for t in GUARDED]  # noqa: S608
    assert (roles.demo.code, counts) == (0, [(True,), (True,)])


def _sqlstate(db: psycopg.Connection[Any], *statements: str) -> str:
    """Run the statements in one transaction; the SQLSTATE of the one that failed, or
    "done" when none did (then the transaction is rolled back all the same)."""
    try:
        with db.transaction(force_rollback=True):
            for statement in statements:
                db.execute(statement)
    except psycopg.Error as exc:
        return str(exc.sqlstate)
    return "done"


@on_postgresql
def test_the_application_role_cannot_change_history(roles: Roles) -> None:
    """As the application role, every way to change or remove an entry or an access-log
    line is refused for want of privilege (42501: insufficient privilege, must be owner):
    UPDATE, DELETE, TRUNCATE (with CASCADE too), UPDATE in a transaction that set the
    maintenance setting, SELECT ... FOR UPDATE, ALTER TABLE ... DISABLE TRIGGER, DROP
    TRIGGER, ALTER TABLE ... OWNER, switching triggers off for the session, becoming the
    owner, and creating a function in schema public for the owner to run."""
    attempts = {}
    for table in GUARDED:
        attempts |= {
            f"UPDATE {table}": (f"UPDATE {table} SET id = id",),
            f"DELETE {table}": (f"DELETE FROM {table}",),
            f"TRUNCATE {table}": (f"TRUNCATE {table}",),
            f"TRUNCATE {table} CASCADE": (f"TRUNCATE {table} CASCADE",),
            f"maintenance UPDATE {table}": (
                "SET LOCAL baken.maintenance = 'on'",
                f"UPDATE {table} SET id = id",
            ),
            f"FOR UPDATE {table}": (f"SELECT id FROM {table} LIMIT 1 FOR UPDATE",),
            f"DISABLE TRIGGER {table}": (f"ALTER TABLE {table} DISABLE TRIGGER USER",),
            f"DROP TRIGGER {table}": (f"DROP TRIGGER {table}_append_only ON {table}",),
            f"OWNER {table}": (f"ALTER TABLE {table} OWNER TO {roles.app}",),
        }
    attempts |= {
        "session_replication_role": ("SET session_replication_role = replica",),
        "SET ROLE owner": (f"SET ROLE {roles.owner}",),
        "CREATE FUNCTION": (
            "CREATE FUNCTION public.probe() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        ),
    }
    with roles.as_role(roles.app) as db:
        outcome = {name: _sqlstate(db, *statements) for name, statements in attempts.items()}
    assert outcome == dict.fromkeys(attempts, "42501")


@on_postgresql
def test_the_owner_is_refused_by_the_guard_outside_maintenance(roles: Roles) -> None:
    """As the owner (who is not stopped by privileges), UPDATE, DELETE and TRUNCATE of an
    entry or an access-log line are refused by the append-only guard, naming the table."""
    statements = {
        (table, operation): statement
        for table in GUARDED
        for operation, statement in (
            ("UPDATE", f"UPDATE {table} SET id = id"),
            ("DELETE", f"DELETE FROM {table}"),
            ("TRUNCATE", f"TRUNCATE {table}"),
        )
    }
    refused = {}
    with roles.as_role(roles.owner) as db:
        for key, statement in statements.items():
            try:
                with db.transaction(force_rollback=True):
                    db.execute(statement)
            except psycopg.errors.RaiseException as exc:
                refused[key] = exc.diag.message_primary
    assert refused == {
        (table, operation): f"append-only table {table}: {operation} refused"
        for table, operation in statements
    }


@on_postgresql
def test_purge_and_key_rotation_run_as_the_owner_and_not_as_the_application(
    roles: Roles, baken: Run
) -> None:
    """With only the application's URL, `baken purge` stops at the due dossier (exit 1,
    nothing of it deleted, the owner named as the way) and `baken keys rotate` is refused
    (exit 2); with the owner's URL (from BAKEN_OWNER_DATABASE_URL_FILE for the purge) both
    do their work, lifting the guard for their own transaction only."""
    with roles.as_role(roles.app) as db:
        (dossier,) = db.execute(
            "UPDATE dossiers_dossier SET closed_at = '2001-03-15 10:00:00+00' WHERE id = "
            "(SELECT id FROM dossiers_dossier WHERE closed_at IS NOT NULL ORDER BY id LIMIT 1) "
            "RETURNING id"
        ).fetchone()
    app_purge = baken("purge", env=roles.app_only)
    # The owner's URL from a secret file this time (BAKEN_OWNER_DATABASE_URL_FILE).
    secret = Path(roles.env["BAKEN_VAR_DIR"]) / "owner_database_url"
    secret.write_text(roles.env["BAKEN_OWNER_DATABASE_URL"] + "\n", encoding="utf-8")
    from_file = {
        **roles.app_only,
        "BAKEN_OWNER_DATABASE_URL": "",
        "BAKEN_OWNER_DATABASE_URL_FILE": str(secret),
    }
    owner_purge = baken("purge", env=from_file)
    new_key = Keyring.generate()
    ring = f"{new_key},{roles.env['BAKEN_ENCRYPTION_KEYS']}"
    app_rotate = baken("keys", "rotate", env={**roles.app_only, "BAKEN_ENCRYPTION_KEYS": ring})
    owner_rotate = baken("keys", "rotate", env={**roles.env, "BAKEN_ENCRYPTION_KEYS": ring})
    for env in (roles.env, roles.app_only):
        env["BAKEN_ENCRYPTION_KEYS"] = ring
    with roles.as_role(roles.app) as db:
        (left,) = db.execute(
            "SELECT count(*) FROM dossiers_dossier WHERE id = %s", [dossier]
        ).fetchone()
        (records,) = db.execute(
            "SELECT count(*) FROM audit_purgerecord WHERE dossier_id = %s", [dossier]
        ).fetchone()
    hint = "set BAKEN_OWNER_DATABASE_URL"
    assert (
        app_purge.code,
        "permission denied for table" in app_purge.stderr and hint in app_purge.stderr,
        owner_purge.code,
        owner_purge.stdout.splitlines()[-1],
        app_rotate.code,
        "permission denied for table" in app_rotate.stderr and hint in app_rotate.stderr,
        owner_rotate.code,
        owner_rotate.stdout.startswith("re-encrypted"),
        left,
        records,
    ) == (
        1,
        True,
        0,
        "1 dossier purged (retention term: 20 years after closing)",
        2,
        True,
        0,
        True,
        0,
        1,
    )


@on_postgresql
def test_a_table_guarded_later_gets_the_narrow_grant_on_the_next_migrate(
    roles: Roles, baken: Run
) -> None:
    """A table that a later migration guards with baken_append_only() (as the audit tree's
    tables are) is found from its triggers: the next `baken migrate`, with nothing left to
    apply, gives the application role SELECT and INSERT on it and nothing else."""
    with roles.as_role(roles.owner) as db:
        db.execute("CREATE TABLE probe_record (id bigint PRIMARY KEY)")
        db.execute(
            "CREATE TRIGGER probe_record_append_only BEFORE UPDATE OR DELETE ON probe_record "
            "FOR EACH ROW EXECUTE FUNCTION baken_append_only()"
        )
        db.execute(
            "CREATE TRIGGER probe_record_no_truncate BEFORE TRUNCATE ON probe_record "
            "FOR EACH STATEMENT EXECUTE FUNCTION baken_append_only()"
        )
    try:
        again = baken("migrate", env=roles.env)
        granted = _privileges(roles)["probe_record"]
    finally:
        with roles.as_role(roles.owner) as db:
            db.execute("DROP TABLE probe_record")
    assert (again.code, again.stdout.splitlines()[0], granted) == (
        0,
        f"database up to date as the owner role {roles.owner}",
        "SELECT INSERT",
    )


REFUSED_SETUPS = {
    "the same role": ("", "", "both log in as"),
    "a member of the owner": (
        "GRANT {owner} TO {app}",
        "REVOKE {owner} FROM {app}",
        "is a member of the owner role",
    ),
    "a superuser": ("ALTER ROLE {app} SUPERUSER", "ALTER ROLE {app} NOSUPERUSER", "is a superuser"),
    "may create roles": (
        "ALTER ROLE {app} CREATEROLE",
        "ALTER ROLE {app} NOCREATEROLE",
        "may create roles",
    ),
    "pg_write_all_data": (
        "GRANT pg_write_all_data TO {app}",
        "REVOKE pg_write_all_data FROM {app}",
        "holds other privileges than it was granted",
    ),
    "CREATE on the database": (
        "GRANT CREATE ON DATABASE {database} TO {app}",
        "REVOKE CREATE ON DATABASE {database} FROM {app}",
        "may create objects where the owner would run them",
    ),
    "an owned table": (
        "CREATE TABLE probe_owned (id int); ALTER TABLE probe_owned OWNER TO {app}",
        "DROP TABLE probe_owned",
        "owns tables (probe_owned)",
    ),
}


@on_postgresql
@pytest.mark.parametrize("setup", list(REFUSED_SETUPS))
def test_migrate_refuses_an_application_role_that_could_change_history(
    roles: Roles, baken: Run, setup: str
) -> None:
    """`baken migrate` refuses, in one English line and exit 2, an application role that
    could change history whatever it is granted: the owner's own, a member of the owner, a
    superuser, one that may create roles, one that writes through pg_write_all_data, one
    that may create schemas, or one that owns a table. The grants stay as they were."""
    make, undo, message = (
        part.format(owner=roles.owner, app=roles.app, database=roles.database)
        for part in REFUSED_SETUPS[setup]
    )
    env = (
        {**roles.env, "DATABASE_URL": roles.url(roles.owner)}
        if setup == "the same role"
        else roles.env
    )
    before = _privileges(roles)
    with roles.superuser() as db:
        for statement in filter(None, make.split("; ")):
            db.execute(statement)
    try:
        result = baken("migrate", env=env)
    finally:
        with roles.superuser() as db:
            for statement in filter(None, undo.split("; ")):
                db.execute(statement)
    after = {table: held for table, held in _privileges(roles).items() if table in before}
    assert (
        result.code,
        result.stderr.startswith("baken: error: ") and result.stderr.count("\n") == 1,
        message in result.stderr,
        after,
    ) == (2, True, True, before)


@on_postgresql
@pytest.mark.django_db
def test_truncate_is_refused_by_the_guard() -> None:
    """Even as a superuser, `TRUNCATE audit_accessevent` and `TRUNCATE dossiers_entry
    CASCADE` are refused by the statement-level guard (row triggers never see TRUNCATE)."""
    refused = {}
    for statement in ("TRUNCATE audit_accessevent", "TRUNCATE dossiers_entry CASCADE"):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement)
        except DatabaseError as exc:
            refused[statement] = exc.__cause__.diag.message_primary  # type: ignore[union-attr]
    assert refused == {
        "TRUNCATE audit_accessevent": "append-only table audit_accessevent: TRUNCATE refused",
        "TRUNCATE dossiers_entry CASCADE": "append-only table dossiers_entry: TRUNCATE refused",
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve_once(env: dict[str, str]) -> tuple[int | None, str]:
    """Start `baken serve` on a free port on 127.0.0.1: the status of GET /account/login/
    (None when the server stopped first) and what the server wrote to stderr."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "baken.cli", "serve", "--port", str(port)],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    status = None
    try:
        deadline = time.monotonic() + 60
        while process.poll() is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/account/login/", timeout=10
                ) as response:
                    status = response.status
                break
            except urllib.error.HTTPError as exc:
                status = exc.code
                break
            except OSError:
                time.sleep(0.2)
    finally:
        if process.poll() is None:
            process.terminate()
        _, stderr = process.communicate(timeout=60)
    return status, stderr


def _production(env: dict[str, str]) -> dict[str, str]:
    return {
        **env,
        "BAKEN_ENV": "production",
        "BAKEN_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
    }


@on_postgresql
def test_serve_in_production_runs_as_the_application_role_without_the_owner(
    roles: Roles,
) -> None:
    """In production `baken serve` does not migrate, so it needs no owner: with only the
    application's URL it starts on the migrated database and serves the login page."""
    status, stderr = _serve_once(_production(roles.app_only))
    assert (status, "Traceback" in stderr) == (200, False)


def test_serve_in_production_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    """In production `baken serve` does not migrate: on a fresh database it exits 2 with
    one English line that points at `baken migrate`, and serves nothing."""
    env = {**_secrets_env(tmp_path), "DATABASE_URL": "", "BAKEN_OWNER_DATABASE_URL": ""}
    process = subprocess.run(
        [sys.executable, "-m", "baken.cli", "serve", "--port", str(_free_port())],
        env={**os.environ, **_production(env)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (process.returncode, process.stderr.splitlines()) == (
        2,
        [
            f"baken: error: the database is not up to date: {_pending(tmp_path)} migrations "
            "not applied (run `baken migrate`)"
        ],
    )


def _pending(tmp_path: Path) -> int:
    """How many migrations a fresh database lacks (from the migration files themselves)."""
    from django.db.migrations.loader import MigrationLoader

    return len(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def test_migrate_without_an_owner_role_migrates_database_url(baken: Run, tmp_path: Path) -> None:
    """Without BAKEN_OWNER_DATABASE_URL (development, SQLite) `baken migrate` applies the
    migrations to DATABASE_URL and says so; run again, it finds nothing to apply."""
    env = {**_secrets_env(tmp_path), "DATABASE_URL": "", "BAKEN_OWNER_DATABASE_URL": ""}
    first = baken("migrate", env=env)
    second = baken("migrate", env=env)
    note = "(no BAKEN_OWNER_DATABASE_URL: as the role of DATABASE_URL)"
    assert (first.code, first.stdout, second.code, second.stdout) == (
        0,
        f"database {_pending(tmp_path)} migrations applied {note}\n",
        0,
        f"database up to date {note}\n",
    )


@pytest.mark.parametrize(
    ("owner", "application", "message"),
    [
        (
            "sqlite:///owner.sqlite3",
            "postgres://baken@127.0.0.1:1/baken",
            "configuration: BAKEN_OWNER_DATABASE_URL must be a PostgreSQL URL",
        ),
        (
            "postgres://baken_owner@127.0.0.1:1/baken",
            "",
            "configuration: BAKEN_OWNER_DATABASE_URL is set, so DATABASE_URL must name the "
            "application's own PostgreSQL role",
        ),
        (
            "postgres://baken_owner@127.0.0.1:1/baken",
            "sqlite:///baken.sqlite3",
            "configuration: DATABASE_URL must be a PostgreSQL URL",
        ),
    ],
)
def test_an_owner_role_needs_postgresql_for_both_urls(
    baken: Run, tmp_path: Path, owner: str, application: str, message: str
) -> None:
    """BAKEN_OWNER_DATABASE_URL is PostgreSQL's: with an SQLite URL on either side, or no
    DATABASE_URL, `baken migrate` exits 2 with one line naming the variable."""
    env = {
        **_secrets_env(tmp_path),
        "DATABASE_URL": application,
        "BAKEN_OWNER_DATABASE_URL": owner,
    }
    result = baken("migrate", env=env)
    assert (result.code, result.stderr.count("\n"), message in result.stderr) == (2, 1, True)


@pytest.mark.parametrize(
    ("command", "code"), [(("migrate",), 2), (("purge",), 2), (("keys", "rotate"), 1)]
)
def test_no_password_is_shown_when_a_role_cannot_log_in(
    baken: Run, tmp_path: Path, command: tuple[str, ...], code: int
) -> None:
    """When the database cannot be reached, `baken migrate` and `baken purge` (which check
    it first: exit 2) and `baken keys rotate` (a database outage: exit 1) say so in one line
    that names neither role's password."""
    env = {
        **_secrets_env(tmp_path),
        "DATABASE_URL": "postgres://baken:app-secret-1@127.0.0.1:1/baken",
        "BAKEN_OWNER_DATABASE_URL": "postgres://baken_owner:owner-secret-2@127.0.0.1:1/baken",
    }
    result = baken(*command, env=env)
    output = result.stdout + result.stderr
    assert (
        result.code,
        result.stderr.count("\n"),
        "port 1 failed" in result.stderr,
        "secret" in output,
    ) == (code, 1, True, False)


def test_an_unreadable_owner_url_file_is_refused_in_one_line(baken: Run, tmp_path: Path) -> None:
    """BAKEN_OWNER_DATABASE_URL_FILE that cannot be read stops `baken migrate` with one line
    naming the variable (exit 2), before any database is touched."""
    env = {
        **_secrets_env(tmp_path),
        "DATABASE_URL": "postgres://baken@127.0.0.1:1/baken",
        "BAKEN_OWNER_DATABASE_URL": "",
        "BAKEN_OWNER_DATABASE_URL_FILE": str(tmp_path / "missing"),
    }
    result = baken("migrate", env=env)
    assert (result.code, result.stderr) == (
        2,
        "baken: error: configuration: BAKEN_OWNER_DATABASE_URL_FILE cannot be read: "
        "No such file or directory\n",
    )
