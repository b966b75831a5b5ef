"""Circle calendar, event create/edit/cancel and the event page."""

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kinship.accounts.models import User
from kinship.circles.models import Circle
from kinship.core import factories
from kinship.core.testing import KinshipTestCase, make_cast
from kinship.events import services
from kinship.events.models import Event, Occurrence, Rsvp, occurrence_key

LONDON = ZoneInfo("Europe/London")


def soon(days: float = 7) -> datetime:
    return (timezone.now() + timedelta(days=days)).replace(second=0, microsecond=0)


def make_event(circle: Circle, facilitator: User, *, start: datetime | None = None, **fields: Any) -> Event:
    start = start or soon()
    values: dict[str, Any] = {
        "title": "Tuesday support meeting",
        "kind": Event.SUPPORT_MEETING,
        "description": "We talk about **pain** and physiotherapy.",
        "timezone": "Europe/London",
        "starts_at": start,
        "ends_at": start + timedelta(hours=1),
        "in_person": True,
        "address": "Room 2, Royal Orthopaedic Hospital",
    }
    values.update(fields)
    return services.create_event(facilitator=facilitator, circle=circle, **values)


def form_data(**overrides: Any) -> dict[str, Any]:
    start = soon().astimezone(LONDON)
    data = {
        "title": "Weekly check-in",
        "kind": "support_meeting",
        "description": "Bring a cup of tea.",
        "timezone": "Europe/London",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=1, minutes=30)).strftime("%Y-%m-%dT%H:%M"),
        "repeat": "none",
        "repeat_end": "never",
        "repeat_count": "",
        "repeat_until": "",
        "advanced_rrule": "",
        "in_person": "on",
        "address": "Room 2, Royal Orthopaedic Hospital",
        "step_free": "on",
        "accessibility_notes": "Lift at the back entrance.",
        "meeting_link": "",
        "capacity": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


class CircleCalendarTests(KinshipTestCase):
    def url(self, circle: Circle | None = None) -> str:
        return reverse("events:circle-calendar", args=[(circle or self.cast.circle).slug])

    def test_member_sees_upcoming_dates_of_a_weekly_meeting(self):
        make_event(self.cast.circle, self.cast.facilitator, rrule="FREQ=WEEKLY;COUNT=4")
        self.client.force_login(self.cast.member)
        response = self.client.get(self.url())
        self.assertContains(response, "Tuesday support meeting", count=4)
        self.assertContains(response, "Europe/London")
        self.assertNotContains(response, "Plan an event")

    def test_visitor_sees_a_public_circles_events(self):
        make_event(self.cast.circle, self.cast.facilitator)
        self.assertContains(self.client.get(self.url()), "Tuesday support meeting")

    def test_facilitator_is_offered_to_plan_an_event(self):
        self.client.force_login(self.cast.facilitator)
        self.assertContains(self.client.get(self.url()), reverse("events:event-create", args=[self.cast.circle.slug]))

    def test_private_circle_events_are_refused_to_outsiders(self):
        private = make_cast(visibility=Circle.PRIVATE)
        make_event(private.circle, private.facilitator, title="Private gathering")
        self.client.force_login(private.outsider)
        response = self.client.get(self.url(private.circle))
        self.assertEqual(response.status_code, 403)
        self.assertNotContains(response, "Private gathering", status_code=403)
        self.client.force_login(private.member)
        self.assertContains(self.client.get(self.url(private.circle)), "Private gathering")

    def test_hidden_circle_calendar_is_a_404_to_outsiders_and_visitors(self):
        hidden = make_cast(visibility=Circle.HIDDEN)
        make_event(hidden.circle, hidden.facilitator, title="Hidden gathering")
        self.assertEqual(self.client.get(self.url(hidden.circle)).status_code, 404)
        self.client.force_login(hidden.outsider)
        response = self.client.get(self.url(hidden.circle))
        self.assertEqual(response.status_code, 404)
        self.assertNotIn(b"Hidden gathering", response.content)

    def test_month_view_lists_the_months_dates_with_links_either_side(self):
        start = datetime(2027, 3, 2, 18, 0, tzinfo=UTC)
        make_event(self.cast.circle, self.cast.facilitator, start=start, rrule="FREQ=WEEKLY;COUNT=10")
        self.client.force_login(self.cast.member)
        response = self.client.get(self.url() + "?month=2027-03")
        self.assertContains(response, "March 2027")
        self.assertContains(response, "Tuesday support meeting", count=5)
        self.assertContains(response, "?month=2027-02")
        self.assertContains(response, "?month=2027-04")
        self.assertContains(self.client.get(self.url() + "?month=2027-12"), "Nothing planned this month.")

    def test_bad_month_values_are_a_404_never_a_500(self):
        for value in ["2026-13", "2026-00", "abc", "2026-1", "99999-01", "1800-01", "2026-12\x00", "", "2026-12-01"]:
            with self.subTest(value=value):
                self.assertEqual(self.client.get(self.url(), {"month": value}).status_code, 404)

    def test_query_count_does_not_grow_with_events_and_answers(self):
        first = make_event(self.cast.circle, self.cast.facilitator)
        services.rsvp(member=self.cast.member, event=first, original_start=first.starts_at, answer=Rsvp.MAYBE)
        self.client.force_login(self.cast.member)
        with CaptureQueriesContext(connection) as few:
            self.client.get(self.url())
        for n in range(5):
            event = make_event(
                self.cast.circle, self.cast.facilitator, start=soon(2 + n), rrule="FREQ=WEEKLY;COUNT=8", title=f"M{n}"
            )
            services.rsvp(member=self.cast.member, event=event, original_start=event.starts_at, answer=Rsvp.GOING)
        with CaptureQueriesContext(connection) as many:
            response = self.client.get(self.url())
        self.assertContains(response, "You're going")
        self.assertEqual(len(few), len(many))


class EventCreateTests(KinshipTestCase):
    def url(self, circle: Circle | None = None) -> str:
        return reverse("events:event-create", args=[(circle or self.cast.circle).slug])

    def post(self, **overrides: Any):
        self.client.force_login(self.cast.facilitator)
        return self.client.post(self.url(), form_data(**overrides))

    @override_settings(TIME_ZONE="Europe/Paris")
    def test_form_offers_the_sites_time_zone_and_datetime_local_inputs(self):
        self.client.force_login(self.cast.facilitator)
        response = self.client.get(self.url())
        self.assertContains(response, '<option value="Europe/Paris" selected>')
        self.assertContains(response, 'type="datetime-local"', count=2)

    def test_facilitator_plans_a_single_event_read_in_its_time_zone(self):
        response = self.post(starts_at="2027-07-01T18:00", ends_at="2027-07-01T19:30")
        event = Event.objects.get()
        self.assertRedirects(response, event.get_absolute_url())
        self.assertEqual(event.starts_at, datetime(2027, 7, 1, 17, 0, tzinfo=UTC))  # BST is UTC+1
        self.assertEqual(event.rrule, "")
        self.assertTrue(event.step_free)
        self.assertEqual(event.facilitator, self.cast.facilitator)

    def test_weekly_for_ten_meetings(self):
        self.post(repeat="weekly", repeat_end="count", repeat_count="10")
        self.assertEqual(Event.objects.get().rrule, "FREQ=WEEKLY;COUNT=10")

    def test_every_two_weeks_until_a_date(self):
        self.post(repeat="fortnightly", repeat_end="until", repeat_until="2027-12-31")
        rule = Event.objects.get().rrule
        self.assertTrue(rule.startswith("FREQ=WEEKLY;INTERVAL=2;UNTIL=20271231T"), rule)

    def test_monthly_on_the_same_weekday(self):
        self.post(starts_at="2027-06-01T18:00", ends_at="2027-06-01T19:00", repeat="monthly")
        self.assertEqual(Event.objects.get().rrule, "FREQ=MONTHLY;BYDAY=1TU")

    def test_fifth_weekday_becomes_the_last(self):
        self.post(starts_at="2027-06-29T18:00", ends_at="2027-06-29T19:00", repeat="monthly")
        self.assertEqual(Event.objects.get().rrule, "FREQ=MONTHLY;BYDAY=-1TU")

    def test_daily_and_advanced_rule(self):
        self.post(repeat="daily", repeat_end="count", repeat_count="3")
        self.post(advanced_rrule="FREQ=MONTHLY;BYMONTHDAY=15;COUNT=6", repeat="weekly", title="Advanced")
        self.assertEqual(Event.objects.get(title="Weekly check-in").rrule, "FREQ=DAILY;COUNT=3")
        self.assertEqual(Event.objects.get(title="Advanced").rrule, "FREQ=MONTHLY;BYMONTHDAY=15;COUNT=6")

    def test_online_event_with_capacity(self):
        self.post(in_person=None, address="", online="on", meeting_link="https://meet.example.org/abc", capacity="12")
        event = Event.objects.get()
        self.assertEqual((event.online, event.in_person, event.capacity), (True, False, 12))

    def test_member_gets_403_and_nothing_is_saved(self):
        self.client.force_login(self.cast.member)
        self.assertEqual(self.client.get(self.url()).status_code, 403)
        self.assertEqual(self.client.post(self.url(), form_data()).status_code, 403)
        self.assertFalse(Event.objects.exists())

    def test_outsider_of_a_hidden_circle_gets_404(self):
        hidden = make_cast(visibility=Circle.HIDDEN)
        self.client.force_login(hidden.outsider)
        self.assertEqual(self.client.post(self.url(hidden.circle), form_data()).status_code, 404)
        self.assertFalse(Event.objects.exists())

    def test_visitor_is_sent_to_sign_in(self):
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("accounts:login"), response["Location"])

    def test_bad_input_is_shown_on_the_form_and_nothing_is_saved(self):
        cases = {
            "title": {"title": ""},
            "long title": {"title": "x" * 5000},
            "null byte": {"title": "a\x00b"},
            "end before start": {"ends_at": "2020-01-01T10:00"},
            "unreadable start": {"starts_at": "tomorrow-ish"},
            "year 3000": {"starts_at": "3000-01-01T10:00", "ends_at": "3000-01-01T11:00"},
            "zone": {"timezone": "Mars/Olympus_Mons"},
            "kind": {"kind": "rave"},
            "capacity": {"capacity": "lots"},
            "zero capacity": {"capacity": "0"},
            "rule": {"advanced_rrule": "FREQ=SECONDLY"},
            "rule chars": {"advanced_rrule": "FREQ=WEEKLY;<script>"},
            "count missing": {"repeat": "weekly", "repeat_end": "count"},
            "count too big": {"repeat": "weekly", "repeat_end": "count", "repeat_count": "100000"},
            "until missing": {"repeat": "weekly", "repeat_end": "until"},
            "repeat choice": {"repeat": "hourly"},
            "nowhere": {"in_person": None, "online": None},
            "no address": {"address": ""},
            "bad link": {"online": "on", "meeting_link": "javascript:alert(1)"},
        }
        for name, overrides in cases.items():
            with self.subTest(name):
                response = self.post(**overrides)
                self.assertEqual(response.status_code, 422)
                self.assertContains(response, 'class="errorlist"', status_code=422)
        self.assertFalse(Event.objects.exists())

    def test_rule_error_is_shown_next_to_the_advanced_field(self):
        response = self.post(advanced_rrule="FREQ=HOURLY")
        self.assertContains(response, "Meetings repeat at most daily.", status_code=422)
        self.assertTrue(response.context["form"].errors["advanced_rrule"])


class EventEditTests(KinshipTestCase):
    def setUp(self):
        self.event = make_event(
            self.cast.circle,
            self.cast.facilitator,
            start=datetime(2027, 6, 1, 17, 0, tzinfo=UTC),
            rrule="FREQ=MONTHLY;BYDAY=1TU;COUNT=6",
        )
        self.url = reverse("events:event-edit", args=[self.event.pk])

    def test_edit_form_maps_the_rule_back_to_the_choices(self):
        self.client.force_login(self.cast.facilitator)
        form = self.client.get(self.url).context["form"]
        self.assertEqual(form.initial["repeat"], "monthly")
        self.assertEqual(form.initial["repeat_count"], "6")
        self.assertEqual(form.initial["starts_at"], "2027-06-01T18:00")

    def test_facilitator_changes_the_title_and_the_rule(self):
        self.client.force_login(self.cast.facilitator)
        data = form_data(
            title="First Tuesday circle",
            starts_at="2027-06-01T18:00",
            ends_at="2027-06-01T19:00",
            repeat="weekly",
            repeat_end="count",
            repeat_count="4",
        )
        self.assertRedirects(self.client.post(self.url, data), self.event.get_absolute_url())
        self.event.refresh_from_db()
        self.assertEqual((self.event.title, self.event.rrule), ("First Tuesday circle", "FREQ=WEEKLY;COUNT=4"))

    def test_member_gets_403(self):
        self.client.force_login(self.cast.member)
        self.assertEqual(self.client.post(self.url, form_data(title="Mine now")).status_code, 403)
        self.event.refresh_from_db()
        self.assertEqual(self.event.title, "Tuesday support meeting")

    def test_blank_title_is_rejected_and_nothing_changes(self):
        self.client.force_login(self.cast.facilitator)
        response = self.client.post(self.url, form_data(title=" "))
        self.assertEqual(response.status_code, 422)
        self.event.refresh_from_db()
        self.assertEqual(self.event.title, "Tuesday support meeting")


class EventDetailTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cast = make_cast()
        cls.speaker = factories.make_member(cls.cast.circle, display_name="Dr Sara Surgeon")

    def test_page_shows_details_place_and_dates_linking_to_each(self):
        event = make_event(
            self.cast.circle,
            self.cast.facilitator,
            rrule="FREQ=WEEKLY;COUNT=3",
            step_free=True,
            accessibility_notes="Lift at the back entrance.",
            speakers=[self.speaker.pk],
        )
        response = self.client.get(event.get_absolute_url())
        self.assertContains(response, "<strong>pain</strong>", html=True)
        self.assertContains(response, "Step-free access")
        self.assertContains(response, "Lift at the back entrance.")
        self.assertContains(response, "Dr Sara Surgeon")
        self.assertContains(response, "Fiona Facilitator")
        for week in range(3):
            key = occurrence_key(event.starts_at + timedelta(weeks=week))
            self.assertContains(response, reverse("events:occurrence-detail", args=[event.pk, key]))
        self.assertNotContains(response, reverse("events:event-cancel", args=[event.pk]))

    def test_facilitator_sees_edit_and_cancel(self):
        event = make_event(self.cast.circle, self.cast.facilitator)
        self.client.force_login(self.cast.facilitator)
        response = self.client.get(event.get_absolute_url())
        self.assertContains(response, reverse("events:event-cancel", args=[event.pk]))
        self.assertContains(response, reverse("events:event-edit", args=[event.pk]))

    def test_hidden_circle_event_is_a_404_and_unknown_ids_too(self):
        hidden = make_cast(visibility=Circle.HIDDEN)
        event = make_event(hidden.circle, hidden.facilitator)
        self.client.force_login(hidden.outsider)
        self.assertEqual(self.client.get(event.get_absolute_url()).status_code, 404)
        self.assertEqual(self.client.get("/events/999999999/").status_code, 404)
        self.assertEqual(self.client.get("/events/99999999999999999999/").status_code, 404)
        self.client.force_login(hidden.member)
        self.assertEqual(self.client.get(event.get_absolute_url()).status_code, 200)

    def test_query_count_does_not_grow_with_dates(self):
        single = make_event(self.cast.circle, self.cast.facilitator)
        services.rsvp(member=self.cast.member, event=single, original_start=single.starts_at, answer="going")
        weekly = make_event(self.cast.circle, self.cast.facilitator, rrule="FREQ=WEEKLY")
        for week in range(4):
            services.rsvp(
                member=self.cast.member,
                event=weekly,
                original_start=weekly.starts_at + timedelta(weeks=week),
                answer="going",
            )
        self.client.force_login(self.cast.member)
        with CaptureQueriesContext(connection) as few:
            self.client.get(single.get_absolute_url())
        with CaptureQueriesContext(connection) as many:
            self.client.get(weekly.get_absolute_url())
        self.assertEqual(len(few), len(many))


class EventCancelTests(KinshipTestCase):
    def test_facilitator_confirms_then_cancels_the_series(self):
        event = make_event(self.cast.circle, self.cast.facilitator, rrule="FREQ=WEEKLY;COUNT=3")
        url = reverse("events:event-cancel", args=[event.pk])
        self.client.force_login(self.cast.facilitator)
        self.assertContains(self.client.get(url), "Cancel every date of this series?")
        event.refresh_from_db()
        self.assertFalse(event.is_cancelled)
        self.assertRedirects(self.client.post(url), event.get_absolute_url())
        event.refresh_from_db()
        self.assertTrue(event.is_cancelled)
        self.assertContains(self.client.get(event.get_absolute_url()), "This event is cancelled.")

    def test_member_gets_403_and_outsider_of_hidden_circle_404(self):
        event = make_event(self.cast.circle, self.cast.facilitator)
        url = reverse("events:event-cancel", args=[event.pk])
        self.client.force_login(self.cast.member)
        self.assertEqual(self.client.post(url).status_code, 403)
        hidden = make_cast(visibility=Circle.HIDDEN)
        secret = make_event(hidden.circle, hidden.facilitator)
        self.client.force_login(hidden.outsider)
        self.assertEqual(self.client.post(reverse("events:event-cancel", args=[secret.pk])).status_code, 404)
        event.refresh_from_db()
        secret.refresh_from_db()
        self.assertFalse(event.is_cancelled or secret.is_cancelled)


class HomeUpcomingTests(KinshipTestCase):
    def test_member_sees_the_meetings_they_are_going_to(self):
        event = make_event(self.cast.circle, self.cast.facilitator, title="Prosthesis workshop")
        make_event(self.cast.circle, self.cast.facilitator, title="Not my meeting")
        services.rsvp(member=self.cast.member, event=event, original_start=event.starts_at, answer="going")
        self.client.force_login(self.cast.member)
        response = self.client.get("/")
        self.assertContains(response, "My upcoming meetings")
        self.assertContains(response, "Prosthesis workshop")
        self.assertNotContains(response, "Not my meeting")

    def test_home_query_count_does_not_grow_with_meetings(self):
        self.client.force_login(self.cast.member)
        with CaptureQueriesContext(connection) as few:
            self.client.get("/")
        for n in range(4):
            event = make_event(self.cast.circle, self.cast.facilitator, start=soon(n + 1))
            services.rsvp(member=self.cast.member, event=event, original_start=event.starts_at, answer="going")
        with CaptureQueriesContext(connection) as many:
            self.client.get("/")
        self.assertEqual(len(few), len(many))

    def test_visitor_home_has_no_meetings_section(self):
        self.assertNotContains(self.client.get("/"), "My upcoming meetings")


def past_occurrence(event: Event) -> Occurrence:
    return Occurrence.objects.create(
        event=event, original_start=event.starts_at, starts_at=event.starts_at, ends_at=event.ends_at
    )
