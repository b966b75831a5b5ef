"""For tests of the real task worker: tasks stored by the database backend, mail through loopback SMTP.

Import the fixtures into a test module (`from kinship.core.worker_testing import inbox, keep_signal_handlers`)
and call `run_worker()` to run every stored task once, as `manage.py db_worker --batch` does.
"""

import signal
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from kinship.core.smtp_testing import Inbox, smtp_server

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def inbox(settings: Any) -> Iterator[Inbox]:
    """A loopback SMTP server as the mail backend, and tasks stored for the worker."""
    with smtp_server() as server:
        for name, value in server.django_settings().items():
            setattr(settings, name, value)
        settings.SITE_URL = "https://kinship.test"
        settings.TASKS = DATABASE_TASKS
        yield server


@pytest.fixture
def keep_signal_handlers() -> Iterator[None]:
    """db_worker installs its own SIGINT/SIGTERM handlers in this process; put pytest's back."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0", stdout=StringIO())
