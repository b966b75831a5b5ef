"""The task worker and the scheduler wait through a database outage and carry on, without a restart.

Both run as real processes (`manage.py run_worker`, `manage.py run_scheduler`) whose only way to
PostgreSQL is a loopback proxy. The test cuts it (open connections dropped, new ones refused, as while
the server restarts), checks both are still running and said so, restores it, and waits for a sweep
the scheduler enqueued after the outage to be run by the worker. PostgreSQL only: SQLite has no server
to lose.
"""

import os
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from unittest import mock, skipUnless

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.db.utils import InterfaceError, OperationalError
from django.test import SimpleTestCase, TransactionTestCase, override_settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from kinship.core.management.commands import run_worker
from kinship.core.management.commands.run_worker import RetryingWorker
from kinship.core.tests.test_database_unavailable import LoopbackProxy
from kinship.core.worker_testing import DATABASE_TASKS
from kinship.events import tasks

ROOT = Path(__file__).resolve().parents[3]
HOST = "127.0.0.1"
OUTAGE_SECONDS = 4
# Bounds for a stuck test, never speed targets.
START_SECONDS = 60
RECOVER_SECONDS = 60


@skipUnless(connection.vendor == "postgresql", "SQLite has no server connection to lose")
class WorkerOutageTests(TransactionTestCase):
    def environment(self, port: int) -> dict[str, str]:
        db = connection.settings_dict
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        url = f"postgres://{db.get('USER') or 'postgres'}{password}@{HOST}:{port}/{db['NAME']}"
        drop = {"DATABASE_URL", "DATABASE_REPLICA_URL", "REDIS_URL", "EMAIL_URL", "DEBUG"}
        env = {name: value for name, value in os.environ.items() if name not in drop}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "kinship.core.tests.server_settings",
                "DATABASE_URL": url,
                "SECRET_KEY": settings.SECRET_KEY,
                "DEBUG": "0",
                "KINSHIP_TEST_CACHE_PREFIX": f"kinship-test-{uuid.uuid4().hex}",
                "PYTHONDONTWRITEBYTECODE": "1",
            }
        )
        return env

    def test_worker_and_scheduler_carry_on_after_the_database_comes_back(self) -> None:
        db = connection.settings_dict
        proxy = LoopbackProxy((db.get("HOST") or HOST, int(db.get("PORT") or 5432)))
        proxy.start()
        with ExitStack() as stack:
            stack.callback(proxy.stop)
            env = self.environment(proxy.port)
            logs: dict[str, object] = {}
            processes: dict[str, subprocess.Popen[bytes]] = {}
            commands = {
                "worker": ["run_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"],
                "scheduler": ["run_scheduler", "--interval", "0.5"],
            }
            for name, command in commands.items():
                log = stack.enter_context(tempfile.TemporaryFile())
                popen = subprocess.Popen(
                    [sys.executable, "manage.py", *command], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
                )
                stack.callback(self.stop, popen)
                logs[name], processes[name] = log, popen

            def tail(name: str) -> str:
                log = logs[name]
                log.seek(0)  # type: ignore[attr-defined]
                return log.read().decode(errors="replace")[-3000:]  # type: ignore[attr-defined]

            def ran_since(moment: object) -> bool:
                return DBTaskResult.objects.filter(
                    task_path=tasks.send_due_reminders.module_path,
                    enqueued_at__gt=moment,
                    status=TaskResultStatus.SUCCESSFUL,
                ).exists()

            started = timezone.now()
            self.wait_for(lambda: ran_since(started), START_SECONDS, "no sweep ran before the outage", tail)

            proxy.cut()
            time.sleep(OUTAGE_SECONDS)
            for name, popen in processes.items():
                self.assertIsNone(popen.poll(), f"the {name} stopped during the outage:\n{tail(name)}")
                self.assertIn("out of reach", tail(name), name)

            proxy.restore()
            restored = timezone.now()
            self.wait_for(lambda: ran_since(restored), RECOVER_SECONDS, "no sweep ran after the outage", tail)
            for name, popen in processes.items():
                self.assertIsNone(popen.poll(), f"the {name} stopped:\n{tail(name)}")

    def wait_for(self, condition, seconds, message, tail) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + seconds
        while not condition():
            if time.monotonic() > deadline:
                self.fail(f"{message}\nworker:\n{tail('worker')}\nscheduler:\n{tail('scheduler')}")
            time.sleep(0.2)

    @staticmethod
    def stop(popen: subprocess.Popen[bytes]) -> None:
        if popen.poll() is None:
            popen.terminate()
        try:
            popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            popen.kill()
            popen.wait(timeout=10)


class RetryPolicyTests(SimpleTestCase):
    """What the worker does on a connection error, without a database: the outage test above runs it for real."""

    def worker(self, *, batch: bool = False) -> RetryingWorker:
        return RetryingWorker(
            queue_names=["default"],
            interval=0.1,
            batch=batch,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test",
            excluded_queue_names=[],
        )

    def run_with(self, worker: RetryingWorker, outcomes: list[Any], clock: list[float]) -> list[float]:
        """Run with the library's loop replaced by `outcomes` (an error raised, or None to return)."""
        waits: list[float] = []

        def library_run(self: Any) -> None:
            outcome = outcomes.pop(0)
            clock[0] += outcome[1] if isinstance(outcome, tuple) else 0
            error = outcome[0] if isinstance(outcome, tuple) else outcome
            if error is not None:
                raise error

        with (
            mock.patch.object(db_worker.Worker, "run", library_run),
            mock.patch.object(run_worker.time, "sleep", waits.append),
            mock.patch.object(run_worker.time, "monotonic", lambda: clock[0]),
            mock.patch.object(run_worker, "close_old_connections"),
        ):
            worker.run()
        return waits

    def test_waits_longer_while_the_outage_lasts_and_starts_over_after(self):
        down = OperationalError("connection refused")
        outcomes: list[Any] = [down] * 6 + [(down, run_worker.SETTLED_SECONDS + 1), down, None]
        waits = self.run_with(self.worker(), outcomes, [0.0])
        self.assertEqual(waits, [0.5, 1, 2, 5, 10, 10, 0.5, 1])

    def test_a_batch_run_or_a_stopping_worker_reports_the_error(self):
        with self.assertRaises(OperationalError):
            self.run_with(self.worker(batch=True), [OperationalError("gone")], [0.0])
        stopping = self.worker()
        stopping.running = False
        with self.assertRaises(InterfaceError):
            self.run_with(stopping, [InterfaceError("closed")], [0.0])

    def test_other_errors_are_not_swallowed(self):
        with self.assertRaises(ValueError):
            self.run_with(self.worker(), [ValueError("a bug")], [0.0])


@override_settings(TASKS=DATABASE_TASKS)
class InterruptedTaskTests(TransactionTestCase):
    """A task the database went away under is queued again once it is back, and runs to the end."""

    def worker(self, **options: Any) -> RetryingWorker:
        settings = {"batch": False, "max_tasks": 1, "worker_id": "outage", **options}
        return RetryingWorker(
            queue_names=["default"],
            interval=0,
            backend_name="default",
            startup_delay=False,
            excluded_queue_names=[],
            **settings,
        )

    def enqueue(self) -> DBTaskResult:
        from kinship.search import tasks as search_tasks

        return DBTaskResult.objects.get(pk=search_tasks.fit_recent_replies.enqueue().id)

    def run_bounded(self, worker: RetryingWorker) -> list[float]:
        waits: list[float] = []

        def sleep(seconds: float) -> None:
            # A bound for a broken worker that would loop for ever, not a speed target.
            if len(waits) > 100:
                raise AssertionError("The worker never finished the task.")
            waits.append(seconds)

        with mock.patch.object(run_worker.time, "sleep", sleep):
            worker.run()
        return waits

    def test_the_cut_off_task_runs_again(self):
        queued = self.enqueue()
        recorded = DBTaskResult.set_successful
        seen: list[str] = []

        def outage_once(row: DBTaskResult, value: Any) -> None:
            seen.append(str(DBTaskResult.objects.get(pk=row.pk).status))
            if len(seen) == 1:
                # The task ran; writing its result meets the outage, and so does writing its failure.
                raise OperationalError("server closed the connection unexpectedly")
            recorded(row, value)

        def down(row: DBTaskResult, error: BaseException) -> None:
            raise OperationalError("server closed the connection unexpectedly")

        with (
            mock.patch.object(DBTaskResult, "set_successful", outage_once),
            mock.patch.object(DBTaskResult, "set_failed", down),
        ):
            waits = self.run_bounded(self.worker(max_tasks=2))
        self.assertEqual(waits, [run_worker.RETRY_SECONDS[0]])
        self.assertEqual(seen, [TaskResultStatus.RUNNING, TaskResultStatus.RUNNING])
        row = DBTaskResult.objects.get(pk=queued.pk)
        self.assertEqual(row.status, TaskResultStatus.SUCCESSFUL)
        self.assertEqual(row.worker_ids, ["outage", "outage"])

    def claimed(self, *, by: list[str]) -> DBTaskResult:
        row = self.enqueue()
        for worker_id in by:
            row.claim(worker_id)
        return row

    def test_queueing_again_waits_until_the_database_answers(self):
        row = self.claimed(by=["outage"])
        worker = self.worker()
        worker.interrupted = row
        update = QuerySet.update
        calls: list[int] = []

        def still_down_once(queryset: QuerySet, **values: Any) -> int:
            calls.append(1)
            if len(calls) == 1:
                raise OperationalError("connection refused")
            return update(queryset, **values)

        with mock.patch.object(QuerySet, "update", still_down_once):
            waits = self.run_bounded(worker)
        self.assertEqual(waits, [run_worker.RETRY_SECONDS[0]])
        row.refresh_from_db()
        self.assertEqual(row.status, TaskResultStatus.SUCCESSFUL)
        self.assertIsNone(worker.interrupted)

    def test_a_run_another_worker_claimed_since_is_left_alone(self):
        row = self.claimed(by=["outage"])
        worker = self.worker()
        worker.interrupted = DBTaskResult.objects.get(pk=row.pk)
        # Meanwhile the row was queued again and another worker claimed it.
        DBTaskResult.objects.filter(pk=row.pk).update(status=TaskResultStatus.READY)
        row.refresh_from_db()
        row.claim("other")
        worker.requeue_interrupted()
        row.refresh_from_db()
        self.assertEqual(row.status, TaskResultStatus.RUNNING)
        self.assertEqual(row.worker_ids, ["outage", "other"])

    def test_a_task_cut_off_in_every_run_is_recorded_as_failed(self):
        row = self.claimed(by=["a", "b", "outage"])
        worker = self.worker()
        worker.interrupted = DBTaskResult.objects.get(pk=row.pk)
        worker.requeue_interrupted()
        row.refresh_from_db()
        self.assertEqual(row.status, TaskResultStatus.FAILED)
        self.assertIn("3 runs", row.traceback)
        self.assertIsNotNone(row.finished_at)

    def test_a_task_that_fails_is_recorded_and_not_run_again(self):
        queued = self.enqueue()
        worker = self.worker(worker_id="bug")
        with mock.patch("kinship.search.schema.fit_recent", side_effect=OperationalError("statement timeout")):
            self.assertEqual(self.run_bounded(worker), [])
        self.assertIsNone(worker.interrupted)
        row = DBTaskResult.objects.get(pk=queued.pk)
        self.assertEqual(row.status, TaskResultStatus.FAILED)
        self.assertEqual(row.worker_ids, ["bug"])
