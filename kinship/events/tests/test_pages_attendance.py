from datetime import timedelta
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kinship.circles.models import Circle
from kinship.core import factories
from kinship.core.testing import KinshipTestCase, make_cast
from kinship.events import services


def take_meeting(cast, *, came: list, absent: list) -> None:  # type: ignore[no-untyped-def]
    event = factories.make_event(circle=cast.circle, facilitator=cast.facilitator)
    for person in came + absent:
        services.rsvp(member=person, event=event, original_start=event.starts_at, answer="going")
    with mock.patch("django.utils.timezone.now", return_value=event.ends_at):
        services.record_attendance(
            actor=cast.facilitator, event=event, original_start=event.starts_at, present=[p.pk for p in came]
        )


class AttendanceHistoryTests(KinshipTestCase):
    def url(self, member=None) -> str:  # type: ignore[no-untyped-def]
        if member is None:
            return reverse("events:circle-attendance", args=[self.cast.circle.slug])
        return reverse("events:member-attendance", args=[self.cast.circle.slug, member.pk])

    def later(self):  # type: ignore[no-untyped-def]
        # The meetings were planned two days ahead; read the records a week from now.
        return mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(days=7))

    def test_facilitator_sees_who_came_and_who_missed(self) -> None:
        other = factories.make_member(self.cast.circle, display_name="Omar Other")
        take_meeting(self.cast, came=[self.cast.member], absent=[other])
        take_meeting(self.cast, came=[self.cast.member, other], absent=[])
        self.client.force_login(self.cast.facilitator)
        with self.later():
            page = self.client.get(self.url())
            detail = self.client.get(self.url(other))
        self.assertEqual(page.status_code, 200)
        rows = {r.member.pk: r for r in page.context["records"]}
        self.assertEqual((rows[self.cast.member.pk].attended, rows[self.cast.member.pk].missed), (2, 0))
        self.assertEqual((rows[other.pk].attended, rows[other.pk].missed), (1, 1))
        self.assertEqual(detail.status_code, 200)
        self.assertContains(detail, "Came to 1 of 2 meetings")
        self.assertContains(detail, "did not come")
        self.assertNotContains(page, other.email)

    def test_members_outsiders_and_visitors_may_not_look(self) -> None:
        for person, status in ((self.cast.member, 403), (self.cast.outsider, 403), (self.cast.pending, 403)):
            self.client.force_login(person)
            with self.subTest(person=person.display_name):
                self.assertEqual(self.client.get(self.url()).status_code, status)
                self.assertEqual(self.client.get(self.url(self.cast.member)).status_code, status)
        self.client.logout()
        self.assertEqual(self.client.get(self.url()).status_code, 302)

    def test_hidden_circle_records_are_404_to_outsiders(self) -> None:
        cast = make_cast(visibility=Circle.HIDDEN)
        self.client.force_login(cast.outsider)
        self.assertEqual(self.client.get(reverse("events:circle-attendance", args=[cast.circle.slug])).status_code, 404)

    def test_unknown_or_foreign_member_is_404(self) -> None:
        self.client.force_login(self.cast.facilitator)
        for user_id in (self.cast.outsider.pk, self.cast.pending.pk, 999_999):
            with self.subTest(user_id=user_id):
                url = reverse("events:member-attendance", args=[self.cast.circle.slug, user_id])
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_queries_stay_flat_with_more_members_and_meetings(self) -> None:
        self.client.force_login(self.cast.facilitator)
        take_meeting(self.cast, came=[self.cast.member], absent=[])
        self.client.get(self.url())
        with CaptureQueriesContext(connection) as few:
            self.client.get(self.url())
            self.client.get(self.url(self.cast.member))
        people = [factories.make_member(self.cast.circle) for _ in range(6)]
        for _ in range(3):
            take_meeting(self.cast, came=[*people[:3], self.cast.member], absent=people[3:])
        with self.assertNumQueries(len(few.captured_queries)):
            self.client.get(self.url())
            self.client.get(self.url(self.cast.member))
