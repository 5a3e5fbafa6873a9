"""An agenda item's registration (what the screening received) is never changed, in the
database too: PostgreSQL and SQLite refuse an UPDATE that changes ``content``. The outcome
and the RIEC follow-up are recorded on the same row, so only that column is guarded; key
rotation lifts the guard for its own transaction (``append_only_lifted``)."""

from django.db import migrations

TABLE = "screening_agendaitem"
TRIGGER = f"{TABLE}_registration_fixed"


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE OF content ON {TABLE} "
            "FOR EACH ROW WHEN (OLD.content IS DISTINCT FROM NEW.content) "
            "EXECUTE FUNCTION baken_append_only();"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE OF content ON {TABLE} "
            "WHEN OLD.content IS NOT NEW.content "
            f"BEGIN SELECT RAISE(ABORT, 'registration of {TABLE} is never changed'); END;"
        )


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {TABLE};")
    elif vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER};")


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0001_meetings_and_agenda_items"),
        ("dossiers", "0002_append_only_triggers"),
    ]
    operations = [migrations.RunPython(create, drop)]
