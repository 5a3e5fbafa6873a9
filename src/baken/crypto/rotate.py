"""Re-encrypt every encrypted value with the first (newest) key: ``baken keys rotate``.

Entries are append-only; rotation is the one maintenance task that rewrites them, and it
changes only the ciphertext, never the content. The database triggers are lifted for this
transaction only and the rotation itself goes into the access log.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction

from baken.crypto.fields import keyring

ENCRYPTED_COLUMNS = {
    "dossiers_dossier": ("label", "birth_date"),
    "dossiers_entry": ("data", "correction_reason"),
}
APPEND_ONLY = "dossiers_entry"


@dataclass(frozen=True)
class RotationResult:
    values: int
    rewritten: int
    key_id: str


def _lift_trigger() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks must have run before the table may be altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {APPEND_ONLY} DISABLE TRIGGER {APPEND_ONLY}_append_only")
        else:
            cursor.execute(f"DROP TRIGGER IF EXISTS {APPEND_ONLY}_no_update")


def _restore_trigger() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {APPEND_ONLY} ENABLE TRIGGER {APPEND_ONLY}_append_only")
        else:
            cursor.execute(
                f"CREATE TRIGGER {APPEND_ONLY}_no_update BEFORE UPDATE ON {APPEND_ONLY} "
                "BEGIN SELECT RAISE(ABORT, "
                f"'append-only table {APPEND_ONLY}: UPDATE refused'); END;"
            )


def rotate(dry_run: bool = False) -> RotationResult:
    """Re-encrypt every value not yet under the newest key; all or nothing."""
    from baken.audit.chain import append
    from baken.audit.models import Code

    ring = keyring()
    values = rewritten = 0
    with transaction.atomic():
        _lift_trigger()
        with connection.cursor() as cursor:
            for table, columns in ENCRYPTED_COLUMNS.items():
                cursor.execute(f"SELECT id, {', '.join(columns)} FROM {table}")  # noqa: S608
                for row in cursor.fetchall():
                    pk, tokens = row[0], row[1:]
                    updates = {}
                    for column, token in zip(columns, tokens, strict=True):
                        if token is None:
                            continue
                        values += 1
                        if ring.needs_rotation(token):
                            updates[column] = ring.encrypt(ring.decrypt(token))
                    if updates and not dry_run:
                        assignments = ", ".join(f"{column} = %s" for column in updates)
                        cursor.execute(
                            f"UPDATE {table} SET {assignments} WHERE id = %s",  # noqa: S608
                            [*updates.values(), pk],
                        )
                    rewritten += len(updates)
        _restore_trigger()
        if not dry_run:
            append(
                code=Code.EXECUTE,
                action="keys_rotated",
                purpose="administration",
                detail=f"key {ring.primary_id}: {rewritten} of {values} values",
            )
        if dry_run:
            transaction.set_rollback(True)
    return RotationResult(values, rewritten, ring.primary_id)
