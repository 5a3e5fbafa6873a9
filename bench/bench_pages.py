"""Benchmark: every page type against gunicorn on loopback, beside a bare Django view.

    .venv/bin/python bench/bench_pages.py baken_bench_1k            # both modes, 15 s a run
    .venv/bin/python bench/bench_pages.py baken_bench_1k --modes single --duration 5

The database comes from ``bench/generate.py`` (its ``var/bench/<name>/env.json`` and
``bench.json``). For each mode:

- ``single``: one gunicorn (deploy/gunicorn.conf.py, 2 sync workers) in production mode
  (``BAKEN_ENV=production``, its own keys, ``BAKEN_TRUSTED_PROXIES=127.0.0.1``); the client
  says ``X-Forwarded-Proto: https`` and ``X-Forwarded-For`` as the TLS proxy in front would;
- ``scaleout``: two gunicorn servers (1 worker each, so the same two processes on this
  2-core machine) behind nginx on loopback, round robin, sessions in the database and the
  caches in Redis (``BAKEN_CACHE_URL``, when Redis answers on 127.0.0.1:6379) shared by
  both, and ``baken worker`` running once beside them (it integrates the new access-log
  lines and checkpoints).

Each benchmark user logs in as a person does (password, then the authenticator code), and
wrk (Debian's ``wrk``) asks each page with that session for ``--duration`` seconds at 1 and
at 50 connections: p50 and p95 latency, requests per second, non-2xx answers. The ratios are
to the bare view (``bench/bare.py``) of the same run. Every run is kept in
``var/bench/pages.json``, and the Markdown tables of every size run so far, with the
generator's times, replace the section "Pages at national scale" of ``bench/README.md``.

Requests go to 127.0.0.1 only, each run ends by itself after its duration. Figures only.
"""

from __future__ import annotations

import argparse
import base64
import hmac
import http.client
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
VAR = REPO / "var" / "bench"
RESULTS = VAR / "pages.json"
README = BENCH / "README.md"
HEADING = "## Pages at national scale"
BIN = Path(sys.executable).parent
WRK = shutil.which("wrk") or "/usr/bin/wrk"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CONNECTIONS = (1, 50)
CLIENT = "127.0.0.2"
"""The client's address as the (stood-in) proxy forwards it: Baken needs one (axes, limits)."""

PAGES: list[tuple[str, str, str]] = [
    # (name, user, path: {d10} and {d500} are the dossiers)
    ("bare view", "bench-50", "/bench/bare/"),
    ("dossier overview, 10 entries", "bench-50", "/dossiers/{d10}/"),
    ("dossier overview, 500 entries", "bench-50", "/dossiers/{d500}/"),
    ("step 4", "bench-50", "/dossiers/{d10}/stap/4/"),
    ("step 4, 500 entries", "bench-50", "/dossiers/{d500}/stap/4/"),
    ("list, 50 dossiers", "bench-50", "/dossiers/"),
    ("list, 5,000 dossiers", "bench-5000", "/dossiers/"),
    ("inbox (Veilig Thuis)", "bench-vt", "/binnengekomen/"),
    ('"Wie keek er", 500 entries', "bench-50", "/dossiers/{d500}/inzage/"),
    ("management (beheer)", "bench-admin", "/beheer/"),
    ("break-glass review", "bench-admin", "/beheer/noodtoegang/"),
]

WRK_SCRIPT = """
wrk.method = "GET"
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
wrk.headers["X-Forwarded-Proto"] = "https"
wrk.headers["X-Forwarded-For"] = "127.0.0.2"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %f, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"non2xx": %d, "timeouts": %d, "socket_errors": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.status, e.timeout, e.connect + e.read + e.write))
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now (RFC 6238: SHA-1, 6 digits, 30 s)."""
    counter = int(time.time()) // 30
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", counter), "sha1").digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


# --- A client that logs in ------------------------------------------------------------------


@dataclass
class Client:
    """Cookies by hand (Baken's are Secure; the TLS proxy is stood in for by the header)."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": CLIENT,
            "Host": f"127.0.0.1:{self.port}",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        body = None
        if data is not None:
            data = {**data, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
            body = urllib.parse.urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://127.0.0.1:{self.port}"
        conn.request("POST" if data is not None else "GET", path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        conn.close()
        return response.status, response.getheader("Location") or "", text

    def log_in(self, username: str, password: str, secret: str) -> None:
        self.request("/account/login/")
        status, where, _ = self.request(
            "/account/login/", {"login": username, "password": password}
        )
        if (status, where) != (302, "/account/2fa/authenticate/"):
            raise RuntimeError(f"{username}: the password step answered {status} {where}")
        self.request("/account/2fa/authenticate/")
        status, where, _ = self.request("/account/2fa/authenticate/", {"code": totp_code(secret)})
        if status != 302:
            raise RuntimeError(f"{username}: the code step answered {status}")

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())


# --- Servers --------------------------------------------------------------------------------


def server_env(name: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    env_file = VAR / name / "env.json"
    if not env_file.exists():
        raise SystemExit(f"no {env_file}: run bench/generate.py first")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BAKEN_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env |= json.loads(env_file.read_text(encoding="utf-8"))
    env |= {
        "BAKEN_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": os.pathsep.join([str(BENCH), str(REPO / "src")]),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "BAKEN_TRUSTED_PROXIES": "127.0.0.1",
        "BAKEN_SSL_REDIRECT": "0",
        "BAKEN_LOG_LEVEL": "WARNING",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        **(extra or {}),
    }
    return env


def collect_static(env: dict[str, str]) -> None:
    subprocess.run(  # noqa: S603 (our own django-admin)
        [str(BIN / "django-admin"), "collectstatic", "--noinput", "-v", "0"],
        env=env,
        cwd=REPO,
        check=True,
    )


class Process:
    def __init__(self, command: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("ab") as out:
            self.popen = subprocess.Popen(  # noqa: S603 (our own programs)
                command, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT
            )

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=10)


def gunicorn(env: dict[str, str], port: int, workers: int, log: Path) -> Process:
    env = {**env, "BAKEN_WEB_BIND": f"127.0.0.1:{port}", "BAKEN_WEB_WORKERS": str(workers)}
    config = str(REPO / "deploy" / "gunicorn.conf.py")
    return Process([str(BIN / "gunicorn"), "--config", config], env, log)


def wait_for(port: int, processes: list[Process], timeout: float = 90) -> None:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        for process in processes:
            if process.popen.poll() is not None:
                raise RuntimeError(f"a server stopped: {process.log.read_text()[-3000:]}")
        with suppress(OSError, http.client.HTTPException):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request(
                "GET", "/health/", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": CLIENT}
            )
            if conn.getresponse().status == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"port {port} did not answer /health/")


def nginx_conf(folder: Path, port: int, upstreams: list[int]) -> Path:
    servers = "\n".join(f"    server 127.0.0.1:{p};" for p in upstreams)
    user = "user root root;\n" if os.geteuid() == 0 else ""
    text = f"""{user}worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {folder}/body;
  proxy_temp_path {folder}/proxy;
  fastcgi_temp_path {folder}/fastcgi;
  uwsgi_temp_path {folder}/uwsgi;
  scgi_temp_path {folder}/scgi;
  upstream baken {{
{servers}
    keepalive 32;
  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://baken;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $remote_addr;
      # Stands in for the TLS proxy of deploy/nginx/baken.conf (https ends there).
      proxy_set_header X-Forwarded-Proto https;
      proxy_read_timeout 35s;
    }}
  }}
}}
"""
    path = folder / "nginx.conf"
    path.write_text(text, encoding="utf-8")
    return path


def redis_url() -> str:
    with suppress(OSError), socket.create_connection(("127.0.0.1", 6379), timeout=1) as sock:
        sock.sendall(b"PING\r\n")
        if sock.recv(16).startswith(b"+PONG"):
            return "redis://127.0.0.1:6379/7"
    return ""


# --- wrk ------------------------------------------------------------------------------------


def wrk(port: int, path: str, cookie: str, connections: int, duration: int, script: Path) -> dict:
    threads = 1 if connections == 1 else 2
    done = subprocess.run(  # noqa: S603 (wrk against our own loopback server)
        [
            WRK,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "30s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}{path}",
        ],
        env={**os.environ, "BENCH_COOKIE": cookie},
        capture_output=True,
        text=True,
        timeout=duration + 90,
        check=False,
    )
    match = re.search(r"^RESULT (\{.*\})$", done.stdout, re.MULTILINE)
    if not match:
        raise RuntimeError(f"wrk said: {done.stdout}\n{done.stderr}")
    result: dict[str, Any] = json.loads(match[1])
    result["rps"] = result["requests"] / result["seconds"] if result["seconds"] else 0.0
    return result


def run_mode(
    mode: str, name: str, info: dict[str, Any], duration: int, pages: list[tuple[str, str, str]]
) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix=f"baken-bench-{mode}-"))
    processes: list[Process] = []
    extra = {}
    if mode == "scaleout":
        cache = redis_url()
        if cache:
            extra["BAKEN_CACHE_URL"] = cache
    env = server_env(name, extra)
    collect_static(env)
    try:
        if mode == "single":
            port = free_port()
            processes.append(gunicorn(env, port, 2, folder / "gunicorn.log"))
            wait_for(port, processes)
        else:
            upstreams = [free_port(), free_port()]
            for number, upstream in enumerate(upstreams):
                processes.append(gunicorn(env, upstream, 1, folder / f"gunicorn-{number}.log"))
            for upstream in upstreams:
                wait_for(upstream, processes)
            port = free_port()
            conf = nginx_conf(folder, port, upstreams)
            processes.append(Process([NGINX, "-c", str(conf)], env, folder / "nginx.log"))
            worker_log = folder / "worker.log"
            processes.append(Process([str(BIN / "baken"), "worker"], env, worker_log))
            wait_for(port, processes)
        clients: dict[str, Client] = {}
        for username in sorted({user for _, user, _ in pages}):
            client = Client(port)
            client.log_in(username, info["password"], info["users"][username]["secret"])
            clients[username] = client
        script = folder / "report.lua"
        script.write_text(WRK_SCRIPT, encoding="utf-8")
        results: dict[str, Any] = {}
        for page, username, template in pages:
            path = template.format(d10=info["dossier_10"], d500=info["dossier_500"])
            status, where, _ = clients[username].request(path)
            row: dict[str, Any] = {"path": template, "user": username, "status": status}
            if status != 200:
                print(f"  {page}: answers {status} {where}; skipped", flush=True)
                results[page] = row
                continue
            for connections in CONNECTIONS:
                measured = wrk(
                    port, path, clients[username].cookie_header, connections, duration, script
                )
                row[str(connections)] = measured
                print(
                    f"  {mode:8} {page:34} {connections:>2} conn: p50 "
                    f"{measured['p50_us'] / 1000:7.1f} ms  p95 {measured['p95_us'] / 1000:7.1f} "
                    f"ms  {measured['rps']:7.1f} req/s  non-2xx {measured['non2xx']}",
                    flush=True,
                )
            results[page] = row
        return results
    finally:
        for process in reversed(processes):
            process.stop()
        shutil.rmtree(folder, ignore_errors=True)


# --- The README ----------------------------------------------------------------------------


def _ms(us: float) -> str:
    return f"{us / 1000:.1f}"


def _ratio(value: float, bare: float) -> str:
    return f"{value / bare:.1f}" if bare else "-"


def tables(results: dict[str, Any]) -> str:
    """The section: one table per mode, a column group per size, then the generator."""
    out = [
        HEADING,
        "",
        "`bench/generate.py SIZE` fills a database of its own per size (`baken_bench_1k`, "
        "…; synthetic, in bulk, `baken audit verify` passes on it); "
        "`bench/bench_pages.py baken_bench_1k` runs wrk against gunicorn in production mode "
        "on it (1 connection, then 50; each run "
        f"{results.get('duration', 15)} s) and rewrites this section from every size run so "
        "far. Loopback, this 2-core machine, PostgreSQL 15 on the same machine, other work "
        "on the machine at the same time possible. p50 and p95 in ms, with the ratio to the "
        "bare view of the same run (×; `bench/bare.py`, a 20-line template behind the same "
        "middleware); req/s at 50 connections. A page that did not answer 200 is marked so. "
        'Every page read writes its access-log lines, so "Wie keek er" grows during a run.',
        "",
    ]
    sizes = sorted(results.get("sizes", {}).items(), key=lambda item: item[1]["size"])
    for mode, title in (
        ("single", "One gunicorn, 2 workers"),
        ("scaleout", "Two gunicorn servers (1 worker each) behind nginx"),
    ):
        runs = [(label, size[mode]) for label, size in sizes if mode in size]
        if not runs:
            continue
        out += [f"### {title}", ""]
        header = ["page"]
        for label, _ in runs:
            header += [f"{label}: 1 user p50 (×)", f"{label}: 50 users p95 (×)", f"{label}: req/s"]
        out.append("| " + " | ".join(header) + " |")
        out.append("|" + "---|" * len(header))
        pages = list(dict.fromkeys(page for _, run in runs for page in run["pages"]))
        for page in pages:
            cells = [page]
            for _, run in runs:
                bare = run["pages"].get("bare view", {})
                row = run["pages"].get(page)
                if row is None or "1" not in row:
                    status = row.get("status") if row else "-"
                    cells += [f"answers {status}", "", ""]
                    continue
                one, fifty = row["1"], row["50"]
                b1 = bare.get("1", {}).get("p50_us", 0)
                b50 = bare.get("50", {}).get("p95_us", 0)
                errors = fifty["non2xx"] + fifty["timeouts"] + one["non2xx"] + one["timeouts"]
                mark = f" ({errors} not 2xx)" if errors else ""
                cells += [
                    f"{_ms(one['p50_us'])} ({_ratio(one['p50_us'], b1)})",
                    f"{_ms(fifty['p95_us'])} ({_ratio(fifty['p95_us'], b50)})",
                    f"{fifty['rps']:.1f}{mark}",
                ]
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    out += [
        "### The generator",
        "",
        "| size | dossiers | entries | access-log lines | processes | time | `audit verify` |",
        "|---|---|---|---|---|---|---|",
    ]
    generated = []
    for info_file in VAR.glob("*/bench.json"):
        info = json.loads(info_file.read_text(encoding="utf-8"))
        generated.append(info)
    for info in sorted(generated, key=lambda i: i["size"]):
        counts, timings = info["counts"], info["timings"]
        verify = f"{timings['verify']} s" if "verify" in timings else "-"
        out.append(
            f"| {info['name']} | {counts['dossier']:,} | {counts['entry']:,} | "
            f"{counts['event']:,} | {info['jobs']} | {timings['total']} s | {verify} |"
        )
    out.append("")
    return "\n".join(out)


def write_readme(section: str) -> None:
    text = README.read_text(encoding="utf-8")
    start = text.find(HEADING)
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        following = text.find("\n## ", start + len(HEADING))
        end = len(text) if following == -1 else following + 1
        text = text[:start] + section + ("\n" + text[end:] if following != -1 else "")
    README.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("name", help="a database made by bench/generate.py, e.g. baken_bench_1k")
    parser.add_argument("--duration", type=int, default=15, help="seconds per wrk run")
    parser.add_argument("--modes", default="single,scaleout")
    parser.add_argument("--pages", default="", help="only pages whose name contains this")
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument(
        "--readme-only", action="store_true", help="rewrite the section from var/bench/pages.json"
    )
    args = parser.parse_args(argv)
    if args.readme_only:
        write_readme(tables(json.loads(RESULTS.read_text(encoding="utf-8"))))
        return 0
    if not Path(WRK).exists():
        raise SystemExit("wrk is missing: apt-get install wrk")
    info = json.loads((VAR / args.name / "bench.json").read_text(encoding="utf-8"))
    sys.path.insert(0, str(REPO / "src"))
    pages = [p for p in PAGES if p[0] == "bare view" or args.pages in p[0]]
    stored: dict[str, Any] = {"sizes": {}}
    if RESULTS.exists():
        stored = json.loads(RESULTS.read_text(encoding="utf-8"))
    label = info["name"].removeprefix("baken_bench_")
    entry = stored["sizes"].setdefault(label, {})
    entry["size"] = info["size"]
    for mode in args.modes.split(","):
        if mode == "scaleout" and not Path(NGINX).exists():
            print("nginx is missing (apt-get install nginx): no scale-out run")
            continue
        print(f"{info['name']}: {mode}", flush=True)
        entry[mode] = {
            "pages": run_mode(mode, args.name, info, args.duration, pages),
            "at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }
    stored["duration"] = args.duration
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(stored, indent=2) + "\n", encoding="utf-8")
    if not args.no_readme:
        write_readme(tables(stored))
        print(f"written: {README.relative_to(REPO)}, section {HEADING!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
