"""Enqueue the sweeps every minute, for `manage.py run_worker` to run: events' meeting reminders, the
referrals' follow-up reminders (kinship.library.tasks), the new-message emails after a quiet spell
(kinship.peers.tasks_messages), the expiry of mentor requests nobody answered in time
(kinship.peers.tasks_mentoring), the weekly check-in reminders (kinship.journal.tasks) and the fit
of search's recent-replies index to its window (kinship.search.tasks)."""

import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.db.utils import InterfaceError, OperationalError
from django_tasks.base import Task

from kinship.events import tasks
from kinship.journal import tasks as journal_tasks
from kinship.library import tasks as library_tasks
from kinship.peers import tasks_mentoring, tasks_messages
from kinship.search import tasks as search_tasks

# Seconds to wait before trying again while the database is out of reach.
RETRY_SECONDS = 2.0
# Each sweep is enqueued every interval, unless one of its kind is still waiting for the worker.
SWEEPS: list[Task[[], Any]] = [
    tasks.send_due_reminders,
    library_tasks.send_due_follow_ups,
    tasks_messages.send_due_message_emails,
    tasks_mentoring.expire_due_requests,
    journal_tasks.send_due_checkin_reminders,
    search_tasks.fit_recent_replies,
]


def _already_waiting(sweep: Any) -> bool:
    """A sweep still waiting for the worker: a stopped worker must not come back to a pile of them."""
    backend = sweep.get_backend()
    try:
        from django_tasks_db.backend import DatabaseBackend
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - the database backend is a requirement
        return False
    if not isinstance(backend, DatabaseBackend):
        return False
    return DBTaskResult.objects.ready().filter(task_path=sweep.module_path).exists()


class Command(BaseCommand):
    help = "Enqueue the reminder sweep every --interval seconds until stopped (SIGTERM or Ctrl+C)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=60.0, help="Seconds between sweeps (default 60).")
        parser.add_argument("--once", action="store_true", help="Enqueue one sweep and exit.")

    def handle(self, *args: Any, interval: float, once: bool, **options: Any) -> None:
        if interval <= 0:
            interval = 60.0
        stop = threading.Event()

        def shutdown(signum: int, frame: FrameType | None) -> None:
            stop.set()

        if not once:
            signal.signal(signal.SIGTERM, shutdown)
            signal.signal(signal.SIGINT, shutdown)
        while True:
            try:
                self._enqueue_sweeps(options["verbosity"])
            except (OperationalError, InterfaceError) as error:
                if once:
                    raise
                # A database restart or failover: try again soon rather than stopping every reminder.
                self.stderr.write(f"The database is out of reach ({error}); trying again in {RETRY_SECONDS} s.")
                close_old_connections()
                if stop.wait(RETRY_SECONDS):
                    break
                continue
            if once or stop.wait(interval):
                break
            # A process that lives for days must not hold a connection the database has dropped.
            close_old_connections()
        self.stdout.write("Scheduler stopped.")

    def _enqueue_sweeps(self, verbosity: int) -> None:
        for sweep in SWEEPS:
            if _already_waiting(sweep):
                self.stdout.write(f"A {sweep.name} sweep is still waiting for the worker; not adding another.")
            else:
                result = sweep.enqueue()
                if verbosity > 1:
                    self.stdout.write(f"Enqueued {sweep.name} sweep {result.id}")
