"""Baken's one settings module. Every value comes from the environment; see docs/configuration.md.

Development (the default) runs on SQLite under ``var/`` with a generated secret
key kept in ``var/secret_key``. ``BAKEN_ENV=production`` turns on the strict
settings and refuses to start without a SECRET_KEY of its own.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from baken import logs
from baken.web.proxy import parse_trusted_proxies

PACKAGE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("BAKEN_VAR_DIR", Path.cwd() / "var")).resolve()
ENVIRONMENT = os.environ.get("BAKEN_ENV", "development")
if ENVIRONMENT not in {"development", "production", "test"}:
    raise ImproperlyConfigured(
        f"BAKEN_ENV must be development, production or test, not {ENVIRONMENT!r}"
    )
PRODUCTION = ENVIRONMENT == "production"


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("BAKEN_ENV=production needs its own SECRET_KEY")
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()


def _checked_keys(keys: str, source: str) -> str:
    """``keys`` if they parse (base64, 32 bytes each), else one line naming the problem and
    where the keys came from, never a key (baken.crypto.Keyring.parse)."""
    from baken.crypto import KeyError_, Keyring

    try:
        Keyring.parse(keys)
    except KeyError_ as exc:
        raise ImproperlyConfigured(f"{source}: {exc}") from None
    return keys


def _encryption_keys() -> str:
    """The data-encryption keys (never derived from SECRET_KEY); see baken.crypto."""
    keys = os.environ.get("BAKEN_ENCRYPTION_KEYS", "").strip()
    key_file = os.environ.get("BAKEN_ENCRYPTION_KEYS_FILE", "").strip()
    if not keys and key_file:
        try:
            keys = Path(key_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(
                f"BAKEN_ENCRYPTION_KEYS_FILE cannot be read: {exc}"
            ) from None
        if not keys:
            raise ImproperlyConfigured(f"BAKEN_ENCRYPTION_KEYS_FILE {key_file} is empty")
        return _checked_keys(keys, "BAKEN_ENCRYPTION_KEYS_FILE")
    if keys:
        return _checked_keys(keys, "BAKEN_ENCRYPTION_KEYS")
    if PRODUCTION:
        raise ImproperlyConfigured(
            "BAKEN_ENV=production needs its own encryption keys: set BAKEN_ENCRYPTION_KEYS "
            "or BAKEN_ENCRYPTION_KEYS_FILE (see docs/configuration.md)"
        )
    generated = VAR_DIR / "encryption_keys"
    if not generated.exists():
        from baken.crypto import Keyring

        VAR_DIR.mkdir(parents=True, exist_ok=True)
        generated.write_text(Keyring.generate() + "\n", encoding="utf-8")
        generated.chmod(0o600)
    return _checked_keys(generated.read_text(encoding="utf-8").strip(), str(generated))


BAKEN_ENCRYPTION_KEYS = _encryption_keys()


def _retention_years() -> int:
    """How many calendar years after closing a dossier is purged (``baken purge``); 20 by
    default, the term for jeugdhulp and Veilig Thuis dossiers. The access log is never
    purged with a dossier: see docs/retention.md."""
    raw = os.environ.get("BAKEN_RETENTION_YEARS", "").strip()
    if not raw:
        return 20
    # Plain ASCII digits only: int() would also take "+20", "2_0" and other scripts' digits.
    digits = raw.removeprefix("-")
    if not (digits.isascii() and digits.isdigit()):
        raise ImproperlyConfigured(
            f"BAKEN_RETENTION_YEARS must be a whole number of years, not {raw!r}"
        )
    years = int(raw)
    if not 1 <= years <= 100:
        raise ImproperlyConfigured(
            f"BAKEN_RETENTION_YEARS must be between 1 and 100 years, not {years}"
        )
    return years


BAKEN_RETENTION_YEARS = _retention_years()
DEBUG = os.environ.get("BAKEN_DEBUG", "") == "1" and not PRODUCTION
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]
# The reverse proxies in front of Baken (addresses or CIDRs): only from these do
# X-Forwarded-For and X-Forwarded-Proto count (baken.web.proxy; docs/deploy.md).
BAKEN_TRUSTED_PROXIES = parse_trusted_proxies(os.environ.get("BAKEN_TRUSTED_PROXIES", ""))

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Baken's apps come first so their templates override django-allauth's.
    "baken.accounts",
    "baken.audit",
    "baken.dossiers",
    "baken.chain",
    "baken.screening",
    "baken.comensha",
    "baken.lessons",
    "baken.web",
    "baken.notifications",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    # Django's tasks framework (the django-tasks backport) and its database backend.
    "django_tasks",
    "django_tasks_db",
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out username before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's model backend, loading the session's user with the menu's numbers.
    "baken.web.auth.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dossiers:list"
# django-allauth: accounts are made by the functioneel beheerder, never by sign-up.
ACCOUNT_ADAPTER = "baken.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PREVENT_ENUMERATION = True
# Wrong passwords are counted and locked out by django-axes (below: 5, with one Dutch page).
# allauth's "login_failed" limit also counts wrong authenticator codes, which axes never
# sees: 10 per account in 5 minutes, so the code cannot be guessed by trying. Axes trips
# first on passwords. allauth keeps its per-IP limits on everything else.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/300s/key"}
# Changing the e-mail address or password asks for the password (or a code) again too.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
# Sensitive actions (export, print, role change, break-glass, 2FA changes) ask for the
# password or an authenticator code again when the last confirmation is older than this.
ACCOUNT_REAUTHENTICATION_TIMEOUT = 5 * 60
# Two-factor authentication (django-allauth mfa) is mandatory for every account:
# baken.accounts.two_factor sends a user without an authenticator app to its set-up page.
MFA_ADAPTER = "baken.accounts.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# The set-up page keeps its pending key for the session instead of making one per load.
# Every form that takes a code accepts it once, in every server process: the code is
# remembered in the shared "two_factor" cache (below) for as long as it is valid
# (baken.accounts.two_factor.used_code_seconds), and a refused code is an access-log line.
MFA_FORMS = {
    "activate_totp": "baken.accounts.two_factor.ActivateTOTPForm",
    "authenticate": "baken.accounts.two_factor.AuthenticateForm",
    "reauthenticate": "baken.accounts.two_factor.ReauthenticateForm",
}
MFA_TOTP_ISSUER = "Baken"
# One period (30 s) either side, for a phone whose clock is slightly off.
MFA_TOTP_TOLERANCE = 1
MFA_RECOVERY_CODE_COUNT = 10
# E-mail (docs/configuration.md#e-mail): the console in development (the worker prints
# each mail), SMTP from the environment in production. A bericht's mail says only that
# something is waiting, with a link to BAKEN_BASE_URL (baken.notifications.tasks).
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "baken@localhost")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", "") or str(VAR_DIR / "mail")


def _env_whole_number(name: str, default: int, low: int, high: int) -> int:
    """A whole number from the environment, between ``low`` and ``high``."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise ImproperlyConfigured(
            f"{name} must be a whole number from {low} to {high}, not {raw!r}"
        )
    return int(raw)


def _env_switch(name: str) -> bool:
    raw = os.environ.get(name, "").strip()
    if raw not in {"", "0", "1"}:
        raise ImproperlyConfigured(f"{name} must be 1 (on) or 0 (off), not {raw!r}")
    return raw == "1"


EMAIL_HOST = os.environ.get("EMAIL_HOST", "").strip() or "localhost"
EMAIL_PORT = _env_whole_number("EMAIL_PORT", 25, 1, 65535)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_switch("EMAIL_USE_TLS")
EMAIL_USE_SSL = _env_switch("EMAIL_USE_SSL")
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured(
        "EMAIL_USE_TLS (STARTTLS, usually port 587) and EMAIL_USE_SSL (implicit TLS, usually "
        "port 465) exclude each other: set one"
    )
# A mail server that does not answer holds up the worker's queue for at most this long.
EMAIL_TIMEOUT = _env_whole_number("EMAIL_TIMEOUT", 30, 1, 600)


def _base_url() -> str:
    """Where Baken is reached, for the links in e-mails (scheme and host, no path)."""
    raw = os.environ.get("BAKEN_BASE_URL", "").strip() or "http://127.0.0.1:8000"
    parts = urlsplit(raw)
    if (
        parts.scheme not in {"http", "https"}
        or not parts.netloc
        or parts.path not in {"", "/"}
        or parts.query
        or parts.fragment
    ):
        raise ImproperlyConfigured(
            f"BAKEN_BASE_URL must be like https://baken.example.nl (scheme and host), not {raw!r}"
        )
    return f"{parts.scheme}://{parts.netloc}"


BAKEN_BASE_URL = _base_url()


def _audit_settings() -> tuple[str, str, str, Path, int, str]:
    """The access log's transparency log (docs/transparency-log.md): its origin, signing
    key (never in the database), public key, checkpoint folder, interval and witness."""
    from baken.audit import keys

    try:
        origin = os.environ.get("BAKEN_AUDIT_ORIGIN", "").strip() or keys.default_origin(
            urlsplit(BAKEN_BASE_URL).netloc
        )
        keys.check_origin(origin)
        public = os.environ.get("BAKEN_AUDIT_PUBLIC_KEY", "").strip()
        if public:
            keys.Verifier.parse(public)
        seed = os.environ.get("BAKEN_AUDIT_SIGNING_KEY", "").strip()
        seed_file = os.environ.get("BAKEN_AUDIT_SIGNING_KEY_FILE", "").strip()
        if not seed and seed_file:
            try:
                seed = Path(seed_file).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ImproperlyConfigured(
                    f"BAKEN_AUDIT_SIGNING_KEY_FILE cannot be read: {exc.strerror or exc}"
                ) from None
        if not seed and PRODUCTION and not public:
            raise ImproperlyConfigured(
                "BAKEN_ENV=production needs the access log's signing key: set "
                "BAKEN_AUDIT_SIGNING_KEY or BAKEN_AUDIT_SIGNING_KEY_FILE (`baken audit key` "
                "makes one; see docs/transparency-log.md)"
            )
        if not seed and not public:
            generated = VAR_DIR / "audit_signing_key"
            if not generated.exists():
                VAR_DIR.mkdir(parents=True, exist_ok=True)
                generated.write_text(keys.generate_seed() + "\n", encoding="utf-8")
                generated.chmod(0o600)
            seed = generated.read_text(encoding="utf-8").strip()
        if seed:
            keys.parse_seed(seed)
    except keys.AuditKeyError as exc:
        raise ImproperlyConfigured(str(exc)) from None
    directory = os.environ.get("BAKEN_AUDIT_CHECKPOINT_DIR", "").strip()
    if not directory and PRODUCTION:
        raise ImproperlyConfigured(
            "BAKEN_ENV=production needs BAKEN_AUDIT_CHECKPOINT_DIR, a folder for the access "
            "log's checkpoints outside the database (see docs/transparency-log.md)"
        )
    # Under pytest every test process gets its own folder, as it gets its own database.
    under_pytest = bool(os.environ.get("PYTEST_VERSION"))
    default = f"test-checkpoints-{os.getpid()}" if under_pytest else "checkpoints"
    folder = Path(directory).resolve() if directory else VAR_DIR / default
    witness = os.environ.get("BAKEN_AUDIT_WITNESS_URL", "").strip()
    if witness:
        parts = urlsplit(witness)
        if parts.scheme not in {"http", "https"} or not parts.netloc or parts.query:
            raise ImproperlyConfigured(
                "BAKEN_AUDIT_WITNESS_URL must be the witness's http(s) URL, like "
                "https://witness.example.org/baken"
            )
    interval = _env_whole_number("BAKEN_AUDIT_CHECKPOINT_INTERVAL", 300, 10, 86_400)
    return origin, seed, public, folder, interval, witness


(
    BAKEN_AUDIT_ORIGIN,
    BAKEN_AUDIT_SIGNING_KEY,
    BAKEN_AUDIT_PUBLIC_KEY,
    BAKEN_AUDIT_CHECKPOINT_DIR,
    BAKEN_AUDIT_CHECKPOINT_INTERVAL,
    BAKEN_AUDIT_WITNESS_URL,
) = _audit_settings()


def _caches() -> dict[str, dict[str, object]]:
    """One cache that every server process shares: the used two-factor codes and allauth's
    rate limits must hold across processes (Django's default, per-process memory, does not).

    Django's database cache by default, in tables the accounts migration 0004 creates;
    Redis when BAKEN_CACHE_URL is set. "two_factor" holds only used codes, in its own table:
    the database cache culls a third of a full table, and the default cache's rate-limit
    entries (one per typed username) must not push a used code out."""
    raw = os.environ.get("BAKEN_CACHE_URL", "").strip()
    if not raw:
        return {
            alias: {
                "BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": table,
                "OPTIONS": {"MAX_ENTRIES": 100_000},
            }
            for alias, table in (("default", "baken_cache"), ("two_factor", "baken_cache_2fa"))
        }
    parts = urlsplit(raw)
    try:
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        port_ok = False
    if (
        parts.scheme not in {"redis", "rediss"}
        or not parts.hostname
        or not port_ok
        or not (parts.path in {"", "/"} or parts.path[1:].isascii() and parts.path[1:].isdigit())
    ):
        # The URL may hold a password: name only what is wrong with it.
        raise ImproperlyConfigured(
            "BAKEN_CACHE_URL must be a Redis URL like redis://127.0.0.1:6379/0 (redis:// or "
            "rediss://, a host, an optional port and database number)"
        )
    return {
        alias: {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": raw,
            "KEY_PREFIX": prefix,
        }
        for alias, prefix in (("default", "baken"), ("two_factor", "baken-2fa"))
    }


CACHES = _caches()

# Background tasks (docs/adr/0005-background-tasks.md): Django's tasks framework with
# django-tasks-db's database backend, so the queue lives in Baken's own database (SQLite
# or PostgreSQL alike) and `baken worker` runs it. Tests use the same backend: a task is a
# row after commit and the test runs the worker (baken.notifications.worker), as
# production does, instead of an immediate backend that would hide both.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
BAKEN_WORKER_INTERVAL = _env_whole_number("BAKEN_WORKER_INTERVAL", 60, 1, 3600)
"""Seconds between two reminder sweeps of `baken worker` (its --interval overrides it)."""
# Django's database sessions with the user's id in a column (baken.accounts.sessions), so
# ending one user's sessions is an indexed DELETE instead of decoding every session.
SESSION_ENGINE = "baken.accounts.sessions"
# Idle timeout: a session ends after 30 minutes without a request (and with the browser).
# Baken's session middleware renews a session that is only read at most once a minute
# (baken.accounts.sessions.REFRESH_SECONDS), so the timeout is 29 to 30 minutes and most
# requests write nothing; a changed session is saved on the request that changed it.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

MIDDLEWARE = [
    # First: X-Forwarded-Proto counts only from BAKEN_TRUSTED_PROXIES (baken.web.proxy).
    "baken.web.proxy.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "baken.web.middleware.RequestLogMiddleware",
    # One memo per request for what pages ask several times (baken.memo).
    "baken.web.middleware.RequestMemoMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the session and everything that reads the database: the Dutch 503 pages.
    "baken.web.middleware.FaultPageMiddleware",
    "baken.accounts.sessions.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "baken.accounts.two_factor.RequireTwoFactorMiddleware",
    "csp.middleware.CSPMiddleware",
    "baken.web.middleware.ErrorPageMiddleware",
    "baken.web.middleware.PermissionsPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Brute force (django-axes): 5 failed logins for one username from one client address lock
# that username from that address for 30 minutes. Not by address alone: behind a shared
# proxy or a municipality's NAT everyone has one address, and made-up usernames would lock
# out every colleague. Not by username alone: anyone could lock a real user out. Guessing
# one account from many addresses meets allauth's per-account limit (ACCOUNT_RATE_LIMITS).
# The client address is baken.web.proxy.client_address: X-Forwarded-For only from
# BAKEN_TRUSTED_PROXIES (the AXES_IPWARE_* settings are then unused).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "baken.web.proxy.client_address"

AXES_USERNAME_CALLABLE = "baken.accounts.adapter.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLE_ACCESS_FAILURE_LOG = True

# Content Security Policy (django-csp): only our own files, scripts only with this
# response's nonce, no inline script or eval, never in a frame.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), "
    "bluetooth=(), interest-cohort=()"
)

ROOT_URLCONF = "baken.conf.urls"
WSGI_APPLICATION = "baken.conf.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "baken.web.context_processors.acute_danger",
                "baken.notifications.context_processors.unread_notifications",
                "baken.chain.context_processors.inbox",
                "csp.context_processors.nonce",
            ],
        },
    },
]

_DATABASE_URL = (
    os.environ.get("DATABASE_URL", "").strip() or f"sqlite:///{VAR_DIR / 'baken.sqlite3'}"
)
# A connection is kept for 60 s between requests; CONN_HEALTH_CHECKS tests a kept one before
# a request uses it, so after a database restart the next request reconnects instead of
# failing on a dead connection (baken.web.middleware.FaultPageMiddleware answers the outage).
try:
    DATABASES = {
        "default": dj_database_url.parse(_DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    }
except ValueError as exc:
    raise ImproperlyConfigured(
        f"DATABASE_URL is not a database URL Baken understands: {exc}"
    ) from None
# Behind a connection pooler in transaction mode (pgbouncer, see docs/deploy.md) a server-side
# cursor cannot outlive its transaction's connection: BAKEN_DB_POOLER=transaction turns
# Django's server-side cursors off. Anything else stops Baken at start.
_POOLER = os.environ.get("BAKEN_DB_POOLER", "").strip()
if _POOLER not in {"", "transaction", "session"}:
    raise ImproperlyConfigured(
        f"BAKEN_DB_POOLER must be empty, 'session' or 'transaction', not {_POOLER!r}"
    )
if _POOLER == "transaction":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
SUPPORTED_DATABASES = {"django.db.backends.sqlite3", "django.db.backends.postgresql"}
if DATABASES["default"]["ENGINE"] not in SUPPORTED_DATABASES:
    # The append-only record rests on database triggers written for these two.
    raise ImproperlyConfigured(
        "DATABASE_URL must point to SQLite or PostgreSQL (the append-only record relies on "
        f"their triggers), not {DATABASES['default']['ENGINE']}"
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Take the write lock when a transaction starts, so concurrent writers wait for each
    # other (up to the timeout) instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
    # Tests use a file too: an in-memory database shared between threads locks whole
    # tables and fails at once, where a file waits for the lock like production would.
    # One file per process, so two test runs in one checkout never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-baken-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
FORMAT_MODULE_PATH = ["baken.formats"]
"""Dutch date formats ("1 december 2026, 21:37"): src/baken/formats/nl/formats.py."""
TIME_ZONE = "Europe/Amsterdam"
USE_TZ = True

STATIC_URL = "/static/"
# `baken serve` collects the static files into STATIC_ROOT when it starts (a second or so),
# and WhiteNoise serves them from there: gzip-compressed, under names with a hash of their
# content, cached by browsers for ten years (Cache-Control: immutable). With BAKEN_DEBUG=1
# the pages link the unhashed names and WhiteNoise serves them from the apps' folders, so
# an edited stylesheet shows on reload. Under pytest (which sets PYTEST_VERSION) nothing is
# collected: the test server serves the apps' folders, which know no hashed names.
_UNDER_PYTEST = bool(os.environ.get("PYTEST_VERSION"))
STATIC_ROOT = None if _UNDER_PYTEST else VAR_DIR / "static"
_STATIC_STORAGE = (
    "whitenoise.storage.CompressedStaticFilesStorage"
    if _UNDER_PYTEST
    else "whitenoise.storage.CompressedManifestStaticFilesStorage"
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": _STATIC_STORAGE},
}
WHITENOISE_USE_FINDERS = DEBUG or _UNDER_PYTEST
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "baken.web.views.csrf_failure"  # the Dutch 403 page
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind a trusted proxy, its X-Forwarded-Proto says whether the client used https (from
# anyone else baken.web.proxy.TrustedProxyMiddleware removes the header first): https
# requests are not redirected again, get HSTS, and pass the CSRF origin check.
if BAKEN_TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# A POST's Origin must be one of these (besides the request's own scheme and host): https on
# every allowed host, and BAKEN_BASE_URL's origin (it may carry a port) when set.
CSRF_TRUSTED_ORIGINS = [
    f"https://{host}" if not host.startswith(".") else f"https://*{host}"
    for host in ALLOWED_HOSTS
    if host != "*"
] + ([BAKEN_BASE_URL] if os.environ.get("BAKEN_BASE_URL", "").strip() else [])
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("BAKEN_SSL_REDIRECT", "1") == "1"
    # A monitor on this machine may ask the application server itself (plain http).
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    # HSTS on every https response, whether or not Baken redirects http itself (with
    # BAKEN_SSL_REDIRECT=0 the proxy does). A browser ignores it over http (RFC 6797 §8.1).
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Application logs carry ids only, never a name or free text (baken.logs; docs/logging.md):
# JSON lines in production, key=value lines in development. Every logger, Django's and
# django-axes' included, ends at the one root handler whose formatter enforces that.
BAKEN_LOG_FORMAT = logs.log_format(os.environ.get("BAKEN_LOG_FORMAT"), production=PRODUCTION)
LOGGING_CONFIG = "baken.logs.configure"
LOGGING = logs.logging_config(BAKEN_LOG_FORMAT, os.environ.get("BAKEN_LOG_LEVEL", "INFO"))
