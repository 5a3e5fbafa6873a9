"""Lifting the append-only triggers for one maintenance transaction.

Entries are append-only in the database itself (dossiers migration 0002): PostgreSQL
refuses UPDATE and DELETE with one trigger per table, SQLite refuses UPDATE. Two
maintenance tasks may still touch them: ``baken keys rotate`` rewrites the ciphertext,
``baken purge`` deletes a dossier whose retention term has passed. They do it inside
:func:`append_only_lifted`, which takes the table's triggers away for its own transaction
(a savepoint when one is already open) and puts them back before it ends:

* a change of the triggers is part of the transaction on both databases, so no other
  connection ever sees a table without them, and an error inside the block rolls the
  change back together with everything else;
* on PostgreSQL the table stays locked against other writers until the commit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction


@dataclass(frozen=True)
class _Trigger:
    table: str
    name: str
    sql: str = ""
    """SQLite only: the statement that made the trigger, to make it again."""


def _user_triggers(table: str) -> list[_Trigger]:
    """The triggers on ``table`` that the migrations made (not PostgreSQL's own foreign-key
    triggers), enabled ones only."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass "
                "AND NOT tgisinternal AND tgenabled <> 'D' ORDER BY tgname",
                [table],
            )
            return [_Trigger(table, name) for (name,) in cursor.fetchall()]
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'trigger' AND tbl_name = %s ORDER BY name",
                [table],
            )
            return [_Trigger(table, name, sql) for name, sql in cursor.fetchall()]
    # settings.py accepts only these two databases; this guards a hand-made configuration.
    raise ImproperlyConfigured(f"Baken runs on SQLite or PostgreSQL, not {connection.vendor}")


def _set_enabled(triggers: list[_Trigger], enabled: bool) -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE is refused while the table has deferred foreign-key checks
            # pending: run them now (SET CONSTRAINTS lasts until the transaction ends).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            verb = "ENABLE" if enabled else "DISABLE"
            for trigger in triggers:
                cursor.execute(
                    f"ALTER TABLE {quote(trigger.table)} {verb} TRIGGER {quote(trigger.name)}"
                )
            if enabled:
                # Back to the mode Django works in (its foreign keys are deferred), as
                # DatabaseWrapper.check_constraints does.
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            for trigger in triggers:
                if enabled:
                    cursor.execute(trigger.sql)
                else:
                    cursor.execute(f"DROP TRIGGER {quote(trigger.name)}")


@contextmanager
def append_only_lifted(*tables: str) -> Iterator[None]:
    """Inside the block, rows of ``tables`` may be updated and deleted; every trigger on
    them (the UPDATE and the DELETE guard alike) is back when the block ends.

    The block is one transaction (or a savepoint): an exception inside it undoes both the
    work and the lifting, so the triggers can never stay off.
    """
    with transaction.atomic():
        lifted = [trigger for table in tables for trigger in _user_triggers(table)]
        _set_enabled(lifted, False)
        yield
        _set_enabled(lifted, True)
