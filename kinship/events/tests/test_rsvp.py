from datetime import timedelta
from unittest import mock

from django.utils import timezone

from kinship.circles.models import Circle
from kinship.core import factories
from kinship.core.errors import Invalid, NotAllowed
from kinship.core.testing import KinshipTestCase
from kinship.events import queries, services
from kinship.events.models import Occurrence, Rsvp


class RsvpTests(KinshipTestCase):
    def setUp(self) -> None:
        self.event = factories.make_event(circle=self.cast.circle, facilitator=self.cast.facilitator, capacity=2)
        self.start = self.event.starts_at

    def answer(self, member, answer: str = Rsvp.GOING) -> Rsvp:  # type: ignore[no-untyped-def]
        return services.rsvp(member=member, event=self.event, original_start=self.start, answer=answer)

    def occurrence(self) -> Occurrence:
        return Occurrence.objects.get(event=self.event, original_start=self.start)

    def test_member_takes_a_seat(self) -> None:
        record = self.answer(self.cast.member)
        self.assertTrue(record.has_seat)
        self.assertEqual(self.occurrence().going_count, 1)

    def test_past_capacity_going_joins_the_waitlist_in_order(self) -> None:
        people = [factories.make_member(self.cast.circle) for _ in range(4)]
        records = [self.answer(p) for p in people]
        self.assertEqual([r.waitlisted for r in records], [False, False, True, True])
        self.assertEqual(self.occurrence().going_count, 2)

    def test_cancelling_a_seat_promotes_exactly_the_first_on_the_waitlist(self) -> None:
        people = [factories.make_member(self.cast.circle) for _ in range(4)]
        for p in people:
            self.answer(p)
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            self.answer(people[0], Rsvp.NOT_GOING)
        seats = Rsvp.objects.filter(occurrence__event=self.event, answer=Rsvp.GOING, waitlisted=False)
        self.assertEqual(sorted(r.member_id for r in seats), sorted([people[1].pk, people[2].pk]))
        promoted = Rsvp.objects.get(member=people[2])
        self.assertIsNotNone(promoted.promoted_at)
        self.assertTrue(Rsvp.objects.get(member=people[3]).waitlisted)
        self.assertEqual(self.occurrence().going_count, 2)
        self.assertEqual(len(callbacks), 1)  # the promoted member is told, once

    def test_maybe_from_a_seat_frees_it_and_waitlisted_maybe_frees_nothing(self) -> None:
        people = [factories.make_member(self.cast.circle) for _ in range(3)]
        for p in people:
            self.answer(p)
        self.answer(people[2], Rsvp.MAYBE)  # was waitlisted: nobody moves
        self.assertEqual(self.occurrence().going_count, 2)
        self.answer(people[0], Rsvp.MAYBE)
        self.assertEqual(self.occurrence().going_count, 1)

    def test_same_answer_again_keeps_the_waitlist_place(self) -> None:
        people = [factories.make_member(self.cast.circle) for _ in range(4)]
        for p in people:
            self.answer(p)
        before = Rsvp.objects.get(member=people[2]).answered_at
        again = self.answer(people[2])
        self.assertEqual(again.answered_at, before)
        self.assertTrue(again.waitlisted)
        self.assertEqual(self.occurrence().going_count, 2)

    def test_bigger_capacity_promotes_the_waitlist(self) -> None:
        people = [factories.make_member(self.cast.circle) for _ in range(4)]
        for p in people:
            self.answer(p)
        services.update_event(actor=self.cast.facilitator, event=self.event, changes={"capacity": 3})
        self.assertFalse(Rsvp.objects.get(member=people[2]).waitlisted)
        self.assertTrue(Rsvp.objects.get(member=people[3]).waitlisted)
        self.assertEqual(self.occurrence().going_count, 3)

    def test_unverified_cannot_rsvp(self) -> None:
        with self.assertRaises(NotAllowed):
            self.answer(self.cast.unverified)
        self.assertFalse(Rsvp.objects.exists())

    def test_anyone_verified_may_rsvp_to_a_public_circles_event_but_not_a_private_ones(self) -> None:
        self.answer(self.cast.outsider)
        self.assertTrue(Rsvp.objects.filter(member=self.cast.outsider).exists())
        self.cast.circle.visibility = Circle.PRIVATE
        self.cast.circle.save()
        for person in (self.cast.pending, self.cast.staff):
            with self.subTest(person=person.display_name), self.assertRaises(NotAllowed):
                self.answer(person)
        self.assertEqual(Rsvp.objects.count(), 1)

    def test_unknown_answer_is_refused(self) -> None:
        for bad in ("yes", "", None, "GOING", "going\x00"):
            with self.subTest(bad=bad), self.assertRaises(Invalid):
                self.answer(self.cast.member, bad)  # type: ignore[arg-type]
        self.assertFalse(Rsvp.objects.exists())

    def test_a_date_the_rule_does_not_have_is_refused(self) -> None:
        with self.assertRaises(Invalid):
            services.rsvp(
                member=self.cast.member,
                event=self.event,
                original_start=self.start + timedelta(hours=1),
                answer="going",
            )
        self.assertFalse(Occurrence.objects.exists())

    def test_cancelled_occurrence_takes_no_rsvp(self) -> None:
        services.change_occurrence(
            actor=self.cast.facilitator, event=self.event, original_start=self.start, changes={"cancelled": True}
        )
        with self.assertRaises(Invalid):
            self.answer(self.cast.member)
        self.assertFalse(Rsvp.objects.exists())

    def test_cancelled_series_takes_no_rsvp(self) -> None:
        services.cancel_event(actor=self.cast.facilitator, event=self.event)
        with self.assertRaises(Invalid):
            self.answer(self.cast.member)

    def test_past_occurrence_takes_no_rsvp(self) -> None:
        later = self.start + timedelta(minutes=1)
        with mock.patch("django.utils.timezone.now", return_value=later), self.assertRaises(Invalid):
            self.answer(self.cast.member)
        self.assertFalse(Rsvp.objects.exists())

    def test_recurring_dates_are_answered_separately(self) -> None:
        weekly = factories.make_event(
            circle=self.cast.circle, facilitator=self.cast.facilitator, rrule="FREQ=WEEKLY;COUNT=3", capacity=1
        )
        slots = queries.expand([weekly], after=timezone.now(), before=timezone.now() + timedelta(days=30))
        self.assertEqual(len(slots), 3)
        services.rsvp(member=self.cast.member, event=weekly, original_start=slots[0].original_start, answer="going")
        other = services.rsvp(
            member=self.cast.facilitator, event=weekly, original_start=slots[1].original_start, answer="going"
        )
        self.assertTrue(other.has_seat)


class AttendanceTests(KinshipTestCase):
    def test_facilitator_records_who_came(self) -> None:
        event = factories.make_event(circle=self.cast.circle, facilitator=self.cast.facilitator)
        other = factories.make_member(self.cast.circle)
        for person in (self.cast.member, other):
            services.rsvp(member=person, event=event, original_start=event.starts_at, answer="going")
        with mock.patch("django.utils.timezone.now", return_value=event.ends_at):
            with self.assertRaises(NotAllowed):
                services.record_attendance(
                    actor=self.cast.member, event=event, original_start=event.starts_at, present=[self.cast.member.pk]
                )
            with self.assertRaises(Invalid):
                services.record_attendance(
                    actor=self.cast.facilitator,
                    event=event,
                    original_start=event.starts_at,
                    present=[self.cast.outsider.pk],
                )
            services.record_attendance(
                actor=self.cast.facilitator, event=event, original_start=event.starts_at, present=[self.cast.member.pk]
            )
        self.assertTrue(Rsvp.objects.get(member=self.cast.member).attended)
        self.assertFalse(Rsvp.objects.get(member=other).attended)

    def test_attendance_waits_for_the_meeting(self) -> None:
        event = factories.make_event(circle=self.cast.circle, facilitator=self.cast.facilitator)
        with self.assertRaises(Invalid):
            services.record_attendance(
                actor=self.cast.facilitator, event=event, original_start=event.starts_at, present=[]
            )


class StaleEventTests(KinshipTestCase):
    def test_capacity_is_read_under_the_lock_not_from_a_stale_copy(self) -> None:
        event = factories.make_event(circle=self.cast.circle, facilitator=self.cast.facilitator, capacity=5)
        stale = type(event).objects.get(pk=event.pk)
        services.update_event(actor=self.cast.facilitator, event=event, changes={"capacity": 1})
        services.rsvp(member=self.cast.member, event=stale, original_start=event.starts_at, answer="going")
        late = services.rsvp(member=self.cast.facilitator, event=stale, original_start=event.starts_at, answer="going")
        self.assertTrue(late.waitlisted)

    def test_cancelled_series_seen_through_a_stale_copy_takes_no_rsvp(self) -> None:
        event = factories.make_event(circle=self.cast.circle, facilitator=self.cast.facilitator)
        stale = type(event).objects.get(pk=event.pk)
        services.cancel_event(actor=self.cast.facilitator, event=event)
        with self.assertRaises(Invalid):
            services.rsvp(member=self.cast.member, event=stale, original_start=event.starts_at, answer="going")
