"""`manage.py db_worker` that rides out a database outage instead of exiting.

The library's worker raises out of its loop on the first connection error, so a PostgreSQL restart or
failover stopped every worker until something restarted them. This one waits and tries again, with
the same options. A task that was running when the database went away is left as the library leaves
it; the sweeps that send reminders are enqueued again each minute and send each reminder once
(events.tests.test_worker_killed).
"""

import logging
import os
import time
from typing import Any

from django.core.management.base import CommandError
from django.db import close_old_connections
from django.db.utils import InterfaceError, OperationalError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

logger = logging.getLogger("kinship.worker")

# Seconds between attempts while the database is out of reach: soon after a restart, gently during
# a longer outage.
RETRY_SECONDS = (0.5, 1, 2, 5, 10)
# Running this long since the last attempt means the database was back: the next outage starts over.
SETTLED_SECONDS = 30


class RetryingWorker(db_worker.Worker):
    def run(self) -> None:
        failures = 0
        while True:
            started = time.monotonic()
            try:
                super().run()
                return
            except (OperationalError, InterfaceError) as error:
                # A batch run is someone waiting for it to finish: an error is their answer.
                if not self.running or self.batch:
                    raise
                if time.monotonic() - started > SETTLED_SECONDS:
                    failures = 0  # a new outage, not the same one going on
                wait = RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)]
                failures += 1
                logger.warning("The database is out of reach (%s); trying again in %s s.", error, wait)
                # Drops the broken connection, so the next attempt opens a new one.
                close_old_connections()
                time.sleep(wait)
                # The library's startup delay spreads workers at start; not needed on a retry.
                self.startup_delay = False


class Command(db_worker.Command):
    help = "Run database-backed tasks; waits through database outages instead of exiting (SIGTERM stops it)."

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        **options: Any,
    ) -> None:
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = RetryingWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded,
        )
        if reload and not batch:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
