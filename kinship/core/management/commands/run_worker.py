"""`manage.py db_worker` that rides out a database outage instead of exiting.

The library's worker raises out of its loop on the first connection error, so a PostgreSQL restart or
failover stopped every worker until something restarted them. This one waits and tries again, with
the same options. A task the database went away under (neither its result nor its failure could be
written) is queued again once the database is back, up to RUNS runs in all: every task here is safe
to run twice (the reminder sweeps claim each reminder before sending it, events.tests.
test_worker_killed; a second crisis alert beats none). This worker must live to see the database
back for that; a task whose worker was stopped meanwhile stays RUNNING, as the library leaves it.
"""

import logging
import os
import time
from typing import Any

from django.core.management.base import CommandError
from django.db import close_old_connections
from django.db.utils import InterfaceError, OperationalError
from django.utils import timezone
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("kinship.worker")

# Seconds between attempts while the database is out of reach: soon after a restart, gently during
# a longer outage.
RETRY_SECONDS = (0.5, 1, 2, 5, 10)
# Running this long since the last attempt means the database was back: the next outage starts over.
SETTLED_SECONDS = 30
# Runs of one task an outage may cut off before it is recorded as failed: a task that itself breaks
# the connection must not go round the workers for ever.
RUNS = 3


class RetryingWorker(db_worker.Worker):
    # The task that was running when the database went away, to queue again once it is back.
    interrupted: DBTaskResult | None = None

    def run(self) -> None:
        failures = 0
        while True:
            started = time.monotonic()
            try:
                self.requeue_interrupted()
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

    def run_task(self, db_task_result: DBTaskResult) -> None:
        try:
            super().run_task(db_task_result)
        except (OperationalError, InterfaceError):
            # The library records a task's failure; this one could not be recorded either, so the row
            # still says RUNNING and nothing would ever run it again.
            self.interrupted = db_task_result
            raise

    def requeue_interrupted(self) -> None:
        cut_off = self.interrupted
        if cut_off is None:
            return
        # Still this worker's claim (the same start), not a later run another worker has claimed.
        mine = DBTaskResult.objects.filter(
            pk=cut_off.pk, status=TaskResultStatus.RUNNING, started_at=cut_off.started_at
        )
        runs = len(cut_off.worker_ids)
        if runs >= RUNS:
            changed = mine.update(
                status=TaskResultStatus.FAILED,
                finished_at=timezone.now(),
                exception_class_path="builtins.RuntimeError",
                traceback=f"Cut off by a database outage in each of its {runs} runs.",
            )
            if changed:
                logger.error("Task %s was cut off by database outages %s times; recorded as failed.", cut_off.pk, runs)
        elif mine.update(status=TaskResultStatus.READY, started_at=None):
            logger.warning("Task %s was cut off by the database outage; it is queued again.", cut_off.pk)
        self.interrupted = None


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
