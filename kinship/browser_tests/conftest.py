"""Headless Debian Chromium, driven by Playwright, against pytest-django's live server.

Chromium is Debian's (/usr/bin/chromium, installed by `make browser-deps`); Playwright never
downloads a browser here. Mail goes through a real SMTP server (aiosmtpd) on loopback.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

from kinship.core.smtp_testing import Inbox, smtp_server

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(django_settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = 1280
PHONE = 360


def _missing(what: str) -> None:
    # Under CI a missing browser is a broken set-up, not a reason to skip quietly.
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"{what} is missing; run `make browser-deps`.", pytrace=False)
    pytest.skip(f"{what} is missing; run `make browser-deps`.")


@pytest.fixture(scope="package")
def playwright_browser() -> Iterator[Any]:
    """One Chromium for the package; closed after its last test."""
    if not CHROMIUM.exists():
        _missing(str(CHROMIUM))
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop running in this thread while it is started,
    # which makes Django refuse ORM calls from here; the tests and the live server are plain
    # threads, so that guard is lifted while (and only while) the browser package runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    manager = sync_playwright().start()
    try:
        browser = manager.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        manager.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def open_page(playwright_browser: Any, live_server: Any) -> Iterator[Callable[..., Any]]:
    """open_page(width=1280) -> a fresh page (own cookies) whose `.goto("/path")` is relative to the live server.

    Every page collects JavaScript errors and dialogs in `page.kinship_errors` / `page.kinship_dialogs`;
    dialogs are dismissed so a stray alert() cannot hang a test.
    """
    contexts: list[Any] = []

    def _open(width: int = DESKTOP, height: int = 800, *, bypass_csp: bool = False) -> Any:
        context = playwright_browser.new_context(
            viewport={"width": width, "height": height},
            base_url=live_server.url,
            java_script_enabled=True,
            bypass_csp=bypass_csp,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.kinship_base_url = live_server.url
        page.kinship_errors = []
        page.kinship_dialogs = []
        page.on("pageerror", lambda error: page.kinship_errors.append(str(error)))

        # Anything the content security policy refuses is a page error too: the site must need none of it.
        def _console(message: Any) -> None:
            if message.type == "error" and "Content Security Policy" in message.text:
                page.kinship_errors.append(message.text)

        page.on("console", _console)

        def _dialog(dialog: Any) -> None:
            page.kinship_dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", _dialog)
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def inbox(settings: Any) -> Iterator[Inbox]:
    """A real SMTP server; Django (including the live server thread) sends its mail there."""
    with smtp_server() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 10
        yield server


@pytest.fixture
def axe_script() -> Path:
    if not AXE.exists():
        _missing(str(AXE))
    return AXE


def sign_in(page: Any, user: Any) -> None:
    """Give the page's browser context a signed-in session for this user (the sign-in form has its own test)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": page.kinship_base_url}])


def wait_until(page: Any, expression: str, timeout_ms: int = 10_000) -> None:
    """Wait for a JavaScript condition by asking the page again and again.

    Playwright's wait_for_function builds a function from a string inside the page, which the content
    security policy (rightly) forbids; evaluate goes through the DevTools protocol instead.
    """
    waited = 0
    while not _holds(page, expression):
        if waited >= timeout_ms:
            raise AssertionError(f"still false after {timeout_ms} ms: {expression}")
        page.wait_for_timeout(50)
        waited += 50


def _holds(page: Any, expression: str) -> bool:
    try:
        return bool(page.evaluate(f"() => Boolean({expression})"))
    except Exception as error:  # the page is navigating: ask the next one
        if "context was destroyed" in str(error) or "navigat" in str(error):
            return False
        raise


def scroll_width(page: Any) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def run_axe(page: Any, script: Path) -> list[dict[str, Any]]:
    """axe-core's violations of impact serious or critical on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, which the page's CSP does not govern: a <script>
        # tag with inline text would be refused, as it should be for anything else.
        page.evaluate(script.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v.get("impact") in {"serious", "critical"}]


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)
