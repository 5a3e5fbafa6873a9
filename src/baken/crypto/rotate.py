"""Re-encrypt every encrypted value with the first (newest) key: ``baken keys rotate``.

Entries and snapshots are append-only; rotation is the one maintenance task that rewrites
them, and it changes only the ciphertext, never the content. The database triggers are
lifted for this transaction only (:func:`baken.dossiers.maintenance.append_only_lifted`)
and the rotation itself goes into the access log.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction

from baken.crypto import Keyring
from baken.crypto.fields import keyring
from baken.dossiers.maintenance import append_only_lifted


def encrypted_columns() -> dict[str, tuple[str, ...]]:
    """Every table with an encrypted field and those fields' columns, from the models, so a
    new encrypted field is rotated without anyone remembering to list it here."""
    from django.apps import apps

    from baken.crypto.fields import EncryptedTextField

    found: dict[str, tuple[str, ...]] = {}
    for model in apps.get_models():
        columns = tuple(
            field.column
            for field in model._meta.concrete_fields
            if isinstance(field, EncryptedTextField)
        )
        if columns:
            found[model._meta.db_table] = columns
    return found


AUTHENTICATOR_SECRETS = ("secret", "seed")
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
        tables = encrypted_columns()
        # Every append-only table with encrypted values (entries, the chain's snapshots):
        # their guards are lifted for this transaction, found by table, not listed here.
        with append_only_lifted(*tables), connection.cursor() as cursor:
            for table, columns in tables.items():
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
    """Re-encrypt the two-factor secrets (see ``baken.accounts.adapter.MFAAdapter``)."""
    from allauth.mfa.models import Authenticator

    values = rewritten = 0
    for authenticator in Authenticator.objects.select_for_update().order_by("pk"):
        data = dict(authenticator.data)
        changed = False
        for key in AUTHENTICATOR_SECRETS:
            token = data.get(key)
            if isinstance(token, str):
                values += 1
                if ring.needs_rotation(token):
                    data[key] = ring.encrypt(ring.decrypt(token))
                    changed = True
                    rewritten += 1
        codes = data.get("migrated_codes")
        if isinstance(codes, list):
            renewed = []
            for token in codes:
                values += 1
                if isinstance(token, str) and ring.needs_rotation(token):
                    renewed.append(ring.encrypt(ring.decrypt(token)))
                    rewritten += 1
                    changed = True
                else:
                    renewed.append(token)
            data["migrated_codes"] = renewed
        if changed and not dry_run:
            Authenticator.objects.filter(pk=authenticator.pk).update(data=data)
    return values, rewritten
