"""Lifting the append-only guard for one maintenance transaction.

Entries, snapshots and the access log are append-only in the database itself
(:mod:`baken.guards`). Two maintenance tasks may still touch them: ``baken keys rotate``
rewrites the ciphertext, ``baken purge`` deletes a dossier whose retention term has passed.
They do it inside :func:`append_only_lifted`, for their own transaction only:

* on PostgreSQL the transaction sets ``baken.maintenance`` (``SET LOCAL``), which the guard
  function honours; no trigger is switched off, so no other connection ever sees a table
  without its guard. The application's role has no UPDATE, DELETE or TRUNCATE privilege on
  these tables either way: maintenance runs as the owner role (docs/deploy.md);
* on SQLite, which has no session settings, the table's triggers are dropped and made
  again inside the transaction, so an error rolls the change back with everything else.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction

from baken.guards import maintenance_off, maintenance_on


@dataclass(frozen=True)
class _Trigger:
    table: str
    name: str
    sql: str
    """The statement that made the trigger, to make it again."""


def _sqlite_triggers(table: str) -> list[_Trigger]:
    """The triggers the migrations made on ``table``, with the SQL to make them again."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master "
            "WHERE type = 'trigger' AND tbl_name = %s ORDER BY name",
            [table],
        )
        return [_Trigger(table, name, sql) for name, sql in cursor.fetchall()]


@contextmanager
def append_only_lifted(*tables: str) -> Iterator[None]:
    """Inside the block, rows of ``tables`` may be updated and deleted; the guard is back
    when the block ends.

    The block is one transaction (or a savepoint): an exception inside it undoes both the
    work and the lifting, so the guard can never stay off.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                maintenance_on(cursor)
            yield
            with connection.cursor() as cursor:
                maintenance_off(cursor)
            return
        if connection.vendor != "sqlite":
            # settings.py accepts only these two databases; this guards a hand-made one.
            raise ImproperlyConfigured(
                f"Baken runs on SQLite or PostgreSQL, not {connection.vendor}"
            )
        quote = connection.ops.quote_name
        lifted = [trigger for table in tables for trigger in _sqlite_triggers(table)]
        with connection.cursor() as cursor:
            for trigger in lifted:
                cursor.execute(f"DROP TRIGGER {quote(trigger.name)}")
        yield
        with connection.cursor() as cursor:
            for trigger in lifted:
                cursor.execute(trigger.sql)
