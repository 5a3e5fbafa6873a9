"""Re-encrypt every encrypted value with the first (newest) key: ``baken keys rotate``.

Entries and snapshots are append-only; rotation is the one maintenance task that rewrites
them, and it changes only the ciphertext, never the content.

It works in **batches**: each table is read in id order, :data:`BATCH` rows at a time, and
each batch is a short transaction of its own that locks only its rows (``SELECT … FOR
UPDATE`` on PostgreSQL), lifts the append-only guard for itself only
(:func:`baken.dossiers.maintenance.append_only_lifted`: ``SET LOCAL baken.maintenance`` on
PostgreSQL) and writes its own access-log line with what it rewrote. Ordinary writers wait
for one batch at most, and only when they touch one of its rows. A rotation that stops
halfway (a crash, a kill, a value that does not decrypt) leaves every finished batch under
the new key and nothing half-done; run it again and it finishes: a value already under the
newest key is read (and so checked) but not rewritten. The last access-log line says the
rotation was complete.

Every value is decrypted for the row it is stored in and encrypted again for that row
(ADR 10): a value that was moved into another row fails the rotation, loudly, instead of
being re-encrypted as that row's value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from baken.crypto import Binding, Keyring
from baken.crypto.authenticators import CODES_KEY, SECRET_KEYS, binding
from baken.crypto.fields import encrypted_models, identity_fields, keyring, row_identity
from baken.dossiers.maintenance import append_only_lifted


@dataclass(frozen=True)
class EncryptedTable:
    """A table with encrypted columns, and the fields that identify its rows."""

    table: str
    columns: tuple[str, ...]
    identity: tuple[Any, ...]
    """The row-identity fields (``baken.crypto.fields.identity_fields``)."""


def encrypted_tables() -> list[EncryptedTable]:
    """Every table with an encrypted field, from the models, so a new encrypted field is
    rotated without anyone remembering to list it here."""
    return [
        EncryptedTable(
            model._meta.db_table,
            tuple(field.column for field in fields),
            tuple(identity_fields(model)),
        )
        for model, fields in encrypted_models()
    ]


def encrypted_columns() -> dict[str, tuple[str, ...]]:
    """Every table with an encrypted field and those fields' columns (from the models)."""
    return {found.table: found.columns for found in encrypted_tables()}


AUTHENTICATOR_SECRETS = (*SECRET_KEYS, CODES_KEY)
"""Keys of django-allauth mfa's ``Authenticator.data`` that Baken's MFA adapter encrypts
(the TOTP secret, the recovery-code seed); ``migrated_codes`` is a list of them."""


BATCH = 500
"""Rows per rotation transaction."""


@dataclass(frozen=True)
class RotationResult:
    values: int
    rewritten: int
    key_id: str
    batches: int = 0
    """Transactions the rotation took (one per batch of rows)."""


@dataclass(frozen=True)
class RotationProgress:
    """What one finished batch did, and the table's totals so far (for ``progress``)."""

    table: str
    rows: int
    """Rows read in this batch."""
    values: int
    rewritten: int
    table_rows: int
    table_rewritten: int
    dry_run: bool

    def __str__(self) -> str:
        verb = "would re-encrypt" if self.dry_run else "re-encrypted"
        return (
            f"{self.table}: {self.table_rows:,} row(s) read, {verb} "
            f"{self.table_rewritten:,} value(s) so far"
        )


Progress = Callable[[RotationProgress], None]


def _log_batch(ring: Keyring, found: str, rewritten: int, values: int) -> None:
    from baken.audit.chain import append
    from baken.audit.models import Code

    append(
        code=Code.EXECUTE,
        action="keys_rotated",
        purpose="administration",
        detail=f"key {ring.primary_id}: {rewritten} of {values} values in {found} (one batch)",
    )


def _rotate_batch(
    ring: Keyring, found: EncryptedTable, after: Any, batch: int, dry_run: bool
) -> tuple[list[Any], int, int]:
    """One batch of ``found``'s rows after id ``after`` (None: from the first), in the
    caller's transaction: the ids read, the values read and the values rewritten."""
    quote = connection.ops.quote_name
    ids = ", ".join(quote(field.column) for field in found.identity)
    columns = ", ".join(quote(column) for column in found.columns)
    where = "" if after is None else "WHERE id > %s "
    lock = " FOR UPDATE" if not dry_run and connection.features.has_select_for_update else ""
    values = rewritten = 0
    read: list[Any] = []
    updates: dict[tuple[str, ...], list[list[Any]]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, {ids}, {columns} FROM {quote(found.table)} {where}"  # noqa: S608
            f"ORDER BY id LIMIT %s{lock}",
            [*([] if after is None else [after]), batch],
        )
        width = len(found.identity)
        for row in cursor.fetchall():
            pk, identity = row[0], row_identity(found.identity, row[1 : 1 + width])
            read.append(pk)
            changed: dict[str, str] = {}
            for column, token in zip(found.columns, row[1 + width :], strict=True):
                if token is None:
                    continue
                values += 1
                bound = Binding(found.table, column, identity)
                plain = ring.decrypt(token, bound)
                if ring.needs_rotation(token):
                    changed[column] = ring.encrypt(plain, bound)
            rewritten += len(changed)
            if changed:
                updates.setdefault(tuple(changed), []).append([*changed.values(), pk])
        if not dry_run:
            for changed_columns, params in updates.items():
                assignments = ", ".join(f"{quote(column)} = %s" for column in changed_columns)
                cursor.executemany(
                    f"UPDATE {quote(found.table)} SET {assignments} WHERE id = %s",  # noqa: S608
                    params,
                )
    return read, values, rewritten


def rotate(
    dry_run: bool = False, *, batch: int = BATCH, progress: Progress | None = None
) -> RotationResult:
    """Re-encrypt every value not yet under the newest key, ``batch`` rows a transaction
    (each committed on its own, see the module); ``progress`` hears of every batch. A
    dry run reads everything, changes and writes nothing."""
    if batch < 1:
        raise ValueError(f"batch must be 1 or more, got {batch}")
    ring = keyring()
    values = rewritten = batches = 0
    for found in encrypted_tables():
        after: Any = None
        table_rows = table_rewritten = 0
        while True:
            with transaction.atomic():
                if dry_run:
                    read, done, changed = _rotate_batch(ring, found, after, batch, dry_run)
                else:
                    # The guard of this table only, for this transaction only.
                    with append_only_lifted(found.table):
                        read, done, changed = _rotate_batch(ring, found, after, batch, dry_run)
                    if changed:
                        _log_batch(ring, found.table, changed, done)
            batches += 1
            values += done
            rewritten += changed
            table_rows += len(read)
            table_rewritten += changed
            if progress is not None and read:
                progress(
                    RotationProgress(
                        found.table,
                        len(read),
                        done,
                        changed,
                        table_rows,
                        table_rewritten,
                        dry_run,
                    )
                )
            if len(read) < batch:
                break
            after = read[-1]
    authenticator_values, authenticator_rewritten, authenticator_batches = _rotate_authenticators(
        ring, dry_run, batch, progress
    )
    values += authenticator_values
    rewritten += authenticator_rewritten
    batches += authenticator_batches
    if not dry_run:
        from baken.audit.chain import append
        from baken.audit.models import Code

        with transaction.atomic():
            append(
                code=Code.EXECUTE,
                action="keys_rotated",
                purpose="administration",
                detail=f"key {ring.primary_id}: {rewritten} of {values} values",
            )
    return RotationResult(values, rewritten, ring.primary_id, batches)


def _rotate_authenticators(
    ring: Keyring, dry_run: bool, batch: int, progress: Progress | None
) -> tuple[int, int, int]:
    """Re-encrypt the two-factor secrets (see ``baken.crypto.authenticators``), each for its
    own row, ``batch`` rows a transaction. Read with ``values_list``: raw JSON, not the
    instance's sealed secrets."""
    from allauth.mfa.models import Authenticator

    values = rewritten = batches = table_rows = 0
    after = 0
    while True:
        batch_values = batch_rewritten = 0
        with transaction.atomic():
            rows: Sequence[tuple[int, Any]] = list(
                Authenticator.objects.select_for_update()
                .filter(pk__gt=after)
                .order_by("pk")
                .values_list("pk", "data")[:batch]
            )
            for pk, data in rows:
                found, changed = _rotate_authenticator(ring, pk, data)
                batch_values += found
                batch_rewritten += changed
                if changed and not dry_run:
                    Authenticator.objects.filter(pk=pk).update(data=data)
            if batch_rewritten and not dry_run:
                _log_batch(ring, Authenticator._meta.db_table, batch_rewritten, batch_values)
        batches += 1
        values += batch_values
        rewritten += batch_rewritten
        table_rows += len(rows)
        if progress is not None and rows:
            progress(
                RotationProgress(
                    Authenticator._meta.db_table,
                    len(rows),
                    batch_values,
                    batch_rewritten,
                    table_rows,
                    rewritten,
                    dry_run,
                )
            )
        if len(rows) < batch:
            return values, rewritten, batches
        after = rows[-1][0]


def _rotate_authenticator(ring: Keyring, pk: int, data: Any) -> tuple[int, int]:
    """Re-encrypt one authenticator's secrets in ``data`` (in place): values, rewritten."""
    if not isinstance(data, dict):
        return 0, 0
    slots: list[tuple[Any, Any, str]] = [
        (data, key, key) for key in SECRET_KEYS if isinstance(data.get(key), str)
    ]
    codes = data.get(CODES_KEY)
    if isinstance(codes, list):
        slots += [(codes, i, CODES_KEY) for i, code in enumerate(codes) if isinstance(code, str)]
    values = rewritten = 0
    for container, index, key in slots:
        values += 1
        token, where = container[index], binding(pk, key)
        plain = ring.decrypt(token, where)
        if ring.needs_rotation(token):
            container[index] = ring.encrypt(plain, where)
            rewritten += 1
    return values, rewritten
