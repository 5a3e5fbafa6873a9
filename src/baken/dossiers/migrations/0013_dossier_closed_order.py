"""Closed dossiers by (closing moment, id): `baken purge` pages its candidates oldest
closing first by keyset (issue 13), a range of this index whatever the number of dossiers."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0012_exploitation_form_columns"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(fields=["closed_at", "id"], name="dossier_closed_order"),
        ),
    ]
