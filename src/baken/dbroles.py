"""Two database roles on PostgreSQL: the owner changes the schema, the application only adds to
the record (docs/deploy.md, "Database roles").

The **owner** role owns the schema and every table. ``baken migrate`` runs the migrations as
the owner when ``BAKEN_OWNER_DATABASE_URL`` is set, and then grants the **application** role
(the user of ``DATABASE_URL``, which the web server and the worker use) exactly this:

* on every append-only table (one whose rows a ``baken_append_only()`` trigger guards, found
  in ``pg_trigger``, so a table guarded by a later migration is covered without a list):
  ``SELECT`` and ``INSERT``, and neither ``UPDATE`` nor ``DELETE`` where the guard refuses it
  for the whole row;
* on every other table ``SELECT, INSERT, UPDATE, DELETE``, except ``django_migrations``,
  which it may only read (the application never migrates);
* ``USAGE`` on the schema and its sequences;
* never ``TRUNCATE``, ``REFERENCES`` or ``TRIGGER``, never ``CREATE`` in the schema or the
  database, and it owns nothing, so it cannot ``ALTER`` a table (``DISABLE TRIGGER``) either.

The grants are recomputed after every migration run, in one transaction, and then checked
with ``has_table_privilege``: a grant the application role gets some other way (membership
of the owner or of ``pg_write_all_data``, superuser) makes ``baken migrate`` fail. Default
privileges (``ALTER DEFAULT PRIVILEGES``) are not used: they would give a new table the
ordinary privileges before the migration that guards it, and a table nobody granted stays
closed to the application, which is the safe side.

``baken purge`` and ``baken keys rotate`` connect as the owner too. The owner is not stopped
by missing privileges; the guard refuses its changes unless its transaction sets
``baken.maintenance`` (:func:`baken.guards.maintenance_on`), which only those two do.

Without ``BAKEN_OWNER_DATABASE_URL`` (development, SQLite) ``DATABASE_URL`` is used for
everything, as before.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from baken.guards import GUARD_FUNCTION

OWNER_URL_VARIABLE = "BAKEN_OWNER_DATABASE_URL"
APPLICATION_URL_VARIABLE = "DATABASE_URL"

ROW_TRIGGER, DELETE_TRIGGER, UPDATE_TRIGGER = 1, 8, 16
"""Bits of ``pg_trigger.tgtype`` (PostgreSQL's ``TRIGGER_TYPE_ROW``, ``_DELETE``,
``_UPDATE``, src/include/catalog/pg_trigger.h)."""

ORDINARY = ("SELECT", "INSERT", "UPDATE", "DELETE")
"""What the application may do with an ordinary table. Never TRUNCATE (it skips the row
triggers and bypasses the query set), REFERENCES or TRIGGER."""

READ_ONLY_TABLES = frozenset({"django_migrations"})
"""Tables the application only reads: it checks the migrations were applied, and never
applies one itself."""


class RoleError(Exception):
    """The roles are set up so that the application could change history, or the grant
    could not be made: one line for the operator, never a password."""


def one_line(exc: BaseException) -> str:
    """A database error's message on one line (libpq adds hint lines), for the command
    line's one-line errors. It never holds a password: libpq names host, port and user."""
    return " ".join(line.strip() for line in str(exc).splitlines() if line.strip())


def owner_url() -> str:
    """``BAKEN_OWNER_DATABASE_URL``, or the content of ``BAKEN_OWNER_DATABASE_URL_FILE`` (a
    secret file, like the encryption keys'), or "" when neither is set (development)."""
    url = os.environ.get(OWNER_URL_VARIABLE, "").strip()
    path = os.environ.get(f"{OWNER_URL_VARIABLE}_FILE", "").strip()
    if url or not path:
        return url
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ImproperlyConfigured(
            f"{OWNER_URL_VARIABLE}_FILE cannot be read: {exc.strerror or exc}"
        ) from None


def owner_configured() -> bool:
    """Whether migrations and maintenance belong to a separate owner role."""
    return bool(owner_url())


def _postgresql(url: str, variable: str) -> dict[str, Any]:
    """The parsed URL; a message that names the variable (and never the URL, which holds a
    password) when it is not a PostgreSQL URL."""
    try:
        parsed: dict[str, Any] = dict(dj_database_url.parse(url))
    except ValueError:
        raise ImproperlyConfigured(
            f"{variable} is not a database URL Baken understands (postgres://user@host/db)"
        ) from None
    if parsed.get("ENGINE") != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            f"{variable} must be a PostgreSQL URL when {OWNER_URL_VARIABLE} is set: database "
            "roles are PostgreSQL's (on SQLite, leave it unset)"
        )
    return parsed


@contextmanager
def owner_environment() -> Iterator[bool]:
    """Around ``django.setup()``: Django connects as the owner role when
    ``BAKEN_OWNER_DATABASE_URL`` is set. Yields whether it does.

    The settings module reads ``DATABASE_URL`` once, when Django is set up; inside the block
    it holds the owner's URL, and afterwards the application's again, so nothing started
    later inherits the owner's password and :func:`application_role` still finds the
    application's URL.
    """
    owner = owner_url()
    if not owner:
        yield False
        return
    from django.conf import settings

    if settings.configured:
        # Too late to choose the connection: it would silently stay the application's.
        raise ImproperlyConfigured(
            f"{OWNER_URL_VARIABLE} must be read before Django's settings are loaded"
        )
    application = os.environ.get(APPLICATION_URL_VARIABLE, "").strip()
    if not application:
        raise ImproperlyConfigured(
            f"{OWNER_URL_VARIABLE} is set, so {APPLICATION_URL_VARIABLE} must name the "
            "application's own PostgreSQL role"
        )
    _postgresql(owner, OWNER_URL_VARIABLE)
    _postgresql(application, APPLICATION_URL_VARIABLE)
    os.environ[APPLICATION_URL_VARIABLE] = owner
    try:
        yield True
    finally:
        os.environ[APPLICATION_URL_VARIABLE] = application


def quote(identifier: str) -> str:
    """An SQL identifier in double quotes, any double quote in it doubled (the SQL rule)."""
    return '"' + identifier.replace('"', '""') + '"'


@dataclass(frozen=True)
class ApplicationRole:
    """The role ``DATABASE_URL`` logs in as, seen from the owner's connection."""

    name: str
    owner: str
    schema: str
    """The schema the migrations made their tables in (the owner's current schema)."""


def application_role() -> ApplicationRole:
    """Log in as the application (``DATABASE_URL``) to learn its role, and refuse a role
    that could change history whatever it is granted: the owner itself, a member of the
    owner, a superuser, or one that may create roles (which on PostgreSQL 15 can make itself
    a member of the owner). Django's connection is the owner's (:func:`owner_environment`).
    """
    from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections

    parsed = _postgresql(os.environ.get(APPLICATION_URL_VARIABLE, ""), APPLICATION_URL_VARIABLE)
    params = {
        **connection.settings_dict,
        **{key: parsed.get(key) or "" for key in ("NAME", "USER", "PASSWORD", "HOST", "PORT")},
        "OPTIONS": parsed.get("OPTIONS", {}),
    }
    application = type(connections[DEFAULT_DB_ALIAS])(params, alias="baken_application")
    identify = "SELECT current_user, current_database(), pg_postmaster_start_time()"
    try:
        with application.cursor() as cursor:
            cursor.execute(identify)
            name, database, started = cursor.fetchone()
    except DatabaseError as exc:
        raise RoleError(f"cannot log in with {APPLICATION_URL_VARIABLE}: {one_line(exc)}") from None
    finally:
        application.close()
    with connection.cursor() as cursor:
        cursor.execute(f"{identify}, current_schema()")
        owner, owner_database, owner_started, schema = cursor.fetchone()
        if (database, started) != (owner_database, owner_started):
            raise RoleError(
                f"{APPLICATION_URL_VARIABLE} and {OWNER_URL_VARIABLE} lead to different "
                f"databases ({database} and {owner_database}): they must name the same one"
            )
        if schema is None:
            raise RoleError(f"the owner role {owner} has no schema to work in (search_path)")
        if name == owner:
            raise RoleError(
                f"{APPLICATION_URL_VARIABLE} and {OWNER_URL_VARIABLE} both log in as {name}: "
                "the application needs a role of its own (docs/deploy.md, Database roles)"
            )
        cursor.execute(
            "SELECT rolsuper, rolcreaterole, pg_has_role(rolname, %s, 'MEMBER') "
            "FROM pg_roles WHERE rolname = %s",
            [owner, name],
        )
        superuser, createrole, member = cursor.fetchone()
    role_problem = (
        "is a superuser"
        if superuser
        else "may create roles (CREATEROLE)"
        if createrole
        else f"is a member of the owner role {owner}"
        if member
        else None
    )
    if role_problem:
        raise RoleError(
            f"the application role {name} {role_problem}, so it could change history: "
            "give the application a plain LOGIN role (docs/deploy.md, Database roles)"
        )
    return ApplicationRole(name=name, owner=owner, schema=schema)


@dataclass(frozen=True)
class TablePrivileges:
    table: str
    privileges: tuple[str, ...]
    """What the application role may do, in the order of :data:`ORDINARY`."""

    @property
    def append_only(self) -> bool:
        """Rows may be added, never changed or removed (a guarded table)."""
        return self.privileges == ("SELECT", "INSERT")


def privileges_for(table: str, refuses_update: bool, refuses_delete: bool) -> TablePrivileges:
    """The application's privileges on ``table``: the ordinary ones, less what the
    append-only guard refuses for every row (so a refused change fails on the privilege,
    before it reaches the guard, and the maintenance setting cannot lift it)."""
    if table in READ_ONLY_TABLES:
        return TablePrivileges(table, ("SELECT",))
    refused = {"UPDATE"} if refuses_update else set()
    refused |= {"DELETE"} if refuses_delete else set()
    return TablePrivileges(table, tuple(p for p in ORDINARY if p not in refused))


# Every table of the schema, with whether a baken_append_only() trigger refuses every UPDATE
# (a row trigger on UPDATE with no column list and no WHEN) and every DELETE (a row trigger
# on DELETE with no WHEN). A trigger that is switched off still counts: the table is meant to
# be append-only, and switching it off must not widen the application's privileges.
_TABLES_SQL = """
SELECT c.relname,
       pg_get_userbyid(c.relowner),
       pg_has_role(%(owner)s, c.relowner, 'USAGE'),
       pg_has_role(%(application)s, c.relowner, 'MEMBER'),
       coalesce(bool_or(
           t.tgtype & %(update)s = %(update)s
           AND cardinality(t.tgattr::int2[]) = 0 AND t.tgqual IS NULL
       ), false),
       coalesce(bool_or(
           t.tgtype & %(delete)s = %(delete)s
           AND t.tgqual IS NULL
       ), false)
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_trigger t ON t.tgrelid = c.oid AND NOT t.tgisinternal
    AND t.tgfoid IN (SELECT oid FROM pg_proc WHERE proname = %(guard)s)
WHERE n.nspname = %(schema)s AND c.relkind IN ('r', 'p')
GROUP BY c.oid, c.relname, c.relowner
ORDER BY c.relname
"""

_CHECK_SQL = """
SELECT c.relname,
       has_table_privilege(%(application)s, c.oid, 'SELECT'),
       has_table_privilege(%(application)s, c.oid, 'INSERT'),
       has_any_column_privilege(%(application)s, c.oid, 'UPDATE'),
       has_table_privilege(%(application)s, c.oid, 'DELETE'),
       has_table_privilege(%(application)s, c.oid, 'TRUNCATE')
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %(schema)s AND c.relkind IN ('r', 'p')
ORDER BY c.relname
"""


@dataclass(frozen=True)
class Grants:
    """What :func:`grant` gave the application role."""

    role: ApplicationRole
    tables: tuple[TablePrivileges, ...]

    @property
    def append_only(self) -> tuple[str, ...]:
        return tuple(t.table for t in self.tables if t.append_only)

    def summary(self) -> str:
        """One English line for ``baken migrate``."""
        guarded = len(self.append_only)
        read_only = [t.table for t in self.tables if t.privileges == ("SELECT",)]
        others = len(self.tables) - guarded - len(read_only)
        return (
            f"application role {self.role.name}: SELECT and INSERT only on {guarded} "
            f"append-only tables, SELECT only on {', '.join(read_only) or 'none'}, ordinary "
            f"access to {others} others; no TRUNCATE, owns nothing (owner role "
            f"{self.role.owner}, schema {self.role.schema})"
        )


def _listed(tables: list[str]) -> str:
    shown = ", ".join(tables[:3])
    return shown + (f" and {len(tables) - 3} more" if len(tables) > 3 else "")


def _table_rows(cursor: Any, role: ApplicationRole) -> list[tuple[Any, ...]]:
    """The schema's tables as :data:`_TABLES_SQL` describes them; refuses a table that the
    application role could act as owner of, or that the owner does not own."""
    names: dict[str, str | int] = {
        "owner": role.owner,
        "application": role.name,
        "schema": role.schema,
        "guard": GUARD_FUNCTION,
        "update": ROW_TRIGGER | UPDATE_TRIGGER,
        "delete": ROW_TRIGGER | DELETE_TRIGGER,
    }
    cursor.execute(_TABLES_SQL, names)
    rows: list[tuple[Any, ...]] = cursor.fetchall()
    taken = [table for table, _, _, app_owns, _, _ in rows if app_owns]
    if taken:
        raise RoleError(
            f"the application role {role.name} owns tables ({_listed(taken)}), so it could "
            f"alter them: give them to the owner first, as a superuser: REASSIGN OWNED BY "
            f"{quote(role.name)} TO {quote(role.owner)} (docs/deploy.md, Database roles)"
        )
    foreign = [table for table, _, owned, _, _, _ in rows if not owned]
    if foreign:
        owners = sorted({owner for _, owner, owned, _, _, _ in rows if not owned})
        raise RoleError(
            f"tables in schema {role.schema} belong to {', '.join(owners)}, not to the "
            f"owner role {role.owner} ({_listed(foreign)}): the owner must own them all"
        )
    return rows


def check_ownership(role: ApplicationRole) -> None:
    """Before migrating: every table that exists already belongs to the owner (an
    installation from before the roles has the application's role own them)."""
    from django.db import connection

    with connection.cursor() as cursor:
        _table_rows(cursor, role)


def grant(role: ApplicationRole) -> Grants:
    """Give the application role exactly its privileges on the schema's tables and
    sequences, in one transaction, and check them; idempotent. Run as the owner, after
    every migration run (``baken migrate``)."""
    from django.db import connection, transaction

    schema, application = quote(role.schema), quote(role.name)
    with transaction.atomic(), connection.cursor() as cursor:
        rows = _table_rows(cursor, role)
        cursor.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM PUBLIC, {application}")
        cursor.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM PUBLIC, {application}")
        cursor.execute(
            "SELECT pg_has_role(current_user, nspowner, 'USAGE') FROM pg_namespace "
            "WHERE nspname = %s",
            [role.schema],
        )
        (owns_schema,) = cursor.fetchone()
        if owns_schema:  # PostgreSQL 15 and later: the database owner owns schema public
            cursor.execute(f"REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC, {application}")
        cursor.execute(f"GRANT USAGE ON SCHEMA {schema} TO {application}")
        tables = tuple(
            privileges_for(table, refuses_update, refuses_delete)
            for table, _, _, _, refuses_update, refuses_delete in rows
        )
        for table in tables:
            cursor.execute(
                f"GRANT {', '.join(table.privileges)} ON TABLE {schema}.{quote(table.table)} "
                f"TO {application}"
            )
        cursor.execute(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO {application}")
        _check(cursor, role, tables)
    return Grants(role=role, tables=tables)


def _check(cursor: Any, role: ApplicationRole, tables: tuple[TablePrivileges, ...]) -> None:
    """Refuse (rolling the grants back) when the application role can do more or less than
    it was granted, through any role it belongs to."""
    cursor.execute(_CHECK_SQL, {"application": role.name, "schema": role.schema})
    intended = {table.table: set(table.privileges) for table in tables}
    wrong: list[str] = []
    for table, *flags in cursor.fetchall():
        actual = {p for p, held in zip((*ORDINARY, "TRUNCATE"), flags, strict=True) if held}
        if actual != intended.get(table, set()):
            wrong.append(table)
    if wrong:
        raise RoleError(
            f"the application role {role.name} holds other privileges than it was granted on "
            f"{_listed(wrong)}, through a role it belongs to (pg_write_all_data?): take that "
            "membership away (docs/deploy.md, Database roles)"
        )
    cursor.execute(
        "SELECT has_schema_privilege(%s, %s, 'CREATE'), "
        "has_database_privilege(%s, current_database(), 'CREATE'), current_database()",
        [role.name, role.schema, role.name],
    )
    schema_create, database_create, database = cursor.fetchone()
    if schema_create or database_create:
        # Whoever may create a schema or objects the owner's search_path finds can plant a
        # function or operator that the owner's next migration runs (CVE-2018-1058).
        target = f"SCHEMA {quote(role.schema)}" if schema_create else f"DATABASE {quote(database)}"
        raise RoleError(
            f"the application role {role.name} may create objects where the owner would run "
            f"them: REVOKE CREATE ON {target} FROM PUBLIC, {quote(role.name)} "
            "(docs/deploy.md, Database roles)"
        )
