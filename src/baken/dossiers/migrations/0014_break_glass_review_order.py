"""The break-glass review page in its order from an index (issue 13): whether a grant was
reviewed, kept by the database, and (reviewed, granted_at desc, id desc)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0013_dossier_closed_order"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="breakglassgrant",
            name="reviewed",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.ExpressionWrapper(
                    models.Q(("reviewed_at__isnull", False)), output_field=models.BooleanField()
                ),
                output_field=models.BooleanField(),
            ),
        ),
        migrations.AddIndex(
            model_name="breakglassgrant",
            index=models.Index(
                fields=["reviewed", "-granted_at", "-id"], name="breakglass_review_order"
            ),
        ),
    ]
