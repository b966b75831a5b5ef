"""Event lists run a fixed number of queries, however many events, dates and answers they show."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kinship.api.tests.test_events_api import EventApiTestCase, make_event, soon
from kinship.core import factories
from kinship.events import services
from kinship.events.models import Organisation, occurrence_key


class EventQueryCountTests(EventApiTestCase):
    def count(self, path, user):
        # The first request with a token records its use; measure the steady state after it.
        self.api("get", "/me", user=user) if user else None
        with CaptureQueriesContext(connection) as queries:
            response = self.api("get", path, user=user)
        self.assertEqual(response.status_code, 200, response.content)
        return len(queries), response.json()["items"]

    def test_event_list_queries_stay_flat(self):
        path = f"/circles/{self.cast.circle.slug}/events?limit=100"
        make_event(self.cast.circle, self.cast.facilitator)
        viewers = (None, self.cast.member, self.cast.facilitator, self.cast.staff)
        few = {getattr(v, "pk", 0): self.count(path, v)[0] for v in viewers}
        speakers = [factories.make_member(self.cast.circle) for _ in range(3)]
        partners = [Organisation.objects.create(name=f"Partner {i}") for i in range(3)]
        for i in range(25):
            make_event(
                self.cast.circle,
                self.cast.facilitator,
                start=soon(3 + i),
                speakers=[s.pk for s in speakers[: i % 4]],
                partners=[p.pk for p in partners[: i % 4]],
                rrule="FREQ=WEEKLY;COUNT=3" if i % 2 else "",
            )
        for viewer in viewers:
            with self.subTest(viewer=getattr(viewer, "display_name", "visitor")):
                many, items = self.count(path, viewer)
                self.assertEqual(len(items), 26)
                self.assertEqual(many, few[getattr(viewer, "pk", 0)])

    def test_occurrence_list_queries_stay_flat(self):
        event = make_event(self.cast.circle, self.cast.facilitator, rrule="FREQ=DAILY;COUNT=60", capacity=2)
        path = f"/events/{event.pk}/occurrences?limit=100"
        others = [factories.make_member(self.cast.circle) for _ in range(3)]

        def answer(days):
            start = event.starts_at + timedelta(days=days)
            # The member holds a seat on even days and waits on odd ones.
            if days % 2:
                for other in others[:2]:
                    services.rsvp(member=other, event=event, original_start=start, answer="going")
            services.rsvp(member=self.cast.member, event=event, original_start=start, answer="going")

        answer(0)
        answer(1)
        viewers = (None, self.cast.member, self.cast.facilitator)
        few = {getattr(v, "pk", 0): self.count(path, v)[0] for v in viewers}
        for days in range(2, 40):
            answer(days)
        services.change_occurrence(
            actor=self.cast.facilitator,
            event=event,
            original_start=event.starts_at + timedelta(days=41),
            changes={"cancelled": True},
        )
        for viewer in viewers:
            with self.subTest(viewer=getattr(viewer, "display_name", "visitor")):
                many, items = self.count(path, viewer)
                self.assertEqual(len(items), 60)
                self.assertEqual(many, few[getattr(viewer, "pk", 0)])
        _, items = self.count(path, self.cast.member)
        self.assertEqual(items[1]["my_rsvp"]["waitlist_position"], 1)
        self.assertFalse(items[2]["my_rsvp"]["waitlisted"])

    def test_attendee_list_queries_stay_flat(self):
        event = make_event(self.cast.circle, self.cast.facilitator, capacity=5)
        path = f"/events/{event.pk}/occurrences/{occurrence_key(event.starts_at)}/attendees"
        services.rsvp(member=self.cast.member, event=event, original_start=event.starts_at, answer="going")
        few, _ = self.count(path, self.cast.facilitator)
        for i in range(20):
            person = factories.make_member(self.cast.circle)
            services.rsvp(
                member=person, event=event, original_start=event.starts_at, answer="going" if i % 3 else "maybe"
            )
        many, items = self.count(path, self.cast.facilitator)
        self.assertEqual(len(items), 21)
        self.assertEqual(many, few)
