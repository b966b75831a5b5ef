"""The seat-opened email, its retries, and the scheduler command."""

import os
import signal
import smtplib
import threading
from datetime import timedelta
from io import StringIO
from typing import Any

from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks import task_backends

from kinship.core import factories
from kinship.core.testing import KinshipTestCase
from kinship.events import services, tasks
from kinship.events.management.commands.run_scheduler import SWEEPS
from kinship.events.models import Event, ReminderSent, Rsvp
from kinship.notifications import services as notifications
from kinship.notifications.tests.mail import FlakyBackend, SmtpTestMixin, parts

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


class SeatOpenedTests(SmtpTestMixin, KinshipTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.event = factories.make_event(circle=self.cast.circle, facilitator=self.cast.facilitator, capacity=1)
        self.start = self.event.starts_at
        self.waiting = factories.make_member(self.cast.circle)

    def answer(self, member: Any, answer: str = Rsvp.GOING) -> Rsvp:
        return services.rsvp(member=member, event=self.event, original_start=self.start, answer=answer)

    def free_the_seat(self) -> Rsvp:
        self.answer(self.cast.member)
        self.assertTrue(self.answer(self.waiting).waitlisted)
        with self.captureOnCommitCallbacks(execute=True):
            self.answer(self.cast.member, Rsvp.NOT_GOING)
        return Rsvp.objects.get(member=self.waiting)

    def test_promoted_member_is_told_with_calendar_and_unsubscribe(self) -> None:
        self.free_the_seat()
        (message,) = self.inbox.wait_for(1)
        self.assertEqual(message["To"], self.waiting.email)
        self.assertEqual(message["Subject"], f"A seat opened up: you're going to {self.event.title}")
        found = parts(message)
        self.assertIn("text/html", found)
        self.assertIn("text/calendar", found)
        self.assertIn("/email/unsubscribe/", message["List-Unsubscribe"])
        self.assertEqual(message["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
        self.assert_no_more_mail(1)

    def test_opted_out_member_is_not_told(self) -> None:
        notifications.update_preferences(user=self.waiting, changes={"seat_opened": False})
        self.free_the_seat()
        self.assert_no_more_mail(0)

    def test_nothing_is_sent_when_the_seat_is_gone_or_the_meeting_cancelled(self) -> None:
        rsvp = self.free_the_seat()
        self.inbox.wait_for(1)
        self.assertTrue(tasks.send_seat_opened.call(rsvp.pk))
        Event.objects.filter(pk=self.event.pk).update(cancelled_at=timezone.now())
        self.assertFalse(tasks.send_seat_opened.call(rsvp.pk))
        Event.objects.filter(pk=self.event.pk).update(cancelled_at=None)
        self.answer(self.waiting, Rsvp.MAYBE)
        self.assertFalse(tasks.send_seat_opened.call(rsvp.pk))
        self.assertFalse(tasks.send_seat_opened.call(10**12))
        self.assert_no_more_mail(2)

    @override_settings(TASKS=DUMMY, EMAIL_BACKEND="kinship.notifications.tests.mail.FlakyBackend")
    def test_failed_send_is_retried_later_with_growing_delay_a_bounded_number_of_times(self) -> None:
        FlakyBackend.budget = 0
        backend = task_backends["default"]
        rsvp = self.free_the_seat()  # the enqueued task only lands in the dummy backend
        backend.results.clear()  # type: ignore[attr-defined]
        before = timezone.now()
        with self.assertRaises(smtplib.SMTPServerDisconnected):
            tasks.send_seat_opened.call(rsvp.pk)
        (retry,) = backend.results  # type: ignore[attr-defined]
        self.assertEqual((retry.args, retry.kwargs), ([rsvp.pk], {"attempt": 1}))
        self.assertGreaterEqual(retry.task.run_after, before + tasks.FIRST_RETRY)
        with self.assertRaises(smtplib.SMTPServerDisconnected):
            tasks.send_seat_opened.call(rsvp.pk, attempt=1)
        self.assertGreaterEqual(backend.results[-1].task.run_after, before + tasks.FIRST_RETRY * 4)  # type: ignore[attr-defined]
        backend.results.clear()  # type: ignore[attr-defined]
        with self.assertRaises(smtplib.SMTPServerDisconnected):
            tasks.send_seat_opened.call(rsvp.pk, attempt=tasks.MAX_ATTEMPTS - 1)
        self.assertEqual(backend.results, [])  # type: ignore[attr-defined]


class SchedulerTests(SmtpTestMixin, KinshipTestCase):
    def test_once_enqueues_a_sweep_that_sends_due_reminders(self) -> None:
        start = (timezone.now() + timedelta(hours=2)).replace(second=0, microsecond=0)
        event = factories.make_event(circle=self.cast.circle, facilitator=self.cast.facilitator, starts_at=start)
        services.rsvp(member=self.cast.member, event=event, original_start=start, answer=Rsvp.GOING)
        call_command("run_scheduler", "--once", stdout=StringIO())
        (message,) = self.inbox.wait_for(1)
        self.assertEqual(message["To"], self.cast.member.email)
        self.assertEqual(ReminderSent.objects.get().kind, ReminderSent.DAY_BEFORE)

    @override_settings(TASKS=DUMMY)
    def test_sigterm_stops_the_loop_cleanly(self) -> None:
        saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
        self.addCleanup(lambda: [signal.signal(sig, handler) for sig, handler in saved.items()])
        timer = threading.Timer(0.5, os.kill, args=(os.getpid(), signal.SIGTERM))
        timer.start()
        self.addCleanup(timer.cancel)
        out = StringIO()
        call_command("run_scheduler", "--interval", "30", stdout=out)
        self.assertIn("Scheduler stopped.", out.getvalue())
        # One of each sweep (meeting reminders, referral follow-ups, mentoring and messages).
        self.assertEqual(len(task_backends["default"].results), len(SWEEPS))  # type: ignore[attr-defined]
