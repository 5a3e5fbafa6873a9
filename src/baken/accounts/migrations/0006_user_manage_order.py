"""The management page's users in their order from an index (issue 13): active first, then
by username."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_user_session"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="user",
            index=models.Index(
                fields=["-is_active", "username"], name="accounts_user_manage_order"
            ),
        ),
    ]
