"""`make loadtest`: 50 simulated members read and post for 60 seconds against gunicorn on loopback.

Afterwards every post the server acknowledged must be in the database exactly once (idempotency keys on
retries and duplicates), no post twice, and no answer 5xx or missing. Prints a summary and exits 1 when
any of that fails. A 429 (the posting pace limits) is a fair answer and is counted, not failed.

Environment (all optional):
  DATABASE_URL          database to use (default: SQLite in var/loadtest.sqlite3, not the dev database)
  LOADTEST_SECONDS      how long the members keep going (default 60)
  LOADTEST_MEMBERS      simulated members (default 50), each with its own connection
  LOADTEST_THINK_MS     mean pause between one member's actions (default 250)
  LOADTEST_WORKERS, LOADTEST_THREADS   gunicorn workers and threads (default 2 and 8)
  LOADTEST_SEED         seed for the members' choices (default: random)
"""

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from loadtest import harness


def main() -> int:
    import os

    harness.configure_environment(
        os.environ.get("DATABASE_URL") or f"sqlite:///{harness.BASE_DIR / 'var' / 'loadtest.sqlite3'}"
    )
    seconds = harness.env_float("LOADTEST_SECONDS", 60)
    members = harness.env_int("LOADTEST_MEMBERS", 50)
    workers = harness.env_int("LOADTEST_WORKERS", 2)
    threads = harness.env_int("LOADTEST_THREADS", 8)
    seed = harness.env_int("LOADTEST_SEED", 0) or None
    settings = harness.LoadSettings(seconds=seconds, think=harness.env_float("LOADTEST_THINK_MS", 250) / 1000)

    machine = harness.machine()  # before the run, whose own load would show in the load average
    print("Preparing the database and a circle of members...", flush=True)
    harness.setup_django()
    from django.db import connection

    vendor = connection.vendor
    crowd = harness.prepare_crowd(members, topics=10)
    log_path = harness.RESULTS_DIR / "gunicorn.log"
    port = harness.free_port()
    server = harness.start_server(port, log_path, workers=workers, threads=threads)
    try:
        harness.wait_until_serving(server, port, log_path)
        before = harness.worker_pids(server)
        print(f"{members} members for {seconds:g} s against gunicorn on {harness.HOST}:{port}...", flush=True)
        record = asyncio.run(harness.Simulation(port, crowd, settings, seed).run())
        replaced = before - harness.worker_pids(server)
    finally:
        harness.stop_process(server)

    failures, figures = harness.check_posts(crowd, record)
    elapsed = record.ended - record.began
    samples = record.samples
    server_errors = [s for s in samples if s.status >= 500]
    hangs = [s for s in samples if s.status == 0 and not s.deliberate]
    if server_errors:
        failures.append(f"{len(server_errors)} answers were 5xx")
    if hangs:
        kinds = sorted({s.error for s in hangs})
        failures.append(f"{len(hangs)} requests had no answer: {', '.join(kinds)[:300]}")
    if replaced:
        failures.append(f"{len(replaced)} gunicorn workers died and were replaced during the run")

    lines = [
        "",
        f"Kinship load test: {members} members, {seconds:g} s, {vendor}, gunicorn {workers} workers x {threads} "
        f"threads; {machine}",
        f"{len(samples)} requests in {elapsed:.1f} s: {len(samples) / elapsed:.1f} req/s",
        "",
        *harness.latency_table(samples, elapsed),
        "",
        "posts: " + ", ".join(f"{name} {n}" for name, n in figures.items()),
        "ways of sending: " + ", ".join(f"{name} {n}" for name, n in sorted(record.counts.items())),
        f"rate limited (429): {sum(1 for s in samples if s.status == 429)}; deliberately abandoned: "
        f"{sum(1 for s in samples if s.deliberate)}",
        "",
        "FAILED:\n  " + "\n  ".join(failures)
        if failures
        else "PASSED: every acknowledged post stored once, none twice, no 5xx.",
    ]
    report = "\n".join(lines)
    print(report)
    path = harness.save(
        "loadtest",
        {
            "vendor": vendor,
            "members": members,
            "seconds": seconds,
            "elapsed": elapsed,
            "requests": len(samples),
            "figures": figures,
            "counts": dict(record.counts),
            "failures": failures,
            "report": report,
        },
    )
    print(f"\nSaved {path.relative_to(harness.BASE_DIR)}; gunicorn's log: {log_path.relative_to(harness.BASE_DIR)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
