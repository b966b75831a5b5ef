from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.test import TestCase
from django.utils import timezone

from kinship.circles import access as circle_access
from kinship.circles.models import Circle, Membership
from kinship.core import factories
from kinship.core.testing import make_cast
from kinship.events import access
from kinship.events.models import Rsvp

SEES = {
    # visibility: (visitor, outsider, pending, member, facilitator, staff)
    Circle.PUBLIC: (True, True, True, True, True, True),
    Circle.PRIVATE: (False, False, False, True, True, True),
    Circle.HIDDEN: (False, False, False, True, True, True),
}


class EventVisibilityTests(TestCase):
    def test_who_sees_events_in_each_kind_of_circle(self) -> None:
        for visibility, expected in SEES.items():
            cast = make_cast(visibility=visibility)
            event = factories.make_event(circle=cast.circle, facilitator=cast.facilitator)
            people = (AnonymousUser(), cast.outsider, cast.pending, cast.member, cast.facilitator, cast.staff)
            for person, sees in zip(people, expected, strict=True):
                with self.subTest(visibility=visibility, person=str(person)):
                    self.assertEqual(access.can_see_events(person, cast.circle), sees)
                    self.assertEqual(access.visible_events(person).filter(pk=event.pk).exists(), sees)
                    if sees:
                        self.assertEqual(access.get_event_for(person, event.pk), event)
                    else:
                        with self.assertRaises(Http404):
                            access.get_event_for(person, event.pk)

    def test_odd_ids_are_404(self) -> None:
        for bad in ("abc", -1, 0, 2**63, None, "1\x00", 999999):
            with self.subTest(bad=bad), self.assertRaises(Http404):
                access.get_event_for(AnonymousUser(), bad)

    def test_who_manages_and_who_rsvps(self) -> None:
        # A public circle's events take RSVPs from any verified person; the others from members only.
        for visibility, rsvpers in (
            (Circle.PUBLIC, {"outsider", "pending", "member", "facilitator", "staff"}),
            (Circle.PRIVATE, {"member", "facilitator"}),
            (Circle.HIDDEN, {"member", "facilitator"}),
        ):
            cast = make_cast(visibility=visibility)
            event = factories.make_event(circle=cast.circle, facilitator=cast.facilitator)
            managers = {cast.facilitator, cast.staff}
            for role in ("outsider", "pending", "unverified", "member", "facilitator", "staff"):
                person = getattr(cast, role)
                with self.subTest(visibility=visibility, role=role):
                    self.assertEqual(access.can_manage_events(person, cast.circle), person in managers)
                    self.assertEqual(access.can_see_attendees(person, cast.circle), person in managers)
                    self.assertEqual(access.can_rsvp(person, event), role in rsvpers)
            self.assertFalse(access.can_rsvp(AnonymousUser(), event))

    def test_removed_member_cannot_rsvp_even_to_a_public_circle(self) -> None:
        cast = make_cast()
        Membership.objects.filter(user=cast.member, circle=cast.circle).update(status=Membership.REMOVED)
        circle_access.forget_memberships(cast.member)
        event = factories.make_event(circle=cast.circle, facilitator=cast.facilitator)
        self.assertFalse(access.can_rsvp(cast.member, event))

    def test_an_events_speakers_may_rsvp_even_in_a_private_circle(self) -> None:
        cast = make_cast(visibility=Circle.PRIVATE)
        event = factories.make_event(circle=cast.circle, facilitator=cast.facilitator)
        speaker = factories.make_user(display_name="Dr Osei")
        self.assertFalse(access.can_rsvp(speaker, event))
        event.speakers.add(speaker)
        fresh = access.get_event_for(speaker, event.pk)
        self.assertTrue(access.can_rsvp(speaker, fresh))
        other = factories.make_event(circle=cast.circle, facilitator=cast.facilitator)
        self.assertFalse(access.can_rsvp(speaker, other))


class MeetingLinkTests(TestCase):
    def test_link_only_for_a_seat_and_from_thirty_minutes_before(self) -> None:
        start = timezone.now() + timedelta(hours=2)
        end = start + timedelta(hours=1)
        seat = Rsvp(answer=Rsvp.GOING, waitlisted=False)
        cases = [
            (seat, start - timedelta(minutes=31), False),
            (seat, start - timedelta(minutes=30), True),
            (seat, start + timedelta(minutes=10), True),
            (seat, end + timedelta(minutes=1), False),
            (Rsvp(answer=Rsvp.GOING, waitlisted=True), start, False),
            (Rsvp(answer=Rsvp.MAYBE), start, False),
            (Rsvp(answer=Rsvp.NOT_GOING), start, False),
            (None, start, False),
        ]
        for rsvp, now, shown in cases:
            with self.subTest(rsvp=rsvp and rsvp.answer, now=now):
                self.assertEqual(access.can_see_meeting_link(rsvp, starts_at=start, ends_at=end, now=now), shown)
