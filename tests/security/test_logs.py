"""Application logs carry ids only: never a name, a label, a username, an IP address, a
path or any other free text (baken.logs; docs/logging.md)."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import structlog
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory
from django.urls import resolve, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baken import logs
from baken.accounts.models import User
from baken.dossiers.models import Dossier

IPV4 = re.compile(r"(?<![0-9.])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![0-9.])")


def _render(log_format: str, event: Any, fields: dict[str, Any] | None = None) -> str:
    """One line logged through structlog and Baken's formatter, as the handler writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.formatter(log_format))
    target = logging.getLogger(f"tests.logs.{log_format}")
    target.handlers = [handler]
    target.propagate = False
    target.setLevel(logging.DEBUG)
    structlog.stdlib.get_logger(target.name).info(event, **(fields or {}))
    return stream.getvalue()


def _strings(value: Any) -> Iterator[str]:
    """Every string in a parsed JSON line, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _is_machine(text: str) -> bool:
    return logs.MACHINE_VALUE.fullmatch(text) is not None


# Any key a caller can pass (``event`` and ``self`` are the log method's own parameters).
ANY_KEY = st.one_of(st.sampled_from(sorted(logs.ALLOWED_KEYS)), st.text(max_size=40)).filter(
    lambda key: key not in {"event", "self"}
)


ANY_VALUE = st.one_of(
    st.text(max_size=80),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.none(),
    st.lists(st.text(max_size=20), max_size=3),
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(event=st.text(max_size=80), fields=st.dictionaries(ANY_KEY, ANY_VALUE))
def test_a_json_line_holds_machine_values_only(event: str, fields: dict[str, Any]) -> None:
    """For any event, key names and values, every string in the JSON line is a machine
    value or the redaction marker, so no text that is not a machine value gets through;
    a number is at most as large as a database id."""
    line = _render("json", event, fields)
    parsed = json.loads(line)
    found = list(_strings(parsed))
    assert all(text == logs.REDACTED or _is_machine(text) for text in found), found
    texts = [event, *fields, *(v for v in fields.values() if isinstance(v, str))]
    texts += [item for v in fields.values() if isinstance(v, list) for item in v]
    for text in texts:
        if text and not _is_machine(text) and text not in logs.REDACTED:
            assert not any(text in string for string in found), (text, line)
    numbers = [v for v in parsed.values() if isinstance(v, int | float)]
    assert all(abs(number) < 2**63 for number in numbers if not isinstance(number, bool))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(event=st.text(max_size=60), fields=st.dictionaries(ANY_KEY, st.text(max_size=60)))
def test_a_console_line_shows_no_free_text(event: str, fields: dict[str, str]) -> None:
    """For any text, marked so it cannot occur by chance, the console line shows it only
    when it is a machine value: under an allowed key, or as the name of a dropped key."""
    marked = {
        f"Qx{key}xQ" if key not in logs.ALLOWED_KEYS else key: f"Qx{value}xQ"
        for key, value in fields.items()
    }
    line = _render("console", f"Qx{event}xQ", marked)
    for text in [f"Qx{event}xQ", *marked, *marked.values()]:
        if not _is_machine(text):
            assert text not in line, (text, line)


def test_keys_structlog_reserves_are_dropped_not_tripped_over() -> None:
    """A caller's ``_record`` or ``_from_structlog`` (keys structlog uses itself) is dropped
    and named like any unknown key, and the line is still written."""
    line = json.loads(_render("json", "http_request", {"_record": "x", "_from_structlog": "y"}))
    assert line["event"] == "http_request"
    assert line["dropped_keys"] == ["_from_structlog", "_record"]


def test_unknown_keys_are_named_and_free_text_is_redacted() -> None:
    """An unknown key is dropped and only its name is listed; free text under an allowed
    key, a name under an id key and a sentence as the event become ``<redacted>``."""
    line = json.loads(
        _render(
            "json",
            "access_event",
            {
                "label": "Casus Merel",
                "reason": "vermoedelijk uitgebuit",
                "action": "read dossier Casus Merel",
                "user_id": "proef-professional",
                "dossier_id": "6f0c6f5b-2b9a-4a4e-9a31-0f0f6a3f2c11",
                "code": "R",
                "count": 3,
            },
        )
    )
    assert line["event"] == "access_event"
    assert line["dropped_keys"] == ["label", "reason"]
    assert line["action"] == logs.REDACTED
    assert line["user_id"] == logs.REDACTED
    assert line["dossier_id"] == "6f0c6f5b-2b9a-4a4e-9a31-0f0f6a3f2c11"
    assert line["code"] == "R" and line["count"] == 3
    assert json.loads(_render("json", "Dossier Casus Merel opened"))["event"] == logs.REDACTED


def test_an_error_keeps_its_type_and_route_but_not_its_message_or_path(
    professional: User, open_dossier: Callable[..., Dossier]
) -> None:
    """Django's 500 line (django.request, with the request and the exception) keeps the
    exception type, the route name, the status and code locations; not the exception's
    message, nor the path it names."""
    dossier = open_dossier()
    path = reverse("dossiers:detail", args=[dossier.pk])
    request = RequestFactory().get(path)
    request.resolver_match = resolve(path)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.formatter("json"))
    django_request = logging.getLogger("django.request")
    django_request.addHandler(handler)
    try:
        try:
            raise ValueError("Casus Vuurvlieg heeft geen geldige geboortedatum")
        except ValueError:
            django_request.error(
                "Internal Server Error: %s",
                path,
                exc_info=True,
                extra={"status_code": 500, "request": request},
            )
    finally:
        django_request.removeHandler(handler)
    output = stream.getvalue()
    line = json.loads(output)
    assert line["event"] == logs.LIBRARY_EVENT
    assert line["logger"] == "django.request"
    assert line["exc_type"] == "ValueError"
    assert line["route"] == "dossiers:detail"
    assert line["status"] == 500
    assert any(frame.startswith("tests.security.test_logs:") for frame in line["traceback"])
    assert "Vuurvlieg" not in output
    assert str(dossier.pk) not in output


class Unprintable:
    """A log message that cannot be turned into text (its own error names a username)."""

    def __str__(self) -> str:
        raise ValueError("kees.ondergrond.proef")


def test_a_line_that_cannot_be_rendered_is_replaced_not_dumped() -> None:
    """When a library's line cannot be rendered, the formatter writes a fixed line with the
    logger and level; neither the message's arguments nor the error reach the output."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.formatter("console"))
    axes = logging.getLogger("axes.handlers.database")
    axes.addHandler(handler)
    try:
        axes.warning(Unprintable(), "kees.ondergrond.proef", "192.0.2.7")
    finally:
        axes.removeHandler(handler)
    line = json.loads(stream.getvalue())
    assert line["event"] == "unrenderable_log_line"
    assert line["logger"] == "axes.handlers.database" and line["level"] == "warning"
    assert "kees" not in stream.getvalue() and "192.0.2.7" not in stream.getvalue()


@pytest.fixture
def captured() -> Iterator[dict[str, io.StringIO]]:
    """All log output, at DEBUG and in both formats, through Baken's formatter on the root
    logger: what a production or development log would receive. Every logger Baken quiets
    is opened up to DEBUG too, so the formatter alone has to keep names out."""
    streams = {name: io.StringIO() for name in logs.FORMATS}
    handlers = []
    for name, stream in streams.items():
        handler = logging.StreamHandler(stream)
        handler.setFormatter(logs.formatter(name))
        handlers.append(handler)
    root = logging.getLogger()
    opened = [
        root,
        *(logging.getLogger(name) for name in logs.logging_config("json", "INFO")["loggers"]),
    ]
    levels = [logger.level for logger in opened]
    for handler in handlers:
        root.addHandler(handler)
    for logger in opened:
        logger.setLevel(logging.DEBUG)
    try:
        yield streams
    finally:
        for handler in handlers:
            root.removeHandler(handler)
        for logger, level in zip(opened, levels, strict=True):
            logger.setLevel(level)


LABEL = "Casus Zeepaardje-Vlinderdas"
DESCRIPTION = "Kwam aan met een splinternieuwe Okapi-rugzak"
FAILED_USERNAME = "kees.ondergrond.proef"
SETUP_TOKEN = "Tk7-geheim-installatietoken-Qw9"
MISSING_PATH = "/dossiers/verborgen-pad-Wombat/"


def test_a_working_session_logs_ids_only(
    professional: User,
    login: Callable[..., Client],
    captured: dict[str, io.StringIO],
) -> None:
    """Opening a dossier, recording an observation, viewing it, a failed login, a setup link
    with a token and a missing page log access_event and http_request lines with the
    dossier's id, the route and a shared request id; never the label, the description, a
    username, the token, a path or an IP address."""
    client = login(professional)
    response = client.post(
        reverse("dossiers:new"), {"label": LABEL, "age": 15, "exploitation_forms": ["labour"]}
    )
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    response = client.post(
        reverse("dossiers:record", args=[dossier.pk, "observation"]),
        {
            "observation-seen": dossier.last_sequence,
            "observation-nature": "fact",
            "observation-observed_on": "2026-11-20",
            "observation-source": "mentor",
            "observation-description": DESCRIPTION,
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("dossiers:detail", args=[dossier.pk])).status_code == 200
    assert client.get(MISSING_PATH).status_code == 404

    stranger = Client()
    response = stranger.post(
        reverse("account_login"), {"login": FAILED_USERNAME, "password": "niet-het-wachtwoord"}
    )
    assert response.status_code == 200
    assert stranger.get(reverse("accounts:setup", args=[SETUP_TOKEN])).status_code == 404

    for name, stream in captured.items():
        output = stream.getvalue()
        for secret in (
            LABEL,
            "Zeepaardje",
            DESCRIPTION,
            "Okapi",
            professional.username,
            FAILED_USERNAME,
            "ondergrond",
            SETUP_TOKEN,
            "installatie",
            "Wombat",
            "/dossiers/",
        ):
            assert secret not in output, (name, secret)
        assert not IPV4.search(output), (name, IPV4.search(output))

    lines = [json.loads(line) for line in captured["json"].getvalue().splitlines()]
    logged = [line for line in lines if line["event"] == "access_event"]
    # The login, and the stranger's failed login: a line with no user (the username is
    # not written).
    assert [
        (line["action"], line["user_id"], line["role"])
        for line in logged
        if line["purpose"] == "authentication"
    ] == [("logged_in", professional.pk, professional.role), ("login_failed", None, "")]
    events = [line for line in logged if line["purpose"] != "authentication"]
    requests = [line for line in lines if line["event"] == "http_request"]
    assert {line["dossier_id"] for line in events} == {str(dossier.pk)}
    assert {line["action"] for line in events} >= {"dossier_opened", "entry_added", "view"}
    assert {line["code"] for line in events} == {"C", "R"}
    assert all(line["user_id"] == professional.pk for line in events)
    assert not any("detail" in line for line in events)

    viewed = next(line for line in requests if line["route"] == "dossiers:detail")
    assert viewed["dossier_id"] == str(dossier.pk)
    assert viewed["method"] == "GET"
    assert viewed["status"] == 200
    assert viewed["user_id"] == professional.pk
    assert isinstance(viewed["duration_ms"], int)
    read = [line for line in events if line["request_id"] == viewed["request_id"]]
    assert read and all(line["route"] == "dossiers:detail" for line in read)
    assert len({line["request_id"] for line in requests}) == len(requests)

    failed_login = next(line for line in requests if line["route"] == "account_login")
    assert failed_login["user_id"] is None and failed_login["method"] == "POST"
    assert any(line["route"] == "accounts:setup" and line["status"] == 404 for line in requests)
    assert any(line["route"] is None and line["status"] == 404 for line in requests)
    assert not any("dropped_keys" in line for line in lines)


@pytest.mark.parametrize(
    ("value", "production", "expected"),
    [
        (None, True, "json"),
        ("", True, "json"),
        (None, False, "console"),
        ("json", False, "json"),
        ("console", True, "console"),
    ],
)
def test_the_log_format_defaults_to_json_in_production_only(
    value: str | None, production: bool, expected: str
) -> None:
    """BAKEN_LOG_FORMAT is json or console; unset, it is json in production, console else."""
    assert logs.log_format(value, production=production) == expected


@pytest.mark.parametrize("value", ["xml", "JSON", "json ", "plain"])
def test_an_unknown_log_format_is_refused(value: str) -> None:
    """Any other BAKEN_LOG_FORMAT is a configuration error, in English, naming the choices."""
    with pytest.raises(ImproperlyConfigured, match="BAKEN_LOG_FORMAT must be json or console"):
        logs.log_format(value, production=False)


def test_baken_does_not_start_with_an_unknown_log_format() -> None:
    """Django refuses to start when BAKEN_LOG_FORMAT is not json or console."""
    completed = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "baken.conf.settings",
            "BAKEN_LOG_FORMAT": "xml",
        },
        check=False,
    )
    assert completed.returncode != 0
    assert "ImproperlyConfigured: BAKEN_LOG_FORMAT must be json or console, not 'xml'" in (
        completed.stderr
    )


def test_a_request_leaves_no_ids_bound_once_its_response_is_closed(
    professional: User, open_dossier: Callable[..., Dossier], login: Callable[..., Client]
) -> None:
    """A dossier page binds the request id and route for its log lines; after the response
    is closed nothing is bound any more, so a line logged next in that thread outside any
    request carries no stale request id or route."""
    dossier = open_dossier()
    client = login(professional)
    response = client.get(reverse("dossiers:detail", args=[dossier.pk]))
    assert (response.status_code, structlog.contextvars.get_contextvars()) == (200, {})
