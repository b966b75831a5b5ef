"""Referral emails over real SMTP: the follow-up reminder (exactly once) and the member's notice."""

import smtplib
import threading
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client, TransactionTestCase, override_settings
from django.utils import timezone

from kinship.circles.models import Membership
from kinship.core import factories
from kinship.library import referrals, tasks
from kinship.library.models import Referral
from kinship.library.tests.referrals_support import NOTE, ReferralTestCase, make_referral, make_resource
from kinship.notifications import services as notifications
from kinship.notifications.tests.mail import SITE, FlakyBackend, SmtpTestMixin, parts


class FollowUpTests(SmtpTestMixin, ReferralTestCase):
    def due(self, **fields: Any) -> Referral:
        """A referral of the cast's member, due for follow-up a minute ago."""
        fields.setdefault("referrer", self.cast.facilitator)
        fields.setdefault("member", self.cast.member)
        fields.setdefault("circle", self.cast.circle)
        fields.setdefault("resource", self.resource)
        fields.setdefault("follow_up_at", timezone.now() - timedelta(minutes=1))
        return make_referral(**fields)

    def test_a_due_open_referral_reminds_the_referrer_exactly_once(self) -> None:
        referral = self.due()
        self.assertEqual(tasks.sweep_follow_ups(), 1)
        self.assertEqual(tasks.sweep_follow_ups(), 0)
        (message,) = self.inbox.wait_for(1)
        self.assertEqual(message["To"], self.cast.facilitator.email)
        self.assertEqual(message["Subject"], "A referral you made is due for follow-up")
        referral.refresh_from_db()
        self.assertIsNotNone(referral.reminded_at)
        self.assert_no_more_mail(1)

    def test_the_email_links_to_the_page_and_carries_no_note_no_member_email_no_member_name(self) -> None:
        referral = self.due()
        tasks.sweep_follow_ups()
        (message,) = self.inbox.wait_for(1)
        found = parts(message)
        raw = message.as_string()
        for body in (found["text/plain"].get_content(), found["text/html"].get_content()):
            self.assertIn(SITE + referral.get_absolute_url(), body)
            self.assertIn(self.resource.name, body)
            self.assertIn("still open after 14 days", body)
        for secret in (NOTE, self.cast.member.email, self.cast.member.display_name):
            self.assertNotIn(secret, raw)
        self.assertEqual(message["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")

    def test_not_yet_due_closed_or_already_reminded_referrals_send_nothing(self) -> None:
        self.due(follow_up_at=timezone.now() + timedelta(hours=1))
        self.due(member=self.peer, status=Referral.DONE, closed_at=timezone.now())
        self.due(member=self.co_facilitator, reminded_at=timezone.now())
        self.assertEqual(tasks.sweep_follow_ups(), 0)
        self.assert_no_more_mail(0)

    def test_an_open_status_change_restarts_the_clock_and_allows_another_reminder(self) -> None:
        referral = self.due(follow_up_days=3)
        self.assertEqual(tasks.sweep_follow_ups(), 1)
        referrals.change_status(actor=self.cast.member, referral=referral, status=Referral.CONTACTED)
        self.assertEqual(tasks.sweep_follow_ups(), 0)
        later = timezone.now() + timedelta(days=3, minutes=1)
        self.assertEqual(tasks.sweep_follow_ups(now=later), 1)
        self.assertEqual(tasks.sweep_follow_ups(now=later), 0)
        self.inbox.wait_for(2)
        self.assert_no_more_mail(2)

    def test_closing_before_the_sweep_sends_nothing(self) -> None:
        referral = self.due()
        referrals.change_status(actor=self.cast.member, referral=referral, status=Referral.NOT_NEEDED)
        self.assertEqual(tasks.sweep_follow_ups(now=timezone.now() + timedelta(days=100)), 0)
        self.assert_no_more_mail(0)

    def test_a_referrer_who_no_longer_leads_the_circle_is_not_reminded_but_staff_are(self) -> None:
        self.due()
        Membership.objects.filter(user=self.cast.facilitator).update(role=Membership.MEMBER)
        self.assertEqual(tasks.sweep_follow_ups(), 0)
        staff_made = self.due(referrer=self.cast.staff, member=self.peer)
        self.assertEqual(tasks.sweep_follow_ups(), 1)
        (message,) = self.inbox.wait_for(1)
        self.assertEqual(message["To"], self.cast.staff.email)
        self.assertIn(staff_made.get_absolute_url(), self.inbox.text_of(message))

    def test_a_referrer_who_switched_these_emails_off_gets_none_and_nothing_is_claimed(self) -> None:
        referral = self.due()
        notifications.update_preferences(user=self.cast.facilitator, changes={"referral_follow_up": False})
        self.assertEqual(tasks.sweep_follow_ups(), 0)
        referral.refresh_from_db()
        self.assertIsNone(referral.reminded_at)
        self.assert_no_more_mail(0)

    def test_a_claim_another_worker_made_first_sends_nothing(self) -> None:
        referral = self.due()
        (seen,) = tasks.due_follow_ups(timezone.now())
        # Another worker claims and sends between this one's query and its send.
        Referral.objects.filter(pk=referral.pk).update(reminded_at=timezone.now())
        self.assertFalse(tasks.send_follow_up(seen, timezone.now()))
        self.assert_no_more_mail(0)

    def test_a_failed_send_leaves_the_rest_for_the_next_sweep_and_nobody_gets_two(self) -> None:
        people = [factories.make_member(self.cast.circle) for _ in range(4)]
        for person in people:
            self.due(member=person, resource=make_resource(name=f"Resource for {person.pk}"))
        FlakyBackend.budget = 1
        with (
            override_settings(EMAIL_BACKEND="kinship.notifications.tests.mail.FlakyBackend"),
            self.assertRaises(smtplib.SMTPServerDisconnected),
        ):
            tasks.sweep_follow_ups()
        self.assertEqual(Referral.objects.filter(reminded_at__isnull=False).count(), 1)
        self.assertEqual(tasks.sweep_follow_ups(), 3)
        self.assertEqual(tasks.sweep_follow_ups(), 0)
        messages = self.inbox.wait_for(4)
        self.assertEqual({m["To"] for m in messages}, {self.cast.facilitator.email})
        self.assertEqual(len({self.inbox.text_of(m) for m in messages}), 4)
        self.assert_no_more_mail(4)

    def test_sweep_query_count_does_not_grow_with_reminded_referrals(self) -> None:
        for i in range(3):
            self.due(resource=make_resource(name=f"R{i}"), reminded_at=timezone.now())
        with self.assertNumQueries(1):
            self.assertEqual(tasks.sweep_follow_ups(), 0)
        for i in range(30):
            self.due(resource=make_resource(name=f"S{i}"), reminded_at=timezone.now())
        with self.assertNumQueries(1):
            self.assertEqual(tasks.sweep_follow_ups(), 0)

    def test_unsubscribe_link_in_the_reminder_switches_only_that_kind_off(self) -> None:
        self.due()
        tasks.sweep_follow_ups()
        (message,) = self.inbox.wait_for(1)
        path = message["List-Unsubscribe"].strip()[1:-1].removeprefix(SITE)
        self.assertEqual(Client(enforce_csrf_checks=True).post(path).status_code, 200)
        self.assertFalse(notifications.wants(self.cast.facilitator, "referral_follow_up"))
        self.assertTrue(notifications.wants(self.cast.facilitator, "referral_suggested"))

    def test_scheduler_enqueues_the_follow_up_sweep(self) -> None:
        self.due()
        call_command("run_scheduler", "--once", stdout=StringIO())
        (message,) = self.inbox.wait_for(1)
        self.assertEqual(message["To"], self.cast.facilitator.email)


class SuggestedEmailTests(SmtpTestMixin, ReferralTestCase):
    def test_member_is_told_with_a_link_and_no_note(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            referral = self.refer()
        (message,) = self.inbox.wait_for(1)
        self.assertEqual(message["To"], self.cast.member.email)
        self.assertEqual(message["Subject"], "A facilitator suggested a resource for you")
        text = self.inbox.text_of(message)
        self.assertIn(SITE + referral.get_absolute_url(), text)
        self.assertIn(self.cast.facilitator.display_name, text)
        raw = message.as_string()
        self.assertNotIn(NOTE, raw)
        self.assertNotIn(self.resource.name, raw)
        self.assertIsNone(message["Cc"])
        self.assert_no_more_mail(1)

    def test_a_repeated_referral_tells_the_member_once(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            self.refer()
        with self.captureOnCommitCallbacks(execute=True):
            self.refer()
        self.assert_no_more_mail(1)

    def test_member_who_switched_it_off_is_not_told(self) -> None:
        notifications.update_preferences(user=self.cast.member, changes={"referral_suggested": False})
        with self.captureOnCommitCallbacks(execute=True):
            self.refer()
        self.assert_no_more_mail(0)

    def test_nothing_is_sent_for_a_referral_closed_or_deleted_before_the_task_ran(self) -> None:
        referral = self.refer()
        referrals.change_status(actor=self.cast.member, referral=referral, status=Referral.DONE)
        self.assertFalse(tasks.send_referral_suggested.call(referral.pk))
        self.assertFalse(tasks.send_referral_suggested.call(referral.pk + 1000))
        self.assert_no_more_mail(0)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
class SimultaneousSweepTests(SmtpTestMixin, TransactionTestCase):
    def test_four_workers_sweeping_at_once_send_each_reminder_once(self) -> None:
        circle = factories.make_circle()
        facilitator = factories.make_user()
        factories.add_member(circle, facilitator, role="facilitator")
        past = timezone.now() - timedelta(minutes=1)
        for i in range(6):
            make_referral(
                referrer=facilitator,
                member=factories.make_member(circle),
                circle=circle,
                resource=make_resource(name=f"Resource {i}"),
                follow_up_at=past,
            )
        start = threading.Barrier(4)
        sent: list[int] = []
        failures: list[BaseException] = []

        def sweep() -> None:
            try:
                start.wait()
                sent.append(tasks.sweep_follow_ups())
            except BaseException as error:
                failures.append(error)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=sweep) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(failures, [])
        self.assertEqual(sum(sent), 6)
        self.inbox.wait_for(6)
        self.assert_no_more_mail(6)
        self.assertFalse(Referral.objects.filter(reminded_at__isnull=True).exists())
