"""Behind a reverse proxy (baken.web.proxy, issue 12 §4): what a request's headers may claim
depends on who sent it. Only a peer in BAKEN_TRUSTED_PROXIES says who the client is
(X-Forwarded-For) and that it used https (X-Forwarded-Proto); from anyone else those headers
count for nothing. The settings derived from it (the TLS header, CSRF origins, HSTS, the
lockout) are checked as a production start computes them, in a subprocess; the behaviour
through Django's test client with the peer's REMOTE_ADDR and the headers it sends.

The real deployment path, nginx in front of gunicorn, is tests/deploy/test_behind_nginx.py.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory, override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from baken.accounts.adapter import AccountAdapter
from baken.accounts.models import User
from baken.accounts.sessions import UserSession as Session
from baken.accounts.setup import from_this_machine, setup_link
from baken.audit.models import AccessEvent
from baken.crypto import Keyring
from baken.web.proxy import client_address, parse_trusted_proxies
from tests.fixtures import PASSWORD

PROXY = "127.0.0.1"
"""The nginx on this machine, the one trusted proxy of most tests here."""
TRUSTED = override_settings(BAKEN_TRUSTED_PROXIES=("127.0.0.1/32",))
BEHIND_TLS = override_settings(
    BAKEN_TRUSTED_PROXIES=("127.0.0.1/32",),
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    SECURE_SSL_REDIRECT=True,
    SECURE_HSTS_SECONDS=31_536_000,
    SESSION_COOKIE_SECURE=True,
    CSRF_COOKIE_SECURE=True,
    ALLOWED_HOSTS=["baken.example"],
    CSRF_TRUSTED_ORIGINS=["https://baken.example"],
)
"""Production's security settings as they are with BAKEN_TRUSTED_PROXIES=127.0.0.1."""


# --- The setting -----------------------------------------------------------------------------


def test_trusted_proxies_are_addresses_and_networks_written_out() -> None:
    """Addresses and CIDRs, spaces and empty items allowed, come back as networks; an empty
    value trusts nothing."""
    assert parse_trusted_proxies(" 127.0.0.1, 10.0.0.0/24,,::1 ") == (
        "127.0.0.1/32",
        "10.0.0.0/24",
        "::1/128",
    )
    assert parse_trusted_proxies("") == ()


@pytest.mark.parametrize("bad", ["proxy.example", "10.0.0.1/24", "300.1.1.1", "127.0.0.1;"])
def test_a_bad_trusted_proxy_is_refused(bad: str) -> None:
    """A name, a network with host bits set (a typo that would trust a whole /24) or any
    other non-address is a configuration error that names the setting and the entry."""
    with pytest.raises(ImproperlyConfigured) as refused:
        parse_trusted_proxies(f"127.0.0.1,{bad}")
    message = str(refused.value)
    assert message.startswith("BAKEN_TRUSTED_PROXIES must list IP addresses or networks")
    assert repr(bad) in message and "\n" not in message


def _settings(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Production settings as a start computes them from ``env``, printed as JSON."""
    script = (
        "import json, django\n"
        "django.setup()\n"
        "from django.conf import settings as s\n"
        "print(json.dumps({n: getattr(s, n, None) for n in ('SECURE_PROXY_SSL_HEADER',"
        " 'CSRF_TRUSTED_ORIGINS', 'SECURE_HSTS_SECONDS', 'SECURE_SSL_REDIRECT',"
        " 'AXES_LOCKOUT_PARAMETERS', 'AXES_CLIENT_IP_CALLABLE', 'BAKEN_TRUSTED_PROXIES')}))\n"
    )
    keep = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BAKEN_", "DATABASE_URL")) and k not in {"ALLOWED_HOSTS"}
    }
    return subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={
            **keep,
            "DJANGO_SETTINGS_MODULE": "baken.conf.settings",
            "BAKEN_ENV": "production",
            "BAKEN_VAR_DIR": str(tmp_path),
            "SECRET_KEY": secrets.token_urlsafe(50),
            "BAKEN_ENCRYPTION_KEYS": Keyring.generate(),
            "BAKEN_AUDIT_SIGNING_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
            "BAKEN_AUDIT_CHECKPOINT_DIR": str(tmp_path / "checkpoints"),
            "ALLOWED_HOSTS": "baken.example,.intern.example,*",
            **env,
        },
    )


def test_behind_a_trusted_proxy_production_trusts_its_tls_header_and_its_origins(
    tmp_path: Path,
) -> None:
    """With BAKEN_TRUSTED_PROXIES and BAKEN_SSL_REDIRECT=0: the proxy's X-Forwarded-Proto
    marks https, HSTS is on all the same, CSRF trusts https on every allowed host (a leading
    dot: its subdomains; "*" adds nothing) and BAKEN_BASE_URL's origin, port and all, and the
    lockout is by username and client address together, the address from Baken's function."""
    result = _settings(
        tmp_path,
        BAKEN_TRUSTED_PROXIES="127.0.0.1, 10.0.0.0/24",
        BAKEN_SSL_REDIRECT="0",
        BAKEN_BASE_URL="https://baken.example:8443",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == {
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "CSRF_TRUSTED_ORIGINS": [
            "https://baken.example",
            "https://*.intern.example",
            "https://baken.example:8443",
        ],
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_SSL_REDIRECT": False,
        "AXES_LOCKOUT_PARAMETERS": [["username", "ip_address"]],
        "AXES_CLIENT_IP_CALLABLE": "baken.web.proxy.client_address",
        "BAKEN_TRUSTED_PROXIES": ["127.0.0.1/32", "10.0.0.0/24"],
    }


def test_without_trusted_proxies_no_tls_header_is_believed(tmp_path: Path) -> None:
    """Unset, nothing is trusted: no SECURE_PROXY_SSL_HEADER, and only the allowed hosts'
    https origins (BAKEN_BASE_URL unset adds none)."""
    result = _settings(tmp_path)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.splitlines()[-1])
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    assert values["BAKEN_TRUSTED_PROXIES"] == []
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://baken.example", "https://*.intern.example"]
    assert values["SECURE_SSL_REDIRECT"] is True


def test_a_bad_trusted_proxy_stops_the_start_with_one_line(tmp_path: Path) -> None:
    """`baken` with a bad BAKEN_TRUSTED_PROXIES stops with one line naming it, no traceback."""
    baken = Path(sys.executable).with_name("baken")
    result = subprocess.run(
        [str(baken), "purge", "--dry-run"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={
            **os.environ,
            "BAKEN_VAR_DIR": str(tmp_path),
            "BAKEN_TRUSTED_PROXIES": "10.0.0.1/24",
        },
    )
    assert result.returncode != 0
    assert result.stderr.count("\n") == 1, result.stderr
    assert "BAKEN_TRUSTED_PROXIES" in result.stderr and "Traceback" not in result.stderr


# --- The client address ------------------------------------------------------------------------


def _request(remote: str, forwarded_for: str | None = None) -> object:
    headers = {} if forwarded_for is None else {"HTTP_X_FORWARDED_FOR": forwarded_for}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


@TRUSTED
def test_the_client_address_comes_from_a_trusted_proxy_only() -> None:
    """A trusted proxy's X-Forwarded-For names the client; anyone else's is ignored."""
    assert client_address(_request(PROXY, "198.51.100.7")) == "198.51.100.7"
    assert client_address(_request("192.0.2.50", "127.0.0.1")) == "192.0.2.50"
    assert client_address(_request("192.0.2.50")) == "192.0.2.50"


@TRUSTED
def test_a_forged_first_hop_does_not_hide_the_client() -> None:
    """Read from the right: what the client itself put in front of the proxy's own entry is
    not taken, and an IPv4-mapped IPv6 address is its IPv4 address."""
    assert client_address(_request(PROXY, "127.0.0.1, 203.0.113.9")) == "203.0.113.9"
    assert client_address(_request("::ffff:127.0.0.1", "203.0.113.9")) == "203.0.113.9"


@TRUSTED
def test_a_trusted_proxy_that_names_no_client_gives_no_address() -> None:
    """From a trusted proxy without a valid X-Forwarded-For there is no client address
    (never the proxy's own, which would make every client local and one)."""
    assert client_address(_request(PROXY)) is None
    assert client_address(_request(PROXY, "unknown")) is None
    assert client_address(_request(PROXY, "198.51.100.7, nonsense")) is None


@override_settings(BAKEN_TRUSTED_PROXIES=("10.0.0.0/24",))
def test_every_trusted_hop_is_passed_over() -> None:
    """Two trusted proxies in a row (a load balancer, then nginx): the first untrusted
    address from the right is the client; all trusted, the leftmost."""
    assert client_address(_request("10.0.0.5", "198.51.100.7, 10.0.0.9")) == "198.51.100.7"
    assert client_address(_request("10.0.0.5", "10.0.0.8, 10.0.0.9")) == "10.0.0.8"


_addresses = st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6)).map(str)


@TRUSTED
@settings(deadline=None, max_examples=300)
@given(forged=st.lists(_addresses, max_size=4), client=_addresses)
def test_whatever_a_client_forges_the_proxy_entry_wins(forged: list[str], client: str) -> None:
    """Whatever list a client sends in X-Forwarded-For, a proxy that appends the address it
    saw makes that address the client's, unless it is itself a trusted proxy address."""
    header = ", ".join([*forged, client])
    address = ipaddress.ip_address(client)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    got = client_address(_request(PROXY, header))
    if address in ipaddress.ip_network("127.0.0.1/32"):
        assert got is not None  # a hop further left, or the proxy address itself
    else:
        assert got == str(address)


@TRUSTED
def test_allauths_rate_limits_count_the_same_client_address() -> None:
    """django-allauth's per-address limits use Baken's client address, not the proxy's."""
    adapter = AccountAdapter()
    assert adapter.get_client_ip(_request(PROXY, "198.51.100.7")) == "198.51.100.7"


# --- https, HSTS and CSRF behind the proxy -------------------------------------------------------


@BEHIND_TLS
@pytest.mark.django_db
def test_through_the_trusted_proxy_https_is_not_redirected_and_has_hsts() -> None:
    """X-Forwarded-Proto: https from the trusted proxy: the page itself (no redirect loop),
    with HSTS and a Secure CSRF cookie."""
    response = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7").get(
        "/account/login/", HTTP_HOST="baken.example", HTTP_X_FORWARDED_PROTO="https"
    )
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000"
    assert response.cookies["csrftoken"]["secure"] is True


@BEHIND_TLS
@pytest.mark.django_db
def test_a_forged_tls_header_from_anyone_else_is_removed() -> None:
    """A client reaching the application server directly that claims https is sent to https
    (Django's redirect), gets no HSTS, and its header is gone before Django reads it."""
    response = Client(REMOTE_ADDR="192.0.2.50").get(
        "/account/login/", HTTP_HOST="baken.example", HTTP_X_FORWARDED_PROTO="https"
    )
    assert response.status_code == 301
    assert response["Location"] == "https://baken.example/account/login/"
    assert not response.has_header("Strict-Transport-Security")


@BEHIND_TLS
@pytest.mark.django_db
def test_plain_http_through_the_proxy_is_redirected_once() -> None:
    """The proxy saying http (or anything but https or http) is redirected to https."""
    for proto in ("http", "https, http"):
        response = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7").get(
            "/account/login/", HTTP_HOST="baken.example", HTTP_X_FORWARDED_PROTO=proto
        )
        assert response.status_code == 301, proto


@override_settings(
    BAKEN_TRUSTED_PROXIES=("127.0.0.1/32",),
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    SECURE_SSL_REDIRECT=False,
    SECURE_HSTS_SECONDS=31_536_000,
    ALLOWED_HOSTS=["baken.example"],
)
@pytest.mark.django_db
def test_hsts_without_the_redirect() -> None:
    """BAKEN_SSL_REDIRECT=0 (the proxy redirects): https responses still carry HSTS."""
    response = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7").get(
        "/account/login/", HTTP_HOST="baken.example", HTTP_X_FORWARDED_PROTO="https"
    )
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000"


def _login_post(origin: str, professional: User) -> int:
    client = Client(
        enforce_csrf_checks=True, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    secure = {"HTTP_HOST": "baken.example", "HTTP_X_FORWARDED_PROTO": "https"}
    client.get("/account/login/", **secure)
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/account/login/",
        {"login": professional.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        HTTP_ORIGIN=origin,
        **secure,
    )
    return response.status_code


@BEHIND_TLS
def test_the_login_post_from_the_sites_own_origin_passes_csrf(professional: User) -> None:
    """Origin https://<host> through the proxy: CSRF passes, the password is accepted and
    the second step follows (302)."""
    assert _login_post("https://baken.example", professional) == 302


@BEHIND_TLS
def test_a_foreign_origin_gets_the_dutch_403(professional: User) -> None:
    """Another site's Origin is refused with the Dutch 403 page, nobody logged in."""
    client = Client(
        enforce_csrf_checks=True, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    secure = {"HTTP_HOST": "baken.example", "HTTP_X_FORWARDED_PROTO": "https"}
    client.get("/account/login/", **secure)
    response = client.post(
        "/account/login/",
        {
            "login": professional.username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
        HTTP_ORIGIN="https://aanvaller.example",
        **secure,
    )
    assert response.status_code == 403
    assert "Niet toegestaan" in response.content.decode()
    assert "_auth_user_id" not in client.session


# --- The first-run set-up link -----------------------------------------------------------------


@TRUSTED
@pytest.mark.django_db
def test_the_setup_link_through_the_proxy_works_only_for_a_client_on_this_machine() -> None:
    """Behind the trusted nginx: a client it forwards from loopback may open the set-up
    page; one from elsewhere, or a request in which the proxy names no client, gets 404."""
    link = setup_link("https://baken.example")
    assert link is not None
    path = link.removeprefix("https://baken.example")
    assert Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7").get(path).status_code == (
        404
    )
    assert Client(REMOTE_ADDR=PROXY).get(path).status_code == 404
    assert Client(REMOTE_ADDR="192.0.2.50", HTTP_X_FORWARDED_FOR="127.0.0.1").get(
        path
    ).status_code == (404)
    assert Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="127.0.0.1").get(path).status_code == (
        200
    )
    assert Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="::1").get(path).status_code == 200


def test_from_this_machine_without_a_trusted_proxy() -> None:
    """Nothing trusted: straight from loopback only; a loopback peer that forwards for
    someone (an nginx Baken was not told about) is not this machine."""
    factory = RequestFactory()
    assert from_this_machine(factory.get("/", REMOTE_ADDR="127.0.0.1")) is True
    assert from_this_machine(factory.get("/", REMOTE_ADDR="127.0.0.2")) is True
    assert from_this_machine(factory.get("/", REMOTE_ADDR="192.0.2.50")) is False
    for header in ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP"):
        request = factory.get("/", REMOTE_ADDR="127.0.0.1", **{header: "127.0.0.1"})
        assert from_this_machine(request) is False, header


# --- The lockout, by username and address --------------------------------------------------------


def _attempt(forwarded_for: str, username: str, password: str, *, remote: str = PROXY) -> int:
    client = Client(REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded_for)
    response = client.post("/account/login/", {"login": username, "password": password})
    return response.status_code


@TRUSTED
def test_made_up_usernames_lock_nobody_out(professional: User) -> None:
    """Five wrong logins with made-up usernames from one client address: the real user, from
    that same address, still logs in (each username counts apart)."""
    attacker = "203.0.113.7"
    for n in range(5):
        assert _attempt(attacker, f"verzonnen-{n}", "fout-wachtwoord-1") == 200
    assert _attempt(attacker, professional.username, PASSWORD) == 302


@TRUSTED
def test_five_wrong_passwords_lock_the_username_from_that_address_only(
    professional: User,
) -> None:
    """Five wrong passwords for a real username from the attacker's address lock that
    username from that address, right password included (429); the real user, from another
    address behind the same proxy, logs in."""
    attacker = "203.0.113.7"
    statuses = [_attempt(attacker, professional.username, "fout-wachtwoord-1") for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert _attempt(attacker, professional.username, PASSWORD) == 429
    assert _attempt("198.51.100.20", professional.username, PASSWORD) == 302


@TRUSTED
def test_a_forged_forwarded_for_does_not_escape_the_lockout(professional: User) -> None:
    """A client that reaches the application server directly and sends a new X-Forwarded-For
    each time is still one address: locked after five."""
    statuses = [
        _attempt(f"198.51.100.{n}", professional.username, "fout-1", remote="192.0.2.50")
        for n in range(6)
    ]
    assert statuses == [200, 200, 200, 200, 429, 429]


# --- The health endpoint --------------------------------------------------------------------------


@pytest.mark.django_db
def test_health_answers_ok_without_a_session_or_a_log_line() -> None:
    """GET /health/: 200 {"status": "ok"}, not cached, no cookie, no session, no access-log
    line; a POST is refused (405)."""
    sessions, events = Session.objects.count(), AccessEvent.objects.count()
    client = Client()
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies
    assert (Session.objects.count(), AccessEvent.objects.count()) == (sessions, events)
    assert client.post("/health/").status_code == 405


def test_health_is_503_when_the_database_does_not_answer(tmp_path: Path) -> None:
    """With a database that is not there (PostgreSQL on a closed port): 503
    {"status": "unavailable"}, and nothing else about why."""
    script = (
        "import json, django\n"
        "django.setup()\n"
        "from django.test import Client\n"
        "r = Client().get('/health/', HTTP_HOST='localhost')\n"
        "print(r.status_code, r.content.decode())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "baken.conf.settings",
            "BAKEN_VAR_DIR": str(tmp_path),
            "DATABASE_URL": "postgres://postgres@127.0.0.1:9/baken_absent",
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == '503 {"status": "unavailable"}'
