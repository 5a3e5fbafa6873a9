"""Application logs: structlog through the standard library, carrying ids only.

Baken holds data about people who may be victims of human trafficking, so a log line never
carries a name, a dossier label, a username, an e-mail or IP address, a reason, entry text,
a path, a query string or a form value: only ids and fixed machine values. That is enforced
here, on every line, not left to each call site:

- :func:`ids_only` keeps only the keys in :data:`ALLOWED_KEYS`; any other key is dropped
  and its *name* listed under ``dropped_keys``. A string value is kept only when it looks
  like a machine value (:data:`MACHINE_VALUE`; ids must look like ids), else it becomes
  ``"<redacted>"``. The event must be a fixed snake_case name (``"http_request"``).
- A line from Django or another library (which formats values into its message: axes puts
  the username and IP address there, ``django.request`` the path) keeps only its logger,
  level, status and route: its message becomes the fixed event ``library_log``.
- An exception keeps its type and the code locations it passed through
  (``module:line:function``), never its message (which may quote a value) or its locals.

``settings.LOGGING_CONFIG`` points at :func:`configure`, so Django sets this up once, in
``django.setup()``, before any app is ready; see docs/logging.md.
"""

from __future__ import annotations

import enum
import json
import logging
import logging.config
import math
import re
import sys
from types import TracebackType
from typing import Any, Final
from uuid import UUID

import structlog
from django.core.exceptions import ImproperlyConfigured
from structlog.typing import EventDict, Processor, WrappedLogger

FORMATS: Final = ("json", "console")
REDACTED: Final = "<redacted>"
LIBRARY_EVENT: Final = "library_log"
"""The event of a line that came from Django or a library rather than from Baken."""

MACHINE_VALUE: Final = re.compile(r"[A-Za-z0-9_.:-]{0,64}")
"""What a string value must look like to be kept: a code, an action, a route name."""
EVENT_NAME: Final = re.compile(r"[a-z][a-z0-9_]{0,63}")
KEY_NAME: Final = re.compile(r"[a-z_][a-z0-9_]{0,63}")
"""A dropped key is named under ``dropped_keys`` only when its name looks like this."""
ID_VALUE: Final = re.compile(
    r"[0-9]{1,20}|[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
)
TIMESTAMP: Final = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?Z"
)
FRAME: Final = re.compile(r"[A-Za-z0-9_.]{1,200}:[0-9]{1,7}:[A-Za-z0-9_]{1,100}")
"""One code location of a traceback: ``module:line:function``."""

ID_KEYS: Final = frozenset(
    {
        "user_id",
        "organisation_id",
        "responsible_organisation_id",
        "dossier_id",
        "entry_sequence",
        "position",
        "request_id",
        "count",
        "status",
    }
)
"""Keys whose value is a number or an id (digits, a UUID, 32 hex digits), nothing else."""
ALLOWED_KEYS: Final = ID_KEYS | frozenset(
    {
        "event",
        "level",
        "timestamp",
        "logger",
        "code",
        "action",
        "purpose",
        "role",
        "break_glass",
        "route",
        "method",
        "duration_ms",
        "exc_type",
        "traceback",
    }
)
"""Every key a log line may carry. Add one only for an id or a fixed machine value."""
_PATTERNS: Final[dict[str, re.Pattern[str]]] = {
    **dict.fromkeys(ID_KEYS, ID_VALUE),
    "event": EVENT_NAME,
    "timestamp": TIMESTAMP,
}
_FIRST: Final = ("timestamp", "level", "logger", "event")
"""The keys a line starts with (in JSON; the console shows them in its own places)."""
_STRUCTLOG_META: Final = ("_record", "_from_structlog")
_RESERVED: Final = "_baken_reserved_keys"
_MAX_FRAMES: Final = 40
_MAX_INT: Final = 2**63
"""A number as large as a database id at most: no data encoded as one long number."""

_timestamper = structlog.processors.TimeStamper(fmt="iso", utc=True)


def log_format(value: str | None, *, production: bool) -> str:
    """The ``BAKEN_LOG_FORMAT`` to use: JSON lines in production, console lines otherwise."""
    if not value:
        return "json" if production else "console"
    if value not in FORMATS:
        raise ImproperlyConfigured(f"BAKEN_LOG_FORMAT must be json or console, not {value!r}")
    return value


def _checked(key: str, value: Any) -> Any:
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, UUID):
        value = str(value)
    # Plain copies: a subclass's own __repr__ (used by the console renderer) is not trusted.
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int.__int__(value) if abs(value) < _MAX_INT else REDACTED
    if isinstance(value, float):
        finite = math.isfinite(value) and abs(value) < _MAX_INT
        return float.__float__(value) if finite else REDACTED
    if isinstance(value, str):
        plain = str.__str__(value)  # a str subclass's own __str__ is not trusted
        return plain if _PATTERNS.get(key, MACHINE_VALUE).fullmatch(plain) else REDACTED
    if key == "traceback" and isinstance(value, list | tuple):
        return [
            str.__str__(frame) if isinstance(frame, str) and FRAME.fullmatch(frame) else REDACTED
            for frame in value
        ]
    return REDACTED


def reserved_keys(logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
    """Take away keys a caller passed that structlog uses itself (``_record``), before
    structlog trips over them; :func:`ids_only` names them as dropped."""
    taken = [key for key in (*_STRUCTLOG_META, _RESERVED) if key in event_dict]
    for key in taken:
        del event_dict[key]
    if taken:
        event_dict[_RESERVED] = taken
    return event_dict


def ids_only(logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
    """Keep the allowed keys with machine values; name (never show) every other key."""
    clean: EventDict = {key: REDACTED for key in _FIRST if key in event_dict}
    clean.setdefault("event", REDACTED)
    dropped: set[str] = set(event_dict.get(_RESERVED, ()))
    for key, value in event_dict.items():
        if key in _STRUCTLOG_META or key == _RESERVED:
            continue
        if isinstance(key, str) and key in ALLOWED_KEYS:
            clean[key] = _checked(key, value)
        else:
            dropped.add(key if isinstance(key, str) and KEY_NAME.fullmatch(key) else REDACTED)
    if dropped:
        clean["dropped_keys"] = sorted(dropped)
    return clean


def _exception(exc_info: Any) -> BaseException | None:
    if isinstance(exc_info, BaseException):
        return exc_info
    if isinstance(exc_info, tuple) and len(exc_info) == 3:
        return exc_info[1] if isinstance(exc_info[1], BaseException) else None
    if exc_info:
        return sys.exc_info()[1]
    return None


def _name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.]", "", text)


def _frames(tb: TracebackType | None) -> list[str]:
    frames = []
    while tb is not None:
        code = tb.tb_frame.f_code
        module = tb.tb_frame.f_globals.get("__name__", "")
        module = _name(module) if isinstance(module, str) else ""
        frames.append(f"{module or 'unknown'}:{tb.tb_lineno}:{_name(code.co_name) or 'unknown'}")
        tb = tb.tb_next
    return frames[-_MAX_FRAMES:]


def exception_ids(logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
    """Replace ``exc_info`` by the exception's type and code locations: no message, no
    locals (an exception's message may quote a value, e.g. a unique-constraint error)."""
    event_dict.pop("stack_info", None)
    error = _exception(event_dict.pop("exc_info", None))
    if error is not None:
        kind = type(error)
        module = "" if kind.__module__ == "builtins" else f"{kind.__module__}."
        event_dict["exc_type"] = _name(f"{module}{kind.__qualname__}")[:64]
        event_dict["traceback"] = _frames(error.__traceback__)
    return event_dict


def library_record(logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
    """A line from Django or a library: its message (which may hold a username, an IP
    address or a path) becomes the fixed event ``library_log``; a status code and the
    request's route name are kept."""
    record = event_dict.get("_record")
    event_dict["event"] = LIBRARY_EVENT
    status = getattr(record, "status_code", None)
    if isinstance(status, int) and not isinstance(status, bool):
        event_dict["status"] = status
    match = getattr(getattr(record, "request", None), "resolver_match", None)
    route = getattr(match, "view_name", None)
    if isinstance(route, str):
        event_dict.setdefault("route", route)
    return event_dict


def _shared() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        _timestamper,
        exception_ids,
    ]


class IdsOnlyFormatter(structlog.stdlib.ProcessorFormatter):
    """structlog's formatter, which never fails: when a line cannot be rendered, a fixed line
    says so. (A handler whose formatter raises prints the record's raw message and
    arguments to standard error, which for django-axes would be a username.)"""

    def format(self, record: logging.LogRecord) -> str:
        try:
            return super().format(record)
        except Exception:  # see the class docstring
            name = record.name if MACHINE_VALUE.fullmatch(record.name) else REDACTED
            return json.dumps(
                {
                    "timestamp": _timestamper(None, "", {})["timestamp"],
                    "level": record.levelname.lower()[:16],
                    "logger": name,
                    "event": "unrenderable_log_line",
                }
            )


def formatter(log_format: str = "json") -> IdsOnlyFormatter:
    """The one formatter of Baken's log handler (named in ``settings.LOGGING``)."""
    renderer: Processor
    if log_format == "json":
        renderer = structlog.processors.JSONRenderer()
    elif log_format == "console":
        renderer = structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(),
            exception_formatter=structlog.dev.plain_traceback,
        )
    else:
        raise ImproperlyConfigured(f"BAKEN_LOG_FORMAT must be json or console, not {log_format!r}")
    return IdsOnlyFormatter(
        foreign_pre_chain=[library_record, *_shared()],
        processors=[exception_ids, ids_only, renderer],
    )


def logging_config(log_format: str, level: str) -> dict[str, Any]:
    """``settings.LOGGING``: one handler on the root logger, through :func:`formatter`.

    Every logger propagates to that handler, so no line escapes :func:`ids_only`. Django's
    own handlers are taken off its loggers (its ``console`` handler would print the path of
    a request in development; ``mail_admins`` would mail the request), and the loggers that
    only repeat what Baken logs are quieted.
    """
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"baken": {"()": "baken.logs.formatter", "log_format": log_format}},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "baken"},
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's loggers keep their levels but lose their own handlers: everything
            # reaches the root handler above. A 500 stays visible there (django.request,
            # level error: the exception type, the route and code locations).
            "django": {"handlers": [], "level": "INFO", "propagate": True},
            # One line per request from runserver, with the path: http_request says it
            # (without the path), so only its errors are kept.
            "django.server": {"handlers": [], "level": "ERROR", "propagate": True},
            # SQL with its parameters (encrypted values, usernames) at DEBUG: never.
            "django.db.backends": {"handlers": [], "level": "INFO", "propagate": True},
            # django-axes names the username, IP address and path of every failed or
            # successful login, at INFO and WARNING. Its lines are reduced to library_log
            # anyway; WARNING keeps a count of failures and lockouts, not every login.
            "axes": {"handlers": [], "level": "WARNING", "propagate": True},
        },
    }


_configured = False


def configure(config: dict[str, Any] | None = None) -> None:
    """Set up logging: ``settings.LOGGING_CONFIG`` names this, so Django calls it with
    ``settings.LOGGING`` in ``django.setup()``. structlog is configured once, to hand its
    event dicts to the standard library, where :func:`formatter` renders them."""
    global _configured
    if config:
        logging.config.dictConfig(config)
    # A handler that fails to write (e.g. a closed stream) would otherwise print the
    # record's raw message and arguments to standard error.
    logging.raiseExceptions = False
    if _configured:
        return
    structlog.configure(
        processors=[
            reserved_keys,
            structlog.stdlib.filter_by_level,
            *_shared(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    _configured = True


__all__ = [
    "ALLOWED_KEYS",
    "configure",
    "exception_ids",
    "formatter",
    "ids_only",
    "library_record",
    "log_format",
    "logging_config",
]
