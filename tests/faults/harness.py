"""What the fault tests share: a real ``baken serve`` subprocess, a cookie-keeping HTTP client
that logs in with password and authenticator code, the database tool run in the server's
environment, the access-log commands, and PostgreSQL databases of the tests' own (on the
shared server) or a private PostgreSQL cluster the tests may stop and start.

Everything listens on and connects to 127.0.0.1 only."""

# ruff: noqa: S310 (requests go to our own server on 127.0.0.1 only)
from __future__ import annotations

import base64
import functools
import http.client
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support import totp_code

REPO = Path(__file__).resolve().parents[2]
SHARED_POSTGRES = os.environ.get("BAKEN_FAULTS_POSTGRES", "postgres://postgres@127.0.0.1:5432")
"""The shared PostgreSQL server (trust auth); the tests make databases of their own on it."""

UNAVAILABLE_HEADING = "Baken is even niet bereikbaar"
STORAGE_FULL_HEADING = "De opslag is vol"
TRY_AGAIN = "Probeer het zo opnieuw."
TRACEBACK_MARKERS = ("Traceback", "OperationalError", "InterfaceError", 'File "')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def baken_command() -> list[str]:
    script = Path(sys.executable).with_name("baken")
    return [str(script)] if script.exists() else [sys.executable, "-m", "baken.cli"]


def server_env(var_dir: Path, database_url: str, checkpoints: Path) -> dict[str, str]:
    """The environment of a Baken process under test: development mode, its own var folder
    (secret and encryption keys made there once), the given database, and an access-log
    signing key and checkpoint folder (used once ``baken audit checkpoint`` exists)."""
    env = {key: value for key, value in os.environ.items() if key != "BAKEN_DEBUG"}
    key_file = var_dir / "audit_signing_key"
    if not key_file.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        key_file.write_text(base64.b64encode(os.urandom(32)).decode(), encoding="utf-8")
    checkpoints.mkdir(parents=True, exist_ok=True)
    env |= {
        "BAKEN_ENV": "development",
        "BAKEN_VAR_DIR": str(var_dir),
        "DATABASE_URL": database_url,
        "BAKEN_AUDIT_SIGNING_KEY": key_file.read_text(encoding="utf-8"),
        "BAKEN_AUDIT_CHECKPOINT_DIR": str(checkpoints),
        "BAKEN_LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p),
    }
    return env


def tool(env: dict[str, str], *args: str) -> dict[str, Any]:
    """Run ``tests.faults.dbtool`` in ``env`` and return its JSON."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.faults.dbtool", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed ``baken`` command in ``env``."""
    return subprocess.run(
        [*baken_command(), *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@functools.cache
def _audit_help() -> str:
    return cli({**os.environ}, "audit", "--help").stdout


def has_checkpoint_command(env: dict[str, str]) -> bool:
    """Whether this Baken has ``baken audit checkpoint`` (the transparency log)."""
    return "checkpoint" in _audit_help()


def checkpoint(env: dict[str, str]) -> str:
    """Take a signed checkpoint when Baken can; returns what it said, or that it cannot."""
    if not has_checkpoint_command(env):
        return "(no `baken audit checkpoint` in this version: the hash chain alone)"
    done = cli(env, "audit", "checkpoint")
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.strip()


def audit_verify(env: dict[str, str], *options: str) -> subprocess.CompletedProcess[str]:
    """``baken audit verify``: against the newest checkpoint in the checkpoint folder once
    checkpoints exist (or the one given with ``--checkpoint FILE``), the hash chain before."""
    return cli(env, "audit", "verify", *options)


def checkpoint_files(env: dict[str, str]) -> list[Path]:
    """The checkpoint files written so far, oldest first."""
    return sorted(Path(env["BAKEN_AUDIT_CHECKPOINT_DIR"]).glob("checkpoint-[0-9]*"))


class Server:
    """``baken serve`` on a free 127.0.0.1 port, as a subprocess."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 90) -> float:
        """Start it and wait until the login page answers; returns the seconds it took."""
        started = time.monotonic()
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [*baken_command(), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                env=self.env,
                cwd=REPO,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise AssertionError(f"baken serve stopped: {self.log.read_text()[-3000:]}")
            with suppress(OSError, http.client.HTTPException):
                urllib.request.urlopen(f"{self.base}/account/login/", timeout=2).read()
                return time.monotonic() - started
            time.sleep(0.2)
        raise AssertionError(f"baken serve did not answer: {self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """``kill -9``: no chance to finish anything."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    text: str
    location: str = ""


@dataclass
class Browser:
    """A person's browser as far as Baken can tell: cookies (session, CSRF), no JavaScript,
    redirects not followed (a 302 after a POST is the success answer)."""

    base: str
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def __post_init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirects()
        )

    def csrf(self) -> str:
        return next((c.value or "" for c in self.jar if c.name == "csrftoken"), "")

    def request(self, path: str, data: dict[str, str] | None = None, timeout: float = 30) -> Answer:
        body = None
        if data is not None:
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.csrf()}).encode()
        request = urllib.request.Request(self.base + path, data=body)
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return Answer(
                    response.status,
                    dict(response.headers),
                    response.read().decode("utf-8", "replace"),
                    response.headers.get("Location", ""),
                )
        except urllib.error.HTTPError as error:
            return Answer(
                error.code,
                dict(error.headers),
                error.read().decode("utf-8", "replace"),
                error.headers.get("Location", ""),
            )

    def log_in(self, username: str, password: str, secret: str) -> None:
        """Password, then the authenticator app's code, as a person does."""
        assert self.request("/account/login/").status == 200
        first = self.request("/account/login/", {"login": username, "password": password})
        assert (first.status, first.location) == (302, "/account/2fa/authenticate/"), first
        self.request("/account/2fa/authenticate/")
        second = self.request("/account/2fa/authenticate/", {"code": totp_code(secret)})
        assert second.status == 302, second


def observation_form(description: str) -> dict[str, str]:
    from tests.faults.dbtool import observation

    return {f"observation-{key}": value for key, value in observation(description).items()} | {
        "observation-seen": "0"
    }


def record_path(dossier_id: str) -> str:
    return f"/dossiers/{dossier_id}/vastleggen/observation/"


def problems_with_fault_page(answer: Answer, heading: str) -> list[str]:
    """What is wrong with ``answer`` as Baken's Dutch 503 page with ``heading`` (empty when
    nothing is): status, the heading in the layout, no traceback, the headers."""
    problems = []
    if answer.status != 503:
        problems.append(f"status {answer.status}")
    if f'<h1 class="utrecht-heading-1">{heading}</h1>' not in answer.text:
        problems.append("no Dutch heading")
    if '<html lang="nl"' not in answer.text:
        problems.append("not the Dutch layout")
    if any(marker in answer.text for marker in TRACEBACK_MARKERS):
        problems.append("traceback text")
    if re.search(r"<script", answer.text):
        problems.append("a script")
    if heading == UNAVAILABLE_HEADING and answer.headers.get("Retry-After") != "30":
        problems.append("no Retry-After")
    return problems


# --- PostgreSQL ------------------------------------------------------------------------------


def unique_name(prefix: str) -> str:
    return f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"


def admin(url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(f"{url}/postgres", autocommit=True, connect_timeout=10) as conn:
        for statement in statements:
            conn.execute(statement)  # type: ignore[arg-type]


@contextmanager
def postgres_database(prefix: str, server: str = SHARED_POSTGRES) -> Iterator[str]:
    """A fresh database of this test's own on ``server``; dropped afterwards."""
    name = unique_name(prefix)
    admin(server, f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        raise AssertionError("PostgreSQL's initdb is not installed (/usr/lib/postgresql/*/bin)")
    return found[-1].parent


@dataclass
class Cluster:
    """A private PostgreSQL cluster on a free 127.0.0.1 port, trust authentication, run by
    the ``postgres`` system user (initdb refuses root). Only these tests use it, so they may
    stop and start it."""

    directory: Path
    port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(_postgres_bin() / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)

    def init(self) -> None:
        data = self.directory / "data"
        self.directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        done = self._run(
            "initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"
        )
        assert done.returncode == 0, done.stderr

    def pg_ctl(self, *args: str) -> float:
        """Run ``pg_ctl`` on the cluster and wait for it; returns the seconds it took."""
        started = time.monotonic()
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} "
            "-c fsync=off -c max_connections=40"
        )
        done = self._run(
            "pg_ctl",
            "-D",
            str(self.directory / "data"),
            "-l",
            str(self.directory / "postgres.log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            *args,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return time.monotonic() - started


@contextmanager
def private_cluster() -> Iterator[Cluster]:
    """A new cluster in a folder of its own under the system's temporary folder (pytest's
    are private to root, and the cluster runs as ``postgres``); stopped and removed after."""
    directory = Path(tempfile.mkdtemp(prefix="baken-faults-pg-"))
    directory.chmod(0o755)
    cluster = Cluster(directory)
    try:
        cluster.init()
        cluster.pg_ctl("start")
        yield cluster
    finally:
        with suppress(AssertionError):
            cluster.pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(directory, ignore_errors=True)
