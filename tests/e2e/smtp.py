"""A real SMTP server (aiosmtpd) on 127.0.0.1, on a free port, for tests that receive mail.

``smtp_server`` starts one per test and yields a :class:`SMTPServer` with its ``.port``
and the ``.messages`` it received (parsed ``email.message.EmailMessage``). To send Baken's
mail there, point Django's SMTP backend at it::

    def test_x(smtp_server, settings):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_server.port

or use ``smtp_settings``, which does exactly that. Registered for the e2e tests in
tests/e2e/conftest.py; other test packages import the fixtures from here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Received:
    """One mail as the server received it: the envelope and the parsed message."""

    mail_from: str
    recipients: tuple[str, ...]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""  # type: ignore[union-attr]


@dataclass
class SMTPServer:
    """The running server: where it listens and what it received, in order."""

    port: int
    messages: list[Received] = field(default_factory=list)
    _arrived: threading.Condition = field(default_factory=threading.Condition, repr=False)

    @property
    def host(self) -> str:
        return HOST

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """The messages once ``count`` have arrived (for mail sent by another process or
        thread); fails the test if they have not within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    pytest.fail(f"expected {count} mail(s), {len(self.messages)} arrived")
                self._arrived.wait(left)
            return list(self.messages)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """aiosmtpd's hook: keep the message, answer 250 (so the sender knows it arrived)."""
        content = envelope.original_content or envelope.content or b""
        raw = content if isinstance(content, bytes) else content.encode()
        parsed = message_from_bytes(raw, policy=default_policy)
        with self._arrived:
            self.messages.append(
                Received(
                    mail_from=envelope.mail_from or "",
                    recipients=tuple(envelope.rcpt_tos),
                    message=parsed,  # type: ignore[arg-type]
                )
            )
            self._arrived.notify_all()
        return "250 Message accepted for delivery"


class _FreePortController(Controller):
    """aiosmtpd's controller on port 0 (a free port the system picks, so parallel test
    workers never collide); the real port is read back before the start-up check."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@pytest.fixture
def smtp_server() -> Iterator[SMTPServer]:
    """A real SMTP server on 127.0.0.1 for this test; stopped afterwards."""
    server = SMTPServer(port=0)
    controller = _FreePortController(server, hostname=HOST, port=0)
    controller.start()
    server.port = controller.port
    try:
        yield server
    finally:
        controller.stop()


@pytest.fixture
def smtp_settings(smtp_server: SMTPServer, settings: Any) -> SMTPServer:
    """Django's SMTP backend pointed at ``smtp_server`` (plain SMTP, no login) for this test."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = HOST
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    return smtp_server
