"""`baken serve` serves the static files as production does: collected at start, under
names with a content hash, gzip-compressed, cached for ten years (WhiteNoise)."""

# ruff: noqa: S310 (requests go to our own server on 127.0.0.1 only)
from __future__ import annotations

import gzip
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.error import URLError

import pytest

IMMUTABLE = "max-age=315360000, public, immutable"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`baken serve` on a free port with its own empty BAKEN_VAR_DIR, outside pytest's
    settings (PYTEST_VERSION unset), as `make run` starts it."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"PYTEST_VERSION", "BAKEN_DEBUG"}}
    env |= {"BAKEN_VAR_DIR": str(tmp_path_factory.mktemp("serve")), "BAKEN_ENV": "development"}
    env.pop("DATABASE_URL", None)
    script = Path(sys.executable).with_name("baken")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "baken.cli"]
    process = subprocess.Popen(
        [*command, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            assert process.poll() is None, "baken serve stopped"
            try:
                urllib.request.urlopen(f"{base}/account/login/", timeout=2)
                break
            except (URLError, OSError):
                time.sleep(0.25)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, dict(response.headers), response.read()


def _static_links(base: str) -> list[str]:
    _, _, body = _get(f"{base}/account/login/")
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', body.decode("utf-8"))


def test_every_static_file_the_login_page_links_has_a_hashed_name(server: str) -> None:
    """The stylesheets, the script and the icon on a page are linked by names that carry a
    12-character content hash (e.g. component-library.15c8b5e522a7.css)."""
    links = _static_links(server)
    plain = {re.sub(r"\.[0-9a-f]{12}(\.\w+)$", r"\1", link) for link in links}
    assert plain >= {
        "/static/vendor/utrecht/component-library.css",
        "/static/vendor/voorbeeld/theme.css",
        "/static/web/baken.css",
        "/static/vendor/htmx/htmx.min.js",
        "/static/web/favicon.svg",
    }
    assert [link for link in links if not re.search(r"\.[0-9a-f]{12}\.\w+$", link)] == []


def test_a_stylesheet_is_served_compressed_and_cached_for_ten_years(server: str) -> None:
    """A hashed stylesheet comes gzip-compressed to a browser that accepts it, with the
    far-future immutable Cache-Control header, and unpacks to CSS."""
    css = next(link for link in _static_links(server) if "component-library" in link)
    status, headers, body = _get(f"{server}{css}", **{"Accept-Encoding": "gzip"})
    assert (status, headers["Content-Encoding"], headers["Cache-Control"]) == (
        200,
        "gzip",
        IMMUTABLE,
    )
    assert gzip.decompress(body).decode("utf-8").lstrip().startswith("/**")


def test_the_page_icon_exists(server: str) -> None:
    """The icon the pages link is served (so no page asks for a missing /favicon.ico)."""
    _, _, page = _get(f"{server}/account/login/")
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page.decode())
    assert icon is not None
    status, headers, _ = _get(f"{server}{icon.group(1)}")
    assert (status, headers["Content-Type"]) == (200, "image/svg+xml")
