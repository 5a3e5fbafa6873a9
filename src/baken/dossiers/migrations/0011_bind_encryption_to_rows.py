"""Bind every encrypted value to its row (ADR 10).

Until now the AES-GCM associated data was the constant ``enc1``, so a ciphertext copied into
another row decrypted there as that row's value. Every stored value is re-encrypted in the
format ``enc2``, whose associated data is ``baken/v2/<table>/<column>/<row>``; after this
migration the old format is refused at read.

The break-glass grant's primary key is assigned by the database at the INSERT, after its
reason is encrypted, so it gets a UUID column (``uid``) as its row identity. The entries,
the snapshots and the CoMensha registrations use a natural key that is known before the
INSERT and never changes (the dossier and the sequence; the share; the agreement).

The tables and columns are listed here as they are at this migration, not read from the
models, so the migration stays what it is when the models change later. Append-only tables
are rewritten inside ``append_only_lifted`` (their guard is back before the commit).
django-allauth's two-factor secrets (``mfa_authenticator.data``) are bound to their row's
primary key. Reversible: backwards re-encrypts in the old format.
"""

import json
import uuid
from collections.abc import Callable
from typing import Any

from django.db import migrations, models

UUID = "uuid"
INT = "int"

ENCRYPTED: dict[str, tuple[tuple[tuple[str, str], ...], tuple[str, ...]]] = {
    # table: ((row identity column, kind), ...), (encrypted columns)
    "dossiers_dossier": ((("id", UUID),), ("label", "birth_date")),
    "dossiers_entry": ((("dossier_id", UUID), ("sequence", INT)), ("data", "correction_reason")),
    "dossiers_breakglassgrant": ((("uid", UUID),), ("reason", "review_note")),
    "chain_share": ((("id", UUID),), ("reason",)),
    "chain_snapshot": ((("share_id", UUID),), ("content",)),
    "screening_meeting": ((("id", UUID),), ("other_attendees",)),
    "screening_agendaitem": ((("id", UUID),), ("content", "outcome_reason", "outcome_note")),
    "comensha_agreement": ((("id", UUID),), ("note",)),
    "comensha_registration": (
        (("agreement_id", UUID),),
        (
            "country_of_origin",
            "sex",
            "reporter_organisation",
            "contact_name",
            "contact_phone",
            "contact_email",
            "consent_kept_at",
        ),
    ),
}
AUTHENTICATOR_SECRETS = ("secret", "seed")
AUTHENTICATOR_CODES = "migrated_codes"


def _identity(kinds: tuple[tuple[str, str], ...], values: tuple[Any, ...]) -> str:
    parts = []
    for (_column, kind), value in zip(kinds, values, strict=True):
        parts.append(str(uuid.UUID(str(value))) if kind == UUID else str(int(value)))
    return "/".join(parts)


def fill_uid(apps, schema_editor):  # type: ignore[no-untyped-def]
    grant = apps.get_model("dossiers", "BreakGlassGrant")
    for pk in grant.objects.values_list("pk", flat=True):
        grant.objects.filter(pk=pk).update(uid=uuid.uuid4())
    if schema_editor.connection.vendor == "postgresql":
        # The column is altered next: no deferred check of the rows just written may wait.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _rewrite(apps: Any, schema_editor: Any, convert: Callable[[str, Any], str | None]) -> None:
    """Every encrypted value through ``convert(token, binding)``, table by table."""
    from baken.crypto import Binding
    from baken.dossiers.maintenance import append_only_lifted

    quote = schema_editor.connection.ops.quote_name
    with append_only_lifted(*ENCRYPTED), schema_editor.connection.cursor() as cursor:
        for table, (kinds, columns) in ENCRYPTED.items():
            identity = ", ".join(quote(column) for column, _kind in kinds)
            selected = ", ".join(quote(column) for column in columns)
            cursor.execute(f"SELECT id, {identity}, {selected} FROM {quote(table)}")  # noqa: S608
            for row in cursor.fetchall():
                pk, ids, tokens = row[0], row[1 : 1 + len(kinds)], row[1 + len(kinds) :]
                where = _identity(kinds, ids)
                updates = {
                    column: convert(token, Binding(table, column, where))
                    for column, token in zip(columns, tokens, strict=True)
                    if token is not None
                }
                updates = {column: new for column, new in updates.items() if new is not None}
                if updates:
                    assignments = ", ".join(f"{quote(column)} = %s" for column in updates)
                    cursor.execute(
                        f"UPDATE {quote(table)} SET {assignments} WHERE id = %s",  # noqa: S608
                        [*updates.values(), pk],
                    )
    authenticator = apps.get_model("mfa", "Authenticator")
    for pk, data in authenticator.objects.values_list("pk", "data"):
        value = json.loads(data) if isinstance(data, str) else data
        if not isinstance(value, dict):
            continue
        changed = False
        for key in (*AUTHENTICATOR_SECRETS, AUTHENTICATOR_CODES):
            place = Binding("mfa_authenticator", f"data.{key}", str(int(pk)))
            item = value.get(key)
            if isinstance(item, str) and (new := convert(item, place)) is not None:
                value[key], changed = new, True
            elif key == AUTHENTICATOR_CODES and isinstance(item, list):
                renewed = [convert(code, place) if isinstance(code, str) else None for code in item]
                if any(new is not None for new in renewed):
                    value[key] = [new or old for new, old in zip(renewed, item, strict=True)]
                    changed = True
        if changed:
            authenticator.objects.filter(pk=pk).update(data=value)


def bind(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Every ``enc1`` value re-encrypted as ``enc2``, bound to where it is stored."""
    from baken.crypto import PREFIX, UNBOUND_PREFIX
    from baken.crypto.fields import keyring

    ring = keyring()

    def convert(token: str, where: Any) -> str | None:
        if token.startswith(f"{PREFIX}:"):
            ring.decrypt(token, where)  # already bound (a re-run): it must open here
            return None
        if not token.startswith(f"{UNBOUND_PREFIX}:"):
            raise ValueError(f"{where}: not an encrypted value")
        return ring.encrypt(ring.decrypt_unbound(token), where)

    _rewrite(apps, schema_editor, convert)


def unbind(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Backwards: every ``enc2`` value back in the old format."""
    from baken.crypto import PREFIX
    from baken.crypto.fields import keyring

    ring = keyring()

    def convert(token: str, where: Any) -> str | None:
        if not token.startswith(f"{PREFIX}:"):
            return None
        return ring.encrypt_unbound(ring.decrypt(token, where))

    _rewrite(apps, schema_editor, convert)


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0010_guards_refuse_truncate"),
        ("chain", "0003_chain_cases"),
        ("screening", "0002_registration_never_changed"),
        ("comensha", "0001_agreement_and_registration"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [
        migrations.AddField(
            model_name="breakglassgrant",
            name="uid",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(fill_uid, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="breakglassgrant",
            name="uid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.RunPython(bind, unbind),
    ]
