"""Seats under real concurrency: PostgreSQL only, where row locks are real."""

import threading

import pytest
from django.db import connection, connections
from django.test import TransactionTestCase

from kinship.core import factories
from kinship.events import services
from kinship.events.models import Occurrence, Rsvp

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")


class SimultaneousRsvpTests(TransactionTestCase):
    def test_twenty_at_once_for_five_seats(self) -> None:
        circle = factories.make_circle()
        facilitator = factories.make_user()
        factories.add_member(circle, facilitator, role="facilitator")
        event = factories.make_event(circle=circle, facilitator=facilitator, capacity=5)
        members = [factories.make_member(circle) for _ in range(20)]
        start = threading.Barrier(len(members))
        failures: list[BaseException] = []

        def answer(member) -> None:  # type: ignore[no-untyped-def]
            try:
                start.wait()
                services.rsvp(member=member, event=event, original_start=event.starts_at, answer=Rsvp.GOING)
            except BaseException as error:
                failures.append(error)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=answer, args=(m,)) for m in members]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(failures, [])

        rsvps = list(Rsvp.objects.order_by("answered_at", "pk"))
        seated = [r for r in rsvps if not r.waitlisted]
        waiting = [r for r in rsvps if r.waitlisted]
        self.assertEqual((len(seated), len(waiting)), (5, 15))
        self.assertEqual(Occurrence.objects.get().going_count, 5)
        # Arrival order: everyone seated answered before everyone waiting.
        self.assertLess(max(r.answered_at for r in seated), min(r.answered_at for r in waiting))

        # Each cancellation promotes exactly one, the first in line.
        for leaving, expected in zip(seated[:3], waiting[:3], strict=True):
            services.rsvp(member=leaving.member, event=event, original_start=event.starts_at, answer=Rsvp.NOT_GOING)
            self.assertFalse(Rsvp.objects.get(pk=expected.pk).waitlisted)
            self.assertEqual(Rsvp.objects.filter(answer=Rsvp.GOING, waitlisted=False).count(), 5)
        self.assertEqual(Occurrence.objects.get().going_count, 5)
        self.assertEqual(Rsvp.objects.filter(waitlisted=True).count(), 12)

    def test_simultaneous_cancellations_promote_one_each(self) -> None:
        circle = factories.make_circle()
        facilitator = factories.make_user()
        factories.add_member(circle, facilitator, role="facilitator")
        event = factories.make_event(circle=circle, facilitator=facilitator, capacity=4)
        members = [factories.make_member(circle) for _ in range(10)]
        for m in members:
            services.rsvp(member=m, event=event, original_start=event.starts_at, answer=Rsvp.GOING)
        start = threading.Barrier(4)

        def leave(member) -> None:  # type: ignore[no-untyped-def]
            try:
                start.wait()
                services.rsvp(member=member, event=event, original_start=event.starts_at, answer=Rsvp.NOT_GOING)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=leave, args=(m,)) for m in members[:4]]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seated = set(Rsvp.objects.filter(answer=Rsvp.GOING, waitlisted=False).values_list("member_id", flat=True))
        self.assertEqual(seated, {m.pk for m in members[4:8]})
        self.assertEqual(Occurrence.objects.get().going_count, 4)
