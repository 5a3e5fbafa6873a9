"""The database's own guard on append-only tables: SQL for the migrations and for maintenance.

The record (entries, the access log and its tree, purge records, the chain's snapshots) is
append-only in three layers: the model and its query set refuse a change, the database
refuses it with triggers, and on PostgreSQL the application's role has no UPDATE, DELETE or
TRUNCATE privilege on these tables at all (:mod:`baken.dbroles`; docs/deploy.md,
"Database roles").

PostgreSQL
    One function, ``baken_append_only()``, refuses every row-level UPDATE and DELETE and
    every statement-level TRUNCATE, unless the transaction set ``baken.maintenance`` to
    ``on`` with ``SET LOCAL`` (:func:`maintenance_on`). Purge and key rotation do that, as
    the owner role; the setting ends with their transaction. Anyone may set a custom
    setting, so the setting is no security boundary: the missing privileges are. It keeps
    the owner from changing history by accident and lets maintenance run without
    ``ALTER TABLE ... DISABLE TRIGGER``.
SQLite
    A trigger refuses UPDATE. SQLite has no session settings, so maintenance drops the
    triggers inside its own transaction and makes them again before the commit
    (``baken.dossiers.maintenance``). DELETE is left to the ORM because Django's test flush
    empties SQLite tables with DELETE; SQLite has no TRUNCATE.
"""

from __future__ import annotations

from typing import Any

MAINTENANCE_SETTING = "baken.maintenance"
GUARD_FUNCTION = "baken_append_only"
"""The guard function's name: ``baken.dbroles`` finds the append-only tables by the
triggers that call it, so a table guarded with :func:`install` is covered by the
application role's narrower grant without being listed anywhere."""

FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION baken_append_only() RETURNS trigger AS $$
BEGIN
    IF current_setting('baken.maintenance', true) = 'on' THEN
        IF TG_LEVEL = 'STATEMENT' THEN
            RETURN NULL;
        ELSIF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'append-only table %%: %% refused', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql;
"""
"""The PostgreSQL guard function (``%%`` because the schema editor formats the statement)."""


def _postgresql_function(schema_editor: Any) -> None:
    schema_editor.execute(FUNCTION_SQL)


def install(schema_editor: Any, table: str) -> None:
    """Guard ``table``: no UPDATE, DELETE or TRUNCATE on PostgreSQL, no UPDATE on SQLite.
    Safe to run again on a table that already has (some of) the guards."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _postgresql_function(schema_editor)
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};")
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION baken_append_only();"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION baken_append_only();"
        )
    elif vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update;")
        schema_editor.execute(
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'append-only table {table}: UPDATE refused'); END;"
        )


def install_truncate_guard(schema_editor: Any, table: str) -> None:
    """Only the TRUNCATE guard (PostgreSQL), for a table whose rows are guarded column by
    column (the screening's agenda items)."""
    if schema_editor.connection.vendor == "postgresql":
        _postgresql_function(schema_editor)
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};")
        schema_editor.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION baken_append_only();"
        )


def remove(schema_editor: Any, table: str) -> None:
    """Take the guards of :func:`install` off ``table`` (a migration's reverse)."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};")
    elif vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update;")


def maintenance_on(cursor: Any) -> None:
    """PostgreSQL: let this transaction change guarded rows (until it ends)."""
    cursor.execute(f"SET LOCAL {MAINTENANCE_SETTING} = 'on'")


def maintenance_off(cursor: Any) -> None:
    """PostgreSQL: guard the rows again for the rest of this transaction."""
    cursor.execute(f"SET LOCAL {MAINTENANCE_SETTING} = 'off'")
