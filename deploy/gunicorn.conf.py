"""Gunicorn for Baken in production: docs/deploy.md. Started by deploy/systemd/baken-web.service
(``gunicorn --config deploy/gunicorn.conf.py``), behind the reverse proxy in deploy/nginx.

Every value here follows from Baken's environment file; ``BAKEN_WEB_BIND`` and
``BAKEN_WEB_WORKERS`` override the address and the number of worker processes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from baken.web.proxy import parse_trusted_proxies

wsgi_app = "baken.conf.wsgi:application"
proc_name = "baken-web"

# The application server listens on loopback only; the reverse proxy is the way in.
bind = [b.strip() for b in os.environ.get("BAKEN_WEB_BIND", "127.0.0.1:8000").split(",")]

# Sync workers, the standard for Django behind a buffering proxy (nginx holds slow clients,
# a worker only ever serves a whole request): 2 × CPUs + 1, as gunicorn's documentation
# advises, unless BAKEN_WEB_WORKERS says otherwise.
worker_class = "sync"
workers = int(os.environ.get("BAKEN_WEB_WORKERS", "") or 2 * (os.cpu_count() or 1) + 1)
# A request that takes longer is stopped (and logged): a worker never hangs for good. The
# proxy waits a little longer than this (proxy_read_timeout in deploy/nginx/baken.conf).
timeout = 30
graceful_timeout = 30
keepalive = 5
# A fresh process now and then, staggered, so no worker lives forever.
max_requests = 2000
max_requests_jitter = 200

# Not preloaded: every worker imports the application itself, after the fork. Nothing
# opened at start (database connections, the keyring's file, log handlers) is shared between
# processes, and `systemctl reload baken-web` (SIGHUP) loads new code in fresh workers.
preload_app = False

# Only BAKEN_TRUSTED_PROXIES may set the scheme, and only with X-Forwarded-Proto (not
# gunicorn's other defaults, X-Forwarded-Protocol and X-Forwarded-Ssl). Nothing is trusted
# when it is unset. Baken itself reads the client address (baken.web.proxy).
forwarded_allow_ips = ",".join(parse_trusted_proxies(os.environ.get("BAKEN_TRUSTED_PROXIES", "")))
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}

# No access log: it would hold paths (a set-up link's token, dossier ids in URLs) and client
# addresses. Baken writes one ids-only line per request itself (baken.web.middleware,
# docs/logging.md). Gunicorn's own messages (start, a worker's timeout) go to stderr, which
# systemd sends to the journal.
accesslog = None
errorlog = "-"
loglevel = "info"
capture_output = False

# Heartbeat files in memory, not on a disk that may stall (gunicorn's FAQ).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108


def when_ready(server: Any) -> None:
    """While there are no users yet, print the one-time set-up link for the first
    functioneel beheerder (under BAKEN_BASE_URL) to the journal, as `baken serve` does.

    It runs in a child process, so the arbiter never loads Django or opens the database, and
    the workers it forks start clean.
    """
    script = (
        "import django, os\n"
        "django.setup()\n"
        "from django.conf import settings\n"
        "from baken.accounts.setup import setup_link\n"
        "link = setup_link(settings.BAKEN_BASE_URL)\n"
        "if link:\n"
        "    print('No users yet. Create the first administrator (functioneel beheerder), once, '\n"
        "          'from this machine (docs/deploy.md, First run):\\n  ' + link, flush=True)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "baken.conf.settings"}
    result = subprocess.run(  # noqa: S603 (our own interpreter and fixed code)
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    for line in (result.stdout + result.stderr).splitlines():
        server.log.info("%s", line)
