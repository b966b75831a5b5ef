"""The opt-in weekly check-in reminder (kinship.journal.tasks): who gets it, exactly once a week."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kinship.core import factories, worker_testing
from kinship.core.testing import KinshipTestCase
from kinship.core.worker_testing import run_worker
from kinship.events.management.commands import run_scheduler
from kinship.journal import checkins, tasks
from kinship.journal.models import ReminderMark
from kinship.journal.tests.test_checkins import NOTE, make_checkin

inbox = worker_testing.inbox
keep_signal_handlers = worker_testing.keep_signal_handlers


class ReminderSweepTests(KinshipTestCase):
    def opt_in(self, user=None) -> None:  # type: ignore[no-untyped-def]
        checkins.set_weekly_reminder(member=user or self.cast.member, weekly=True)

    def test_nobody_is_reminded_without_opting_in(self) -> None:
        self.assertEqual(tasks.sweep_reminders(), 0)
        self.assertEqual(mail.outbox, [])

    def test_an_opted_in_member_who_never_checked_in_is_reminded_once_a_week(self) -> None:
        self.opt_in()
        now = timezone.now()
        self.assertEqual(tasks.sweep_reminders(now=now), 1)
        self.assertEqual(tasks.sweep_reminders(now=now + timedelta(days=3)), 0)
        self.assertEqual(tasks.sweep_reminders(now=now + timedelta(days=7, minutes=1)), 1)
        self.assertEqual([m.to for m in mail.outbox], [[self.cast.member.email]] * 2)
        message = mail.outbox[0]
        self.assertEqual(message.subject, "A moment to check in on Kinship")
        self.assertIn("/journal/checkins/new/", message.body)
        self.assertIn("List-Unsubscribe", message.extra_headers)

    def test_a_reminder_sent_again_keeps_its_message_id_and_next_week_s_has_its_own(self) -> None:
        self.opt_in()
        now = timezone.now()
        self.assertEqual(tasks.sweep_reminders(now=now), 1)
        # The worker was killed after the mail server accepted it, before the mark was committed.
        ReminderMark.objects.all().delete()
        self.assertEqual(tasks.sweep_reminders(now=now + timedelta(minutes=1)), 1)
        self.assertEqual(tasks.sweep_reminders(now=now + timedelta(days=7, minutes=2)), 1)
        first, again, next_week = (m.extra_headers["Message-ID"] for m in mail.outbox)
        self.assertEqual(first, again)
        self.assertNotEqual(first, next_week)

    def test_a_recent_check_in_means_no_reminder(self) -> None:
        self.opt_in()
        make_checkin(self.cast.member, at=timezone.now() - timedelta(days=6), note=NOTE)
        self.assertEqual(tasks.sweep_reminders(), 0)
        self.assertEqual(tasks.sweep_reminders(now=timezone.now() + timedelta(days=1, minutes=1)), 1)
        self.assertNotIn("knee throbbed", mail.outbox[0].body)

    def test_opting_out_inactive_or_unverified_accounts_get_nothing(self) -> None:
        self.opt_in()
        checkins.set_weekly_reminder(member=self.cast.member, weekly=False)
        gone = factories.make_user(is_active=True)
        self.opt_in(gone)
        gone.is_active = False
        gone.save(update_fields=["is_active"])
        self.opt_in(self.cast.unverified)
        self.assertEqual(tasks.sweep_reminders(), 0)
        self.assertFalse(ReminderMark.objects.exists())

    def test_the_task_and_the_scheduler_run_the_sweep(self) -> None:
        self.assertIn(tasks.send_due_checkin_reminders, run_scheduler.SWEEPS)
        self.opt_in()
        self.assertEqual(tasks.send_due_checkin_reminders.call(), 1)


@pytest.mark.django_db(transaction=True)
def test_worker_sends_the_reminder_enqueued_by_the_scheduler_once(inbox, keep_signal_handlers) -> None:  # type: ignore[no-untyped-def]
    member = factories.make_user()
    checkins.set_weekly_reminder(member=member, weekly=True)
    call_command("run_scheduler", "--once", stdout=StringIO())
    run_worker()
    (stored,) = DBTaskResult.objects.filter(task_path=tasks.send_due_checkin_reminders.module_path)
    assert stored.status == "SUCCESSFUL", stored.traceback
    assert stored.return_value == 1
    (message,) = inbox.wait_for(1)
    assert message["To"] == member.email
    call_command("run_scheduler", "--once", stdout=StringIO())
    run_worker()
    assert len(inbox.messages) == 1
