from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone

from kinship.core import factories
from kinship.core.errors import Invalid, NotAllowed
from kinship.core.testing import KinshipTestCase
from kinship.events import queries, services
from kinship.events.models import Event, Occurrence, Rsvp


def window() -> dict[str, datetime]:
    now = timezone.now()
    return {"after": now, "before": now + timedelta(days=400)}


class CreateEventTests(KinshipTestCase):
    def fields(self, **overrides: Any) -> dict[str, Any]:
        start = datetime(2027, 3, 2, 18, 0)
        base: dict[str, Any] = {
            "title": "Osteosarcoma evening circle",
            "description": "Bring a friend. **Tea** provided.<script>alert(1)</script>",
            "timezone": "Europe/London",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(),
            "address": "Room 4, Sarcoma Centre",
            "step_free": True,
        }
        return {**base, **overrides}

    def test_facilitator_plans_an_event_read_in_its_time_zone(self) -> None:
        event = services.create_event(facilitator=self.cast.facilitator, circle=self.cast.circle, **self.fields())
        self.assertEqual(event.starts_at, datetime(2027, 3, 2, 18, 0, tzinfo=UTC))  # GMT in March
        summer = services.create_event(
            facilitator=self.cast.facilitator,
            circle=self.cast.circle,
            **self.fields(starts_at="2027-07-06T18:00", ends_at="2027-07-06T20:00"),
        )
        self.assertEqual(summer.starts_at, datetime(2027, 7, 6, 17, 0, tzinfo=UTC))  # BST
        self.assertIn("<strong>Tea</strong>", event.description_html)
        self.assertNotIn("<script", event.description_html)

    def test_staff_may_plan_members_and_outsiders_may_not(self) -> None:
        services.create_event(facilitator=self.cast.staff, circle=self.cast.circle, **self.fields())
        for person in (self.cast.member, self.cast.outsider, self.cast.pending):
            with self.subTest(person=person.display_name), self.assertRaises(NotAllowed):
                services.create_event(facilitator=person, circle=self.cast.circle, **self.fields())
        self.assertEqual(Event.objects.count(), 1)

    def test_bad_input_is_refused_field_by_field_and_nothing_is_saved(self) -> None:
        cases: list[tuple[dict[str, Any], str]] = [
            ({"ends_at": "2027-03-02T17:00"}, "ends_at"),
            ({"ends_at": "2027-03-02T18:00"}, "ends_at"),
            ({"ends_at": "2027-04-02T18:00"}, "ends_at"),
            ({"timezone": "Mars/Olympus"}, "timezone"),
            ({"timezone": None}, "timezone"),
            ({"rrule": "FREQ=HOURLY"}, "rrule"),
            ({"rrule": "FREQ=WEEKLY;COUNT=1000"}, "rrule"),
            ({"capacity": -3}, "capacity"),
            ({"capacity": 0}, "capacity"),
            ({"capacity": "lots"}, "capacity"),
            ({"capacity": 2.5}, "capacity"),
            ({"capacity": True}, "capacity"),
            ({"title": ""}, "title"),
            ({"title": "x" * 201}, "title"),
            ({"title": "Tea\x00"}, "title"),
            ({"title": ["list"]}, "title"),
            ({"starts_at": "yesterday"}, "starts_at"),
            ({"starts_at": "1066-10-14T09:00"}, "starts_at"),
            ({"starts_at": 12}, "starts_at"),
            ({"address": ""}, "address"),
            ({"in_person": False}, "in_person"),
            ({"online": True}, "meeting_link"),
            ({"online": True, "meeting_link": "javascript:alert(1)"}, "meeting_link"),
            ({"kind": "party"}, "kind"),
            ({"step_free": "perhaps"}, "step_free"),
            ({"description": "x" * 20_001}, "description"),
        ]
        for change, field in cases:
            with self.subTest(change=change), self.assertRaises(Invalid) as refused:
                services.create_event(
                    facilitator=self.cast.facilitator, circle=self.cast.circle, **self.fields(**change)
                )
            self.assertIn(field, refused.exception.errors)
        self.assertFalse(Event.objects.exists())

    def test_unknown_fields_are_refused(self) -> None:
        with self.assertRaises(Invalid):
            services.create_event(facilitator=self.cast.facilitator, circle=self.cast.circle, **self.fields(sequence=9))

    def test_speakers_must_belong_to_the_circle(self) -> None:
        with self.assertRaises(Invalid):
            services.create_event(
                facilitator=self.cast.facilitator,
                circle=self.cast.circle,
                **self.fields(speakers=[self.cast.outsider.pk]),
            )
        event = services.create_event(
            facilitator=self.cast.facilitator, circle=self.cast.circle, **self.fields(speakers=[self.cast.member.pk])
        )
        self.assertEqual(list(event.speakers.all()), [self.cast.member])


class OccurrenceExceptionTests(KinshipTestCase):
    def setUp(self) -> None:
        self.event = factories.make_event(
            circle=self.cast.circle, facilitator=self.cast.facilitator, rrule="FREQ=WEEKLY;COUNT=6"
        )
        self.slots = queries.expand([self.event], **window())

    def starts(self, event: Event | None = None) -> list[datetime]:
        events = [event] if event else list(Event.objects.all())
        return [s.starts_at for s in queries.expand(events, **window()) if not s.cancelled]

    def test_cancel_one_date(self) -> None:
        services.change_occurrence(
            actor=self.cast.facilitator,
            event=self.event,
            original_start=self.slots[2].original_start,
            changes={"cancelled": True},
        )
        slots = queries.expand([self.event], **window())
        self.assertEqual([s.cancelled for s in slots], [False, False, True, False, False, False])

    def test_move_one_date(self) -> None:
        new_start = self.slots[1].starts_at + timedelta(days=1, hours=2)
        services.change_occurrence(
            actor=self.cast.facilitator,
            event=self.event,
            original_start=self.slots[1].original_start,
            changes={"starts_at": new_start, "note": "Moved for the bank holiday"},
        )
        slot = queries.slot_for(self.event, self.slots[1].original_start)
        assert slot is not None
        self.assertEqual(slot.starts_at, new_start)
        self.assertEqual(slot.ends_at - slot.starts_at, timedelta(minutes=90))
        self.assertTrue(slot.moved)
        self.assertIn(new_start, self.starts(self.event))

    def test_member_cannot_change_a_date_and_bad_changes_change_nothing(self) -> None:
        original = self.slots[1].original_start
        with self.assertRaises(NotAllowed):
            services.change_occurrence(
                actor=self.cast.member, event=self.event, original_start=original, changes={"cancelled": True}
            )
        for changes in (
            {"starts_at": "soon"},
            {"ends_at": self.slots[1].starts_at - timedelta(hours=1)},
            {"cancelled": "maybe"},
            {"colour": "red"},
        ):
            with self.subTest(changes=changes), self.assertRaises(Invalid):
                services.change_occurrence(
                    actor=self.cast.facilitator, event=self.event, original_start=original, changes=changes
                )
        self.assertFalse(Occurrence.objects.filter(cancelled=True).exists())
        self.assertEqual(self.starts(self.event), [s.starts_at for s in self.slots])

    def test_change_this_and_following_splits_the_series_and_keeps_rsvps(self) -> None:
        third = self.slots[3].original_start
        services.rsvp(member=self.cast.member, event=self.event, original_start=third, answer="going")
        tail = services.change_following(
            actor=self.cast.facilitator,
            event=self.event,
            original_start=self.slots[2].original_start,
            changes={"title": "Evening circle (new room)", "address": "Room 9"},
        )
        self.event.refresh_from_db()
        self.assertEqual(len(queries.expand([self.event], **window())), 2)
        tail_slots = queries.expand([tail], **window())
        self.assertEqual(len(tail_slots), 4)
        self.assertEqual({s.title for s in tail_slots}, {"Evening circle (new room)"})
        self.assertEqual(self.starts(), [s.starts_at for s in self.slots])
        rsvp = Rsvp.objects.get(member=self.cast.member)
        self.assertEqual(rsvp.occurrence.event_id, tail.pk)

    def test_new_time_of_day_carries_stored_dates_and_their_rsvps(self) -> None:
        second = self.slots[1].original_start
        services.rsvp(member=self.cast.member, event=self.event, original_start=second, answer="going")
        services.update_event(
            actor=self.cast.facilitator,
            event=self.event,
            changes={
                "starts_at": self.event.starts_at + timedelta(hours=1),
                "ends_at": self.event.ends_at + timedelta(hours=1),
            },
        )
        rsvp = Rsvp.objects.select_related("occurrence").get(member=self.cast.member)
        self.assertEqual(rsvp.occurrence.starts_at, second + timedelta(hours=1))
        self.assertEqual(rsvp.occurrence.original_start, second + timedelta(hours=1))
        self.assertIsNotNone(queries.slot_for(self.event, second + timedelta(hours=1)))


class OccurrenceLookupTests(KinshipTestCase):
    def test_dates_at_the_ends_of_the_calendar_are_simply_not_found(self) -> None:
        event = factories.make_event(
            circle=self.cast.circle, facilitator=self.cast.facilitator, timezone="America/New_York", rrule="FREQ=DAILY"
        )
        for when in (datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)):
            with self.subTest(when=when):
                self.assertIsNone(queries.slot_for(event, when))

    def test_times_are_kept_to_the_second_so_every_date_has_a_name(self) -> None:
        event = services.create_event(
            facilitator=self.cast.facilitator,
            circle=self.cast.circle,
            title="Half-second meeting",
            address="Room 1",
            starts_at="2027-05-04T18:00:00.500+00:00",
            ends_at="2027-05-04T19:00:00.250+00:00",
        )
        self.assertEqual(event.starts_at, datetime(2027, 5, 4, 18, 0, tzinfo=UTC))
        self.assertIsNotNone(queries.slot_for(event, datetime(2027, 5, 4, 18, 0, tzinfo=UTC)))
