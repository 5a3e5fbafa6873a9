"""Lighthouse report of Baken's main pages at mobile size (`make lighthouse`).

A report, not a test: it always exits 0 once the reports are written, and prints a table
of the scores (performance, accessibility, best practices) and console errors per page.

What it does:
1. installs Lighthouse (the version pinned below) from npm into var/lighthouse/, once;
2. makes a temporary BAKEN_VAR_DIR, fills it with the synthetic demo data (`baken demo`),
   gives the demo professional an authenticator app and a logged-in session (as the tests
   do: two-factor authentication counts as done once the account has an app and the
   session is logged in) and prints nothing of it;
3. starts `baken serve` on a free port, exactly as `make run` does (static files collected,
   compressed, hashed names);
4. runs Lighthouse (mobile emulation, Debian's Chromium through CHROME_PATH) on the login
   page, the handbook, the dossier list, a dossier overview and step 1, passing the
   session cookie with --extra-headers for the pages behind the login;
5. writes var/lighthouse/<page>.report.html and .report.json and prints the summary.

Run from the repository root: `.venv/bin/python scripts/lighthouse.py`.
"""

# ruff: noqa: S603, S607 (runs our own fixed commands: npm, baken, lighthouse)
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

LIGHTHOUSE = "12.8.2"  # the last line that runs on Node 20 (13.x needs Node 22)
ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "var" / "lighthouse"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu"
USERNAME = "demo-professional"


def _lighthouse_bin() -> Path:
    binary = OUT / "node_modules" / ".bin" / "lighthouse"
    installed = OUT / "node_modules" / "lighthouse" / "package.json"
    if installed.exists() and json.loads(installed.read_text())["version"] == LIGHTHOUSE:
        return binary
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "package.json").write_text('{"private": true}\n', encoding="utf-8")
    print(f"installing lighthouse {LIGHTHOUSE} into {OUT.relative_to(ROOT)}/ …", flush=True)
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--silent", f"lighthouse@{LIGHTHOUSE}"],
        cwd=OUT,
        check=True,
    )
    return binary


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _baken() -> str:
    script = Path(sys.executable).with_name("baken")
    return str(script) if script.exists() else shutil.which("baken") or "baken"


def _session_and_pages() -> tuple[str, str, dict[str, str]]:
    """Log the demo professional in (in this process, on the server's database) and name
    the pages to report on: page name -> path."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baken.conf.settings")
    os.environ.setdefault("BAKEN_LOG_LEVEL", "WARNING")
    django.setup()
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from baken.accounts.models import User
    from baken.dossiers import selectors

    user = User.objects.get(username=USERNAME)
    TOTP.activate(user, generate_totp_secret())
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    dossier = selectors.dossiers_for(user, status="open")[0]
    pages = {
        "login": reverse("account_login"),
        "handbook": reverse("web:home"),
        "list": reverse("dossiers:list"),
        "dossier": reverse("dossiers:detail", args=[dossier.pk]),
        "step-1": reverse("dossiers:step", args=[dossier.pk, 1]),
    }
    return settings.SESSION_COOKIE_NAME, cookie, pages


def _wait_for(url: str, server: subprocess.Popen[bytes]) -> None:
    for _ in range(120):
        if server.poll() is not None:
            raise SystemExit(f"baken serve stopped (exit {server.returncode})")
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 (our own local server)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"baken serve did not answer on {url}")


def _summary(report: dict) -> tuple[str, str, str, str, str]:
    def score(category: str) -> str:
        value = report["categories"][category]["score"]
        return "-" if value is None else str(round(value * 100))

    errors = report["audits"]["errors-in-console"].get("details", {}).get("items", [])
    cpu = str(round(report["environment"]["benchmarkIndex"]))
    return (
        score("performance"),
        score("accessibility"),
        score("best-practices"),
        str(len(errors)),
        cpu,
    )


def _failures(report: dict) -> list[str]:
    """The audits that cost points, with the selectors Lighthouse names."""
    lines = []
    for category in ("performance", "accessibility", "best-practices"):
        for ref in report["categories"][category]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref["weight"] == 0 and audit["id"] != "errors-in-console":
                continue
            if audit["score"] is None or audit["score"] >= 0.9:
                continue
            items = audit.get("details", {}).get("items", [])
            where = []
            for item in items[:5]:
                node = item.get("node") or {}
                where.append(
                    node.get("selector")
                    or item.get("url")
                    or item.get("description")
                    or item.get("source", "")
                )
            detail = audit.get("displayValue", "")
            lines.append(f"  {category}: {audit['title']} {detail} {'; '.join(map(str, where))}")
    return lines


def main() -> int:
    lighthouse = _lighthouse_bin()
    var_dir = Path(tempfile.mkdtemp(prefix="baken-lighthouse-"))
    env = {**os.environ, "BAKEN_VAR_DIR": str(var_dir), "BAKEN_ENV": "development"}
    env.pop("DATABASE_URL", None)
    env.pop("BAKEN_DEBUG", None)
    os.environ.update({"BAKEN_VAR_DIR": str(var_dir), "BAKEN_ENV": "development"})
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("BAKEN_DEBUG", None)
    subprocess.run([_baken(), "demo"], env=env, check=True, stdout=subprocess.DEVNULL)
    cookie_name, cookie, pages = _session_and_pages()

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [_baken(), "serve", "--port", str(port)],
        env={**env, "BAKEN_LOG_LEVEL": "WARNING"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    rows = []
    details = []
    warnings: set[str] = set()
    failed: list[str] = []
    try:
        _wait_for(f"{base}{pages['login']}", server)
        for name, path in pages.items():
            target = OUT / name
            command = [
                str(lighthouse),
                f"{base}{path}",
                "--quiet",
                "--form-factor=mobile",
                "--screenEmulation.mobile",
                "--output=html",
                "--output=json",
                f"--output-path={target}",
                f"--chrome-flags={CHROME_FLAGS}",
                "--only-categories=performance,accessibility,best-practices",
            ]
            if name != "login":
                command.append(
                    f"--extra-headers={json.dumps({'Cookie': f'{cookie_name}={cookie}'})}"
                )
            # Lighthouse sometimes fails to record a trace (NO_NAVSTART); try a page twice,
            # then report it as not measured rather than stop the whole report.
            for _attempt in range(2):
                done = subprocess.run(command, env={**env, "CHROME_PATH": CHROME}, check=False)
                if done.returncode == 0:
                    break
            if done.returncode != 0:
                failed.append(name)
                continue
            report = json.loads((OUT / f"{name}.report.json").read_text(encoding="utf-8"))
            if report.get("finalDisplayedUrl", "").rstrip("/") != f"{base}{path}".rstrip("/"):
                details.append(f"{name}: ended on {report.get('finalDisplayedUrl')}")
            rows.append((name, *_summary(report)))
            warnings.update(report.get("runWarnings", []))
            details.extend(f"{name}:{line}" for line in _failures(report))
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(var_dir, ignore_errors=True)

    header = ("page", "performance", "accessibility", "best practices", "console errors", "CPU")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(row)))
    if details:
        print("\nWhat costs points:")
        print("\n".join(details))
    if warnings:
        print("\nLighthouse warned:")
        print("\n".join(f"  {w}" for w in sorted(warnings)))
    print(
        "\nCPU is Lighthouse's benchmark index of this machine during the run; below about "
        "1000 (a busy machine) the performance score reads low, Total Blocking Time most."
    )
    print(f"Reports: {OUT.relative_to(ROOT)}/<page>.report.html")
    if failed:
        print(f"Lighthouse could not measure: {', '.join(failed)} (run it again)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
