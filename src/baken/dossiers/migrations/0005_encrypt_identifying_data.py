"""Encrypt the label, date of birth, entry data and correction reasons at rest.

The entry table is append-only, so its triggers are lifted for this migration only (on
SQLite the column change rebuilds the table, which drops them anyway) and put back after
the existing rows are encrypted.
"""

import json
from typing import Any

from django.db import migrations

import baken.crypto.fields

ENTRY = "dossiers_entry"


def _triggers(schema_editor: Any, on: bool) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # Deferred foreign-key checks of the rows just written must run before the
        # table may be altered again.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        state = "ENABLE" if on else "DISABLE"
        schema_editor.execute(f"ALTER TABLE {ENTRY} {state} TRIGGER {ENTRY}_append_only")
    elif vendor == "sqlite":
        if on:
            schema_editor.execute(
                f"CREATE TRIGGER {ENTRY}_no_update BEFORE UPDATE ON {ENTRY} "
                f"BEGIN SELECT RAISE(ABORT, 'append-only table {ENTRY}: UPDATE refused'); END;"
            )
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {ENTRY}_no_update")


def lift(apps, schema_editor):  # type: ignore[no-untyped-def]
    _triggers(schema_editor, on=False)


def restore(apps, schema_editor):  # type: ignore[no-untyped-def]
    _triggers(schema_editor, on=True)


def encrypt_existing(apps, schema_editor):  # type: ignore[no-untyped-def]
    from baken.crypto.fields import keyring

    ring = keyring()
    cursor = schema_editor.connection.cursor()
    cursor.execute("SELECT id, label, birth_date FROM dossiers_dossier")
    for pk, label, birth_date in cursor.fetchall():
        cursor.execute(
            "UPDATE dossiers_dossier SET label = %s, birth_date = %s WHERE id = %s",
            [
                ring.encrypt_unbound(label),
                None if birth_date is None else ring.encrypt_unbound(str(birth_date)[:10]),
                pk,
            ],
        )
    cursor.execute(f"SELECT id, data, correction_reason FROM {ENTRY}")  # noqa: S608
    for pk, data, reason in cursor.fetchall():
        value = json.loads(data) if isinstance(data, str) else data
        cursor.execute(
            f"UPDATE {ENTRY} SET data = %s, correction_reason = %s WHERE id = %s",  # noqa: S608
            [
                ring.encrypt_unbound(json.dumps(value, ensure_ascii=False, sort_keys=True)),
                ring.encrypt_unbound(reason or ""),
                pk,
            ],
        )


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0004_delete_auditevent")]

    operations = [
        migrations.RunPython(lift, restore),
        migrations.AlterField(
            model_name="dossier",
            name="birth_date",
            field=baken.crypto.fields.EncryptedDateField(
                blank=True, null=True, verbose_name="date of birth"
            ),
        ),
        migrations.AlterField(
            model_name="dossier",
            name="label",
            field=baken.crypto.fields.EncryptedTextField(verbose_name="label"),
        ),
        migrations.AlterField(
            model_name="entry",
            name="correction_reason",
            field=baken.crypto.fields.EncryptedTextField(blank=True),
        ),
        migrations.AlterField(
            model_name="entry",
            name="data",
            field=baken.crypto.fields.EncryptedJSONField(default=dict),
        ),
        migrations.RunPython(encrypt_existing, migrations.RunPython.noop),
        migrations.RunPython(restore, lift),
    ]
