"""Fixtures of the fault tests: one folder of keys for every Baken process of the session,
and a migrated SQLite file and PostgreSQL database that each test copies (migrating takes
longer than the fault itself)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.faults import harness


@pytest.fixture(scope="session")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """BAKEN_VAR_DIR of every Baken process these tests start: the secret key, the
    encryption keys and the access-log signing key are made there once."""
    return tmp_path_factory.mktemp("faults-var")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory, var_dir: Path) -> Path:
    path = tmp_path_factory.mktemp("faults-template") / "baken.sqlite3"
    env = harness.server_env(var_dir, f"sqlite:///{path}", path.parent / "checkpoints")
    harness.tool(env, "migrate")
    return path


@pytest.fixture(scope="session")
def postgres_template(var_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The name of a migrated database on the shared PostgreSQL server."""
    with harness.postgres_database("faults_template") as url:
        checkpoints = tmp_path_factory.mktemp("faults-template-pg")
        harness.tool(harness.server_env(var_dir, url, checkpoints), "migrate")
        yield url.rsplit("/", 1)[1]


@pytest.fixture
def fresh_database(
    tmp_path: Path, sqlite_template: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[[str], str]]:
    """``fresh_database("sqlite" | "postgresql")``: the URL of a migrated, empty database of
    this test's own (a copy of the template; a PostgreSQL one is dropped afterwards)."""
    made: list[str] = []

    def make(backend: str) -> str:
        if backend == "sqlite":
            path = tmp_path / f"baken-{len(made)}.sqlite3"
            shutil.copyfile(sqlite_template, path)
            made.append(str(path))
            return f"sqlite:///{path}"
        template = request.getfixturevalue("postgres_template")
        name = harness.unique_name("faults")
        harness.admin(harness.SHARED_POSTGRES, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        made.append(name)
        return f"{harness.SHARED_POSTGRES}/{name}"

    yield make
    for name in made:
        if not name.startswith("/"):
            harness.admin(harness.SHARED_POSTGRES, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
