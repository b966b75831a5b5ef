"""What `make loadtest` and `make faults` share: the app under gunicorn, a circle of members, simulated members
reading and posting through pages and the API, and the check that every acknowledged post is stored once.

Loopback only. Each simulated member holds one keep-alive connection and, between short pauses, reads a
page or an API list or posts a reply or a topic through the API with an Idempotency-Key. Some posts are
sent twice at once on two connections, some are abandoned after a few milliseconds (a client timeout)
and sent again with the same key, some are sent again after their answer: each key must create one post.
"""

import asyncio
import contextlib
import datetime as dt
import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = BASE_DIR / "var" / "loadtest"
HOST = "127.0.0.1"
# Every post carries its key, so the database can be checked against what the clients were told.
MARKER = re.compile(r"\[lt:([0-9a-f]{32})\]")
# A request that has had no answer in this long is a hang, which is a failure in itself.
REQUEST_TIMEOUT = 30.0


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw.replace("_", "")) if raw else default


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    return float(raw) if raw else default


def configure_environment(database_url: str) -> None:
    """Settings for this process and the server alike."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["DEBUG"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "kinship.settings"
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))


def setup_django(*, collect_static: bool = True) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)
    if collect_static:
        # DEBUG off serves hashed static names from the manifest, which collectstatic writes.
        call_command("collectstatic", "--noinput", verbosity=0)


# --- the people ------------------------------------------------------------------------------------


@dataclass
class Member:
    user_id: int
    name: str
    token: str
    cookie: str


@dataclass
class Crowd:
    slug: str
    members: list[Member]
    topic_ids: list[int]


def prepare_crowd(members: int, topics: int) -> Crowd:
    """A new open circle with verified members, each with an API token and a signed-in browser session.

    Made directly (no sign-up, no password: Argon2's deliberate cost would dominate), and named by the
    time, so the check afterwards looks only at this run's posts.
    """
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db import connections

    from kinship.accounts.models import ApiToken
    from kinship.circles.models import Circle
    from kinship.core import factories
    from kinship.discussions import services

    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    circle = Circle.objects.create(
        name=f"Load test {stamp}",
        slug=f"loadtest-{stamp}-{secrets.token_hex(2)}",
        description="Simulated members of a load test.",
        guidelines="Be kind.",
    )
    crowd = Crowd(slug=circle.slug, members=[], topic_ids=[])
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for n in range(members):
        # No password: hashing one with the production hasher per member would dominate the set-up.
        user = factories.make_user(
            email=f"member{n}-{circle.slug}@loadtest.invalid",
            password=None,
            display_name=f"Load member {n}",
            terms_version=settings.TERMS_VERSION,
        )
        factories.add_member(circle, user)  # counted in the circle's member_count, as joining is
        _, token = ApiToken.issue(user)
        # Signed in the way the login view leaves a session, without the password hasher.
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
        crowd.members.append(Member(user_id=user.pk, name=user.display_name, token=token, cookie=cookie))
        if n < topics:
            topic = services.start_topic(
                author=user, circle=circle, title=f"Week {n + 1} after surgery", body="How is everyone doing?"
            )
            crowd.topic_ids.append(topic.pk)
    connections.close_all()
    return crowd


# --- the server ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def start_server(port: int, log_path: Path, *, workers: int, threads: int) -> subprocess.Popen[bytes]:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [str(gunicorn)] if gunicorn.exists() else [sys.executable, "-m", "gunicorn"]
    command += [
        "kinship.wsgi:application",
        "--bind", f"{HOST}:{port}",
        "--workers", str(workers),
        "--threads", str(threads),
        "--log-level", "info",
        "--graceful-timeout", "5",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        # Its own session, so the whole server (master and workers) is stopped by its process group.
        return subprocess.Popen(  # noqa: S603
            command, cwd=BASE_DIR, env=os.environ.copy(), stdout=log, stderr=log, start_new_session=True
        )


def stop_process(process: subprocess.Popen[Any]) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def wait_until_serving(server: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
    import http.client

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}:\n{log_path.read_text()[-3000:]}")
        with contextlib.suppress(OSError):
            probe = http.client.HTTPConnection(HOST, port, timeout=2)
            probe.request("GET", "/healthz")
            if probe.getresponse().status == 200:
                return
        time.sleep(0.2)
    sys.exit(f"gunicorn did not answer /healthz within 60 s:\n{log_path.read_text()[-3000:]}")


def worker_pids(server: subprocess.Popen[bytes]) -> set[int]:
    """gunicorn's worker processes now (Linux): a worker that died and was replaced shows as a new pid."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    with contextlib.suppress(OSError):
        return {int(pid) for pid in children.read_text().split()}
    return set()


# --- the client ------------------------------------------------------------------------------------


class Abandoned(Exception):
    """The client stopped waiting (deliberately, or past REQUEST_TIMEOUT)."""


class Connection:
    """One HTTP/1.1 keep-alive connection; reopened after the server closes it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.reconnects = 0

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes = b"", timeout: float = REQUEST_TIMEOUT
    ) -> tuple[int, dict[str, str], bytes]:
        try:
            return await asyncio.wait_for(self._exchange_or_reconnect(method, path, headers, body), timeout)
        except TimeoutError as exc:
            self.close()  # the answer may still come; nobody will read it
            raise Abandoned(f"no answer within {timeout:.3f} s") from exc
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            self.close()
            raise

    async def _exchange_or_reconnect(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """Send once more on a new connection if the server had closed a kept-alive one before reading.

        gunicorn closes a connection idle for two seconds; a request that crosses that close gets no byte
        back. Browsers resend then, and so may we: the request never reached the app (and every post here
        carries an Idempotency-Key besides).
        """
        reused = self.writer is not None
        try:
            return await self._exchange(method, path, headers, body)
        except (asyncio.IncompleteReadError, ConnectionResetError, BrokenPipeError) as exc:
            nothing_back = not isinstance(exc, asyncio.IncompleteReadError) or not exc.partial
            if not (reused and nothing_back):
                raise
            self.close()
            self.reconnects += 1
            return await self._exchange(method, path, headers, body)

    async def _exchange(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        assert self.reader is not None
        lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{self.port}", "User-Agent: kinship-loadtest"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        lines.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        answer: dict[str, str] = {}
        for line in header_lines:
            if line:
                name, _, value = line.partition(":")
                answer[name.strip().lower()] = value.strip()
        if answer.get("transfer-encoding", "").lower() == "chunked":
            content = b""
            while size := int((await self.reader.readline()).split(b";")[0], 16):
                content += (await self.reader.readexactly(size + 2))[:-2]
            while (await self.reader.readline()) not in (b"\r\n", b""):
                pass
        else:
            content = await self.reader.readexactly(int(answer.get("content-length", "0")))
        if answer.get("connection", "").lower() == "close":
            self.close()
        return status, answer, content


# --- the record ------------------------------------------------------------------------------------


@dataclass
class Sample:
    kind: str  # "page", "api read", "api write"
    started: float  # seconds since the load began
    seconds: float
    status: int  # 0: no answer (connection failed or abandoned)
    error: str = ""
    deliberate: bool = False  # abandoned on purpose, after a few milliseconds


@dataclass
class Record:
    samples: list[Sample] = field(default_factory=list)
    # Idempotency-Key -> what the server answered each time it was sent: (status, created id or None).
    answers: dict[str, list[tuple[int, int | None]]] = field(default_factory=lambda: defaultdict(list))
    key_kind: dict[str, str] = field(default_factory=dict)  # key -> "reply" or "topic"
    counts: Counter[str] = field(default_factory=Counter)
    began: float = 0.0
    ended: float = 0.0


@dataclass
class LoadSettings:
    seconds: float
    think: float  # mean pause between a member's actions, seconds
    duplicate_share: float = 0.10  # posts sent twice at once
    timeout_share: float = 0.10  # posts abandoned after a few ms, then sent again
    resend_share: float = 0.05  # posts sent again after their answer
    retry_503_for: float = 0.0  # keep retrying a post answered 503 (or not at all) for this long


class Simulation:
    def __init__(self, port: int, crowd: Crowd, settings: LoadSettings, seed: int | None = None) -> None:
        self.port = port
        self.crowd = crowd
        self.settings = settings
        self.record = Record()
        self.rng = random.Random(seed)
        self.topic_ids = list(crowd.topic_ids)
        self.stop_at = 0.0

    def now(self) -> float:
        return time.monotonic() - self.record.began

    async def send(
        self,
        connection: Connection,
        kind: str,
        method: str,
        path: str,
        headers: dict[str, str],
        body: bytes = b"",
        timeout: float = REQUEST_TIMEOUT,
    ) -> tuple[int, dict[str, str], bytes] | None:
        started = self.now()
        try:
            status, answer, content = await connection.request(method, path, headers, body, timeout)
        except Abandoned as exc:
            deliberate = timeout < REQUEST_TIMEOUT
            self.record.samples.append(Sample(kind, started, self.now() - started, 0, str(exc), deliberate))
            return None
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as exc:
            self.record.samples.append(Sample(kind, started, self.now() - started, 0, type(exc).__name__))
            return None
        self.record.samples.append(Sample(kind, started, self.now() - started, status))
        return status, answer, content

    # --- reading -------------------------------------------------------------------------------

    async def read_page(self, member: Member, connection: Connection) -> None:
        topic = self.rng.choice(self.topic_ids)
        path = f"/c/{self.crowd.slug}/" if self.rng.random() < 0.5 else f"/t/{topic}/"
        await self.send(connection, "page", "GET", path, {"Cookie": member.cookie, "Accept": "text/html"})

    async def read_api(self, member: Member, connection: Connection) -> None:
        if self.rng.random() < 0.5:
            path = f"/api/v1/circles/{self.crowd.slug}/topics"
        else:
            path = f"/api/v1/topics/{self.rng.choice(self.topic_ids)}/replies"
        await self.send(connection, "api read", "GET", path, self._api_headers(member))

    # --- posting -------------------------------------------------------------------------------

    @staticmethod
    def _api_headers(member: Member, key: str | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {member.token}", "Accept": "application/json"}
        if key is not None:
            headers["Idempotency-Key"] = key
            headers["Content-Type"] = "application/json"
        return headers

    async def post_reply(self, member: Member, connection: Connection) -> None:
        key = uuid.uuid4().hex
        topic_id = self.rng.choice(self.topic_ids)
        body = {"body": f"Sending strength from {member.name}. [lt:{key}]"}
        await self._post(member, connection, "reply", key, f"/api/v1/topics/{topic_id}/replies", body)

    async def post_topic(self, member: Member, connection: Connection) -> None:
        key = uuid.uuid4().hex
        body = {"title": f"A question from {member.name}", "body": f"Has anyone tried hydrotherapy? [lt:{key}]"}
        created = await self._post(member, connection, "topic", key, f"/api/v1/circles/{self.crowd.slug}/topics", body)
        if created is not None:
            self.topic_ids.append(created)

    async def _post(
        self, member: Member, connection: Connection, what: str, key: str, path: str, payload: dict[str, Any]
    ) -> int | None:
        """Send one post in one of the ways clients really do; returns the created id once acknowledged."""
        self.record.key_kind[key] = what
        body = json.dumps(payload).encode()
        headers = self._api_headers(member, key)
        roll = self.rng.random()
        s = self.settings
        if roll < s.duplicate_share:
            # The same request twice at once, on two connections (a double tap, or a proxy's retry).
            self.record.counts["sent twice at once"] += 1
            pair = [Connection(self.port), Connection(self.port)]
            answers = await asyncio.gather(*(self._post_once(c, path, headers, body, key) for c in pair))
            for c in pair:
                c.close()
            created = next((a for a in answers if a is not None), None)
            if created is None and self._unanswered(key):
                created = await self._post_until_answered(connection, path, headers, body, key)
            return created
        if roll < s.duplicate_share + s.timeout_share:
            # Given up on after a few milliseconds (the server carries on), then sent again.
            self.record.counts["abandoned, then sent again"] += 1
            impatient = Connection(self.port)
            created = await self._post_once(impatient, path, headers, body, key, timeout=self.rng.uniform(0.002, 0.05))
            impatient.close()
            if created is None and self._unanswered(key):
                created = await self._post_until_answered(connection, path, headers, body, key)
            return created
        created = await self._post_until_answered(connection, path, headers, body, key)
        if created is not None and roll < s.duplicate_share + s.timeout_share + s.resend_share:
            # Sent again after its answer (the answer was lost on the way, as far as the client knows).
            self.record.counts["sent again after the answer"] += 1
            await self._post_once(connection, path, headers, body, key)
        return created

    async def _post_once(
        self,
        connection: Connection,
        path: str,
        headers: dict[str, str],
        body: bytes,
        key: str,
        timeout: float = REQUEST_TIMEOUT,
    ) -> int | None:
        answer = await self.send(connection, "api write", "POST", path, headers, body, timeout)
        if answer is None:
            return None
        status, _, content = answer
        created: int | None = None
        if 200 <= status < 300:
            with contextlib.suppress(ValueError, KeyError, TypeError):
                created = int(json.loads(content)["id"])
        self.record.answers[key].append((status, created))
        return created

    def _unanswered(self, key: str) -> bool:
        """No answer yet that settles the key: nothing at all, or only "try again" (503)."""
        return all(status == 503 for status, _ in self.record.answers[key])

    async def _post_until_answered(
        self, connection: Connection, path: str, headers: dict[str, str], body: bytes, key: str
    ) -> int | None:
        """Send until the server answers; a 503 or no answer is retried with the same key while allowed."""
        give_up_at = time.monotonic() + self.settings.retry_503_for
        while True:
            created = await self._post_once(connection, path, headers, body, key)
            if created is not None or not self._unanswered(key) or time.monotonic() >= give_up_at:
                return created
            self.record.counts["retried after 503 or no answer"] += 1
            await asyncio.sleep(0.5)

    # --- the crowd -----------------------------------------------------------------------------

    async def member(self, member: Member) -> None:
        connection = Connection(self.port)
        actions: list[tuple[Callable[[Member, Connection], Any], float]] = [
            (self.read_page, 35),
            (self.read_api, 35),
            (self.post_reply, 25),
            (self.post_topic, 5),
        ]
        functions, weights = zip(*actions, strict=True)
        # Members arrive over the first second, not all in the same millisecond.
        await asyncio.sleep(self.rng.uniform(0, 1))
        while time.monotonic() < self.stop_at:
            action = self.rng.choices(functions, weights)[0]
            await action(member, connection)
            await asyncio.sleep(self.rng.expovariate(1 / self.settings.think) if self.settings.think else 0)
        connection.close()
        if connection.reconnects:
            self.record.counts["resent on a new connection after a keep-alive close"] += connection.reconnects

    async def run(self, during: Callable[[], Any] | None = None) -> Record:
        """Run every member until the time is up; `during`, if given, runs in a thread meanwhile."""
        self.record.began = time.monotonic()
        self.stop_at = self.record.began + self.settings.seconds
        crowd = asyncio.gather(*(self.member(m) for m in self.crowd.members))
        side = asyncio.get_running_loop().run_in_executor(None, during) if during else None
        await crowd
        if side is not None:
            await side
        self.record.ended = time.monotonic()
        return self.record


# --- the check -------------------------------------------------------------------------------------


def check_posts(crowd: Crowd, record: Record) -> tuple[list[str], dict[str, int]]:
    """Every acknowledged post is in the database exactly once, under the id the client was given."""
    from django.db import connections

    from kinship.discussions.models import Post

    failures: list[str] = []
    stored: dict[str, list[tuple[int, int, bool]]] = defaultdict(list)  # key -> (post id, topic id, opening)
    rows = Post.objects.filter(topic__circle__slug=crowd.slug).values_list("pk", "topic_id", "is_opening", "body")
    for post_id, topic_id, opening, body in rows:
        for key in MARKER.findall(body):
            stored[key].append((post_id, topic_id, opening))
    connections.close_all()

    twice = {key: posts for key, posts in stored.items() if len(posts) > 1}
    for key, posts in sorted(twice.items()):
        failures.append(f"key {key} is stored {len(posts)} times: posts {[p[0] for p in posts]}")
    unknown = set(stored) - set(record.key_kind)
    if unknown:
        failures.append(f"{len(unknown)} stored posts carry a key no client sent")

    acknowledged = 0
    for key, answers in record.answers.items():
        ids = {created for status, created in answers if 200 <= status < 300}
        if not ids:
            continue
        acknowledged += 1
        if len(ids) > 1 or None in ids:
            failures.append(f"key {key} was answered with different ids: {sorted(map(str, ids))}")
            continue
        (created,) = ids
        posts = stored.get(key, [])
        if not posts:
            failures.append(f"key {key} was acknowledged as {created} but is not in the database")
            continue
        post_id, topic_id, opening = posts[0]
        # A reply answers with the post's id, a new topic with the topic's (its opening post holds the key).
        expected = topic_id if record.key_kind[key] == "topic" else post_id
        if created != expected or opening != (record.key_kind[key] == "topic"):
            failures.append(f"key {key} was acknowledged as {created} but stored as {record.key_kind[key]} {expected}")
    figures = {
        "keys sent": len(record.key_kind),
        "acknowledged": acknowledged,
        "stored": sum(len(posts) for posts in stored.values()),
        "stored but never acknowledged": len(
            set(stored) - {k for k, a in record.answers.items() if any(200 <= s < 300 for s, _ in a)}
        ),
        "stored twice": len(twice),
    }
    return failures, figures


# --- the report ------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float | None:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else None


def fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def latency_table(samples: list[Sample], seconds: float) -> list[str]:
    lines = [f"{'requests':<12} {'count':>7} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8}  statuses"]
    for kind in ("page", "api read", "api write", "all"):
        chosen = [s for s in samples if kind in ("all", s.kind)]
        answered = [s.seconds for s in chosen if s.status]
        statuses = Counter(str(s.status) if s.status else "abandoned" if s.deliberate else "no answer" for s in chosen)
        shown = ", ".join(f"{code}: {n}" for code, n in sorted(statuses.items()))
        lines.append(
            f"{kind:<12} {len(chosen):>7} {len(chosen) / seconds:>7.1f} {fmt(percentile(answered, 0.5)):>8} "
            f"{fmt(percentile(answered, 0.99)):>8}  {shown}"
        )
    return lines


def save(name: str, result: dict[str, Any]) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = RESULTS_DIR / f"{stamp}-{name}.json"
    path.write_text(json.dumps(result, indent=2, default=str))
    return path


def machine() -> str:
    import platform

    model = platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    # Other work on the machine skews every figure: say how busy it was.
    load = os.getloadavg()[0]
    return f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, 1-minute load average {load:.1f}"
