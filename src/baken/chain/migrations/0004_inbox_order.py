"""An inbox's page in its order from an index (issue 13): the melding rank kept by the
database, and (recipient, status, [rank,] sent_at, id) for Veilig Thuis' inbox and every
other's, in place of the (recipient, status) index they begin with."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_user_manage_order"),
        ("chain", "0003_chain_cases"),
        ("dossiers", "0014_break_glass_review_order"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="share",
            name="chain_share_recipie_a0e905_idx",
        ),
        migrations.AddField(
            model_name="share",
            name="report_rank",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Case(
                    models.When(kind="report", then=models.Value(0)), default=models.Value(1)
                ),
                output_field=models.SmallIntegerField(),
            ),
        ),
        migrations.AddIndex(
            model_name="share",
            index=models.Index(
                fields=["recipient", "status", "report_rank", "sent_at", "id"],
                name="chain_share_inbox_vt",
            ),
        ),
        migrations.AddIndex(
            model_name="share",
            index=models.Index(
                fields=["recipient", "status", "sent_at", "id"], name="chain_share_inbox"
            ),
        ),
    ]
