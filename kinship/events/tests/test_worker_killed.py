"""The task worker killed (SIGKILL) mid-batch: after a restart every member has exactly one reminder.

A real `manage.py run_worker` sends meeting reminders and weekly check-in reminders to a loopback SMTP
server; the server holds one message at a chosen point until the test has killed the worker, then drops
it (it was never accepted). Kill points: while the server has a message's content but has not answered
it; and between two messages, after the one before was fully accepted. `manage.py run_scheduler --once`
then enqueues the sweeps again, and a new worker finishes the job.

Not covered, because no test can place a kill there without a hook in the worker: the moment between the
server's "250 accepted" and the worker's COMMIT (a QUIT round trip). A kill exactly there leaves no
record of a message that was delivered, so the next sweep sends it again: see docs/performance.md.

Workers and the scheduler are separate processes, so they need a database they can share: PostgreSQL's
test database as it is; on SQLite the in-memory test database is copied to a file and back.
"""

import asyncio
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.db import connection
from django.test import TransactionTestCase
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kinship.accounts.models import User
from kinship.core import factories
from kinship.core.smtp_testing import Inbox, serving
from kinship.events import services, tasks
from kinship.events.models import ReminderSent, Rsvp
from kinship.journal import tasks as journal_tasks
from kinship.journal.models import ReminderMark
from kinship.notifications.models import EmailPreference

ROOT = Path(__file__).resolve().parents[3]
# Bounds for a stuck test, not speed targets: a worker starts in about two seconds.
WAIT_SECONDS = 90
MEETING_SUBJECT = "Reminder: "
CHECKIN_SUBJECT = "A moment to check in"


class HoldingInbox(Inbox):
    """An SMTP server that can hold one message at RCPT or DATA until released, then refuse it.

    Held at DATA, the server has the whole message but has not said "250": it is not delivered, and the
    worker has not committed its record. Held at RCPT, the message before it was accepted and committed.
    """

    def __init__(self) -> None:
        super().__init__()
        self.hold_at: tuple[str, str] | None = None
        self.holding = threading.Event()
        self.released = threading.Event()

    def hold(self, stage: str, address: str) -> None:
        self.holding.clear()
        self.released.clear()
        self.hold_at = (stage, address)

    async def _held(self, stage: str, address: str) -> bool:
        if self.hold_at != (stage, address):
            return False
        self.hold_at = None
        self.holding.set()
        deadline = time.monotonic() + WAIT_SECONDS
        while not self.released.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        return True

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        if await self._held("RCPT", address):
            return "451 4.3.0 Not now"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if await self._held("DATA", envelope.rcpt_tos[0]):
            return "451 4.3.0 Not delivered"
        return await super().handle_DATA(server, session, envelope)

    def delivered(self, subject: str) -> list[str]:
        """Recipients of the accepted messages whose subject starts so, in arrival order."""
        return [
            rcpt
            for message, (_, rcpts) in zip(self.messages, self.envelopes, strict=True)
            if str(message["Subject"]).startswith(subject)
            for rcpt in rcpts
        ]


class WorkerKilledMidBatchTests(TransactionTestCase):
    def setUp(self) -> None:
        circle = factories.make_circle()
        facilitator = factories.make_user()
        factories.add_member(circle, facilitator, role="facilitator")
        start = (timezone.now() + timedelta(minutes=40)).replace(second=0, microsecond=0)
        event = factories.make_event(circle=circle, facilitator=facilitator, starts_at=start)
        self.going = [factories.make_member(circle) for _ in range(12)]
        for member in self.going:
            services.rsvp(member=member, event=event, original_start=start, answer=Rsvp.GOING)
        # Opted in to the weekly check-in reminder and never checked in: due at once.
        self.checking_in = [factories.make_user() for _ in range(4)]
        for person in self.checking_in:
            EmailPreference.objects.create(user=person, checkin_reminder=True)
        self.folder = Path(tempfile.mkdtemp(prefix="kinship-worker-killed-"))
        self.addCleanup(shutil.rmtree, self.folder, ignore_errors=True)
        self.database_url = self.share_database()

    # --- one database for the test and its processes ----------------------------------------------

    def share_database(self) -> str:
        if connection.vendor == "postgresql":
            db = connection.settings_dict
            password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
            host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
            return f"postgres://{db.get('USER') or 'postgres'}{password}@{host}:{port}/{db['NAME']}"
        self.sqlite_file = self.folder / "shared.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(self.sqlite_file) as copy:
            connection.connection.backup(copy)
        return f"sqlite:///{self.sqlite_file}"

    def look(self) -> None:
        """Let the test's own connection see what the processes wrote (a no-op on PostgreSQL)."""
        if connection.vendor == "sqlite":
            with sqlite3.connect(self.sqlite_file) as shared:
                shared.backup(connection.connection)

    # --- the processes ------------------------------------------------------------------------------

    def environment(self, inbox: Inbox) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "EMAIL_URL": f"smtp://{inbox.host}:{inbox.port}",
            "SECRET_KEY": settings.SECRET_KEY,
            "DEBUG": "0",
            "SITE_URL": "https://kinship.test",
        }

    def schedule(self, inbox: Inbox) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", "run_scheduler", "--once", "--verbosity", "2"],
            cwd=ROOT,
            env=self.environment(inbox),
            capture_output=True,
            text=True,
            timeout=WAIT_SECONDS,
            check=False,
        )
        self.assertEqual(done.returncode, 0, done.stderr)
        return done.stdout

    def start_worker(self, inbox: Inbox, log: BinaryIO, *extra: str) -> subprocess.Popen[bytes]:
        command = [sys.executable, "manage.py", "run_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1"]
        # Its own process group, so SIGKILL reaches it whatever it started.
        return subprocess.Popen(
            [*command, *extra],
            cwd=ROOT,
            env=self.environment(inbox),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill_worker_at(self, inbox: HoldingInbox, stage: str, address: str) -> None:
        """Run a worker until the server holds the message at this point, SIGKILL it, then drop the message."""
        inbox.hold(stage, address)
        with tempfile.TemporaryFile() as log:
            worker = self.start_worker(inbox, log)
            try:
                deadline = time.monotonic() + WAIT_SECONDS
                while not inbox.holding.wait(0.1):
                    if worker.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        self.fail(f"the worker never reached {stage} for {address}:\n{log.read().decode()[-3000:]}")
            finally:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=WAIT_SECONDS)
                # Only now, with the worker gone, does the server give up on the held message.
                inbox.released.set()
        self.assertEqual(worker.returncode, -signal.SIGKILL)

    def run_worker_to_the_end(self, inbox: Inbox) -> None:
        with tempfile.TemporaryFile() as log:
            worker = self.start_worker(inbox, log, "--batch")
            try:
                worker.wait(timeout=WAIT_SECONDS)
            finally:
                if worker.poll() is None:
                    os.killpg(worker.pid, signal.SIGKILL)
                    worker.wait()
            log.seek(0)
            self.assertEqual(worker.returncode, 0, log.read().decode()[-3000:])

    # --- the test -----------------------------------------------------------------------------------

    def test_no_reminder_is_lost_or_sent_twice_when_the_worker_is_killed_mid_batch(self) -> None:
        going = [member.email for member in self.going]
        checking_in = [person.email for person in self.checking_in]
        meeting_sweep = tasks.send_due_reminders.module_path
        checkin_sweep = journal_tasks.send_due_checkin_reminders.module_path

        with serving(HoldingInbox()) as inbox:
            self.schedule(inbox)

            # 1. Killed while the 4th meeting reminder waits for the server's answer.
            self.kill_worker_at(inbox, "DATA", going[3])
            self.assertEqual(inbox.delivered(MEETING_SUBJECT), going[:3])
            self.look()
            self.assertEqual(self.reminded(), set(going[:3]))
            (stale,) = DBTaskResult.objects.filter(task_path=meeting_sweep)
            self.assertEqual(stale.status, "RUNNING")  # nobody is left to finish it

            # A sweep left RUNNING does not count as waiting, so the scheduler enqueues a new one.
            out = self.schedule(inbox)
            self.assertIn("Enqueued send_due_reminders sweep", out)
            self.assertIn("send_due_checkin_reminders sweep is still waiting", out)

            # 2. The next worker takes the older sweeps first: killed mid check-in sweep, on its 2nd email.
            self.kill_worker_at(inbox, "DATA", checking_in[1])
            self.assertEqual(inbox.delivered(CHECKIN_SUBJECT), checking_in[:1])

            # 3. Killed between two meeting reminders: the 6th was accepted and committed, the 7th
            # had not begun (the server holds its recipient).
            self.kill_worker_at(inbox, "RCPT", going[6])
            self.assertEqual(inbox.delivered(MEETING_SUBJECT), going[:6])
            self.look()
            self.assertEqual(self.reminded(), set(going[:6]))
            out = self.schedule(inbox)
            self.assertIn("Enqueued send_due_reminders sweep", out)
            self.assertIn("Enqueued send_due_checkin_reminders sweep", out)

            # 4. A worker left alone finishes everything.
            self.run_worker_to_the_end(inbox)

        self.look()
        meeting_mail = Counter(inbox.delivered(MEETING_SUBJECT))
        checkin_mail = Counter(inbox.delivered(CHECKIN_SUBJECT))
        self.assertEqual(meeting_mail, Counter(going), "each member going: exactly one meeting reminder")
        self.assertEqual(checkin_mail, Counter(checking_in), "each member who opted in: exactly one check-in reminder")
        self.assertEqual(len(inbox.messages), len(going) + len(checking_in))
        self.assertEqual(self.reminded(), set(going))
        self.assertEqual(ReminderSent.objects.count(), len(going))
        self.assertEqual(
            set(ReminderMark.objects.values_list("user__email", flat=True)),
            set(checking_in),
        )
        for path in (meeting_sweep, checkin_sweep):
            finished = DBTaskResult.objects.filter(task_path=path).order_by("-enqueued_at").first()
            assert finished is not None
            self.assertEqual(finished.status, "SUCCESSFUL", finished.traceback)

    def reminded(self) -> set[str]:
        return set(
            User.objects.filter(
                pk__in=ReminderSent.objects.filter(kind=ReminderSent.HOUR_BEFORE).values("member")
            ).values_list("email", flat=True)
        )
