"""Two real `baken serve` processes on two loopback ports, sharing one SQLite database file:
a code used to log in on the first is refused on the second, because the used code is
remembered in a cache both processes share (the database cache, or Redis with
BAKEN_CACHE_URL), where allauth kept it in each process's own memory. The refusal is an
access-log line (``two_factor_failed``)."""

# ruff: noqa: S310 (requests go to our own servers on 127.0.0.1 only)
from __future__ import annotations

import http.cookiejar
import json
import os
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from baken.accounts.two_factor import used_code_key
from baken.crypto import Keyring
from tests.conftest import REPO, CliResult
from tests.support import totp_code

PASSWORD = "Vuurtoren-Twee-2031!"  # noqa: S105 (synthetic test password)
USERNAME = "proef-twee-servers"
USED = "Deze code is net al gebruikt. Wacht tot je app een nieuwe code toont."
REDIS_HOST, REDIS_PORT, REDIS_DB = "127.0.0.1", 6379, 7
"""Redis for the BAKEN_CACHE_URL case: a database number of its own; nothing is flushed
(the keys expire by themselves, and every run's user id is new)."""

MIGRATE = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
print("{}")
"""

SET_UP = """
import json, os, django
django.setup()
from baken.accounts.models import Organisation, OrganisationKind, Role, User
from tests.support import enrol_totp
organisation = Organisation.objects.create(
    name="Wijkteam Proef-Twee", kind=OrganisationKind.NEIGHBOURHOOD_TEAM
)
user = User.objects.create_user(
    id=int(os.environ["PROEF_USER_ID"]), username=os.environ["PROEF_USERNAME"],
    password=os.environ["PROEF_PASSWORD"], role=Role.PROFESSIONAL, organisation=organisation,
)
print(json.dumps({"user_id": user.pk, "secret": enrol_totp(user)}))
"""

FAILURES = """
import json, django
django.setup()
from django.db import connection
from baken.audit.models import AccessEvent
lines = AccessEvent.objects.filter(action="two_factor_failed").values_list(
    "user_id", "authorised", "detail"
)
with connection.cursor() as cursor:
    cursor.execute("SELECT COUNT(*) FROM baken_cache_2fa")
    (stored,) = cursor.fetchone()
print(json.dumps({"lines": [list(line) for line in lines], "stored_in_database": stored}))
"""


@dataclass(frozen=True)
class Shared:
    """What both servers share: the database file, the keys, and the one synthetic user."""

    env: dict[str, str]
    user_id: int
    secret: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _baken() -> list[str]:
    script = Path(sys.executable).with_name("baken")
    return [str(script)] if script.exists() else [sys.executable, "-m", "baken.cli"]


def _django(env: dict[str, str], script: str) -> dict[str, object]:
    """Run ``script`` with Baken's settings against the shared database; its JSON output."""
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.fixture(scope="module")
def keys() -> dict[str, str]:
    """The secret key and encryption keys of this module's servers, as production keeps
    them in its environment file: the same for every process."""
    return {"SECRET_KEY": secrets.token_urlsafe(50), "BAKEN_ENCRYPTION_KEYS": Keyring.generate()}


def _environment(keys: dict[str, str], database: Path, var_dir: Path) -> dict[str, str]:
    leave_out = {"PYTEST_VERSION", "BAKEN_DEBUG", "DATABASE_URL", "BAKEN_CACHE_URL"}
    env = {k: v for k, v in os.environ.items() if k not in leave_out}
    return (
        env
        | keys
        | {
            "BAKEN_ENV": "development",
            "DJANGO_SETTINGS_MODULE": "baken.conf.settings",
            "DATABASE_URL": f"sqlite:///{database}",
            "BAKEN_VAR_DIR": str(var_dir),
            "PYTHONPATH": str(REPO),
        }
    )


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory, keys: dict[str, str]) -> Path:
    """An SQLite database file with Baken migrated into it, once for the module (migrating
    takes longer than the rest of a test); each test works on a copy."""
    folder = tmp_path_factory.mktemp("migrated")
    _django(_environment(keys, folder / "migrated.sqlite3", folder), MIGRATE)
    return folder / "migrated.sqlite3"


def _shared(tmp_path: Path, keys: dict[str, str], migrated: Path, cache_url: str | None) -> Shared:
    """A fresh copy of the migrated database and one user with an authenticator app in it;
    the environment both servers start with, as production's would be (the same database,
    secret key and encryption keys; each its own BAKEN_VAR_DIR)."""
    database = tmp_path / "shared.sqlite3"
    with sqlite3.connect(migrated) as source, sqlite3.connect(database) as copy:
        source.backup(copy)
    env = _environment(keys, database, tmp_path / "set-up")
    if cache_url:
        env["BAKEN_CACHE_URL"] = cache_url
    user_id = secrets.randbelow(10**12) + 10**6  # new every run: Redis outlives the run
    made = _django(
        env
        | {"PROEF_USER_ID": str(user_id), "PROEF_USERNAME": USERNAME, "PROEF_PASSWORD": PASSWORD},
        SET_UP,
    )
    return Shared(env=env, user_id=int(str(made["user_id"])), secret=str(made["secret"]))


@pytest.fixture
def start_servers(tmp_path: Path) -> Iterator[Callable[[Shared], list[str]]]:
    """Start two `baken serve` processes at once, each on a free loopback port with the
    shared environment (and its own BAKEN_VAR_DIR); their base URLs once both answer.
    Every server started is stopped after the test."""
    started: list[subprocess.Popen[bytes]] = []

    def start(shared: Shared) -> list[str]:
        bases, processes = [], []
        for name in ("first", "second"):
            port = _free_port()
            log = (tmp_path / f"{name}.log").open("wb")
            process = subprocess.Popen(
                [*_baken(), "serve", "--host", "127.0.0.1", "--port", str(port)],
                env=shared.env | {"BAKEN_VAR_DIR": str(tmp_path / name)},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            started.append(process)
            processes.append(process)
            bases.append(f"http://127.0.0.1:{port}")
        for name, process, base in zip(("first", "second"), processes, bases, strict=True):
            _wait_until_it_answers(process, base, tmp_path / f"{name}.log")
        return bases

    yield start
    for process in started:
        process.terminate()
    for process in started:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_it_answers(process: subprocess.Popen[bytes], base: str, log: Path) -> None:
    deadline = time.monotonic() + 120
    while True:
        if process.poll() is not None:
            pytest.fail(f"baken serve stopped: {_tail(log)}")
        try:
            urllib.request.urlopen(f"{base}/account/login/", timeout=2).close()
            return
        except (urllib.error.URLError, OSError):
            if time.monotonic() > deadline:
                pytest.fail(f"baken serve did not answer within 120 s: {_tail(log)}")
            time.sleep(0.2)


def _tail(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")[-2000:]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@dataclass
class Response:
    status: int
    location: str
    body: str


class Browser:
    """One browser session (its own cookies) against one server; redirects not followed."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def _open(self, request: urllib.request.Request) -> Response:
        try:
            with self.opener.open(request, timeout=30) as answer:
                return Response(answer.status, answer.headers.get("Location", ""), _text(answer))
        except urllib.error.HTTPError as answer:
            return Response(answer.code, answer.headers.get("Location", ""), _text(answer))

    def get(self, path: str) -> Response:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, fields: dict[str, str]) -> Response:
        """Submit the form on ``path`` as a person does: load the page (for its CSRF token)
        and post the fields with the token."""
        page = self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        assert token is not None, f"no form on {path} ({page.status})"
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), **fields})
        return self._open(urllib.request.Request(self.base + path, data=data.encode("ascii")))


def _text(answer: object) -> str:
    return answer.read().decode("utf-8", errors="replace")  # type: ignore[attr-defined]


def _log_in(base: str, code: str) -> Response:
    """A fresh session on ``base``: the password, then ``code``."""
    browser = Browser(base)
    password = browser.post("/account/login/", {"login": USERNAME, "password": PASSWORD})
    assert (password.status, password.location) == (302, "/account/2fa/authenticate/")
    return browser.post("/account/2fa/authenticate/", {"code": code})


@dataclass(frozen=True)
class TwoServers:
    """What a test needs to set up its two servers."""

    tmp_path: Path
    keys: dict[str, str]
    migrated: Path
    start_servers: Callable[[Shared], list[str]]


@pytest.fixture
def two_servers(
    tmp_path: Path,
    keys: dict[str, str],
    migrated: Path,
    start_servers: Callable[[Shared], list[str]],
) -> TwoServers:
    return TwoServers(tmp_path, keys, migrated, start_servers)


def _replay_across_servers(
    two_servers: TwoServers, cache_url: str | None
) -> tuple[Shared, str, Response, Response]:
    """Log in with password and code on the first server, then in a fresh session on the
    second with the same code."""
    shared = _shared(two_servers.tmp_path, two_servers.keys, two_servers.migrated, cache_url)
    start_servers = two_servers.start_servers
    first, second = start_servers(shared)
    code = totp_code(shared.secret)
    return shared, code, _log_in(first, code), _log_in(second, code)


def test_a_code_used_on_one_server_is_refused_on_the_other_through_the_database(
    two_servers: TwoServers,
) -> None:
    """Database cache (the default): the login with password and code on the first server
    goes through; the same code in a fresh session on the second server is refused with
    the Dutch message, and the second server wrote one ``two_factor_failed`` line."""
    shared, _, first, second = _replay_across_servers(two_servers, None)
    found = _django(shared.env, FAILURES)
    assert (
        first.status,
        first.location,
        second.status,
        USED in second.body,
        found["lines"],
        found["stored_in_database"],
        "action=two_factor_failed" in _tail(two_servers.tmp_path / "second.log"),
    ) == (302, "/dossiers/", 200, True, [[shared.user_id, False, "login:replayed"]], 1, True)


def _redis() -> object:
    """A client for the test's Redis database, or a skip naming why there is none."""
    import redis

    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(
            f"Redis is not reachable on {REDIS_HOST}:{REDIS_PORT} ({exc}); .ci/run starts "
            "redis-server"
        )
    return client


def test_a_code_used_on_one_server_is_refused_on_the_other_through_redis(
    two_servers: TwoServers,
) -> None:
    """BAKEN_CACHE_URL=redis://…: the same, with the used code in Redis (its time to live
    the whole window, at most 120 s) and nothing in the database cache's table."""
    client = _redis()
    url = f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}"
    shared, code, first, second = _replay_across_servers(two_servers, url)
    found = _django(shared.env, FAILURES)
    key = f"baken-2fa:1:{used_code_key(shared.user_id, shared.secret, code)}"
    ttl = client.ttl(key)  # type: ignore[attr-defined]
    assert (
        first.status,
        second.status,
        USED in second.body,
        found["lines"],
        found["stored_in_database"],
        90 < ttl <= 120,
    ) == (302, 200, True, [[shared.user_id, False, "login:replayed"]], 0, True)


@pytest.mark.parametrize(
    "value",
    ["memcached://127.0.0.1:11211", "redis://", "redis://127.0.0.1:70000/0", "redis://h/x"],
)
def test_a_cache_url_that_is_not_redis_stops_baken_with_one_line(
    baken: Callable[..., CliResult], tmp_path: Path, value: str
) -> None:
    """BAKEN_CACHE_URL must be redis:// or rediss:// with a host (and a valid port and
    database number): anything else is one line naming the variable, exit 2."""
    env = {"BAKEN_VAR_DIR": str(tmp_path), "DATABASE_URL": "", "BAKEN_CACHE_URL": value}
    result = baken("worker", "--once", env=env)
    assert (result.code, result.stderr.count("\n"), "BAKEN_CACHE_URL" in result.stderr) == (
        2,
        1,
        True,
    )


def test_a_password_in_a_bad_cache_url_is_not_printed(
    baken: Callable[..., CliResult], tmp_path: Path
) -> None:
    """The message about a bad BAKEN_CACHE_URL does not repeat the URL, which may hold a
    password."""
    env = {
        "BAKEN_VAR_DIR": str(tmp_path),
        "DATABASE_URL": "",
        "BAKEN_CACHE_URL": "http://:geheim-wachtwoord@127.0.0.1:6379/0",
    }
    result = baken("worker", "--once", env=env)
    assert (result.code, "geheim-wachtwoord" in result.stderr + result.stdout) == (2, False)
