"""Two app server processes, one database, one Redis: a vote through one reaches a live page on the other."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, TransactionTestCase
from django.urls import reverse

from kinship.core import factories
from kinship.core.testing import make_cast
from kinship.core.tests.test_live import redis_or_skip
from kinship.qa import services
from kinship.qa.models import Question

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="server processes need a database they can share (PostgreSQL)"
)

ROOT = Path(__file__).resolve().parents[3]
CSRF = "a" * 32  # an unmasked token: Django accepts the secret itself in the form and the cookie


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def database_url() -> str:
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def _answers(port: int) -> bool:
    try:
        probe = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        probe.request("GET", "/healthz")
        return probe.getresponse().status == 200
    except OSError:
        return False


@contextmanager
def app_server(redis_url: str) -> Iterator[int]:
    """One gunicorn process on loopback against the test database; stopped whatever happens."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "1",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    command = [sys.executable, "-m", "gunicorn", "kinship.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", "1", "--threads", "4", "--graceful-timeout", "1"]
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            deadline = time.monotonic() + 20
            while not _answers(port):
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise AssertionError(f"server did not start: {log.read().decode()[-2000:]}")
                time.sleep(0.2)
            yield port
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


def session_cookie(user) -> str:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def read_versions(response: http.client.HTTPResponse, *, until: int, within: float) -> list[int]:
    """Versions the stream sends, until one is at least `until` or the time is up."""
    seen: list[int] = []
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        line = response.readline().decode().strip()
        if line.startswith("id: "):
            seen.append(int(line[4:]))
            if seen[-1] >= until:
                break
    return seen


class TwoServerProcessesTests(TransactionTestCase):
    def test_a_vote_through_one_process_reaches_a_live_page_on_the_other(self) -> None:
        redis_url = redis_or_skip()
        cast = make_cast()
        event = factories.make_event(circle=cast.circle, facilitator=cast.facilitator)
        question = services.ask(author=cast.member, event=event, body="When can I swim again?", anonymous=True)
        voter = factories.make_member(cast.circle)
        version = event.questions_version

        with app_server(redis_url) as first, app_server(redis_url) as second:
            listening = http.client.HTTPConnection("127.0.0.1", second, timeout=5)
            listening.request(
                "GET",
                reverse("qa:stream", args=[event.pk]),
                headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={session_cookie(cast.member)}"},
            )
            stream = listening.getresponse()
            self.assertEqual(stream.status, 200)
            self.assertEqual(read_versions(stream, until=version, within=5), [version])

            voting = http.client.HTTPConnection("127.0.0.1", first, timeout=5)
            voting.request(
                "POST",
                reverse("qa:vote", args=[question.pk]),
                body=f"vote=on&csrfmiddlewaretoken={CSRF}",
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": f"{settings.SESSION_COOKIE_NAME}={session_cookie(voter)}; csrftoken={CSRF}",
                },
            )
            self.assertLess(voting.getresponse().status, 400)

            # Five seconds is a bound for a stuck test, not a speed target: `make bench` measures speed.
            seen = read_versions(stream, until=version + 1, within=5)
            self.assertEqual(seen, [version + 1], "the vote's new version never reached the other process")
            listening.close()

        self.assertEqual(Question.objects.get(pk=question.pk).vote_count, 1)
