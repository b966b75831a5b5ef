"""Reminders 24 hours and 1 hour before a meeting, over real SMTP: once each, only to seat holders who want them."""

import smtplib
from datetime import timedelta
from typing import Any

import icalendar
from django.test import Client, override_settings

from kinship.core import factories
from kinship.core.testing import KinshipTestCase
from kinship.events import services, tasks
from kinship.events.models import Event, ReminderSent, Rsvp
from kinship.notifications import services as notifications
from kinship.notifications.tests.mail import SITE, FlakyBackend, SmtpTestMixin, parts, recipients

MEETING_LINK = "https://meet.example.org/room-4821"


class ReminderTests(SmtpTestMixin, KinshipTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.event = factories.make_event(
            circle=self.cast.circle,
            facilitator=self.cast.facilitator,
            title="Tuesday evening circle",
            timezone="America/New_York",
            capacity=3,
            online=True,
            meeting_link=MEETING_LINK,
            step_free=True,
            accessibility_notes="Lift to the second floor.",
        )
        self.start = self.event.starts_at

    def answer(self, member: Any, answer: str = Rsvp.GOING) -> Rsvp:
        return services.rsvp(member=member, event=self.event, original_start=self.start, answer=answer)

    def sweep(self, before: timedelta) -> int:
        return tasks.sweep_reminders(now=self.start - before)

    def test_day_and_hour_reminders_go_once_each(self) -> None:
        self.answer(self.cast.member)
        self.assertEqual(self.sweep(timedelta(hours=25)), 0)
        self.assertEqual(self.sweep(timedelta(hours=24)), 1)
        self.assertEqual(self.sweep(timedelta(hours=23, minutes=59)), 0)
        self.assertEqual(self.sweep(timedelta(hours=2)), 0)
        self.assertEqual(self.sweep(timedelta(minutes=60)), 1)
        self.assertEqual(self.sweep(timedelta(minutes=59)), 0)
        self.assertEqual(self.sweep(timedelta(minutes=1)), 0)
        day, hour = self.inbox.wait_for(2)
        self.assertIn("is tomorrow", self.inbox.text_of(day))
        self.assertIn("is in an hour", self.inbox.text_of(hour))
        self.assertEqual(
            sorted(ReminderSent.objects.values_list("kind", flat=True)),
            [ReminderSent.DAY_BEFORE, ReminderSent.HOUR_BEFORE],
        )
        self.assert_no_more_mail(2)

    def test_sweep_after_an_outage_inside_the_last_hour_sends_only_the_hour_reminder(self) -> None:
        self.answer(self.cast.member)
        self.assertEqual(self.sweep(timedelta(minutes=30)), 1)
        self.assertEqual(ReminderSent.objects.get().kind, ReminderSent.HOUR_BEFORE)
        self.assertEqual(self.sweep(timedelta(minutes=0)), 0)

    def test_message_has_local_time_details_parts_calendar_and_unsubscribe_headers(self) -> None:
        self.answer(self.cast.member)
        self.sweep(timedelta(hours=24))
        (message,) = self.inbox.wait_for(1)
        local = tasks.local_time(self.start, self.event)
        self.assertEqual(
            message["Subject"], f"Reminder: Tuesday evening circle {tasks.format_when(self.start, self.event)}"
        )
        self.assertIn(f"{local:%H:%M}", message["Subject"])
        self.assertIn(local.tzname(), message["Subject"])
        self.assertEqual(message["To"], self.cast.member.email)
        found = parts(message)
        text = found["text/plain"].get_content()
        html = found["text/html"].get_content()
        for body in (text, html):
            self.assertIn("Community room, 12 Hope Street", body)
            self.assertIn("Lift to the second floor.", body)
            self.assertIn(SITE + self.event.occurrences.get().get_absolute_url(), body)
            self.assertIn("America/New_York", body)
            # No reminder carries the meeting link: it opens on the page 30 minutes before.
            self.assertNotIn(MEETING_LINK, body)
        self.assertEqual(message["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
        self.assertIn(f"{SITE}/email/unsubscribe/", message["List-Unsubscribe"])
        attachment = found["text/calendar"]
        self.assertEqual(attachment.get_param("method"), "PUBLISH")
        cal = icalendar.Calendar.from_ical(attachment.get_content())
        (vevent,) = cal.walk("VEVENT")
        self.assertEqual(vevent.decoded("DTSTART"), self.start)
        self.assertNotIn(MEETING_LINK, attachment.get_content())

    def test_a_reminder_sent_again_keeps_its_message_id(self) -> None:
        self.answer(self.cast.member)
        self.sweep(timedelta(hours=24))
        # The worker was killed after the mail server accepted it, before the record was committed.
        ReminderSent.objects.all().delete()
        self.sweep(timedelta(hours=24))
        self.sweep(timedelta(minutes=60))
        first, again, hour = self.inbox.wait_for(3)
        self.assertEqual(first["Message-ID"], again["Message-ID"])
        self.assertNotEqual(first["Message-ID"], hour["Message-ID"])
        # Made on this site (SITE_URL's host), telling nothing of the member or the meeting.
        self.assertEqual(SITE, "https://kinship.test")
        self.assertRegex(first["Message-ID"], r"^<[0-9a-f]{40}@kinship\.test>$")
        self.assert_no_more_mail(3)

    def test_hour_reminder_says_where_the_link_appears_but_never_carries_it(self) -> None:
        self.answer(self.cast.member)
        self.sweep(timedelta(minutes=45))
        (message,) = self.inbox.wait_for(1)
        self.assertNotIn(MEETING_LINK, message.as_string())
        self.assertIn("30 minutes before the start", self.inbox.text_of(message))

    def test_only_seat_holders_get_reminders_each_in_their_own_message(self) -> None:
        going = [self.cast.member, factories.make_member(self.cast.circle), factories.make_member(self.cast.circle)]
        for person in going:
            self.answer(person)
        waitlisted = factories.make_member(self.cast.circle)
        self.assertTrue(self.answer(waitlisted).waitlisted)
        self.answer(factories.make_member(self.cast.circle), Rsvp.MAYBE)
        self.answer(factories.make_member(self.cast.circle), Rsvp.NOT_GOING)
        self.assertEqual(self.sweep(timedelta(hours=20)), 3)
        messages = self.inbox.wait_for(3)
        self.assertEqual(sorted(m["To"] for m in messages), sorted(p.email for p in going))
        self.assertEqual(sorted(recipients(self.inbox)), sorted(p.email for p in going))
        for message in messages:
            self.assertIsNone(message["Cc"])
        self.assert_no_more_mail(3)

    def test_opted_out_member_gets_no_reminder_of_that_kind(self) -> None:
        self.answer(self.cast.member)
        notifications.update_preferences(user=self.cast.member, changes={"reminder_day": False})
        self.assertEqual(self.sweep(timedelta(hours=20)), 0)
        self.assertFalse(ReminderSent.objects.exists())
        self.assertEqual(self.sweep(timedelta(minutes=30)), 1)
        (message,) = self.inbox.wait_for(1)
        self.assertIn("in an hour", self.inbox.text_of(message))

    def test_cancelled_occurrence_or_event_gets_no_reminders(self) -> None:
        self.answer(self.cast.member)
        services.change_occurrence(
            actor=self.cast.facilitator, event=self.event, original_start=self.start, changes={"cancelled": True}
        )
        self.assertEqual(self.sweep(timedelta(hours=20)), 0)
        services.change_occurrence(
            actor=self.cast.facilitator, event=self.event, original_start=self.start, changes={"cancelled": False}
        )
        services.cancel_event(actor=self.cast.facilitator, event=self.event)
        self.assertEqual(self.sweep(timedelta(hours=20)), 0)
        self.assertEqual(self.sweep(timedelta(minutes=30)), 0)
        self.assertFalse(ReminderSent.objects.exists())
        self.assert_no_more_mail(0)

    def test_member_who_left_a_private_circle_is_not_reminded(self) -> None:
        circle = factories.make_circle(visibility="private")
        facilitator = factories.make_user()
        factories.add_member(circle, facilitator, role="facilitator")
        member = factories.make_member(circle)
        event = factories.make_event(circle=circle, facilitator=facilitator, starts_at=self.start)
        services.rsvp(member=member, event=event, original_start=self.start, answer=Rsvp.GOING)
        member.memberships.update(status="removed")
        self.assertEqual(self.sweep(timedelta(hours=20)), 0)
        self.assert_no_more_mail(0)

    def test_unsubscribe_link_from_the_mail_stops_that_kind_and_a_tampered_one_does_not(self) -> None:
        later = factories.make_event(
            circle=self.cast.circle, facilitator=self.cast.facilitator, starts_at=self.start + timedelta(hours=10)
        )
        other = factories.make_member(self.cast.circle)
        for person in (self.cast.member, other):
            self.answer(person)
            services.rsvp(member=person, event=later, original_start=later.starts_at, answer=Rsvp.GOING)
        self.assertEqual(self.sweep(timedelta(hours=20)), 2)
        by_to = {m["To"]: m for m in self.inbox.wait_for(2)}
        client = Client(enforce_csrf_checks=True)
        path = by_to[self.cast.member.email]["List-Unsubscribe"].strip()[1:-1].removeprefix(SITE)
        self.assertEqual(client.post(path, {"List-Unsubscribe": "One-Click"}).status_code, 200)
        other_path = by_to[other.email]["List-Unsubscribe"].strip()[1:-1].removeprefix(SITE)
        self.assertEqual(client.post(other_path[:-3] + "xx/").status_code, 400)

        # The later meeting's day reminders: only the member who did not unsubscribe gets one.
        self.assertEqual(self.sweep(timedelta(hours=12)), 1)
        third = self.inbox.wait_for(3)[2]
        self.assertEqual(third["To"], other.email)
        self.assertFalse(notifications.wants(self.cast.member, "reminder_day"))
        self.assertTrue(notifications.wants(self.cast.member, "reminder_hour"))
        self.assertTrue(notifications.wants(other, "reminder_day"))
        self.assert_no_more_mail(3)

    def test_killed_mid_batch_then_restarted_everyone_gets_exactly_one(self) -> None:
        Event.objects.filter(pk=self.event.pk).update(capacity=None)
        self.event.refresh_from_db()
        people = [factories.make_member(self.cast.circle) for _ in range(5)]
        for person in people:
            self.answer(person)
        FlakyBackend.budget = 2
        with (
            override_settings(EMAIL_BACKEND="kinship.notifications.tests.mail.FlakyBackend"),
            self.assertRaises(smtplib.SMTPServerDisconnected),
        ):
            self.sweep(timedelta(hours=20))
        self.assertEqual(ReminderSent.objects.count(), 2)
        self.assertEqual(self.sweep(timedelta(hours=19)), 3)
        messages = self.inbox.wait_for(5)
        self.assertEqual(sorted(m["To"] for m in messages), sorted(p.email for p in people))
        self.assertEqual(ReminderSent.objects.count(), 5)
        self.assertEqual(self.sweep(timedelta(hours=18)), 0)
        self.assert_no_more_mail(5)

    def test_sweep_query_count_does_not_grow_with_reminders_already_sent(self) -> None:
        self.answer(self.cast.member)
        self.sweep(timedelta(hours=20))
        with self.assertNumQueries(2):
            self.assertEqual(self.sweep(timedelta(hours=19)), 0)
        for _ in range(2):
            self.answer(factories.make_member(self.cast.circle))
        self.sweep(timedelta(hours=19))
        with self.assertNumQueries(2):
            self.assertEqual(self.sweep(timedelta(hours=18)), 0)
