"""Time pages in process: Django's WSGI handler called directly, no server, no network.

Shows what a page costs the application itself — milliseconds a request, as a multiple of the
floor's, how many queries and how long they took in the database — to find where time goes once
`make bench` has shown which page is slow. Uses the same data and signed-in member as `make bench`
(seeding what is missing first).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kinship_bench .venv/bin/python bench/inprocess.py [page ...]

Pages are chosen by the start of their name (`circle`, `topic`, `inbox`...); all by default.
BENCH_INPROCESS_REQUESTS (default 200) requests per batch, the best of 3 batches.
BENCH_PROFILE=1 also runs each chosen page under cProfile and prints where its time goes.
"""

import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # bench/run.py, beside this file


def main() -> None:
    vendor = run.configure_environment()
    info = run.prepare(run.sizes_for("BENCH_", run.DEFAULTS[vendor]))
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    handler = WSGIHandler()
    cookie = info["cookie"]
    wanted = sys.argv[1:]
    pages = [("floor", "/floor/")] + [(page, path) for page, _, path in info["pages"]]
    pages = [(page, path) for page, path in pages if page == "floor" or not wanted or page.startswith(tuple(wanted))]
    requests = run.env_int("BENCH_INPROCESS_REQUESTS", 200)

    def call(path: str) -> tuple[int, int]:
        route, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": "GET", "PATH_INFO": route, "QUERY_STRING": query, "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1", "HTTP_COOKIE": cookie, "HTTP_ACCEPT": "text/html",
            "wsgi.input": io.BytesIO(), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
        }  # fmt: skip
        status: list[str] = []

        def start_response(line: str, headers: Any, *info: Any) -> Any:
            status.append(line)

        body = handler(environ, start_response)
        size = sum(len(chunk) for chunk in body)
        if hasattr(body, "close"):
            body.close()
        return int(status[0].split()[0]), size

    sql: dict[str, Any] = {"n": 0, "seconds": 0.0}

    def timed(execute: Any, statement: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(statement, params, many, context)
        finally:
            sql["n"] += 1
            sql["seconds"] += time.perf_counter() - started

    floor_ms = floor_cpu = None
    # Wall time includes waiting for the database and for other processes; CPU time is this process's
    # own work (Python), steadier on a busy machine. SQL ms: wall time inside the database calls.
    print(
        f"{'page':<24} {'status':>6} {'ms':>7} {'x floor':>8} {'CPU ms':>7} {'x floor':>8} {'queries':>7} "
        f"{'SQL ms':>7} {'KB':>6}"
    )
    for page, path in pages:
        status, size = call(path)
        for _ in range(20):
            call(path)  # warm: caches, prepared plans, imports
        best = None
        for _ in range(3):
            sql.update(n=0, seconds=0.0)
            with connection.execute_wrapper(timed):
                started, cpu = time.perf_counter(), time.process_time()
                for _ in range(requests):
                    call(path)
                elapsed = (time.perf_counter() - started) / requests
                cpu = (time.process_time() - cpu) / requests
            if best is None or elapsed < best[0]:
                best = (elapsed, cpu, sql["n"] / requests, sql["seconds"] / requests)
        assert best is not None
        ms, cpu_ms = best[0] * 1000, best[1] * 1000
        floor_ms, floor_cpu = floor_ms or ms, floor_cpu or cpu_ms
        print(
            f"{page:<24} {status:>6} {ms:>7.2f} {ms / floor_ms:>8.2f} {cpu_ms:>7.2f} {cpu_ms / floor_cpu:>8.2f} "
            f"{best[2]:>7.1f} {best[3] * 1000:>7.2f} {size / 1024:>6.1f}"
        )
        if os.environ.get("BENCH_PROFILE") == "1" and page != "floor":
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(requests):
                call(path)
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(os.environ.get("BENCH_PROFILE_FILTER", ""), 45)


if __name__ == "__main__":
    main()
