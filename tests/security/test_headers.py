"""Security headers on every page, and a production configuration that passes Django's
deployment checks and refuses to start without its own secret key."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from django.test import Client
from django.urls import reverse

from baken.accounts.models import User
from baken.audit.keys import generate_seed
from baken.crypto import Keyring
from baken.dossiers.models import Dossier


def test_every_page_carries_a_strict_csp_with_a_nonce_and_the_other_headers(
    professional: User, open_dossier: Callable[..., Dossier], login: Callable[[User], Client]
) -> None:
    """CSP: self only, scripts by nonce, no unsafe-inline or unsafe-eval, no framing; plus
    Referrer-Policy, nosniff, X-Frame-Options and Permissions-Policy. The script tag carries
    the same nonce as the header."""
    dossier = open_dossier()
    client = login(professional)
    for url in (
        "/account/login/",
        reverse("web:home"),
        reverse("dossiers:detail", args=[dossier.pk]),
    ):
        response = (Client() if "account" in url else client).get(url)
        csp = response["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
        nonce = re.search(r"'nonce-([^']+)'", csp)
        assert nonce, csp
        assert f'nonce="{nonce.group(1)}"' in response.content.decode()
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
        assert "camera=()" in response["Permissions-Policy"]


# Set by each test, or test-only (the browser tests allow async-unsafe calls in-process).
SET_HERE = {
    "SECRET_KEY",
    "DATABASE_URL",
    "BAKEN_ENCRYPTION_KEYS",
    "BAKEN_ENCRYPTION_KEYS_FILE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "BAKEN_AUDIT_SIGNING_KEY",
    "BAKEN_AUDIT_SIGNING_KEY_FILE",
    "BAKEN_AUDIT_CHECKPOINT_DIR",
}


def _production(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("django-admin")
    return subprocess.run(
        [
            str(script),
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            "--settings=baken.conf.settings",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={
            **{k: v for k, v in os.environ.items() if k not in SET_HERE},
            "BAKEN_ENV": "production",
            "BAKEN_VAR_DIR": str(tmp_path),
            "ALLOWED_HOSTS": "baken.example",
            **env,
        },
    )


def test_production_settings_pass_the_deployment_checks(tmp_path: Path) -> None:
    """`check --deploy` finds nothing with production settings and a real secret key."""
    result = _production(
        tmp_path,
        SECRET_KEY=secrets.token_urlsafe(60),
        BAKEN_ENCRYPTION_KEYS=Keyring.generate(),
        BAKEN_AUDIT_SIGNING_KEY=generate_seed(),
        BAKEN_AUDIT_CHECKPOINT_DIR=str(tmp_path / "checkpoints"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_the_access_log_signing_key(tmp_path: Path) -> None:
    """No signing key for the access log's checkpoints in production: a configuration
    error naming the setting."""
    result = _production(
        tmp_path,
        SECRET_KEY=secrets.token_urlsafe(60),
        BAKEN_ENCRYPTION_KEYS=Keyring.generate(),
        BAKEN_AUDIT_CHECKPOINT_DIR=str(tmp_path / "checkpoints"),
    )
    assert result.returncode != 0
    assert "BAKEN_AUDIT_SIGNING_KEY" in result.stderr


def test_production_refuses_to_start_without_a_folder_for_the_checkpoints(tmp_path: Path) -> None:
    """No BAKEN_AUDIT_CHECKPOINT_DIR in production: a configuration error
    naming it, because the checkpoints outside the database are what makes the access log
    tamper-evident."""
    result = _production(
        tmp_path,
        SECRET_KEY=secrets.token_urlsafe(60),
        BAKEN_ENCRYPTION_KEYS=Keyring.generate(),
        BAKEN_AUDIT_SIGNING_KEY=generate_seed(),
    )
    assert result.returncode != 0
    assert "BAKEN_AUDIT_CHECKPOINT_DIR" in result.stderr


def test_production_refuses_to_start_without_its_own_secret_key(tmp_path: Path) -> None:
    """No SECRET_KEY in production: a clear configuration error, nothing generated."""
    result = _production(tmp_path, BAKEN_ENCRYPTION_KEYS=Keyring.generate())
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_production_refuses_to_start_without_its_own_encryption_keys(tmp_path: Path) -> None:
    """No encryption keys in production: a clear error; none generated, none derived."""
    result = _production(tmp_path, SECRET_KEY=secrets.token_urlsafe(60))
    assert result.returncode != 0
    assert "BAKEN_ENCRYPTION_KEYS" in result.stderr
    assert not (tmp_path / "encryption_keys").exists()
