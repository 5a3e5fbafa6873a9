"""The e-mail and worker settings come from the environment; a bad value stops Baken at
start with one line naming the variable (exit 2), never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("EMAIL_PORT", "smtp"),
        ("EMAIL_PORT", "70000"),
        ("EMAIL_USE_TLS", "yes"),
        ("EMAIL_TIMEOUT", "0"),
        ("BAKEN_BASE_URL", "baken.example.nl"),
        ("BAKEN_BASE_URL", "https://baken.example.nl/pad/"),
        ("BAKEN_WORKER_INTERVAL", "1.5"),
    ],
)
def test_a_bad_setting_is_one_line_naming_the_variable(
    baken: Callable[..., CliResult], tmp_path: Path, variable: str, value: str
) -> None:
    """Each bad value: exit 2, one line on stderr that names the variable."""
    env = {"BAKEN_VAR_DIR": str(tmp_path), "DATABASE_URL": "", variable: value}
    result = baken("worker", "--once", env=env)
    assert (result.code, result.stderr.count("\n"), variable in result.stderr) == (2, 1, True)


def test_tls_and_ssl_together_are_refused(baken: Callable[..., CliResult], tmp_path: Path) -> None:
    """STARTTLS and implicit TLS exclude each other: one line naming both, exit 2."""
    env = {"BAKEN_VAR_DIR": str(tmp_path), "EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"}
    result = baken("worker", "--once", env={**env, "DATABASE_URL": ""})
    assert (result.code, "EMAIL_USE_TLS" in result.stderr, "EMAIL_USE_SSL" in result.stderr) == (
        2,
        True,
        True,
    )
