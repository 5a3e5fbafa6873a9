"""The access log becomes a transparency log, step 3: the hash chain's columns and its head
go (the tree and the MACs replace them), every uid is unique, and the lines' guard is made
again (SQLite rebuilds the table to drop a column, and its triggers with it)."""

from django.db import migrations, models

from baken import guards


def guard(apps, schema_editor):  # type: ignore[no-untyped-def]
    guards.install(schema_editor, "audit_accessevent")


class Migration(migrations.Migration):
    dependencies = [("audit", "0010_lines_into_the_tree")]

    operations = [
        migrations.AlterField(
            model_name="accessevent",
            name="uid",
            field=models.UUIDField(unique=True),
        ),
        migrations.AlterModelOptions(name="accessevent", options={"ordering": ["pk"]}),
        migrations.RemoveField(model_name="accessevent", name="position"),
        migrations.RemoveField(model_name="accessevent", name="previous_hash"),
        migrations.RemoveField(model_name="accessevent", name="hash"),
        migrations.DeleteModel(name="ChainHead"),
        migrations.RunPython(guard, migrations.RunPython.noop),
    ]
