"""`make bench`: seed scale data if it is missing, serve it with gunicorn, and measure pages against the floor.

The floor is /floor/, a fixed page through the full middleware stack and base layout, so each page's
throughput as a ratio of the floor shows what the page itself costs (queries, rendering) on this
machine, whatever the machine. The same pages are also measured on a small data set (10,000 replies,
in a database of its own) served at the same time, page by page in turn, so the table shows how each
page's cost grows with the data. Everything runs on loopback; each page is measured for a bounded time
by a separate load-generator process; the servers are stopped at the end, whatever happens.

Environment (all optional):
  DATABASE_URL          database to seed and serve (default: SQLite in var/bench.sqlite3, not the dev database);
                        a PostgreSQL database that does not exist yet is created
  BENCH_USERS, BENCH_TOPICS, BENCH_REPLIES, BENCH_CIRCLES, BENCH_LONG_REPLIES
                        scale data size when it must be seeded (defaults: see DEFAULTS below)
  BENCH_SMALL_DATABASE_URL  the small set's database (default: the same server's <name>_small on PostgreSQL,
                        var/bench-small.sqlite3 on SQLite); BENCH_SMALL_USERS, BENCH_SMALL_TOPICS, BENCH_SMALL_REPLIES,
                        BENCH_SMALL_LONG_REPLIES its size (SMALL below; it has as many circles as the large set)
  BENCH_SCALING         0 measures the large set only (default 1)
  BENCH_SECONDS         measured seconds per page on the large set (default 10), after BENCH_WARMUP seconds (default 2)
  BENCH_SCALING_SECONDS measured seconds per page on the small set (default 5)
  BENCH_CONNECTIONS     concurrent clients (default 8)
  BENCH_PER_CONNECTION  requests each client sends on a connection before opening a new one (default 10;
                        0 keeps it for the whole run, and gunicorn may then put every client on one worker)
  BENCH_REPEAT          measure each page this many times and keep the fastest (default 1; use 3 on a busy machine)
  BENCH_WORKERS, BENCH_THREADS   gunicorn workers and threads (default 2 and 4; `make run` uses 16 threads)
  BENCH_ONLY            measure only these groups besides the floor, comma-separated: home, discussions,
                        events, search, messages, journal (default: all)
"""

import argparse
import asyncio
import contextlib
import datetime as dt
import http.client
import io
import json
import os
import platform
import resource
import secrets
import signal
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = BASE_DIR / "bench" / "results"
HOST = "127.0.0.1"

# Scale data by database: PostgreSQL takes a million replies in about a minute; SQLite gets a
# smaller set so the first `make bench` on a laptop stays short.
DEFAULTS = {
    "postgresql": {"users": 20_000, "topics": 50_000, "replies": 1_000_000, "circles": 20, "long": 5_000},
    "sqlite": {"users": 2_000, "topics": 5_000, "replies": 250_000, "circles": 10, "long": 5_000},
}
# The small set the scaling table compares with: the same circles, a hundredth of the replies
# (a twenty-fifth on SQLite) and members in proportion.
SMALL = {"users": 200, "topics": 500, "replies": 10_000, "long": 1_000}
SIZE_NAMES = {"users": "USERS", "topics": "TOPICS", "replies": "REPLIES", "circles": "CIRCLES", "long": "LONG_REPLIES"}
# A page at most this many times slower on the large set than on the small one.
SCALING_TARGET = 1.2


# Search: a few realistic queries over the scale data (whose replies repeat a few dozen texts, so
# every reply word matches tens of thousands of rows): a common word, a rarer word (in topics'
# opening posts only), a phrase, and a word nobody wrote.
SEARCHES = [
    ("search: common word", "/search/?q=strength"),
    ("search: rarer word", "/search/?q=corridors"),
    ("search: phrase", "/search/?q=%22mirror+therapy%22"),
    ("search: no matches", "/search/?q=xylophone"),
]
GROUPS = ("home", "discussions", "events", "search", "messages", "journal")


# A connection stays with the gunicorn worker that accepted it. Kept for a whole run, all of them can
# land on one worker, and one Python process uses one core: the figure then halves at random. Clients
# reconnect every few requests, so a busy worker's connections drift to the free one, as behind a load
# balancer, while the connect cost stays small next to the floor's.
PER_CONNECTION = 10


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw.replace("_", "").replace(",", "")) if raw else default


# --- the load generator (runs in its own process) -------------------------------------------------


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, int, bool]:
    """Status, body size, and whether the server will close the connection."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip().lower()
    close = headers.get(b"connection") == b"close"
    if headers.get(b"transfer-encoding") == b"chunked":
        size = 0
        while True:
            chunk = int((await reader.readline()).split(b";")[0], 16)
            if chunk == 0:
                while (await reader.readline()) not in (b"\r\n", b""):
                    pass
                return status, size, close
            await reader.readexactly(chunk + 2)
            size += chunk
    if b"content-length" in headers:
        length = int(headers[b"content-length"])
        await reader.readexactly(length)
        return status, length, close
    return status, len(await reader.read()), True


async def _connection(
    requests: tuple[bytes, bytes],
    per_connection: int,
    port: int,
    warm_until: float,
    stop_at: float,
    results: dict[str, Any],
) -> None:
    """One client: `per_connection` requests on a connection (0: as many as it lasts), then a new one."""
    keep, last = requests
    reader = writer = None
    sent = 0
    while time.perf_counter() < stop_at:
        try:
            # A request on a new connection counts the connect in its latency, as a client sees it.
            started = time.perf_counter()
            if writer is None:
                reader, writer = await asyncio.open_connection(HOST, port)
                sent = 0
            assert reader is not None
            sent += 1
            writer.write(last if sent == per_connection else keep)
            status, size, close = await _read_response(reader)
            finished = time.perf_counter()
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            results["errors"] += 1
            if writer is not None:
                writer.close()
            reader = writer = None
            await asyncio.sleep(0.01)
            continue
        if warm_until <= started and finished <= stop_at:
            results["latencies"].append(finished - started)
            results["statuses"][status] = results["statuses"].get(status, 0) + 1
            results["bytes"] += size
        if close or sent == per_connection:
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


def load(args: argparse.Namespace) -> None:
    """Keep `connections` clients busy for warmup + seconds; print one JSON line."""
    head = (
        f"GET {args.path} HTTP/1.1\r\nHost: {HOST}:{args.port}\r\nUser-Agent: kinship-bench\r\n"
        f"Accept: text/html\r\nCookie: {args.cookie}\r\n"
    )
    requests = ((head + "\r\n").encode(), (head + "Connection: close\r\n\r\n").encode())
    results: dict[str, Any] = {"latencies": [], "statuses": {}, "errors": 0, "bytes": 0}

    async def run() -> None:
        now = time.perf_counter()
        warm_until, stop_at = now + args.warmup, now + args.warmup + args.seconds
        await asyncio.gather(
            *(
                _connection(requests, args.per_connection, args.port, warm_until, stop_at, results)
                for _ in range(args.connections)
            )
        )

    asyncio.run(run())
    latencies = sorted(results["latencies"])

    def percentile(p: float) -> float | None:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else None

    print(
        json.dumps(
            {
                "requests": len(latencies),
                "rps": len(latencies) / args.seconds,
                "p50_ms": percentile(0.50),
                "p99_ms": percentile(0.99),
                "statuses": results["statuses"],
                "errors": results["errors"],
                "mean_bytes": results["bytes"] / len(latencies) if latencies else 0,
            }
        )
    )


# --- preparing a data set (runs in its own process, one per database) -----------------------------


def vendor_of(url: str) -> str:
    return "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"


def configure_environment() -> str:
    """Settings for this process and the servers alike; returns the database vendor."""
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'bench.sqlite3'}")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["DEBUG"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "kinship.settings"
    # Eight clients signed in as one member search far past the 60 a minute a person may.
    os.environ["SEARCH_RATE_LIMIT"] = "0"
    (BASE_DIR / "var").mkdir(exist_ok=True)
    return vendor_of(os.environ["DATABASE_URL"])


def small_database_url(url: str) -> str:
    """The small set's database beside the large one: <name>_small on the same server, or a SQLite file."""
    if os.environ.get("BENCH_SMALL_DATABASE_URL"):
        return os.environ["BENCH_SMALL_DATABASE_URL"]
    if vendor_of(url) == "sqlite":
        return f"sqlite:///{BASE_DIR / 'var' / 'bench-small.sqlite3'}"
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"{parts.path.rstrip('/') or '/kinship'}_small"))


def create_postgres_database(url: str) -> None:
    """Create the database in `url` when the server does not have it yet (as `createdb` would)."""
    import psycopg
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(url, dbname="postgres", autocommit=True, connect_timeout=10) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            print(f"Creating PostgreSQL database {name}...", file=sys.stderr)
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def prepare(sizes: dict[str, int]) -> dict[str, Any]:
    """Migrate, seed what is missing, collect static files; pick the pages and sign in the benchmark member."""
    if vendor_of(os.environ["DATABASE_URL"]) == "postgresql":
        create_postgres_database(os.environ["DATABASE_URL"])
    print(f"Migrating and seeding what is missing in {os.environ['DATABASE_URL'].split('@')[-1]}...", file=sys.stderr)
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.core.management import call_command
    from django.db import connection

    from kinship.accounts.models import User
    from kinship.circles.models import Circle
    from kinship.core.management.commands.seed_scale import (
        LONG_TOPIC_TITLE,
        SCALE_DOMAIN,
        SCALE_SLUG_PREFIX,
        benchmark_member,
    )
    from kinship.core.pagination import encode_cursor
    from kinship.discussions.models import Post, Topic
    from kinship.discussions.queries import POSTS_PER_PAGE, TOPIC_ORDER
    from kinship.events.models import Event
    from kinship.journal.models import CheckIn
    from kinship.peers.models import Message

    call_command("migrate", verbosity=0)
    started = time.monotonic()
    # Adds only what is missing: everything on an empty database, the newer parts on an older one.
    # Progress goes to stderr, which the harness shows as it comes; stdout carries the answer.
    said = io.StringIO()
    call_command(
        "seed_scale",
        users=sizes["users"],
        topics=sizes["topics"],
        replies=sizes["replies"],
        circles=sizes["circles"],
        long_topic_replies=sizes["long"],
        if_missing=True,
        verbosity=1,
        stdout=said,
    )
    sys.stderr.write(said.getvalue())
    seeded_seconds = None if "nothing to do" in said.getvalue() else time.monotonic() - started
    call_command("collectstatic", interactive=False, verbosity=0)

    member = benchmark_member()
    long_topic = Topic.objects.filter(title=LONG_TOPIC_TITLE).first()
    if member is None or long_topic is None:
        sys.exit(f"Scale data in {connection.settings_dict['NAME']} is incomplete: drop that database and run again.")
    circle = Circle.objects.filter(slug__startswith=SCALE_SLUG_PREFIX).order_by("slug").first()
    assert circle is not None
    # A topic of ordinary length from the same circle that fills its first page, so the page shows as many
    # posts on the small set as on the large one: the shortest with a page of replies, else the longest.
    ordinary = Topic.objects.filter(circle=circle).exclude(pk=long_topic.pk)
    topic = (
        ordinary.filter(reply_count__gte=POSTS_PER_PAGE).order_by("reply_count", "pk").first()
        or ordinary.order_by("-reply_count", "pk").first()
        or long_topic
    )
    # An older page of the circle's topics: the one after the topic halfway down the list (keyset, no OFFSET),
    # or nearer the top when the list is short, so that the page is full on the small set too.
    listed = Topic.objects.filter(circle=circle, deleted_at__isnull=True, hidden=False).order_by(*TOPIC_ORDER)
    in_list = listed.count()
    middle = listed[max(0, min(in_list // 2, in_list - 21))]
    cursor = encode_cursor([middle.pinned, middle.last_activity_at, middle.pk])
    meeting = Event.objects.filter(circle=circle, rrule__startswith="FREQ=WEEKLY").order_by("pk").first()

    # Signed in the way the login view leaves a session, without the password hasher's deliberate cost.
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(member.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = member.get_session_auth_hash()
    session.create()

    scale_topics = Topic.objects.filter(circle__slug__startswith=SCALE_SLUG_PREFIX)
    pages = [
        ("home", "home", "/"),
        ("circle page", "discussions", f"/c/{circle.slug}/"),
        ("topic list, older page", "discussions", f"/c/{circle.slug}/?cursor={cursor}"),
        ("topic page", "discussions", f"/t/{topic.pk}/"),
        ("long topic, last page", "discussions", f"/t/{long_topic.pk}/?last=1"),
        ("event page", "events", f"/events/{meeting.pk}/" if meeting else "/events/0/"),
        *((name, "search", path) for name, path in SEARCHES),
        ("inbox", "messages", "/messages/"),
        ("journal home", "journal", "/journal/"),
        ("progress, 12 months", "journal", "/journal/progress/?range=12m"),
    ]
    if connection.vendor == "postgresql":
        database = f"PostgreSQL {connection.pg_version // 10000}"  # type: ignore[attr-defined]
    else:
        database = f"{connection.display_name} {getattr(connection.Database, 'sqlite_version', '')}"  # type: ignore[attr-defined]
    return {
        "database": database,
        "volume": {
            "users": User.objects.filter(email__endswith=f"@{SCALE_DOMAIN}").count(),
            "circles": Circle.objects.filter(slug__startswith=SCALE_SLUG_PREFIX).count(),
            "topics": scale_topics.count(),
            "replies": Post.objects.filter(topic__in=scale_topics, is_opening=False).count(),
            "long_topic_replies": long_topic.reply_count,
            "topic_replies": topic.reply_count,
            "events": Event.objects.filter(circle__slug__startswith=SCALE_SLUG_PREFIX).count(),
            "messages": Message.objects.count(),
            "checkins": CheckIn.objects.count(),
            "member_checkins": CheckIn.objects.filter(owner=member).count(),
        },
        "seeded_seconds": seeded_seconds,
        "cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}",
        "pages": pages,
    }


def run_prepare(url: str, sizes: dict[str, int]) -> dict[str, Any]:
    """prepare() in a process of its own: Django reads DATABASE_URL once, and each data set has its own."""
    command = [sys.executable, __file__, "prepare", "--sizes", json.dumps(sizes)]
    env = {**os.environ, "DATABASE_URL": url}
    # Seeding a million replies takes a minute or two; more than half an hour means something is stuck.
    done = subprocess.run(command, cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, text=True, timeout=1800, check=False)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        sys.exit(f"Preparing {url.split('@')[-1]} failed (exit {done.returncode}):\n{done.stdout[-3000:]}")
    for line in lines[:-1]:
        print(line, flush=True)
    return json.loads(lines[-1])


def sizes_for(prefix: str, defaults: dict[str, int]) -> dict[str, int]:
    return {key: env_int(f"{prefix}{SIZE_NAMES[key]}", value) for key, value in defaults.items()}


def wanted_pages(pages: list[list[str]]) -> list[tuple[str, str]]:
    """The floor, then the pages of the groups BENCH_ONLY names (all by default), as (page, path)."""
    raw = os.environ.get("BENCH_ONLY", "").strip()
    wanted = {name.strip() for name in raw.split(",") if name.strip()} if raw else set(GROUPS)
    unknown = wanted - set(GROUPS)
    if unknown:
        sys.exit(f"BENCH_ONLY: unknown group(s) {', '.join(sorted(unknown))}; choose from {', '.join(GROUPS)}.")
    return [("floor", "/floor/"), *((page, path) for page, group, path in pages if group in wanted)]


# --- serving --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_server(port: int, log_path: Path, database_url: str) -> subprocess.Popen:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [str(gunicorn)] if gunicorn.exists() else [sys.executable, "-m", "gunicorn"]
    command += [
        "kinship.wsgi:application",
        "--bind", f"{HOST}:{port}",
        "--workers", str(env_int("BENCH_WORKERS", 2)),
        "--threads", str(env_int("BENCH_THREADS", 4)),
        "--log-level", "warning",
        "--graceful-timeout", "5",
    ]  # fmt: skip
    env = {**os.environ, "DATABASE_URL": database_url}
    with log_path.open("wb") as log:
        # Its own session, so the whole server (master and workers) is stopped by its process group.
        return subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=log, stderr=log, start_new_session=True)


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=5)


def get(port: int, path: str, cookie: str) -> tuple[int, int, list[str]]:
    """Status, body size and Set-Cookie headers of one GET."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("GET", path, headers={"Cookie": cookie})
        response = conn.getresponse()
        return response.status, len(response.read()), response.headers.get_all("Set-Cookie") or []
    finally:
        conn.close()


def browser_cookies(port: int, cookie: str) -> str:
    """The session cookie plus the CSRF cookie a browser would have kept from its first page."""
    jar = SimpleCookie()
    for header in get(port, "/floor/", cookie)[2]:
        jar.load(header)
    kept = [f"{name}={morsel.value}" for name, morsel in jar.items() if not cookie.startswith(f"{name}=")]
    return "; ".join([cookie, *kept])


def wait_until_serving(server: subprocess.Popen, port: int, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}:\n{log_path.read_text()[-3000:]}")
        with contextlib.suppress(OSError):
            if get(port, "/healthz", "")[0] == 200:
                return
        time.sleep(0.2)
    sys.exit(f"gunicorn did not answer /healthz within 60 s:\n{log_path.read_text()[-3000:]}")


def _proc_stats() -> list[tuple[int, str, list[str]]]:
    """(pid, command name, the fields after it) of every process /proc shows."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            text = stat.read_text()
            comm, rest = text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 2 :].split()
            found.append((int(stat.parent.name), comm, rest))
    return found


def worker_memory(server: subprocess.Popen) -> list[int]:
    """Peak resident memory (VmHWM, kB) of each of the server's worker processes (Linux; empty elsewhere)."""
    peaks = []
    for pid, _, rest in _proc_stats():
        if int(rest[1]) != server.pid:  # the parent: gunicorn's master
            continue
        with contextlib.suppress(OSError, ValueError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]))
    return sorted(peaks)


def cpu_ticks(server_pgids: set[int]) -> dict[str, float]:
    """CPU clock ticks so far: the machine's busy and total, the servers', PostgreSQL's, our children's.

    Linux only (empty elsewhere). The difference over a measurement tells how much CPU other work
    on the machine took meanwhile, which is what makes a run trustworthy or not on a shared box.
    """
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return {}
    idle = fields[3] + fields[4]
    ticks = {"total": float(sum(fields)), "busy": float(sum(fields) - idle), "server": 0.0, "postgres": 0.0}
    for _, comm, rest in _proc_stats():
        with contextlib.suppress(ValueError, IndexError):
            used = int(rest[11]) + int(rest[12])
            if int(rest[2]) in server_pgids:
                ticks["server"] += used
            elif comm.startswith("postgres"):
                ticks["postgres"] += used
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    ticks["children"] = (children.ru_utime + children.ru_stime) * os.sysconf("SC_CLK_TCK")
    return ticks


def measure(
    port: int, path: str, cookie: str, seconds: int, settings: dict[str, Any], pgids: set[int]
) -> dict[str, Any]:
    command = [
        sys.executable, __file__, "load", "--port", str(port), "--path", path, "--cookie", cookie,
        "--seconds", str(seconds), "--warmup", str(settings["warmup"]),
        "--connections", str(settings["connections"]),
        "--per-connection", str(settings["per_connection"]),
    ]  # fmt: skip
    before = cpu_ticks(pgids)
    timeout = seconds + settings["warmup"] + 60
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    after = cpu_ticks(pgids)
    if done.returncode != 0:
        raise RuntimeError(f"load generator failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if before and after and after["total"] > before["total"]:
        delta = {k: after[k] - before[k] for k in before}
        others = delta["busy"] - delta["server"] - delta["postgres"] - delta["children"]
        result["other_cpu_pct"] = max(0.0, 100 * others / delta["total"])
        result["server_cpu_pct"] = 100 * delta["server"] / delta["total"]
    return result


# --- reporting ------------------------------------------------------------------------------------


def machine() -> str:
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().split("\n", 1)[0].split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GiB RAM"
    return f"{os.cpu_count()} CPUs ({model}){memory}, Python {platform.python_version()}, {platform.system()}"


def fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}%"


def describe(name: str, info: dict[str, Any]) -> str:
    v = info["volume"]
    return (
        f"{name}: {info['database']}; {v['circles']:,} circles, {v['users']:,} members, {v['topics']:,} topics, "
        f"{v['replies']:,} replies (topic page: {v['topic_replies']:,} replies; long topic: "
        f"{v['long_topic_replies']:,}), {v['events']:,} events, {v['messages']:,} messages, "
        f"{v['checkins']:,} check-ins ({v['member_checkins']} the member's)"
    )


def report(sets: dict[str, dict[str, Any]], rows: list[dict[str, Any]], settings: dict[str, Any]) -> str:
    lines = [
        "",
        f"Kinship benchmark, {dt.datetime.now().isoformat(timespec='seconds')}",
        f"machine:  {machine()}",
        *(describe(name, info) for name, info in sets.items()),
        f"server:   gunicorn, {settings['workers']} workers x {settings['threads']} threads, DEBUG off; "
        f"load: {settings['connections']} concurrent clients on loopback "
        f"({settings['per_connection'] or 'unlimited'} requests per connection), "
        f"{settings['seconds']} s per page"
        + (f" (small set: {settings['scaling_seconds']} s)" if "small" in sets else "")
        + f" after {settings['warmup']} s warm-up"
        + (f", best of {settings['repeat']} runs" if settings["repeat"] > 1 else "")
        + ", signed in as the benchmark member (a plain member of the first circle)",
        f"1-minute load average before measuring: {settings['load_average_before']} "
        f"(other processes on the machine skew absolute figures)",
        "",
    ]
    large = [row["large"] for row in rows]
    floor = large[0] if large and large[0].get("rps") else {}
    header = (
        f"{'page':<24} {'status':>6} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'vs floor':>8} "
        f"{'p99 x fl':>8} {'server CPU':>10} {'other CPU':>9}"
    )
    lines += [header, "-" * len(header)]
    for row in large:
        ratio = row["rps"] / floor["rps"] if floor and row.get("rps") is not None else None
        p99 = row["p99_ms"] / floor["p99_ms"] if floor and row.get("p99_ms") is not None else None
        lines.append(
            f"{row['page']:<24} {status(row):>6} {fmt(row.get('rps'), 0):>7} {fmt(row.get('p50_ms')):>7} "
            f"{fmt(row.get('p99_ms')):>7} {fmt(ratio, 2):>8} {fmt(p99, 1):>8} "
            f"{percent(row.get('server_cpu_pct')):>10} {percent(row.get('other_cpu_pct')):>9}"
        )
    lines += ["", "paths: " + "; ".join(f"{row['page']} {row['path']}" for row in large)]
    lines += [
        "",
        "server CPU: share of the machine's CPU (all cores) the gunicorn workers used while the page was measured;",
        "other CPU: the share used by anything but the servers, their database and the load generator. Above a few",
        "per cent, other work skewed the figures: run again, or with BENCH_REPEAT=3.",
        "Targets: topic page at least 0.5 of the floor's req/s; search p99 under 10 x the floor's p99.",
    ]
    lines += scaling_report(sets, rows)
    lines += memory_report(settings.get("memory", {}))
    return "\n".join(lines)


def failures(row: dict[str, Any]) -> int:
    """Requests of a measurement that did not get a 200, or no answer at all."""
    return sum(n for code, n in row.get("statuses", {}).items() if str(code) != "200") + row.get("errors", 0)


def status(row: dict[str, Any]) -> str:
    bad = failures(row)
    return f"{row['status']} ({bad} failed)" if bad else str(row["status"])


def scaling_report(sets: dict[str, dict[str, Any]], rows: list[dict[str, Any]]) -> list[str]:
    """Each page's time on the large set as a multiple of its time on the small one (target: at most 1.2)."""
    pairs = [row for row in rows if row.get("small") and row["large"].get("rps")]
    if not pairs:
        return []
    sizes = " against ".join(f"{info['volume']['replies']:,} replies" for info in sets.values())
    lines = [
        "",
        f"Scaling: {sizes}. Time ratio: the small set's req/s over the large set's, that is the",
        "mean time a request takes on the large set over the small; p50 ratio likewise. Target: at most",
        f"{SCALING_TARGET}. The floor's row shows how far the machine itself drifted between the two measurements.",
        f"{'page':<24} {'large req/s':>11} {'small req/s':>11} {'time ratio':>10} {'p50 ratio':>9} {'other CPU':>9}",
    ]
    for row in pairs:
        large, small = row["large"], row["small"]
        bad = failures(large) + failures(small)
        if bad or not small.get("rps"):
            # An error page is not the page: no ratio rather than a wrong one.
            note = f"{bad} requests failed" if bad else f"small set: HTTP {small['status']}"
            lines.append(f"{large['page']:<24} {fmt(large['rps'], 0):>11} {fmt(small.get('rps'), 0):>11}  {note}")
            continue
        ratio = small["rps"] / large["rps"]
        p50 = large["p50_ms"] / small["p50_ms"] if small.get("p50_ms") else None
        flag = "" if ratio <= SCALING_TARGET else "  over target"
        other = max(large.get("other_cpu_pct") or 0, small.get("other_cpu_pct") or 0)
        lines.append(
            f"{large['page']:<24} {fmt(large['rps'], 0):>11} {fmt(small['rps'], 0):>11} {fmt(ratio, 2):>10} "
            f"{fmt(p50, 2):>9} {percent(other):>9}{flag}"
        )
    return lines


def memory_report(memory: dict[str, list[int]]) -> list[str]:
    if not any(memory.values()):
        return []
    lines = ["", "Peak memory of a gunicorn worker (VmHWM at the end of the run):"]
    for name, peaks in memory.items():
        if peaks:
            lines.append(
                f"  {name} set: "
                + ", ".join(f"{kb / 1024:.0f} MB" for kb in peaks)
                + f" (max {max(peaks) / 1024:.0f} MB)"
            )
    return lines


# --- the run --------------------------------------------------------------------------------------


def bench() -> None:
    vendor = configure_environment()
    settings: dict[str, Any] = {
        "seconds": env_int("BENCH_SECONDS", 10),
        "scaling_seconds": env_int("BENCH_SCALING_SECONDS", 5),
        "warmup": env_int("BENCH_WARMUP", 2),
        "connections": env_int("BENCH_CONNECTIONS", 8),
        "workers": env_int("BENCH_WORKERS", 2),
        "threads": env_int("BENCH_THREADS", 4),
        "repeat": max(1, env_int("BENCH_REPEAT", 1)),
        "per_connection": env_int("BENCH_PER_CONNECTION", PER_CONNECTION),
    }
    large_sizes = sizes_for("BENCH_", DEFAULTS[vendor])
    databases = {"large": (os.environ["DATABASE_URL"], large_sizes)}
    if env_int("BENCH_SCALING", 1):
        small_sizes = sizes_for("BENCH_SMALL_", {**SMALL, "circles": large_sizes["circles"]})
        databases["small"] = (small_database_url(os.environ["DATABASE_URL"]), small_sizes)
    sets: dict[str, dict[str, Any]] = {}
    for name, (url, sizes) in databases.items():
        print(f"Preparing the {name} data set...", flush=True)
        sets[name] = run_prepare(url, sizes)
        if sets[name]["seeded_seconds"] is not None:
            print(f"Seeded in {sets[name]['seeded_seconds']:.1f} s.", flush=True)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    settings["load_average_before"] = round(os.getloadavg()[0], 2)
    servers: dict[str, subprocess.Popen] = {}
    rows: list[dict[str, Any]] = []
    try:
        ports, cookies, paths = {}, {}, {}
        for name, (url, _) in databases.items():
            ports[name] = free_port()
            log_path = RESULTS_DIR / f"{stamp}-gunicorn-{name}.log"
            servers[name] = start_server(ports[name], log_path, url)
            wait_until_serving(servers[name], ports[name], log_path)
            cookies[name] = browser_cookies(ports[name], sets[name]["cookie"])
            paths[name] = dict(wanted_pages(sets[name]["pages"]))
        pgids = {server.pid for server in servers.values()}
        for page, path in wanted_pages(sets["large"]["pages"]):
            row: dict[str, Any] = {}
            for name in servers:
                found = paths[name].get(page)
                code = get(ports[name], found, cookies[name])[0] if found else None
                row[name] = {"page": page, "path": found, "status": code, "runs_rps": []}
            if row["large"]["status"] != 200:
                print(f"Skipping {page} ({path}): HTTP {row['large']['status']}.", flush=True)
                if page == "floor":
                    sys.exit(f"The floor view answered {row['large']['status']}; nothing to compare against.")
                rows.append(row)
                continue
            print(f"Measuring {page} ({path})...", flush=True)
            best: dict[str, dict[str, Any]] = {}
            # Large and small in turn, so drift on a shared machine touches both alike; with repeats the
            # fastest run is the truest, as other work only ever slows a run down.
            for _ in range(settings["repeat"]):
                for name in servers:
                    if row[name]["status"] != 200:
                        continue
                    seconds = settings["seconds"] if name == "large" else settings["scaling_seconds"]
                    run = measure(ports[name], row[name]["path"], cookies[name], seconds, settings, pgids)
                    row[name]["runs_rps"].append(round(run["rps"], 1))
                    # A run where requests failed measured something else (an error page): any clean run first.
                    if name not in best or (not failures(run), run["rps"]) > (
                        not failures(best[name]),
                        best[name]["rps"],
                    ):
                        best[name] = run
            for name, run in best.items():
                row[name].update(run)
            rows.append(row)
        settings["memory"] = {name: worker_memory(server) for name, server in servers.items()}
    finally:
        for server in servers.values():
            stop_server(server)
    table = report(sets, rows, settings)
    print(table)
    result = {
        "when": stamp,
        "machine": machine(),
        "sets": {name: {k: v for k, v in info.items() if k != "cookie"} for name, info in sets.items()},
        "settings": settings,
        "rows": rows,
        "table": table,
    }
    (RESULTS_DIR / f"{stamp}.json").write_text(json.dumps(result, indent=2, default=str))
    print(f"\nSaved bench/results/{stamp}.json")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command")
    gen = sub.add_parser("load", help="(internal) the load generator process")
    gen.add_argument("--port", type=int, required=True)
    gen.add_argument("--path", required=True)
    gen.add_argument("--cookie", default="")
    gen.add_argument("--seconds", type=float, default=10)
    gen.add_argument("--warmup", type=float, default=2)
    gen.add_argument("--connections", type=int, default=8)
    gen.add_argument("--per-connection", type=int, default=PER_CONNECTION)
    prep = sub.add_parser("prepare", help="(internal) migrate, seed and sign in on DATABASE_URL; prints JSON")
    prep.add_argument("--sizes", required=True)
    args = parser.parse_args()
    if args.command == "load":
        load(args)
    elif args.command == "prepare":
        configure_environment()
        info = prepare(json.loads(args.sizes))
        print(json.dumps(info), flush=True)
    else:
        bench()


if __name__ == "__main__":
    main()
