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
    if keys:
        return keys
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
    return generated.read_text(encoding="utf-8").strip()


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
    "django.contrib.auth.backends.ModelBackend",
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
MFA_FORMS = {"activate_totp": "baken.accounts.two_factor.ActivateTOTPForm"}
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

# Background tasks (docs/adr/0005-background-tasks.md): Django's tasks framework with
# django-tasks-db's database backend, so the queue lives in Baken's own database (SQLite
# or PostgreSQL alike) and `baken worker` runs it. Tests use the same backend: a task is a
# row after commit and the test runs the worker (baken.notifications.worker), as
# production does, instead of an immediate backend that would hide both.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
BAKEN_WORKER_INTERVAL = _env_whole_number("BAKEN_WORKER_INTERVAL", 60, 1, 3600)
"""Seconds between two reminder sweeps of `baken worker` (its --interval overrides it)."""
# Idle timeout: a session ends after 30 minutes without a request (and with the browser).
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "baken.web.middleware.RequestLogMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
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

# Brute force (django-axes): 5 failed logins for one username, or from one IP address,
# lock that username or address for 30 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]

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
try:
    DATABASES = {"default": dj_database_url.parse(_DATABASE_URL, conn_max_age=60)}
except ValueError as exc:
    raise ImproperlyConfigured(
        f"DATABASE_URL is not a database URL Baken understands: {exc}"
    ) from None
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
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("BAKEN_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Application logs carry ids only, never a name or free text (baken.logs; docs/logging.md):
# JSON lines in production, key=value lines in development. Every logger, Django's and
# django-axes' included, ends at the one root handler whose formatter enforces that.
BAKEN_LOG_FORMAT = logs.log_format(os.environ.get("BAKEN_LOG_FORMAT"), production=PRODUCTION)
LOGGING_CONFIG = "baken.logs.configure"
LOGGING = logs.logging_config(BAKEN_LOG_FORMAT, os.environ.get("BAKEN_LOG_LEVEL", "INFO"))
