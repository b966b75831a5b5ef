"""The occurrence page, RSVP (plain and htmx), editing one date and taking attendance."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kinship.circles.models import Circle
from kinship.core import factories
from kinship.core.testing import KinshipTestCase, make_cast
from kinship.events import services
from kinship.events.models import Event, Occurrence, Rsvp, occurrence_key
from kinship.events.tests.test_pages_events import LONDON, form_data, make_event

HTMX = {"HTTP_HX_REQUEST": "true"}


def key_url(name: str, event: Event, start=None) -> str:
    return reverse(f"events:{name}", args=[event.pk, occurrence_key(start or event.starts_at)])


def past_event(circle: Circle, facilitator, **fields) -> Event:
    start = (timezone.now() - timedelta(hours=2)).replace(second=0, microsecond=0)
    return make_event(circle, facilitator, start=start, **fields)


def answer(event: Event, member, value: str = Rsvp.GOING) -> Rsvp:
    """An answer stored directly, for dates whose RSVPs are already closed."""
    row, _ = Occurrence.objects.get_or_create(
        event=event,
        original_start=event.starts_at,
        defaults={"starts_at": event.starts_at, "ends_at": event.ends_at},
    )
    return Rsvp.objects.create(occurrence=row, member=member, answer=value, answered_at=timezone.now())


class OccurrenceDetailTests(KinshipTestCase):
    def test_page_shows_the_time_in_the_events_zone_with_its_name(self):
        event = make_event(self.cast.circle, self.cast.facilitator, timezone="America/New_York", rrule="FREQ=WEEKLY")
        response = self.client.get(key_url("occurrence-detail", event, event.starts_at + timedelta(weeks=1)))
        self.assertContains(response, "America/New_York")
        local = (event.starts_at + timedelta(weeks=1)).astimezone(ZoneInfo("America/New_York"))
        self.assertContains(response, local.strftime("%H:%M"))

    def test_unknown_or_malformed_dates_are_a_404(self):
        event = make_event(self.cast.circle, self.cast.facilitator)
        for key in ["20000101T000000Z", "20261399T000000Z", occurrence_key(event.starts_at + timedelta(minutes=1))]:
            with self.subTest(key=key):
                self.assertEqual(self.client.get(f"/events/{event.pk}/{key}/").status_code, 404)
        self.assertEqual(self.client.get(f"/events/{event.pk}/tomorrow/").status_code, 404)

    def test_hidden_circle_occurrence_is_a_404_to_outsiders(self):
        hidden = make_cast(visibility=Circle.HIDDEN)
        event = make_event(hidden.circle, hidden.facilitator, title="Secret meeting")
        self.client.force_login(hidden.outsider)
        response = self.client.get(key_url("occurrence-detail", event))
        self.assertEqual(response.status_code, 404)
        self.assertNotIn(b"Secret meeting", response.content)
        self.assertEqual(self.client.post(key_url("rsvp-update", event), {"answer": "going"}).status_code, 404)
        self.assertFalse(Rsvp.objects.exists())

    def test_cancelled_and_moved_dates_say_so(self):
        event = make_event(self.cast.circle, self.cast.facilitator, rrule="FREQ=WEEKLY;COUNT=3")
        second = event.starts_at + timedelta(weeks=1)
        services.change_occurrence(
            actor=self.cast.facilitator, event=event, original_start=event.starts_at, changes={"cancelled": True}
        )
        services.change_occurrence(
            actor=self.cast.facilitator,
            event=event,
            original_start=second,
            changes={"starts_at": second + timedelta(days=1), "note": "Room 5 this week"},
        )
        self.client.force_login(self.cast.member)
        cancelled = self.client.get(key_url("occurrence-detail", event))
        self.assertContains(cancelled, "This date is cancelled.")
        self.assertNotContains(cancelled, 'name="answer"')
        moved = self.client.get(key_url("occurrence-detail", event, second))
        self.assertContains(moved, "Moved from")
        self.assertContains(moved, "Room 5 this week")

    def test_meeting_link_only_for_seat_holders_from_thirty_minutes_before(self):
        start = (timezone.now() + timedelta(minutes=20)).replace(second=0, microsecond=0)
        link = "https://meet.example.org/room-42"
        event = make_event(self.cast.circle, self.cast.facilitator, start=start, online=True, meeting_link=link)
        later = make_event(self.cast.circle, self.cast.facilitator, online=True, meeting_link=link)
        for e in (event, later):
            services.rsvp(member=self.cast.member, event=e, original_start=e.starts_at, answer=Rsvp.GOING)
        self.client.force_login(self.cast.member)
        self.assertContains(self.client.get(key_url("occurrence-detail", event)), link)
        not_yet = self.client.get(key_url("occurrence-detail", later))
        self.assertNotContains(not_yet, link)
        self.assertContains(not_yet, "The online meeting link appears here")
        other = factories.make_member(self.cast.circle)
        self.client.force_login(other)
        self.assertNotContains(self.client.get(key_url("occurrence-detail", event)), link)
        self.client.logout()
        self.assertNotContains(self.client.get(key_url("occurrence-detail", event)), link)

    def test_facilitator_sees_answers_with_waitlist_order_members_do_not(self):
        event = make_event(self.cast.circle, self.cast.facilitator, capacity=1)
        second = factories.make_member(self.cast.circle, display_name="Second Sam")
        third = factories.make_member(self.cast.circle, display_name="Third Tia")
        for person in (self.cast.member, second, third):
            services.rsvp(member=person, event=event, original_start=event.starts_at, answer=Rsvp.GOING)
        self.client.force_login(self.cast.facilitator)
        response = self.client.get(key_url("occurrence-detail", event))
        self.assertContains(response, "Waitlist, number 1")
        self.assertContains(response, "Waitlist, number 2")
        self.assertContains(response, key_url("occurrence-edit", event))
        self.assertNotContains(response, "@example.org")
        self.client.force_login(second)
        page = self.client.get(key_url("occurrence-detail", event))
        self.assertNotContains(page, "Who answered")
        self.assertContains(page, "on the waitlist (position 1)")
        self.assertContains(page, "0 seats left of 1.")

    def test_promoted_member_is_told_a_seat_opened_up(self):
        event = make_event(self.cast.circle, self.cast.facilitator, capacity=1)
        waiting = factories.make_member(self.cast.circle)
        services.rsvp(member=self.cast.member, event=event, original_start=event.starts_at, answer=Rsvp.GOING)
        services.rsvp(member=waiting, event=event, original_start=event.starts_at, answer=Rsvp.GOING)
        services.rsvp(member=self.cast.member, event=event, original_start=event.starts_at, answer=Rsvp.NOT_GOING)
        self.client.force_login(waiting)
        self.assertContains(self.client.get(key_url("occurrence-detail", event)), "A seat opened up — you're going.")

    def test_query_count_does_not_grow_with_attendees(self):
        event = make_event(self.cast.circle, self.cast.facilitator, capacity=2)
        services.rsvp(member=self.cast.member, event=event, original_start=event.starts_at, answer=Rsvp.GOING)
        url = key_url("occurrence-detail", event)
        self.client.force_login(self.cast.facilitator)
        with CaptureQueriesContext(connection) as few:
            self.client.get(url)
        for _ in range(8):
            person = factories.make_member(self.cast.circle)
            services.rsvp(member=person, event=event, original_start=event.starts_at, answer=Rsvp.GOING)
        with CaptureQueriesContext(connection) as many:
            self.client.get(url)
        self.assertEqual(len(few), len(many))


class RsvpUpdateTests(KinshipTestCase):
    def setUp(self):
        self.event = make_event(self.cast.circle, self.cast.facilitator, capacity=1)
        self.url = key_url("rsvp-update", self.event)

    def test_member_says_going_without_javascript_and_is_sent_back(self):
        self.client.force_login(self.cast.member)
        response = self.client.post(self.url, {"answer": "going"})
        self.assertRedirects(response, key_url("occurrence-detail", self.event))
        self.assertTrue(Rsvp.objects.get(member=self.cast.member).has_seat)
        self.assertContains(self.client.get(response["Location"]), "You're going.")

    def test_htmx_gets_only_the_rsvp_region(self):
        self.client.force_login(self.cast.member)
        response = self.client.post(self.url, {"answer": "maybe"}, **HTMX)
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "<html")
        self.assertContains(response, 'id="rsvp"')
        self.assertContains(response, "You said maybe.")

    def test_second_member_goes_on_the_waitlist(self):
        services.rsvp(
            member=self.cast.facilitator, event=self.event, original_start=self.event.starts_at, answer="going"
        )
        self.client.force_login(self.cast.member)
        response = self.client.post(self.url, {"answer": "going"}, **HTMX)
        self.assertContains(response, "You're on the waitlist (position 1).")

    def test_bad_answers_are_refused_and_change_nothing(self):
        self.client.force_login(self.cast.member)
        for data in [{}, {"answer": ""}, {"answer": "yes"}, {"answer": "going\x00"}, {"answer": "x" * 5000}]:
            with self.subTest(data=data):
                response = self.client.post(self.url, data)
                self.assertContains(response, "Choose going, maybe or not going.", status_code=422)
                self.assertContains(self.client.post(self.url, data, **HTMX), "Choose going", status_code=422)
        self.assertFalse(Rsvp.objects.exists())

    def test_outsider_of_a_private_circle_and_unverified_are_refused_with_a_message(self):
        self.cast.circle.visibility = Circle.PRIVATE
        self.cast.circle.save()
        self.client.force_login(self.cast.staff)  # sees the meeting, holds no membership
        response = self.client.post(self.url, {"answer": "going"})
        self.assertContains(response, "Join the circle first.", status_code=403)
        self.client.force_login(self.cast.pending)
        self.assertEqual(self.client.post(self.url, {"answer": "going"}).status_code, 404)
        self.client.force_login(self.cast.unverified)
        self.assertContains(self.client.post(self.url, {"answer": "going"}), "Confirm your email", status_code=403)
        self.assertFalse(Rsvp.objects.exists())

    def test_a_verified_outsider_may_rsvp_to_a_public_circles_meeting(self):
        self.client.force_login(self.cast.outsider)
        self.client.post(self.url, {"answer": "going"})
        self.assertTrue(Rsvp.objects.filter(member=self.cast.outsider, answer=Rsvp.GOING).exists())

    def test_cancelled_and_past_dates_refuse_answers(self):
        services.cancel_event(actor=self.cast.facilitator, event=self.event)
        past = past_event(self.cast.circle, self.cast.facilitator)
        self.client.force_login(self.cast.member)
        self.assertContains(self.client.post(self.url, {"answer": "going"}), "cancelled", status_code=422)
        response = self.client.post(key_url("rsvp-update", past), {"answer": "going"})
        self.assertContains(response, "already started", status_code=422)
        self.assertFalse(Rsvp.objects.exists())

    def test_visitor_must_sign_in_and_get_is_not_allowed(self):
        self.assertEqual(self.client.post(self.url, {"answer": "going"}).status_code, 302)
        self.client.force_login(self.cast.member)
        self.assertEqual(self.client.get(self.url).status_code, 405)
        self.assertFalse(Rsvp.objects.exists())


class OccurrenceEditTests(KinshipTestCase):
    def setUp(self):
        self.event = make_event(self.cast.circle, self.cast.facilitator, rrule="FREQ=WEEKLY;COUNT=6")
        self.second = self.event.starts_at + timedelta(weeks=1)
        self.url = key_url("occurrence-edit", self.event, self.second)

    def this_data(self, **overrides):
        local = self.second.astimezone(LONDON)
        data = {
            "scope": "this",
            "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (local + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "title": "",
            "note": "",
        }
        data.update(overrides)
        return data

    def test_facilitator_cancels_one_date(self):
        self.client.force_login(self.cast.facilitator)
        response = self.client.post(self.url, self.this_data(cancelled="on", note="Bank holiday"))
        self.assertRedirects(response, key_url("occurrence-detail", self.event, self.second))
        row = Occurrence.objects.get(original_start=self.second)
        self.assertEqual((row.cancelled, row.note), (True, "Bank holiday"))
        self.assertFalse(Occurrence.objects.filter(original_start=self.event.starts_at, cancelled=True).exists())

    def test_facilitator_moves_one_date(self):
        self.client.force_login(self.cast.facilitator)
        moved = self.second + timedelta(days=1)
        local = moved.astimezone(LONDON)
        data = self.this_data(
            starts_at=local.strftime("%Y-%m-%dT%H:%M"), ends_at=(local + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
        )
        self.client.post(self.url, data)
        row = Occurrence.objects.get(original_start=self.second)
        self.assertEqual((row.starts_at, row.ends_at), (moved, moved + timedelta(hours=2)))

    def test_this_and_following_starts_a_new_series(self):
        self.client.force_login(self.cast.facilitator)
        page = self.client.get(self.url)
        self.assertEqual(page.context["following_form"].initial["repeat_count"], 5)
        local = self.second.astimezone(LONDON)
        data = form_data(
            title="New format",
            starts_at=local.strftime("%Y-%m-%dT%H:%M"),
            ends_at=(local + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            repeat="weekly",
            repeat_end="count",
            repeat_count="5",
            scope="following",
        )
        response = self.client.post(self.url, data)
        tail = Event.objects.exclude(pk=self.event.pk).get()
        self.assertRedirects(response, tail.get_absolute_url())
        self.assertEqual((tail.title, tail.starts_at), ("New format", self.second))
        self.event.refresh_from_db()
        self.assertEqual(self.event.rrule, "FREQ=WEEKLY;COUNT=1")

    def test_bad_input_changes_nothing(self):
        self.client.force_login(self.cast.facilitator)
        for data in [
            self.this_data(starts_at="soon"),
            self.this_data(ends_at="2000-01-01T00:00"),
            self.this_data(title="x" * 5000),
            self.this_data(note="a\x00b"),
            self.this_data(scope="everything"),
            {"scope": "following", "title": ""},
        ]:
            with self.subTest(data=data):
                self.assertEqual(self.client.post(self.url, data).status_code, 422)
        self.assertFalse(Occurrence.objects.exists())
        self.assertEqual(Event.objects.count(), 1)

    def test_member_gets_403_and_unknown_date_404(self):
        self.client.force_login(self.cast.member)
        self.assertEqual(self.client.post(self.url, self.this_data(cancelled="on")).status_code, 403)
        self.client.force_login(self.cast.facilitator)
        wrong = key_url("occurrence-edit", self.event, self.second + timedelta(hours=1))
        self.assertEqual(self.client.get(wrong).status_code, 404)
        self.assertFalse(Occurrence.objects.exists())


class AttendanceTests(KinshipTestCase):
    def test_facilitator_records_who_came(self):
        event = past_event(self.cast.circle, self.cast.facilitator)
        came = answer(event, self.cast.member)
        missed = answer(event, factories.make_member(self.cast.circle, display_name="Absent Al"), Rsvp.MAYBE)
        answer(event, factories.make_member(self.cast.circle, display_name="Never Ned"), Rsvp.NOT_GOING)
        url = key_url("attendance", event)
        self.client.force_login(self.cast.facilitator)
        page = self.client.get(url)
        self.assertContains(page, "Absent Al")
        self.assertNotContains(page, "Never Ned")
        self.assertRedirects(
            self.client.post(url, {"present": [str(self.cast.member.pk)]}), key_url("occurrence-detail", event)
        )
        came.refresh_from_db()
        missed.refresh_from_db()
        self.assertEqual((came.attended, missed.attended), (True, False))

    def test_not_before_the_start(self):
        event = make_event(self.cast.circle, self.cast.facilitator)
        services.rsvp(member=self.cast.member, event=event, original_start=event.starts_at, answer="going")
        self.client.force_login(self.cast.facilitator)
        url = key_url("attendance", event)
        self.assertContains(self.client.get(url), "Attendance is taken once the meeting has started.")
        response = self.client.post(url, {"present": [str(self.cast.member.pk)]})
        self.assertEqual(response.status_code, 422)
        self.assertIsNone(Rsvp.objects.get().attended)

    def test_bad_values_and_strangers_are_refused(self):
        event = past_event(self.cast.circle, self.cast.facilitator)
        rsvp = answer(event, self.cast.member)
        self.client.force_login(self.cast.facilitator)
        url = key_url("attendance", event)
        for present in [["abc"], ["-1"], ["9" * 40], [str(self.cast.outsider.pk)], ["1\x00"]]:
            with self.subTest(present=present):
                self.assertEqual(self.client.post(url, {"present": present}).status_code, 422)
        rsvp.refresh_from_db()
        self.assertIsNone(rsvp.attended)

    def test_member_gets_403(self):
        event = past_event(self.cast.circle, self.cast.facilitator)
        rsvp = answer(event, self.cast.member)
        self.client.force_login(self.cast.member)
        self.assertEqual(
            self.client.post(key_url("attendance", event), {"present": [str(self.cast.member.pk)]}).status_code, 403
        )
        rsvp.refresh_from_db()
        self.assertIsNone(rsvp.attended)
