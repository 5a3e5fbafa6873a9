"""The append-only guard refuses TRUNCATE too, and honours a maintenance transaction.

Row-level triggers do not see ``TRUNCATE``, so ``TRUNCATE dossiers_entry CASCADE`` went
through. Every append-only table now also has a statement-level trigger, and the guard
function lets a transaction that set ``baken.maintenance`` (purge, key rotation, as the
owner role) change rows without ``ALTER TABLE ... DISABLE TRIGGER`` (see baken.guards).
"""

from django.db import migrations

from baken import guards

TABLES = ("dossiers_entry", "audit_accessevent", "audit_purgerecord", "chain_snapshot")
COLUMN_GUARDED = ("screening_agendaitem",)


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    for table in TABLES:
        guards.install(schema_editor, table)
    for table in COLUMN_GUARDED:
        guards.install_truncate_guard(schema_editor, table)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES + COLUMN_GUARDED:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};")


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0009_chain_part_two_entry_kinds"),
        ("audit", "0008_authentication_and_refused_reads"),
        ("chain", "0003_chain_cases"),
        ("screening", "0002_registration_never_changed"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
