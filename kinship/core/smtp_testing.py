"""A real SMTP server on loopback for tests: mail leaves Django through smtplib and arrives here."""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, TypeVar

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


class Inbox:
    """Collects every message the server accepts, parsed, in arrival order."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self._arrived = threading.Condition()
        self.host = HOST
        self.port = 0

    # aiosmtpd calls the hook by this name.
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        message = message_from_bytes(raw, policy=policy.default)
        with self._arrived:
            self.messages.append(message)  # type: ignore[arg-type]
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[EmailMessage]:
        """The first `count` messages, waiting for them to arrive; fails after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} message(s) on the SMTP server, got {len(self.messages)}")
                self._arrived.wait(left)
            return list(self.messages[:count])

    @staticmethod
    def text_of(message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain", "html"))
        return part.get_content() if part is not None else ""

    def django_settings(self) -> dict[str, Any]:
        """The Django email settings that send to this server."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": self.host,
            "EMAIL_PORT": self.port,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
            "EMAIL_USE_TLS": False,
            "EMAIL_USE_SSL": False,
            "EMAIL_TIMEOUT": 10,
        }


InboxT = TypeVar("InboxT", bound=Inbox)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def smtp_server() -> AbstractContextManager[Inbox]:
    """Run an aiosmtpd server on a free loopback port for the duration of the block."""
    return serving(Inbox())


@contextmanager
def serving(inbox: InboxT) -> Iterator[InboxT]:
    """smtp_server with a handler of your own: an Inbox or a subclass of it."""
    # aiosmtpd needs a concrete port (it connects to itself to confirm start-up), so pick a
    # free one; another process may take it in between, hence the few retries.
    for attempt in range(5):
        port = _free_port()
        controller = Controller(inbox, hostname=HOST, port=port, ready_timeout=10)
        try:
            controller.start()
        except (OSError, RuntimeError):
            if attempt == 4:
                raise
            continue
        break
    inbox.port = port
    try:
        yield inbox
    finally:
        controller.stop()
