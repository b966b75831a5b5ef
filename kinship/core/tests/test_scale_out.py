"""Two app servers, one task worker, one database, one Redis: a member's visit crosses all of them.

Everything runs on loopback as separate processes started the way production starts them (gunicorn,
`manage.py run_worker`), driven with plain HTTP: the member signs in on server A with the real form,
posts on B with the session cookie A gave (sessions are shared), watches the live question stream
on A while asking on B (live updates cross processes through Redis), searches on A until B refuses
(rate limits are counted in the shared cache), and the worker emails the circle's facilitator
through a loopback SMTP server (tasks queued by an app server run on the worker).

The database both servers reach: on PostgreSQL the test database itself; on SQLite a file copy of
the test database in a temporary folder (the test database lives in memory, which no other process
can open). The servers also read through a replica alias (DATABASE_REPLICA_URL, the same database
here), so the replica path runs in real processes too.
"""

import http.client
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import IO
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.db import connection
from django.test import TransactionTestCase
from django.urls import reverse

from kinship.core import factories
from kinship.core.smtp_testing import Inbox, smtp_server
from kinship.core.testing import make_cast
from kinship.core.tests.test_live import redis_or_skip

ROOT = Path(__file__).resolve().parents[3]
HOST = "127.0.0.1"
PASSWORD = "a long walk on the beach"
CRISIS = "Honestly some nights I want to end my life."
SEARCHES_PER_MINUTE = 3
# Bounds for a stuck test, never speed targets: `make bench` measures speed.
START_SECONDS = 60
REPLY_SECONDS = 15
MAIL_SECONDS = 60
# As `make run` serves, with one worker process per server: each server is one process here.
GUNICORN = [sys.executable, "-m", "gunicorn", "kinship.wsgi:application", "--workers", "1", "--threads", "4"]
GUNICORN += ["--graceful-timeout", "2"]
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: IO[bytes]

    def tail(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return f"--- {self.name} ---\n" + self.log.read().decode(errors="replace")[-3000:]


@dataclass
class Browser:
    """Cookies and plain HTTP/1.1 requests to whichever server: what a browser behind a load balancer does."""

    cookies: dict[str, str] = field(default_factory=dict)
    seen: list[tuple[str, str, int]] = field(default_factory=list)

    def request(
        self, port: int, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, http.client.HTTPMessage, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        with closing(http.client.HTTPConnection(HOST, port, timeout=REPLY_SECONDS)) as conn:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            self.keep_cookies(response.headers)
            self.seen.append((method, path, response.status))
            return response.status, response.headers, text

    def keep_cookies(self, headers: http.client.HTTPMessage) -> None:
        for header in headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] not in ("0", 0):
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)

    def form_token(self, port: int, path: str) -> str:
        status, _, page = self.request(port, "GET", path)
        assert status == 200, f"GET {path} answered {status}"
        found = TOKEN.search(page)
        assert found, f"no form on {path}"
        return found.group(1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def database_url(folder: Path) -> str:
    """A URL other processes can open for the data this test made (committed: TransactionTestCase)."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        user = db.get("USER") or "postgres"
        return f"postgres://{user}{password}@{db.get('HOST') or HOST}:{db.get('PORT') or 5432}/{db['NAME']}"
    copy = folder / "kinship.sqlite3"
    connection.ensure_connection()
    with closing(sqlite3.connect(copy)) as target:
        connection.connection.backup(target)
        # Switched once here, not by three processes at once as each opens it.
        target.execute("PRAGMA journal_mode=WAL")
    return f"sqlite:///{copy}"


def _answers(port: int) -> bool:
    try:
        with closing(http.client.HTTPConnection(HOST, port, timeout=2)) as probe:
            probe.request("GET", "/healthz")
            return probe.getresponse().status == 200
    except OSError:
        return False


class Cluster:
    """The processes of one test; every one is stopped (its whole process group) when the block ends."""

    def __init__(self, stack: ExitStack, env: dict[str, str]) -> None:
        self.stack = stack
        self.env = env
        self.processes: list[Process] = []

    def start(self, name: str, command: list[str]) -> Process:
        log = self.stack.enter_context(tempfile.TemporaryFile())  # noqa: SIM115 - the stack closes it
        popen = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        process = Process(name, popen, log)
        self.processes.append(process)
        self.stack.callback(stop, process)
        return process

    def app_server(self, name: str) -> int:
        port = free_port()
        process = self.start(
            name,
            [*GUNICORN, "--bind", f"{HOST}:{port}"],
        )
        deadline = time.monotonic() + START_SECONDS
        while not _answers(port):
            if process.popen.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{name} did not start\n{process.tail()}")
            time.sleep(0.2)
        return port

    def worker(self) -> Process:
        return self.start(
            "worker",
            [sys.executable, "manage.py", "run_worker", "--no-reload", "--no-startup-delay", "--interval", "0.5"],
        )

    def logs(self) -> str:
        return "\n".join(process.tail() for process in self.processes)


def stop(process: Process) -> None:
    if process.popen.poll() is None:
        os.killpg(process.popen.pid, signal.SIGTERM)
    try:
        process.popen.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.popen.pid, signal.SIGKILL)
        process.popen.wait(timeout=10)


def read_versions(stream: http.client.HTTPResponse, *, until: int, within: float) -> list[int]:
    """Versions the server-sent event stream sends, until one is at least `until` or the time is up."""
    seen: list[int] = []
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            line = stream.readline().decode().strip()
        except TimeoutError:
            break
        if line.startswith("id: "):
            seen.append(int(line[4:]))
            if seen[-1] >= until:
                break
    return seen


@contextmanager
def event_stream(browser: Browser, port: int, path: str) -> Iterator[http.client.HTTPResponse]:
    cookies = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
    with closing(http.client.HTTPConnection(HOST, port, timeout=REPLY_SECONDS)) as conn:
        conn.request("GET", path, headers={"Cookie": cookies, "Accept": "text/event-stream"})
        yield conn.getresponse()


class ScaleOutTests(TransactionTestCase):
    def setUp(self) -> None:
        self.redis_url = redis_or_skip()
        self.cast = make_cast()
        member = self.cast.member
        # The production hasher: the servers run with the real settings, not the test run's fast one.
        hasher = Argon2PasswordHasher()
        member.password = hasher.encode(PASSWORD, hasher.salt())
        member.save(update_fields=["password"])
        self.topic = factories.make_topic(circle=self.cast.circle, author=self.cast.facilitator, title="Stairs")
        self.event = factories.make_event(circle=self.cast.circle, facilitator=self.cast.facilitator)

    def environment(self, folder: Path, inbox: Inbox) -> dict[str, str]:
        url = database_url(folder)
        drop = {"DATABASE_URL", "DATABASE_REPLICA_URL", "REDIS_URL", "EMAIL_URL", "DEBUG", "HTTPS", "SITE_URL"}
        env = {name: value for name, value in os.environ.items() if name not in drop}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "kinship.core.tests.server_settings",
                "DATABASE_URL": url,
                "DATABASE_REPLICA_URL": url,
                "REDIS_URL": self.redis_url,
                "EMAIL_URL": f"smtp://{inbox.host}:{inbox.port}",
                "SECRET_KEY": settings.SECRET_KEY,
                "DEBUG": "0",
                "ALLOWED_HOSTS": HOST,
                "SEARCH_RATE_LIMIT": str(SEARCHES_PER_MINUTE),
                "KINSHIP_TEST_CACHE_PREFIX": f"kinship-test-{uuid.uuid4().hex}",
                "PYTHONDONTWRITEBYTECODE": "1",
            }
        )
        return env

    def test_a_member_signs_in_on_one_server_and_carries_on_across_the_other_and_the_worker(self) -> None:
        member, facilitator = self.cast.member, self.cast.facilitator
        with ExitStack() as stack:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kinship-scale-")))
            inbox = stack.enter_context(smtp_server())
            cluster = Cluster(stack, self.environment(folder, inbox))
            a, b = cluster.app_server("server A"), cluster.app_server("server B")
            cluster.worker()
            browser = Browser()
            try:
                self.sign_in_on_a_and_post_on_b(browser, a, b)
                self.ask_on_b_and_see_the_version_arrive_on_a(browser, a, b)
                self.search_on_a_until_b_refuses(browser, a, b)

                # The crisis words in the reply queued an alert; the worker mailed the facilitator.
                mail = [m for m in inbox.wait_for(1, timeout=MAIL_SECONDS) if facilitator.email in m["To"]]
                self.assertEqual(len(mail), 1, [m["Subject"] for m in inbox.messages])
                self.assertIn(
                    f"{member.display_name} from {self.cast.circle.name} may need support", mail[0]["Subject"]
                )
                self.assertNotIn("end my life", Inbox.text_of(mail[0]))

                self.assertEqual([s for s in browser.seen if s[2] >= 500], [], "a server answered 5xx")
            except AssertionError as failure:
                raise AssertionError(f"{failure}\n{cluster.logs()}") from failure

    def sign_in_on_a_and_post_on_b(self, browser: Browser, a: int, b: int) -> None:
        login = reverse("accounts:login")
        token = browser.form_token(a, login)
        status, headers, _ = browser.request(
            a, "POST", login, {"email": self.cast.member.email, "password": PASSWORD, "csrfmiddlewaretoken": token}
        )
        self.assertEqual((status, headers["Location"]), (302, "/"))
        self.assertIn(settings.SESSION_COOKIE_NAME, browser.cookies)

        # B knows the session A made: it shows the member's own page, and takes their post.
        topic = self.topic.get_absolute_url()
        status, _, page = browser.request(b, "GET", topic)
        self.assertEqual(status, 200)
        self.assertIn(self.cast.member.display_name, page)
        token = browser.form_token(b, topic)
        reply = reverse("discussions:reply-create", args=[self.topic.pk])
        status, headers, _ = browser.request(b, "POST", reply, {"body": CRISIS, "csrfmiddlewaretoken": token})
        self.assertEqual(status, 302)
        # And A shows it: one database behind both.
        status, _, page = browser.request(a, "GET", headers["Location"].split("#")[0])
        self.assertEqual(status, 200)
        self.assertIn("end my life", page)

    def ask_on_b_and_see_the_version_arrive_on_a(self, browser: Browser, a: int, b: int) -> None:
        questions = reverse("qa:questions", args=[self.event.pk])
        with event_stream(browser, a, reverse("qa:stream", args=[self.event.pk])) as stream:
            self.assertEqual(stream.status, 200)
            self.assertEqual(stream.headers["Content-Type"], "text/event-stream")
            [version] = read_versions(stream, until=0, within=REPLY_SECONDS)

            token = browser.form_token(b, questions)
            status, _, _ = browser.request(
                b, "POST", questions, {"body": "When can I swim again?", "csrfmiddlewaretoken": token}
            )
            self.assertEqual(status, 302)
            seen = read_versions(stream, until=version + 1, within=REPLY_SECONDS)
            self.assertEqual(seen[-1:], [version + 1], f"the question's version never reached A (saw {seen})")

        status, _, board = browser.request(a, "GET", reverse("qa:board", args=[self.event.pk]))
        self.assertEqual(status, 200)
        self.assertIn("When can I swim again?", board)

    def search_on_a_until_b_refuses(self, browser: Browser, a: int, b: int) -> None:
        search = reverse("search:search") + "?q=stairs"
        # The limit counts in fixed one-minute windows: start well inside one, and should the searches still
        # straddle two (a very slow machine), start again in the next.
        for _attempt in range(2):
            if 60 - time.time() % 60 < 10:
                time.sleep(60 - time.time() % 60 + 0.1)
            window = int(time.time() // 60)
            answers = [browser.request(a, "GET", search)[0] for _ in range(SEARCHES_PER_MINUTE)]
            status, headers, _ = browser.request(b, "GET", search)
            if int(time.time() // 60) == window:
                break
            time.sleep(60 - time.time() % 60 + 0.1)
        self.assertEqual(answers, [200] * SEARCHES_PER_MINUTE)
        self.assertEqual(status, 429, "B did not count the searches made on A")
        self.assertTrue(headers["Retry-After"])
