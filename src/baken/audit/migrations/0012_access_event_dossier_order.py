"""One dossier's access-log lines by (dossier, id): "Wie keek er" pages them newest first
by keyset (issue 13). The single-column index on the dossier stays: dropping it is an
AlterField, which SQLite carries out by rebuilding the table, and that would drop the
table's append-only triggers with it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0011_drop_the_hash_chain"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="accessevent",
            index=models.Index(fields=["dossier_id", "id"], name="access_event_dossier_order"),
        ),
    ]
