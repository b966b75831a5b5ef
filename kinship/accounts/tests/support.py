"""Shared pieces for the accounts tests: awkward inputs, a database snapshot, small images."""

import html
import io
import os
import re
import time
from types import SimpleNamespace
from typing import Any
from unittest import mock
from urllib.parse import quote, quote_plus

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import escape
from PIL import Image

from kinship.accounts.models import ApiToken, User
from kinship.circles.models import Membership
from kinship.core import ratelimit

NULL = "\x00"
RTL_OVERRIDE = "\u202e"
ZERO_WIDTH_JOINER = "\u200d"
ZERO_WIDTH_SPACE = "\u200b"
# "woman in manual wheelchair": two code points glued by a zero-width joiner.
WHEELCHAIR_EMOJI = "\U0001f469\u200d\U0001f9bd"
COMBINING_ACUTE = "\u0301"
STRONG_PASSWORD = "a long and unusual passphrase"

LINK_RE = re.compile(r"https?://\S+")


def database_state() -> dict[str, Any]:
    """Every row a sign-up, profile or email change could touch, to prove nothing changed."""
    return {
        "users": list(User.objects.order_by("pk").values()),
        "memberships": list(Membership.objects.order_by("pk").values()),
        "tokens": list(ApiToken.objects.order_by("pk").values()),
    }


def link_in(message: mail.EmailMessage) -> str:
    found = LINK_RE.findall(message.body)
    assert len(found) == 1, f"expected one link in the email, found {found}"
    return found[0]


def path_of(link: str) -> str:
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def email_forms(email: str) -> set[str]:
    """The address as it could leak into a page: plain, HTML-escaped, URL-encoded."""
    forms = {email, html.escape(email), quote(email), quote(email, safe=""), quote_plus(email)}
    forms |= {html.escape(f) for f in list(forms)}
    return {f.lower() for f in forms}


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (8, 8), noise: bool = False) -> bytes:
    if noise:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (200, 120, 80))
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def image_upload(fmt: str = "PNG", name: str | None = None, **kwargs: Any) -> SimpleUploadedFile:
    name = name or f"me.{fmt.lower()}"
    return SimpleUploadedFile(name, image_bytes(fmt, **kwargs), content_type=f"image/{fmt.lower()}")


def hold_rate_window(testcase: Any) -> None:
    """Pin the rate limiter's clock inside one window, so a window edge cannot split a test's attempts."""
    now = time.time()
    pinned = now - now % 3600 + 1  # just after an hour boundary, which is also a quarter-hour boundary
    patcher = mock.patch.object(ratelimit, "time", SimpleNamespace(time=lambda: pinned))
    patcher.start()
    testcase.addCleanup(patcher.stop)


class AccountsAssertions:
    """Assertions the accounts tests share; mixed in before KinshipTestCase."""

    assertEqual: Any
    assertIn: Any
    assertNotIn: Any

    def assertNothingChanged(self, before: dict[str, Any]) -> None:
        self.assertEqual(database_state(), before)

    def assertRefused(self, response: Any, message: str, status: int = 422) -> None:
        """The status, and the message shown to the person (checked in the page's main region)."""
        text = response.content.decode("utf-8", "replace")
        main = text.split('<main id="main"', 1)[-1].split("</main>", 1)[0]
        summary = " ".join(re.sub(r"<[^>]+>", " ", main).split())[:600]
        self.assertEqual(response.status_code, status, summary)
        self.assertIn(escape(message), main, summary)

    def assertNoEmailIn(self, response: Any, email: str) -> None:
        body = response.content.decode("utf-8", "replace").lower()
        for form in email_forms(email):
            self.assertNotIn(form, body, f"the address leaked as {form!r} on {response.request['PATH_INFO']}")
