"""`make faults`: PostgreSQL restarted under load, and the task worker killed mid-batch.

1. The app (gunicorn) serves simulated members on a PostgreSQL database; part-way through, the PostgreSQL
   server restarts. During the outage requests must fail fast with 503 (no 500, no hang), posts retried
   with their Idempotency-Key must end up stored once, and the app must recover by itself (same gunicorn
   workers, no restart).
2. Meeting reminders for many members go to a loopback SMTP server; the worker (`manage.py run_worker`) is
   killed with SIGKILL at random moments mid-batch, then the scheduler and a new worker finish the job.
   No member may go without a reminder. A kill that lands between the mail server's "250 accepted" and the
   worker's commit sends that one reminder again; that window is counted and reported, and more than one
   duplicate per kill is a failure.

It restarts a PostgreSQL server, so it never runs in `make test`. By default it makes its own throwaway
server (initdb in a temporary folder, a free loopback port; as the postgres user when run as root) and
removes it afterwards. To use a server of yours instead, set both (it WILL be restarted):
  FAULTS_DATABASE_URL      e.g. postgres://postgres@127.0.0.1:5432/kinship_faults (created if missing)
  FAULTS_RESTART_COMMAND   e.g. pg_ctlcluster --skip-systemctl-redirect 15 main restart

Other settings (all optional):
  FAULTS_SECONDS           load duration (default 30); the restart begins FAULTS_RESTART_AFTER (default 10) s in
  FAULTS_MEMBERS           simulated members (default 20)
  FAULTS_FAIL_FAST         seconds within which every 503 must be answered (default 5)
  FAULTS_REMINDERS         members with a reminder due in the worker scenario (default 200)
  FAULTS_KILLS             how many times the worker is killed (default 5)
"""

import asyncio
import contextlib
import glob
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from loadtest import harness

DATABASE = "kinship_faults"
WAIT_SECONDS = 120
# The first request on each persistent connection after the restart replaces it (health check); allow this
# long after the server accepts connections again before a 503 counts as "did not recover".
RECOVERY_GRACE = 2.0


@dataclass
class Server:
    url: str
    restart: list[str] | str  # argv, or a shell command given by the user
    description: str
    notes: list[str] = field(default_factory=list)


def run(command: list[str] | str) -> None:
    # Output to a file, not a pipe: a server the command starts inherits it and would hold a pipe open.
    with tempfile.TemporaryFile() as output:
        done = subprocess.run(  # noqa: S603 - our argv, or the user's own command
            command,
            shell=isinstance(command, str),
            stdout=output,
            stderr=subprocess.STDOUT,
            timeout=WAIT_SECONDS,
            check=False,
        )
        if done.returncode != 0:
            output.seek(0)
            sys.exit(f"{command!r} failed ({done.returncode}):\n{output.read().decode(errors='replace')[-3000:]}")


def postgres_bin() -> Path:
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        found = subprocess.run(
            ["pg_config", "--bindir"],  # noqa: S607 - wherever the system's PostgreSQL put it
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
        candidate = Path(found.stdout.strip())
        if (candidate / "initdb").exists():
            return candidate
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    if not versions:
        sys.exit("No PostgreSQL server binaries (initdb, pg_ctl) found; install postgresql or set FAULTS_DATABASE_URL.")
    return Path(versions[-1])


def create_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    server_url, _, name = url.rpartition("/")
    with psycopg.connect(f"{server_url}/postgres", autocommit=True, connect_timeout=10) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


@contextlib.contextmanager
def postgres_server() -> Iterator[Server]:
    url, restart = os.environ.get("FAULTS_DATABASE_URL", ""), os.environ.get("FAULTS_RESTART_COMMAND", "")
    if url or restart:
        if not (url and restart):
            sys.exit("Set both FAULTS_DATABASE_URL and FAULTS_RESTART_COMMAND, or neither (a throwaway server).")
        create_database(url)
        yield Server(url, restart, f"your server, restarted with: {restart}")
        return
    bindir = postgres_bin()
    folder = Path(tempfile.mkdtemp(prefix="kinship-faults-pg-"))
    # PostgreSQL refuses to run as root: then the server runs as the postgres user.
    owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if owner:
        shutil.chown(folder, "postgres")
    data, port = folder / "data", harness.free_port()
    pg_ctl = [*owner, str(bindir / "pg_ctl"), "-D", str(data)]
    try:
        run([*owner, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"])
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1"
        log = ["-l", str(folder / "server.log")]
        run([*pg_ctl, "-o", options, *log, "-w", "start"])
        url = f"postgres://postgres@127.0.0.1:{port}/{DATABASE}"
        create_database(url)
        # -m fast: end every session at once (as a restart for an upgrade does); -w: return once it accepts again.
        yield Server(url, [*pg_ctl, *log, "-m", "fast", "-w", "restart"], f"a throwaway PostgreSQL on port {port}")
    finally:
        stop = [*pg_ctl, "-m", "immediate", "stop"]
        subprocess.run(stop, capture_output=True, timeout=WAIT_SECONDS, check=False)  # noqa: S603
        shutil.rmtree(folder, ignore_errors=True)


def accepting(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=2) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


# --- 1. PostgreSQL restarted under load ------------------------------------------------------------------


def restart_under_load(server: Server, failures: list[str]) -> list[str]:
    seconds = harness.env_float("FAULTS_SECONDS", 30)
    restart_after = harness.env_float("FAULTS_RESTART_AFTER", 10)
    fail_fast = harness.env_float("FAULTS_FAIL_FAST", 5)
    members = harness.env_int("FAULTS_MEMBERS", 20)
    crowd = harness.prepare_crowd(members, topics=10)
    log_path = harness.RESULTS_DIR / "faults-gunicorn.log"
    port = harness.free_port()
    app = harness.start_server(port, log_path, workers=2, threads=8)
    # The task worker and the scheduler, as `make run` starts them beside the app: do they live through it?
    background_log = (harness.RESULTS_DIR / "faults-background.log").open("wb")
    background = {
        name: subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", *command],
            cwd=harness.BASE_DIR,
            stdout=background_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for name, command in (
            ("run_worker", ["run_worker", "--no-reload", "--interval", "1"]),
            ("run_scheduler", ["run_scheduler", "--interval", "5"]),
        )
    }
    # Posts answered 503 are sent again with their key every half second, as a client honouring "try again".
    settings = harness.LoadSettings(seconds=seconds, think=0.25, retry_503_for=60)
    simulation = harness.Simulation(port, crowd, settings)
    timeline: dict[str, float] = {}

    def restart() -> None:
        time.sleep(max(0.0, restart_after - simulation.now()))
        timeline["restart began"] = simulation.now()
        run(server.restart)
        timeline["restart command returned"] = simulation.now()
        deadline = time.monotonic() + WAIT_SECONDS
        while not accepting(server.url):
            if time.monotonic() > deadline:
                raise RuntimeError("PostgreSQL did not come back")
            time.sleep(0.05)
        timeline["database back"] = simulation.now()

    try:
        harness.wait_until_serving(app, port, log_path)
        before = harness.worker_pids(app)
        print(f"{members} members for {seconds:g} s; PostgreSQL restarts {restart_after:g} s in...", flush=True)
        record = asyncio.run(simulation.run(during=restart))
        after = harness.worker_pids(app)
        app_alive = app.poll() is None
        exited = {name: process.poll() for name, process in background.items()}
    finally:
        harness.stop_process(app)
        for process in background.values():
            harness.stop_process(process)
        background_log.close()

    post_failures, figures = harness.check_posts(crowd, record)
    failures += post_failures
    samples = record.samples
    began, back = timeline["restart began"], timeline["database back"]
    unavailable = [s for s in samples if s.status == 503]
    other_5xx = [s for s in samples if s.status >= 500 and s.status != 503]
    hangs = [s for s in samples if s.status == 0 and not s.deliberate]
    late = [s for s in unavailable if s.started > back + RECOVERY_GRACE]
    slow = [s for s in unavailable if s.seconds > fail_fast]
    first_ok = min(
        (s.started + s.seconds for s in samples if 200 <= s.status < 300 and s.started >= back), default=None
    )
    if not unavailable:
        failures.append("no request met the outage (no 503): the restart was not exercised")
    if other_5xx:
        failures.append(f"{len(other_5xx)} answers were 5xx other than 503: {Counter(s.status for s in other_5xx)}")
    if hangs:
        failures.append(f"{len(hangs)} requests had no answer: {', '.join(sorted({s.error for s in hangs}))[:300]}")
    if slow:
        failures.append(f"{len(slow)} answers of 503 took longer than {fail_fast:g} s (not failing fast)")
    if late:
        failures.append(f"{len(late)} requests started over {RECOVERY_GRACE:g} s after the database was back got 503")
    if not app_alive or before != after:
        failures.append("the app was restarted (gunicorn or its workers changed)")
    stopped = [f"{name} (exit {code})" for name, code in exited.items() if code is not None]
    if stopped:
        failures.append(f"stopped during the restart instead of waiting for the database: {', '.join(stopped)}")

    def at(t: float | None) -> str:
        return "-" if t is None else f"{t:.2f} s"

    outage = [s for s in samples if began <= s.started <= back]
    lines = [
        f"PostgreSQL restart under load ({server.description}): {members} members, {seconds:g} s",
        f"  restart began at {at(began)}; "
        f"the command returned after {timeline['restart command returned'] - began:.2f} s; "
        f"the database accepted connections again {back - began:.2f} s after the restart began",
        f"  answers of 503: {len(unavailable)} (first at {at(min((s.started for s in unavailable), default=None))}, "
        f"last answered at {at(max((s.started + s.seconds for s in unavailable), default=None))}); "
        f"slowest 503 {max((s.seconds for s in unavailable), default=0) * 1000:.0f} ms, "
        f"p99 {harness.fmt(harness.percentile([s.seconds for s in unavailable], 0.99), 0)} ms",
        f"  requests started during the outage: {len(outage)}, of them answered 2xx: "
        f"{sum(1 for s in outage if 200 <= s.status < 300)} (after the server was back), 503: "
        f"{sum(1 for s in outage if s.status == 503)}",
        f"  first success after the database was back: "
        f"{'-' if first_ok is None else f'{first_ok - back:.2f} s later'}; "
        f"503s to requests started after it was back: {sum(1 for s in unavailable if s.started >= back)}",
        f"  app: same gunicorn master and workers throughout: {'yes' if app_alive and before == after else 'NO'}",
        "  beside it: "
        + "; ".join(
            f"{name} {'still running' if code is None else f'EXITED with {code}'}" for name, code in exited.items()
        ),
        "",
        *("  " + line for line in harness.latency_table(samples, record.ended - record.began)),
        "  posts: " + ", ".join(f"{name} {n}" for name, n in figures.items()),
        "  ways of sending: " + ", ".join(f"{name} {n}" for name, n in sorted(record.counts.items())),
    ]
    return lines


# --- 2. the worker killed mid-batch ----------------------------------------------------------------------


def prepare_reminders(count: int) -> list[str]:
    """A meeting 40 minutes from now with `count` members going: each is due its one-hour reminder."""
    from django.conf import settings
    from django.db import connections
    from django.utils import timezone

    from kinship.accounts.models import User
    from kinship.circles.models import Circle
    from kinship.core import factories
    from kinship.events import services
    from kinship.events.models import Rsvp

    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    now = timezone.now()
    circle = Circle.objects.create(name=f"Fault test {stamp}", slug=f"faults-{stamp}", description="-", guidelines="-")

    def person(n: int | str) -> User:
        return factories.make_user(
            email=f"p{n}-{circle.slug}@loadtest.invalid",
            password=None,
            display_name=f"Reminded {n}",
            terms_version=settings.TERMS_VERSION,
        )

    lead = person("lead")
    factories.add_member(circle, lead, role="facilitator")  # with two-step sign-in, as a facilitator's powers need
    start = (now + timedelta(minutes=40)).replace(second=0, microsecond=0)
    event = services.create_event(
        facilitator=lead,
        circle=circle,
        title="Evening circle",
        timezone="Europe/London",
        starts_at=start,
        ends_at=start + timedelta(minutes=90),
        address="Community room",
    )
    emails = []
    for n in range(count):
        member = person(n)
        factories.add_member(circle, member)
        services.rsvp(member=member, event=event, original_start=start, answer=Rsvp.GOING)
        emails.append(member.email)
    connections.close_all()
    return emails


def worker_killed(server: Server, failures: list[str]) -> list[str]:
    from kinship.core.smtp_testing import smtp_server

    count = harness.env_int("FAULTS_REMINDERS", 200)
    kills = harness.env_int("FAULTS_KILLS", 5)
    emails = prepare_reminders(count)
    rng = random.Random()
    log_path = harness.RESULTS_DIR / "faults-worker.log"
    killed_at: list[int] = []
    started = time.monotonic()
    with smtp_server() as inbox, log_path.open("wb") as log:
        env = {**os.environ, "EMAIL_URL": f"smtp://{inbox.host}:{inbox.port}", "SITE_URL": "https://kinship.test"}

        def manage(*args: str) -> subprocess.Popen[bytes]:
            return subprocess.Popen(  # noqa: S603
                [sys.executable, "manage.py", *args],
                cwd=harness.BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

        def schedule() -> None:
            scheduler = manage("run_scheduler", "--once")
            if scheduler.wait(timeout=WAIT_SECONDS) != 0:
                failures.append(f"run_scheduler --once exited with {scheduler.returncode}")

        for _ in range(kills):
            schedule()
            worker = manage("run_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1")
            # Let it get some way into the batch, then kill it at a random moment between or inside messages.
            target = min(count - 1, len(inbox.messages) + rng.randint(5, max(6, count // (kills + 1))))
            deadline = time.monotonic() + WAIT_SECONDS
            while len(inbox.messages) < target and worker.poll() is None and time.monotonic() < deadline:
                time.sleep(0.002)
            time.sleep(rng.uniform(0, 0.03))
            with contextlib.suppress(ProcessLookupError):
                os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=WAIT_SECONDS)
            killed_at.append(len(inbox.messages))
        schedule()
        finisher = manage("run_worker", "--no-reload", "--no-startup-delay", "--batch")
        try:
            if finisher.wait(timeout=WAIT_SECONDS) != 0:
                failures.append(f"the last worker exited with {finisher.returncode}")
        finally:
            harness.stop_process(finisher)
        received = Counter(rcpt for _, rcpts in inbox.envelopes for rcpt in rcpts if rcpt in set(emails))
        message_ids: dict[str, set[str]] = {}
        for message, (_, rcpts) in zip(inbox.messages, inbox.envelopes, strict=True):
            for rcpt in rcpts:
                message_ids.setdefault(rcpt, set()).add(str(message["Message-ID"]))
    elapsed = time.monotonic() - started

    lost = [e for e in emails if received[e] == 0]
    twice = {e: n for e, n in received.items() if n > 1}
    extra = sum(n - 1 for n in twice.values())
    if lost:
        failures.append(f"{len(lost)} members got no reminder")
    if extra > kills:
        failures.append(f"{extra} reminders sent again, more than the {kills} kills can explain")
    # A copy sent again must be the same message to mail systems: the first copy's Message-ID.
    same_id = sum(1 for e in twice if len(message_ids[e]) == 1)
    if same_id < len(twice):
        failures.append(f"{len(twice) - same_id} reminders sent again with a Message-ID of their own")
    return [
        f"Worker killed mid-batch: {count} reminders due, worker killed {kills} times with SIGKILL "
        f"(after {', '.join(map(str, killed_at))} messages had arrived), then the scheduler and a new worker",
        f"  delivered to {len(received)} of {count} members in {elapsed:.1f} s; lost: {len(lost)}; "
        f"sent twice: {extra} (each one a kill between the server's 250 and the worker's commit), "
        f"with the first copy's Message-ID: {same_id} of {len(twice)}",
    ]


def main() -> int:
    failures: list[str] = []
    machine = harness.machine()  # before the run, whose own load would show in the load average
    with postgres_server() as server:
        harness.configure_environment(server.url)
        print(f"PostgreSQL: {server.description}. Preparing the database...", flush=True)
        harness.setup_django()
        report = restart_under_load(server, failures)
        from django.db import connections

        connections.close_all()
        print("\n".join(report), flush=True)
        print("\nKilling the task worker mid-batch...", flush=True)
        report += ["", *worker_killed(server, failures)]
    lines = [
        "",
        f"Kinship fault tests; {machine}",
        "",
        *report,
        "",
        "FAILED:\n  " + "\n  ".join(failures)
        if failures
        else "PASSED: 503s fast, recovered without a restart, every acknowledged post stored once, no reminder lost.",
    ]
    text = "\n".join(lines)
    print(text)
    path = harness.save("faults", {"failures": failures, "report": text})
    print(f"\nSaved {path.relative_to(harness.BASE_DIR)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
