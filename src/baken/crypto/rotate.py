"""Re-encrypt every encrypted value with the first (newest) key: ``baken keys rotate``.

Entries and snapshots are append-only; rotation is the one maintenance task that rewrites
them, and it changes only the ciphertext, never the content. The database triggers are
lifted for this transaction only (:func:`baken.dossiers.maintenance.append_only_lifted`)
and the rotation itself goes into the access log.

Every value is decrypted for the row it is stored in and encrypted again for that row
(ADR 10): a value that was moved into another row fails the rotation, loudly, instead of
being re-encrypted as that row's value.
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class RotationResult:
    values: int
    rewritten: int
    key_id: str


def rotate(dry_run: bool = False) -> RotationResult:
    """Re-encrypt every value not yet under the newest key; all or nothing."""
    from baken.audit.chain import append
    from baken.audit.models import Code

    ring = keyring()
    values = rewritten = 0
    with transaction.atomic():
        tables = encrypted_tables()
        quote = connection.ops.quote_name
        # Every append-only table with encrypted values (entries, the chain's snapshots):
        # their guards are lifted for this transaction, found by table, not listed here.
        with append_only_lifted(*(t.table for t in tables)), connection.cursor() as cursor:
            for found in tables:
                ids = ", ".join(quote(field.column) for field in found.identity)
                columns = ", ".join(quote(column) for column in found.columns)
                cursor.execute(f"SELECT id, {ids}, {columns} FROM {quote(found.table)}")  # noqa: S608
                width = len(found.identity)
                for row in cursor.fetchall():
                    pk, where = row[0], row_identity(found.identity, row[1 : 1 + width])
                    updates = {}
                    for column, token in zip(found.columns, row[1 + width :], strict=True):
                        if token is None:
                            continue
                        values += 1
                        plain = ring.decrypt(token, Binding(found.table, column, where))
                        if ring.needs_rotation(token):
                            updates[column] = ring.encrypt(
                                plain, Binding(found.table, column, where)
                            )
                    if updates and not dry_run:
                        assignments = ", ".join(f"{quote(column)} = %s" for column in updates)
                        cursor.execute(
                            f"UPDATE {quote(found.table)} SET {assignments} WHERE id = %s",  # noqa: S608
                            [*updates.values(), pk],
                        )
                    rewritten += len(updates)
        authenticator_values, authenticator_rewritten = _rotate_authenticators(ring, dry_run)
        values += authenticator_values
        rewritten += authenticator_rewritten
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


def _rotate_authenticators(ring: Keyring, dry_run: bool) -> tuple[int, int]:
    """Re-encrypt the two-factor secrets (see ``baken.crypto.authenticators``), each for its
    own row. Read with ``values_list``: raw JSON, not the instance's sealed secrets."""
    from allauth.mfa.models import Authenticator

    values = rewritten = 0
    rows = Authenticator.objects.select_for_update().order_by("pk").values_list("pk", "data")
    for pk, data in rows:
        if not isinstance(data, dict):
            continue
        slots: list[tuple[Any, Any, str]] = [
            (data, key, key) for key in SECRET_KEYS if isinstance(data.get(key), str)
        ]
        codes = data.get(CODES_KEY)
        if isinstance(codes, list):
            slots += [
                (codes, i, CODES_KEY) for i, code in enumerate(codes) if isinstance(code, str)
            ]
        changed = False
        for container, index, key in slots:
            values += 1
            token, where = container[index], binding(pk, key)
            plain = ring.decrypt(token, where)
            if ring.needs_rotation(token):
                container[index] = ring.encrypt(plain, where)
                rewritten += 1
                changed = True
        if changed and not dry_run:
            Authenticator.objects.filter(pk=pk).update(data=data)
    return values, rewritten
