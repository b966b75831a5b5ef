"""Test helpers: a real SMTP server on loopback per test, and a mail connection that dies after k messages."""

import smtplib
from collections.abc import Sequence
from email.message import EmailMessage
from typing import Any, ClassVar

from django.core.mail.backends.smtp import EmailBackend
from django.test import SimpleTestCase, override_settings

from kinship.core.smtp_testing import Inbox, smtp_server

SITE = "https://kinship.test"


class SmtpTestMixin(SimpleTestCase):
    """Every test gets `self.inbox`: Django's SMTP backend delivers there, and SITE_URL is SITE."""

    inbox: Inbox

    def setUp(self) -> None:
        super().setUp()
        server = smtp_server()
        self.inbox = server.__enter__()
        self.addCleanup(server.__exit__, None, None, None)
        settings = override_settings(
            **self.inbox.django_settings(), SITE_URL=SITE, DEFAULT_FROM_EMAIL="Kinship <no-reply@kinship.test>"
        )
        settings.enable()
        self.addCleanup(settings.disable)

    def assert_no_more_mail(self, expected: int) -> None:
        """Nothing beyond `expected` arrived: a marker sent last must be message expected + 1."""
        from django.core.mail import send_mail

        send_mail("Marker", "end of test", None, ["marker@example.org"])
        messages = self.inbox.wait_for(expected + 1)
        self.assertEqual(messages[-1]["Subject"], "Marker", [m["Subject"] for m in messages])


def parts(message: EmailMessage) -> dict[str, Any]:
    """Content type -> the part, for the parts of a message (the first of each type)."""
    found: dict[str, Any] = {}
    for part in message.walk():
        found.setdefault(part.get_content_type(), part)
    return found


def recipients(inbox: Inbox) -> Sequence[str]:
    return [rcpt for _, rcpts in inbox.envelopes for rcpt in rcpts]


class FlakyBackend(EmailBackend):
    """The real SMTP backend, except that the server "goes away" after `budget` messages."""

    budget: ClassVar[int] = 0

    def send_messages(self, email_messages: Sequence[Any]) -> int:
        if FlakyBackend.budget <= 0:
            raise smtplib.SMTPServerDisconnected("connection lost (test)")
        FlakyBackend.budget -= 1
        return super().send_messages(email_messages)
