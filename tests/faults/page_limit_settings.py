"""Baken's settings (or BAKEN_FAULTS_BASE_SETTINGS') with every SQLite connection limited to
the database's present size (``PRAGMA max_page_count``): a write that needs one more page
fails with SQLITE_FULL, "database or disk is full", as on a full disk. Only for the full-disk
test where a small filesystem cannot be mounted (tests/faults/test_sqlite_full_disk.py)."""

# ruff: noqa: F403, F405
from __future__ import annotations

import importlib
import os
from typing import Any

from django.db.backends.signals import connection_created

_base = importlib.import_module(
    os.environ.get("BAKEN_FAULTS_BASE_SETTINGS", "") or "baken.conf.settings"
)
globals().update({name: value for name, value in vars(_base).items() if name.isupper()})


def _no_growth(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # It cannot go below the present size: 1 means "as big as it is now".
            cursor.execute("PRAGMA max_page_count = 1")


connection_created.connect(_no_growth, dispatch_uid="tests.faults.page_limit_settings")
