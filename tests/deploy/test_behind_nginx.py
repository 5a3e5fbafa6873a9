"""The real deployment path (issue 12 §4; docs/deploy.md): Debian's nginx with the repository's
own deploy/nginx/baken.conf and a self-signed certificate, in front of gunicorn with
deploy/gunicorn.conf.py, in production mode (BAKEN_ENV=production, a SQLite file, its own
keys, BAKEN_TRUSTED_PROXIES=127.0.0.1).

A client on another machine is a process in a network namespace the test makes itself: a
veth pair on made-up addresses (10.213.N.1 for this host, 10.213.N.2 for the "remote"
client; nginx listens on both loopback and 10.213.N.1), removed again at the end. No packet
goes anywhere but loopback and that pair. Where namespaces are not permitted (no root), a
second nginx listener on loopback stands for the remote client: it is the same server block
but sets ``X-Forwarded-For: 203.0.113.7`` (a documentation address), as a second proxy hop
in front would; the direct-to-gunicorn probe is then left out, since loopback is trusted.
"""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from baken.crypto import Keyring
from tests.deploy.https_client import Answer, Browser
from tests.support import totp_code

pytestmark = pytest.mark.deploy

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
HOST = "baken.test"
PASSWORD = "proef-wachtwoord-42!"
USERNAME = "proef-professional"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _certificate(directory: Path, addresses: list[str]) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for HOST and ``addresses``: (ca, chain, key) files."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Baken deploy test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = [x509.DNSName(HOST)]
    names += [x509.IPAddress(ipaddress.ip_address(a)) for a in addresses]
    server = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, chain_file, key_file = (directory / n for n in ("ca.pem", "chain.pem", "key.pem"))
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    chain_file.write_bytes(
        server.public_bytes(serialization.Encoding.PEM)
        + ca.public_bytes(serialization.Encoding.PEM)
    )
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_file.chmod(0o600)
    return ca_file, chain_file, key_file


def _replace(text: str, old: str, new: str, count: int = 1) -> str:
    """Replace ``old`` exactly ``count`` times, so the test fails when the example changes."""
    assert text.count(old) == count, f"deploy/nginx/baken.conf no longer has {old!r} {count}x"
    return text.replace(old, new)


@dataclass
class Namespace:
    """A network namespace with one end of a veth pair: the "remote" client lives there."""

    name: str
    outer: str  # this host's address on the pair
    inner: str  # the client's address

    def run(self, plan: dict[str, Any]) -> list[dict[str, Any]]:
        result = subprocess.run(
            ["ip", "netns", "exec", self.name, sys.executable, "-m", "tests.deploy.https_client"],
            input=json.dumps(plan),
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        answers: list[dict[str, Any]] = json.loads(result.stdout)
        return answers


def _make_namespace() -> tuple[Namespace | None, list[list[str]]]:
    """A namespace and veth pair on 10.213.N.0/30 (N random), or None where not permitted;
    with the commands that remove them again."""
    if os.geteuid() != 0 or shutil.which("ip") is None:
        return None, []
    suffix = secrets.token_hex(3)
    subnet = random.randrange(1, 250)  # noqa: S311 (an address, not a secret)
    name, outer_if, inner_if = f"baken-{suffix}", f"bkn{suffix}a", f"bkn{suffix}b"
    outer, inner = f"10.213.{subnet}.1", f"10.213.{subnet}.2"
    cleanup = [["ip", "netns", "del", name], ["ip", "link", "del", outer_if]]
    steps = [
        ["ip", "netns", "add", name],
        ["ip", "link", "add", outer_if, "type", "veth", "peer", "name", inner_if],
        ["ip", "link", "set", inner_if, "netns", name],
        ["ip", "addr", "add", f"{outer}/30", "dev", outer_if],
        ["ip", "link", "set", outer_if, "up"],
        ["ip", "netns", "exec", name, "ip", "addr", "add", f"{inner}/30", "dev", inner_if],
        ["ip", "netns", "exec", name, "ip", "link", "set", inner_if, "up"],
        ["ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"],
    ]
    for step in steps:
        if subprocess.run(step, capture_output=True, timeout=30, check=False).returncode != 0:
            _run_all(cleanup)
            return None, []
    return Namespace(name, outer, inner), cleanup


def _run_all(commands: list[list[str]]) -> None:
    for command in commands:
        subprocess.run(command, capture_output=True, timeout=30, check=False)


def _wait_for(check: Any, what: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{what} stopped: {log.read_text(errors='replace')[-3000:]}")
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"{what} did not start: {log.read_text(errors='replace')[-3000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Deployment:
    https_port: int
    http_port: int
    gunicorn_port: int
    ca: Path
    namespace: Namespace | None
    remote_port: int  # the fallback listener (no namespace), else https_port on the pair
    secret: str  # the user's authenticator secret
    setup_probes: dict[str, Answer]
    gunicorn_log: Path
    started_in: float

    @property
    def origin(self) -> str:
        return f"https://{HOST}:{self.https_port}"

    def local(self) -> Browser:
        """A client on this machine, through nginx."""
        return Browser("127.0.0.1", self.https_port, f"{HOST}:{self.https_port}", str(self.ca))

    def remote(self, plan_steps: list[dict[str, Any]]) -> list[Answer]:
        """``plan_steps`` from a client on another machine, through nginx."""
        if self.namespace is not None:
            clients = {
                "remote": {
                    "address": self.namespace.outer,
                    "port": self.https_port,
                    "host": f"{HOST}:{self.https_port}",
                    "cafile": str(self.ca),
                },
                "direct": {
                    "address": self.namespace.outer,
                    "port": self.gunicorn_port,
                    "host": f"{HOST}:{self.https_port}",
                    "tls": False,
                },
            }
            answers = self.namespace.run({"clients": clients, "steps": plan_steps})
            return [
                Answer(a["status"], [tuple(h) for h in a["headers"]], a["body"]) for a in answers
            ]
        browsers = {
            "remote": Browser(
                "127.0.0.1", self.remote_port, f"{HOST}:{self.https_port}", str(self.ca)
            )
        }
        out = []
        for step in plan_steps:
            browser = browsers[step["client"]]
            if step["method"] == "POST":
                out.append(browser.post(step["path"], step["form"], origin=step.get("origin")))
            else:
                out.append(browser.request("GET", step["path"], headers=step.get("headers")))
        return out


def _production_env(var: Path, https_port: int, gunicorn_binds: list[str]) -> dict[str, str]:
    inherited = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BAKEN_", "DJANGO_", "PYTEST_"))
        and k not in {"DATABASE_URL", "ALLOWED_HOSTS", "SECRET_KEY", "EMAIL_BACKEND"}
    }
    return {
        **inherited,
        "BAKEN_ENV": "production",
        "BAKEN_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'baken.sqlite3'}",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "BAKEN_ENCRYPTION_KEYS": Keyring.generate(),
        "BAKEN_AUDIT_SIGNING_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "BAKEN_AUDIT_CHECKPOINT_DIR": str(var / "checkpoints"),
        "BAKEN_TRUSTED_PROXIES": "127.0.0.1",
        "ALLOWED_HOSTS": HOST,
        "BAKEN_BASE_URL": f"https://{HOST}:{https_port}",
        "BAKEN_WEB_BIND": ",".join(gunicorn_binds),
        "BAKEN_WEB_WORKERS": "2",
        "DJANGO_SETTINGS_MODULE": "baken.conf.settings",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "PYTHONPATH": str(ROOT),
    }


def _django(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [str(Path(sys.executable).with_name("django-admin")), *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


CREATE_USER = f"""
import django
django.setup()
from baken.accounts.models import Organisation, OrganisationKind, Role, User
from tests.support import enrol_totp
organisation = Organisation.objects.create(name="Wijkteam Proef", kind=OrganisationKind.OTHER)
user = User.objects.create_user(
    username={USERNAME!r}, password={PASSWORD!r}, role=Role.PROFESSIONAL,
    organisation=organisation,
)
print(enrol_totp(user))
"""


@pytest.fixture(scope="module")
def deployment() -> Iterator[Deployment]:
    """nginx (TLS) → gunicorn (two workers) → Baken in production mode, with a migrated
    SQLite database; the set-up link is probed while there are no users, then one
    professional with an authenticator app is created."""
    if not Path(NGINX).exists():
        pytest.fail("nginx not found; install Debian's nginx package (.ci/run does)")
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="baken-deploy-"))
    tmp.chmod(0o755)
    cleanup: list[list[str]] = []
    processes: list[subprocess.Popen[bytes]] = []
    try:
        namespace, cleanup = _make_namespace()
        https_port, http_port, gunicorn_port, remote_port = (_free_port() for _ in range(4))
        addresses = ["127.0.0.1"] + ([namespace.outer] if namespace else [])
        ca, chain, key = _certificate(tmp, addresses)
        var = tmp / "var"
        var.mkdir()
        binds = [f"{a}:{gunicorn_port}" for a in addresses]
        env = _production_env(var, https_port, binds)
        _django(env, "migrate", "--noinput", "--verbosity", "0")
        _django(env, "collectstatic", "--noinput", "--verbosity", "0")

        gunicorn_log = tmp / "gunicorn.log"
        with gunicorn_log.open("wb") as log:
            gunicorn = subprocess.Popen(  # noqa: S603
                [
                    str(Path(sys.executable).with_name("gunicorn")),
                    "--config",
                    str(ROOT / "deploy" / "gunicorn.conf.py"),
                ],
                cwd=var,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        processes.append(gunicorn)
        direct = Browser("127.0.0.1", gunicorn_port, HOST, tls=False)
        _wait_for(lambda: direct.get("/health/").status == 200, "gunicorn", gunicorn, gunicorn_log)

        site = (ROOT / "deploy" / "nginx" / "baken.conf").read_text(encoding="utf-8")
        site = _replace(site, "server 127.0.0.1:8000;", f"server 127.0.0.1:{gunicorn_port};")
        site = _replace(site, "server_name baken.example.nl;", f"server_name {HOST};", 2)
        site = _replace(site, "/etc/ssl/baken/fullchain.pem", str(chain))
        site = _replace(site, "/etc/ssl/baken/privkey.pem", str(key))
        site = _replace(site, "/var/log/nginx/baken-access.log", str(tmp / "access.log"), 2)
        site = _replace(
            site, "    listen 80;\n    listen [::]:80;\n", f"    listen 127.0.0.1:{http_port};\n"
        )
        listens = "".join(f"    listen {a}:{https_port} ssl http2;\n" for a in addresses)
        site = _replace(
            site, "    listen 443 ssl http2;\n    listen [::]:443 ssl http2;\n", listens
        )
        if namespace is None:
            # The stand-in for a remote client: the same TLS server block on another loopback
            # port, naming a documentation address as the client (a second proxy hop).
            block = site[site.rindex("server {") :]
            block = block.replace(listens, f"    listen 127.0.0.1:{remote_port} ssl http2;\n")
            block = block.replace(
                "proxy_set_header X-Forwarded-For $remote_addr;",
                "proxy_set_header X-Forwarded-For 203.0.113.7;",
            )
            site += "\n" + block
        (tmp / "baken.conf").write_text(site, encoding="utf-8")
        nginx_temp = tmp / "nginx-temp"
        nginx_temp.mkdir()
        nginx_temp.chmod(0o777)
        (tmp / "nginx.conf").write_text(
            ("user root;\n" if os.geteuid() == 0 else "")
            + f"""worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {nginx_temp}/body;
    proxy_temp_path {nginx_temp}/proxy;
    fastcgi_temp_path {nginx_temp}/fastcgi;
    uwsgi_temp_path {nginx_temp}/uwsgi;
    scgi_temp_path {nginx_temp}/scgi;
    include {tmp}/baken.conf;
}}
""",
            encoding="utf-8",
        )
        nginx_command = [NGINX, "-p", str(tmp), "-c", str(tmp / "nginx.conf")]
        tested = subprocess.run(
            [*nginx_command, "-t"], capture_output=True, text=True, timeout=30, check=False
        )
        assert tested.returncode == 0, tested.stderr
        nginx_log = tmp / "nginx-stderr.log"
        with nginx_log.open("wb") as log:
            nginx = subprocess.Popen(  # noqa: S603
                [*nginx_command, "-g", "daemon off;"], stdout=log, stderr=subprocess.STDOUT
            )
        processes.append(nginx)
        local = Browser("127.0.0.1", https_port, f"{HOST}:{https_port}", str(ca))
        _wait_for(lambda: local.get("/health/").status == 200, "nginx", nginx, nginx_log)

        # The set-up link, while there are no users: gunicorn printed it at start.
        match = re.search(
            r"https://" + re.escape(f"{HOST}:{https_port}") + r"(/beheer/installatie/\S+/)",
            gunicorn_log.read_text(errors="replace"),
        )
        assert match, gunicorn_log.read_text(errors="replace")
        setup_path = match.group(1)
        deployment = Deployment(
            https_port,
            http_port,
            gunicorn_port,
            ca,
            namespace,
            remote_port,
            "",
            {},
            gunicorn_log,
            0.0,
        )
        steps: list[dict[str, Any]] = [{"client": "remote", "method": "GET", "path": setup_path}]
        if namespace is not None:
            # Straight to gunicorn from the other machine, claiming to be a local client
            # that came in over https.
            steps.append(
                {
                    "client": "direct",
                    "method": "GET",
                    "path": setup_path,
                    "headers": {"X-Forwarded-For": "127.0.0.1", "X-Forwarded-Proto": "https"},
                }
            )
        answers = deployment.remote(steps)
        deployment.setup_probes["remote"] = answers[0]
        if namespace is not None:
            deployment.setup_probes["direct"] = answers[1]
        deployment.setup_probes["local"] = local.get(setup_path)

        secret = subprocess.run(
            [sys.executable, "-c", CREATE_USER],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
            env=env,
            check=False,
        )
        assert secret.returncode == 0, secret.stderr
        deployment.secret = secret.stdout.strip().splitlines()[-1]
        deployment.started_in = time.monotonic() - started
        yield deployment
    finally:
        for process in reversed(processes):
            _stop(process)
        _run_all(cleanup)
        shutil.rmtree(tmp, ignore_errors=True)


def _log_in(browser: Browser, secret: str, *, offset: int = 0) -> list[Answer]:
    """Password, then the authenticator code, then the page Baken sends the user to."""
    browser.get("/account/login/")
    password = browser.post("/account/login/", {"login": USERNAME, "password": PASSWORD})
    assert password.status == 302, password.status
    assert password.header("Location") == "/account/2fa/authenticate/"
    browser.get("/account/2fa/authenticate/")
    code = browser.post("/account/2fa/authenticate/", {"code": totp_code(secret, offset=offset)})
    landing = browser.get(code.header("Location") or "/")
    return [password, code, landing]


def test_a_professional_logs_in_through_nginx_with_password_and_code(
    deployment: Deployment,
) -> None:
    """Through nginx over TLS: the password, then the authenticator code, lead to the
    dossier list (200), in a session whose cookie is Secure and HttpOnly."""
    browser = deployment.local()
    password, code, landing = _log_in(browser, deployment.secret)
    assert code.status == 302 and code.header("Location") == "/dossiers/"
    assert landing.status == 200
    assert "<h1" in landing.body and "Dossiers" in landing.body
    session = next(c for c in code.set_cookies() if c.startswith("sessionid="))
    assert "; Secure" in session and "; HttpOnly" in session


def test_https_carries_hsts_secure_cookies_and_csp_and_csrf_holds(
    deployment: Deployment,
) -> None:
    """Through nginx: the login page itself (no redirect, so no loop) with HSTS, a CSP with a
    nonce and a Secure CSRF cookie; plain http is sent to https once; a login POST whose
    Origin is the site (with its port, as a browser sends, or without) passes CSRF, one from
    another site gets the Dutch 403."""
    browser = deployment.local()
    page = browser.get("/account/login/")
    assert page.status == 200
    assert page.header("Strict-Transport-Security") == (
        "max-age=31536000; includeSubDomains; preload"
    )
    assert re.search(
        r"script-src 'self' 'nonce-[^']+'", page.header("Content-Security-Policy") or ""
    )
    csrf = next(c for c in page.set_cookies() if c.startswith("csrftoken="))
    assert "; Secure" in csrf

    plain = Browser("127.0.0.1", deployment.http_port, f"{HOST}:{deployment.http_port}", tls=False)
    redirect = plain.get("/account/login/")
    assert redirect.status == 301
    assert redirect.header("Location") == f"https://{HOST}/account/login/"

    wrong = {"login": USERNAME, "password": "fout-wachtwoord-1"}
    for origin in (deployment.origin, f"https://{HOST}"):
        answer = deployment.local().post("/account/login/", wrong, origin=origin)
        assert answer.status == 200 and "Niet toegestaan" not in answer.body, origin
    foreign = deployment.local().post("/account/login/", wrong, origin="https://aanvaller.test")
    assert foreign.status == 403
    assert "Niet toegestaan" in foreign.body


def test_the_setup_link_is_refused_from_a_client_on_another_machine(
    deployment: Deployment,
) -> None:
    """While no user existed, the set-up link printed by gunicorn at start was 404 for a
    client on another machine through nginx, and reaching gunicorn directly with forged
    X-Forwarded-For: 127.0.0.1 and X-Forwarded-Proto: https was not believed (sent to https
    first); the same link opened from this machine through nginx (200)."""
    assert deployment.setup_probes["remote"].status == 404
    if deployment.namespace is not None:
        direct = deployment.setup_probes["direct"]
        assert direct.status == 301
        assert (direct.header("Location") or "").startswith(f"https://{HOST}")
    assert deployment.setup_probes["local"].status == 200


def test_the_lockout_hits_the_attackers_username_and_address_not_the_real_user(
    deployment: Deployment,
) -> None:
    """From another machine: five wrong logins with made-up usernames lock nothing, five
    wrong passwords for the real username lock that username from that address (429, the
    right password too); the real user, on this machine, still logs in with password and
    code."""
    made_up = [
        {
            "client": "remote",
            "method": "POST",
            "path": "/account/login/",
            "form": {"login": f"verzonnen-{n}", "password": "fout-wachtwoord-1"},
        }
        for n in range(5)
    ]
    real_wrong = [
        {
            "client": "remote",
            "method": "POST",
            "path": "/account/login/",
            "form": {"login": USERNAME, "password": "fout-wachtwoord-1"},
        }
        for _ in range(5)
    ]
    real_right = {
        "client": "remote",
        "method": "POST",
        "path": "/account/login/",
        "form": {"login": USERNAME, "password": PASSWORD},
    }
    answers = deployment.remote([*made_up, *real_wrong, real_right])
    assert [a.status for a in answers] == [200] * 5 + [200, 200, 200, 200, 429, 429]
    assert "tijdelijk geblokkeerd" in answers[-1].body
    _, code, landing = _log_in(deployment.local(), deployment.secret, offset=1)
    assert code.header("Location") == "/dossiers/"
    assert landing.status == 200


def test_health_answers_through_nginx(deployment: Deployment) -> None:
    """/health/ through nginx: 200 {"status": "ok"}, with no cookie."""
    answer = deployment.local().get("/health/")
    assert (answer.status, json.loads(answer.body)) == (200, {"status": "ok"})
    assert answer.set_cookies() == []
