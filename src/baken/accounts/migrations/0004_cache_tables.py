"""The tables of Django's database cache (settings.CACHES): "baken_cache" for the default
cache (allauth's rate limits) and "baken_cache_2fa" for used two-factor codes
(baken.accounts.two_factor). Created here, whatever BAKEN_CACHE_URL says at the time, so
every database Baken migrates has them: ``baken serve``, the test databases and production
alike, and a later switch from Redis back to the database cache finds them ready."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.db import migrations

CACHE_TABLES = ("baken_cache", "baken_cache_2fa")


def create_cache_tables(apps: Any, schema_editor: Any) -> None:
    # Django's createcachetable with explicit names: the table layout the database cache
    # expects, and nothing when a table is already there.
    call_command(
        "createcachetable", *CACHE_TABLES, database=schema_editor.connection.alias, verbosity=0
    )


def drop_cache_tables(apps: Any, schema_editor: Any) -> None:
    quote = schema_editor.connection.ops.quote_name
    for table in CACHE_TABLES:
        schema_editor.execute(f"DROP TABLE IF EXISTS {quote(table)}")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_screening_roles"),
    ]

    operations = [
        migrations.RunPython(create_cache_tables, drop_cache_tables, elidable=False),
    ]
