"""`make bench`: seed scale data if it is missing, serve it with gunicorn, and measure pages against the floor.

The floor is /floor/, a fixed page through the full middleware stack and base layout, so each page's
throughput as a ratio of the floor shows what the page itself costs (queries, rendering) on this
machine, whatever the machine. Everything runs on loopback; each page is measured for a bounded time by
a separate load-generator process; the server is stopped at the end, whatever happens.

Environment (all optional):
  DATABASE_URL          database to seed and serve (default: SQLite in var/bench.sqlite3, not the dev database)
  BENCH_USERS, BENCH_TOPICS, BENCH_REPLIES, BENCH_CIRCLES, BENCH_LONG_REPLIES
                        scale data size when it must be seeded (defaults: see DEFAULTS below)
  BENCH_SECONDS         measured seconds per page (default 10), after BENCH_WARMUP seconds (default 2)
  BENCH_CONNECTIONS     concurrent clients (default 8)
  BENCH_PER_CONNECTION  requests each client sends on a connection before opening a new one (default 10;
                        0 keeps it for the whole run, and gunicorn may then put every client on one worker)
  BENCH_REPEAT          measure each page this many times and keep the fastest (default 1; use 3 on a busy machine)
  BENCH_WORKERS, BENCH_THREADS   gunicorn workers and threads (default 2 and 4; `make run` uses 16 threads)
  BENCH_ONLY            measure only these groups besides the floor, comma-separated: discussions, search
                        (default: all)
"""

import argparse
import asyncio
import contextlib
import datetime as dt
import http.client
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

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = BASE_DIR / "bench" / "results"
HOST = "127.0.0.1"

# Scale data by database: PostgreSQL takes a million replies in well under a minute; SQLite gets a
# smaller set so the first `make bench` on a laptop stays short.
DEFAULTS = {
    "postgresql": {"users": 10_000, "topics": 20_000, "replies": 1_000_000, "circles": 20, "long": 5_000},
    "sqlite": {"users": 2_000, "topics": 5_000, "replies": 250_000, "circles": 10, "long": 5_000},
}


# Search: a few realistic queries over the scale data (whose replies repeat a few dozen texts, so
# every reply word matches tens of thousands of rows): a common word, a rarer word (in topics'
# opening posts only), a phrase, and a word nobody wrote.
SEARCHES = [
    ("search: common word", "/search/?q=strength"),
    ("search: rarer word", "/search/?q=corridors"),
    ("search: phrase", "/search/?q=%22mirror+therapy%22"),
    ("search: no matches", "/search/?q=xylophone"),
]
GROUPS = ("discussions", "search")


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


# --- the harness ----------------------------------------------------------------------------------


def configure_environment() -> str:
    """Settings for this process and the server alike; returns the database vendor."""
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'bench.sqlite3'}")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["DEBUG"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "kinship.settings"
    # Eight clients signed in as one member search far past the 60 a minute a person may.
    os.environ["SEARCH_RATE_LIMIT"] = "0"
    (BASE_DIR / "var").mkdir(exist_ok=True)
    sys.path.insert(0, str(BASE_DIR))
    return "postgresql" if os.environ["DATABASE_URL"].startswith(("postgres://", "postgresql://")) else "sqlite"


def prepare(vendor: str) -> dict[str, Any]:
    """Migrate, seed if missing, collect static files; pick the pages and a signed-in member."""
    import django

    django.setup()
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.core.management import call_command
    from django.db import connection, connections

    from kinship.accounts.models import User
    from kinship.circles.models import Circle, Membership
    from kinship.core.management.commands.seed_scale import LONG_TOPIC_TITLE, SCALE_DOMAIN, SCALE_SLUG_PREFIX
    from kinship.discussions.models import Post, Topic

    size = DEFAULTS[vendor]
    call_command("migrate", verbosity=0)
    seeded_seconds = None
    if not Circle.objects.filter(slug__startswith=SCALE_SLUG_PREFIX).exists():
        print(f"Seeding scale data into {connection.vendor} (once; later runs reuse it)...", flush=True)
        started = time.monotonic()
        call_command(
            "seed_scale",
            users=env_int("BENCH_USERS", size["users"]),
            topics=env_int("BENCH_TOPICS", size["topics"]),
            replies=env_int("BENCH_REPLIES", size["replies"]),
            circles=env_int("BENCH_CIRCLES", size["circles"]),
            long_topic_replies=env_int("BENCH_LONG_REPLIES", size["long"]),
            if_missing=True,
            verbosity=1,
        )
        seeded_seconds = time.monotonic() - started
    call_command("collectstatic", interactive=False, verbosity=0)

    circle = Circle.objects.filter(slug__startswith=SCALE_SLUG_PREFIX).order_by("slug").first()
    long_topic = Topic.objects.filter(title=LONG_TOPIC_TITLE).first()
    if circle is None or long_topic is None:
        sys.exit("Scale data is incomplete: drop the database (or var/bench.sqlite3) and run again.")
    # A topic of typical length from the same circle: the median by reply count.
    ordinary = Topic.objects.filter(circle=circle).exclude(pk=long_topic.pk).order_by("reply_count", "pk")
    count = ordinary.count()
    topic = ordinary[count // 2] if count else long_topic
    # A plain member if there is one: facilitators see more (hidden posts), which is not the common case.
    reader = (
        Membership.objects.filter(circle=circle, status=Membership.ACTIVE)
        .select_related("user")
        .order_by("-role", "pk")
        .first()
    )
    if reader is None:
        sys.exit(f"No member in {circle.slug} to sign in as.")
    member = reader.user

    # Signed in the way the login view leaves a session, without the password hasher's deliberate cost.
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(member.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = member.get_session_auth_hash()
    session.create()

    scale_topics = Topic.objects.filter(circle__slug__startswith=SCALE_SLUG_PREFIX)
    info = {
        "volume": {
            "users": User.objects.filter(email__endswith=f"@{SCALE_DOMAIN}").count(),
            "circles": Circle.objects.filter(slug__startswith=SCALE_SLUG_PREFIX).count(),
            "topics": scale_topics.count(),
            "replies": Post.objects.filter(topic__in=scale_topics, is_opening=False).count(),
            "long_topic_replies": long_topic.reply_count,
            "topic_replies": topic.reply_count,
        },
        "seeded_seconds": seeded_seconds,
        "cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}",
        "pages": _pages(
            [
                ("topic list (circle page)", f"/c/{circle.slug}/"),
                ("topic page", f"/t/{topic.pk}/"),
                ("long topic, last page", f"/t/{long_topic.pk}/?last=1"),
            ]
        ),
    }
    if connection.vendor == "postgresql":
        info["database"] = f"PostgreSQL {connection.pg_version // 10000}"  # type: ignore[attr-defined]
    else:
        info["database"] = f"{connection.display_name} {getattr(connection.Database, 'sqlite_version', '')}"
    connections.close_all()
    return info


def _pages(discussions: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The floor, then the groups BENCH_ONLY names (all by default)."""
    raw = os.environ.get("BENCH_ONLY", "").strip()
    wanted = {name.strip() for name in raw.split(",") if name.strip()} if raw else set(GROUPS)
    unknown = wanted - set(GROUPS)
    if unknown:
        sys.exit(f"BENCH_ONLY: unknown group(s) {', '.join(sorted(unknown))}; choose from {', '.join(GROUPS)}.")
    pages = [("floor", "/floor/")]
    if "discussions" in wanted:
        pages += discussions
    if "search" in wanted:
        pages += SEARCHES
    return pages


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_server(port: int, log_path: Path) -> subprocess.Popen:
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
    with log_path.open("wb") as log:
        # Its own session, so the whole server (master and workers) is stopped by its process group.
        return subprocess.Popen(
            command, cwd=BASE_DIR, env=os.environ.copy(), stdout=log, stderr=log, start_new_session=True
        )


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


def cpu_ticks(server_pgid: int) -> dict[str, float]:
    """CPU clock ticks so far: the machine's busy and total, the server's, PostgreSQL's, our children's.

    Linux only (empty elsewhere). The difference over a measurement tells how much CPU other work
    on the machine took meanwhile, which is what makes a run trustworthy or not on a shared box.
    """
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return {}
    idle = fields[3] + fields[4]
    ticks = {"total": float(sum(fields)), "busy": float(sum(fields) - idle), "server": 0.0, "postgres": 0.0}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            text = stat.read_text()
            comm, rest = text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 2 :].split()
            used = int(rest[11]) + int(rest[12])
            if int(rest[2]) == server_pgid:
                ticks["server"] += used
            elif comm.startswith("postgres"):
                ticks["postgres"] += used
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    ticks["children"] = (children.ru_utime + children.ru_stime) * os.sysconf("SC_CLK_TCK")
    return ticks


def measure(port: int, path: str, cookie: str, settings: dict[str, Any], server_pgid: int) -> dict[str, Any]:
    command = [
        sys.executable, __file__, "load", "--port", str(port), "--path", path, "--cookie", cookie,
        "--seconds", str(settings["seconds"]), "--warmup", str(settings["warmup"]),
        "--connections", str(settings["connections"]),
        "--per-connection", str(settings["per_connection"]),
    ]  # fmt: skip
    before = cpu_ticks(server_pgid)
    timeout = settings["seconds"] + settings["warmup"] + 60
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    after = cpu_ticks(server_pgid)
    if done.returncode != 0:
        raise RuntimeError(f"load generator failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if before and after and after["total"] > before["total"]:
        delta = {k: after[k] - before[k] for k in before}
        others = delta["busy"] - delta["server"] - delta["postgres"] - delta["children"]
        result["other_cpu_pct"] = max(0.0, 100 * others / delta["total"])
        result["server_cpu_pct"] = 100 * delta["server"] / delta["total"]
    return result


def machine() -> str:
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, {platform.system()}"


def fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}%"


def report(info: dict[str, Any], rows: list[dict[str, Any]], settings: dict[str, Any]) -> str:
    volume = info["volume"]
    lines = [
        "",
        f"Kinship benchmark, {dt.datetime.now().isoformat(timespec='seconds')}",
        f"machine:  {machine()}",
        f"database: {info['database']}; {volume['circles']:,} circles, {volume['users']:,} members, "
        f"{volume['topics']:,} topics, {volume['replies']:,} replies "
        f"(topic page: {volume['topic_replies']:,} replies; long topic: {volume['long_topic_replies']:,})",
        f"server:   gunicorn, {settings['workers']} workers x {settings['threads']} threads, DEBUG off; "
        f"load: {settings['connections']} concurrent clients on loopback "
        f"({settings['per_connection'] or 'unlimited'} requests per connection), "
        f"{settings['seconds']} s per page "
        f"after {settings['warmup']} s warm-up"
        + (f", best of {settings['repeat']} runs" if settings["repeat"] > 1 else "")
        + ", signed in as a circle member",
        f"1-minute load average before measuring: {settings['load_average_before']} "
        f"(other processes on the machine skew absolute figures)",
        "",
    ]
    floor = rows[0]["rps"] if rows and rows[0].get("rps") else None
    header = (
        f"{'page':<26} {'path':<22} {'status':>6} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'vs floor':>9} "
        f"{'server CPU':>10} {'other CPU':>9}"
    )
    lines += [header, "-" * len(header)]
    for row in rows:
        ratio = row["rps"] / floor if floor and row.get("rps") is not None else None
        status = str(row["status"])
        bad = sum(n for code, n in row.get("statuses", {}).items() if code != "200") + row.get("errors", 0)
        if bad:
            status += f" ({bad} failed)"
        lines.append(
            f"{row['page']:<26} {row['path']:<22} {status:>6} {fmt(row.get('rps'), 0):>9} "
            f"{fmt(row.get('p50_ms')):>8} {fmt(row.get('p99_ms')):>8} {fmt(ratio, 2):>9} "
            f"{percent(row.get('server_cpu_pct')):>10} {percent(row.get('other_cpu_pct')):>9}"
        )
    lines += [
        "",
        "server CPU: share of the machine's CPU (all cores) the gunicorn workers used while the page was measured;",
        "other CPU: the share used by anything but the server, its database and the load generator. Above a few",
        "per cent, other work skewed the figures: run again, or with BENCH_REPEAT=3.",
    ]
    lines += search_report(rows)
    return "\n".join(lines)


def search_report(rows: list[dict[str, Any]]) -> list[str]:
    """Search against the floor: throughput, and p50 and p99 as multiples of the floor's (target: p99 < 10x)."""
    floor = rows[0] if rows else {}
    searched = [row for row in rows if row["page"].startswith("search") and row.get("rps") is not None]
    if not searched or not floor.get("p99_ms"):
        return []
    lines = ["", f"{'search':<26} {'req/s vs floor':>14} {'p50 x floor':>12} {'p99 x floor':>12}"]
    for row in searched:
        lines.append(
            f"{row['page']:<26} {fmt(row['rps'] / floor['rps'], 2):>14} "
            f"{fmt(row['p50_ms'] / floor['p50_ms'], 1):>12} {fmt(row['p99_ms'] / floor['p99_ms'], 1):>12}"
        )
    return [*lines, "Target: search p99 under ten times the floor's p99."]


def bench() -> None:
    vendor = configure_environment()
    settings: dict[str, Any] = {
        "seconds": env_int("BENCH_SECONDS", 10),
        "warmup": env_int("BENCH_WARMUP", 2),
        "connections": env_int("BENCH_CONNECTIONS", 8),
        "workers": env_int("BENCH_WORKERS", 2),
        "threads": env_int("BENCH_THREADS", 4),
        "repeat": max(1, env_int("BENCH_REPEAT", 1)),
        "per_connection": env_int("BENCH_PER_CONNECTION", PER_CONNECTION),
    }
    info = prepare(vendor)
    if info["seeded_seconds"] is not None:
        print(f"Seeded in {info['seeded_seconds']:.1f} s.", flush=True)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    log_path = RESULTS_DIR / f"{stamp}-gunicorn.log"
    load_before = os.getloadavg()[0]
    port = free_port()
    server = start_server(port, log_path)
    rows: list[dict[str, Any]] = []
    try:
        wait_until_serving(server, port, log_path)
        cookie = browser_cookies(port, info["cookie"])
        for page, path in info["pages"]:
            status, size, _ = get(port, path, cookie)
            row: dict[str, Any] = {"page": page, "path": path, "status": status, "bytes": size}
            if status == 200:
                print(f"Measuring {page} ({path}) for {settings['seconds']} s x {settings['repeat']}...", flush=True)
                # Other work only ever slows a run down, so with repeats the fastest is the truest.
                runs = [measure(port, path, cookie, settings, server.pid) for _ in range(settings["repeat"])]
                row.update(max(runs, key=lambda run: run["rps"]), runs_rps=[round(run["rps"], 1) for run in runs])
            else:
                print(f"Skipping {page} ({path}): HTTP {status}.", flush=True)
            rows.append(row)
            if page == "floor" and status != 200:
                sys.exit(f"The floor view answered {status}; nothing to compare against.")
    finally:
        stop_server(server)
    # Other work on the machine skews absolute figures (less so the ratios); say how busy it was.
    settings["load_average_before"] = round(load_before, 2)
    table = report(info, rows, settings)
    print(table)
    result = {"when": stamp, "machine": machine(), **{k: v for k, v in info.items() if k != "cookie"}}
    result.update(settings=settings, rows=rows, table=table)
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
    args = parser.parse_args()
    if args.command == "load":
        load(args)
    else:
        bench()


if __name__ == "__main__":
    main()
