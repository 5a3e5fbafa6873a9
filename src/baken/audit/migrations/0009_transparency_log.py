"""The access log becomes a transparency log (docs/adr/0009-transparency-log.md), step 1:
every line gets a random uid and a MAC, and the tree's tables come: the leaves, the stored
complete subtrees and the database's copies of the signed checkpoints. All three are
append-only in the database as the lines are (baken.guards)."""

import django.db.models.deletion
from django.db import migrations, models

from baken import guards

TABLES = ("audit_logleaf", "audit_lognode", "audit_checkpoint")


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    for table in TABLES:
        guards.install(schema_editor, table)


def remove(apps, schema_editor):  # type: ignore[no-untyped-def]
    for table in TABLES:
        guards.remove(schema_editor, table)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0008_authentication_and_refused_reads"),
        # The dossiers' old audit events moved into the hash chain there, before it goes.
        ("dossiers", "0004_delete_auditevent"),
    ]

    operations = [
        migrations.AddField(
            model_name="accessevent",
            name="uid",
            field=models.UUIDField(null=True),
        ),
        migrations.AddField(
            model_name="accessevent",
            name="mac",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.CreateModel(
            name="LogLeaf",
            fields=[
                ("index", models.BigIntegerField(primary_key=True, serialize=False)),
                (
                    "event",
                    models.OneToOneField(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="leaf",
                        to="audit.accessevent",
                    ),
                ),
                ("hash", models.CharField(max_length=64)),
            ],
            options={"ordering": ["index"]},
        ),
        migrations.CreateModel(
            name="LogNode",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("level", models.PositiveSmallIntegerField()),
                ("index", models.BigIntegerField()),
                ("hash", models.CharField(max_length=64)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("level", "index"), name="audit_node_at")
                ]
            },
        ),
        migrations.CreateModel(
            name="Checkpoint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("size", models.BigIntegerField(unique=True)),
                ("root", models.CharField(max_length=64)),
                ("note", models.TextField()),
                ("made_at", models.DateTimeField()),
            ],
            options={"ordering": ["size", "pk"]},
        ),
        migrations.RunPython(install, remove),
    ]
