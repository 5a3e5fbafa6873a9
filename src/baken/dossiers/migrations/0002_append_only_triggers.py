"""Append-only in the database itself: entries and audit events cannot be updated or deleted.

PostgreSQL (production) refuses UPDATE and DELETE on both tables. SQLite refuses
UPDATE; DELETE is left to the application (the ORM raises, and the foreign keys
PROTECT) because Django's test flush on SQLite empties tables with DELETE,
whereas on PostgreSQL it uses TRUNCATE, which row triggers do not see.
"""

from django.db import migrations

TABLES = ("dossiers_entry", "dossiers_auditevent")


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(
            """
            CREATE OR REPLACE FUNCTION baken_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'append-only table %%: %% refused', TG_TABLE_NAME, TG_OP;
            END;
            $$ LANGUAGE plpgsql;
            """
        )
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION baken_append_only();"
            )
    elif connection.vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'append-only table {table}: UPDATE refused'); END;"
            )


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    connection = schema_editor.connection
    for table in TABLES:
        if connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
        elif connection.vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update;")
    if connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS baken_append_only();")


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
