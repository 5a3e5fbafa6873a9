"""Fixtures shared by every test module."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from baken.protocol import Protocol, default_registry

REPO = Path(__file__).resolve().parents[1]

# Organisations, users (with two-factor authentication) and dossiers, for every test module.
pytest_plugins = ["tests.fixtures"]

FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
"""What the tests hash passwords with. Baken's own settings keep Django's default (PBKDF2 with
1,000,000 iterations, about 0.3 s a password here); every fixture user would pay that. Django
documents MD5PasswordHasher for exactly this. Tests that check hashing itself are marked
``real_password_hasher`` and get Baken's real hashers back (see tests/fixtures.py)."""

REAL_PASSWORD_HASHERS: list[str] = []
"""Baken's own PASSWORD_HASHERS, as its settings module left them before the swap."""


def pytest_configure(config: pytest.Config) -> None:
    """Swap in the fast password hasher once per test process (each xdist worker too), so
    that it also holds for session fixtures and the live server's threads. Subprocesses that
    run the ``baken`` command read the real settings and hash as production does."""
    from django.conf import settings
    from django.test.utils import override_settings

    REAL_PASSWORD_HASHERS[:] = list(settings.PASSWORD_HASHERS)
    override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS).enable()
    _flush_as_maintenance()


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove this test process's own checkpoint folder (var/test-checkpoints-<pid>, see
    baken.conf.settings), as Django removes its test database. A folder a test set itself
    is the test's own (tmp_path) and is left alone."""
    from django.conf import settings

    folder = Path(settings.BAKEN_AUDIT_CHECKPOINT_DIR)
    if folder.name == f"test-checkpoints-{os.getpid()}":
        shutil.rmtree(folder, ignore_errors=True)


def _flush_as_maintenance() -> None:
    """Django empties the PostgreSQL test database between transactional tests with
    ``TRUNCATE``, which the append-only guard refuses (baken.guards). The test flush is
    maintenance: its transaction sets ``baken.maintenance``, as purge and rotation do."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    from baken.guards import MAINTENANCE_SETTING

    plain = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):  # type: ignore[no-untyped-def]
        statements = plain(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        return [f"SET LOCAL {MAINTENANCE_SETTING} = 'on'", *statements] if statements else []

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]


def shared_dir() -> Path:
    """The project's shared folder (seed protocol, worked examples), beside the repository."""
    candidate = Path(os.environ.get("BAKEN_SHARED_DIR", REPO.parent / "shared"))
    if not (candidate / "seeds").is_dir():
        pytest.fail(
            f"the shared folder with the seed protocol was not found at {candidate}; "
            "set BAKEN_SHARED_DIR to the folder that holds seeds/ and scenarios/"
        )
    return candidate


@pytest.fixture(scope="session")
def protocol() -> Protocol:
    """The default protocol (Gelderland-Midden 2018)."""
    return default_registry().get()


@dataclass(frozen=True)
class CliResult:
    code: int
    stdout: str
    stderr: str

    def json(self) -> object:
        return json.loads(self.stdout)


def _baken_command() -> list[str]:
    script = Path(sys.executable).with_name("baken")
    if script.exists():
        return [str(script)]
    found = shutil.which("baken")
    return [found] if found else [sys.executable, "-m", "baken.cli"]


@pytest.fixture(scope="session")
def baken() -> Callable[..., CliResult]:
    """Run the installed ``baken`` command as a user would, in a subprocess."""
    command = _baken_command()

    def run(
        *args: str, stdin: str | bytes | None = None, env: dict[str, str] | None = None
    ) -> CliResult:
        merged = {**os.environ, **(env or {})}
        if "BAKEN_VAR_DIR" in (env or {}) and "BAKEN_AUDIT_CHECKPOINT_DIR" not in (env or {}):
            # As deployed: every command on that data folder shares one checkpoint folder
            # (under pytest the settings' default is per process, see baken.conf.settings).
            merged["BAKEN_AUDIT_CHECKPOINT_DIR"] = str(
                Path(merged["BAKEN_VAR_DIR"]) / "checkpoints"
            )
        completed = subprocess.run(
            [*command, *args],
            input=stdin.encode() if isinstance(stdin, str) else stdin,
            capture_output=True,
            timeout=120,
            env=merged,
            check=False,
        )
        return CliResult(
            completed.returncode,
            completed.stdout.decode("utf-8"),
            completed.stderr.decode("utf-8"),
        )

    return run
