"""PUT /events/{id}/rsvp, and the waitlist as a client sees it."""

from datetime import timedelta
from urllib.parse import urlencode

from kinship.api.tests.test_events_api import EventApiTestCase, make_event, soon
from kinship.circles.models import Circle
from kinship.core import factories
from kinship.events import services
from kinship.events.models import Occurrence, Rsvp, occurrence_key


class RsvpTests(EventApiTestCase):
    def setUp(self):
        super().setUp()
        self.event = make_event(self.cast.circle, self.cast.facilitator, rrule="FREQ=WEEKLY;COUNT=4")
        self.key = occurrence_key(self.event.starts_at)
        self.path = f"/events/{self.event.pk}/rsvp"

    def rsvp(self, user, status="going", occurrence=None):
        body = {"status": status, "occurrence": occurrence or self.key}
        return self.api("put", self.path, user=user, json_body=body)

    def test_member_answers_going_then_maybe(self):
        response = self.rsvp(self.cast.member)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json(), {"status": "going", "waitlisted": False, "occurrence": self.key})
        self.assertEqual(Occurrence.objects.get(event=self.event).going_count, 1)
        self.assertEqual(self.rsvp(self.cast.member, "maybe").json()["status"], "maybe")
        self.assertEqual(Occurrence.objects.get(event=self.event).going_count, 0)
        self.assertEqual(Rsvp.objects.get().answer, "maybe")

    def test_occurrence_may_be_named_by_its_original_start(self):
        second = self.event.starts_at + timedelta(days=7)
        response = self.rsvp(self.cast.member, occurrence=second.isoformat())
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["occurrence"], occurrence_key(second))
        self.assertEqual(Rsvp.objects.get().occurrence.original_start, second)

    def test_same_answer_twice_changes_nothing(self):
        self.rsvp(self.cast.member)
        self.assertEqual(self.rsvp(self.cast.member).status_code, 200)
        self.assertEqual(Rsvp.objects.count(), 1)
        self.assertEqual(Occurrence.objects.get().going_count, 1)

    def test_non_members_get_403_with_a_clear_reason(self):
        # A public circle's meetings take anyone verified; in a private circle only members answer.
        self.cast.circle.visibility = Circle.PRIVATE
        self.cast.circle.save()
        body = self.assertProblem(self.rsvp(self.cast.staff), 403)  # sees the meeting, holds no membership
        self.assertIn("Join the circle", body["detail"])
        self.assertProblem(self.rsvp(self.cast.outsider), 404)
        body = self.assertProblem(self.rsvp(self.cast.unverified), 403)
        self.assertIn("Confirm your email", body["detail"])
        self.assertProblem(self.rsvp(None), 401)
        self.assertFalse(Rsvp.objects.exists())

    def test_a_verified_outsider_may_answer_for_a_public_circles_meeting(self):
        response = self.rsvp(self.cast.outsider)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertTrue(Rsvp.objects.filter(member=self.cast.outsider).exists())

    def test_hidden_circle_event_is_404_to_outsiders(self):
        circle, facilitator = self.hidden_circle()
        event = make_event(circle, facilitator)
        body = {"status": "going", "occurrence": occurrence_key(event.starts_at)}
        response = self.api("put", f"/events/{event.pk}/rsvp", user=self.cast.outsider, json_body=body)
        self.assertProblem(response, 404)
        self.assertFalse(Rsvp.objects.exists())

    def test_cancelled_or_past_occurrence_is_422(self):
        services.change_occurrence(
            actor=self.cast.facilitator,
            event=self.event,
            original_start=self.event.starts_at,
            changes={"cancelled": True},
        )
        self.assertProblem(self.rsvp(self.cast.member), 422, "occurrence")
        past = make_event(self.cast.circle, self.cast.facilitator, start=soon(-3))
        body = {"status": "going", "occurrence": occurrence_key(past.starts_at)}
        response = self.api("put", f"/events/{past.pk}/rsvp", user=self.cast.member, json_body=body)
        self.assertProblem(response, 422, "occurrence")
        self.assertFalse(Rsvp.objects.exists())

    def test_cancelled_series_is_422(self):
        services.cancel_event(actor=self.cast.facilitator, event=self.event)
        self.assertProblem(self.rsvp(self.cast.member), 422, "occurrence")

    def test_bad_input_is_refused_and_nothing_changes(self):
        not_a_date = occurrence_key(self.event.starts_at + timedelta(days=1))
        cases = [
            {"status": "yes", "occurrence": self.key},
            {"status": "", "occurrence": self.key},
            {"status": "GOING", "occurrence": self.key},
            {"status": None, "occurrence": self.key},
            {"status": 1, "occurrence": self.key},
            {"status": "going\x00", "occurrence": self.key},
            {"status": "going" * 10_000, "occurrence": self.key},
            {"status": "going", "occurrence": not_a_date},
            {"status": "going", "occurrence": "20261301T180000Z"},
            {"status": "going", "occurrence": "tomorrow"},
            {"status": "going", "occurrence": ""},
            {"status": "going", "occurrence": "\x00"},
            {"status": "going", "occurrence": "x" * 10_000},
            {"status": "going", "occurrence": 20261201},
            {"status": "going", "occurrence": None},
            {"status": "going", "occurrence": "2026-12-01T18:00:00"},
            {"status": "going", "occurrence": "00010101T000000Z"},
            {"status": "going", "occurrence": "99991231T235959Z"},
            {"status": "going", "occurrence": "0001-01-01T00:00:00+05:00"},
            {"status": "going", "occurrence": "9999-12-31T23:59:59-05:00"},
            {"status": "going", "occurrence": "2026-01-01T00:00:00+99:00"},
            {"status": "going", "occurrence": (self.event.starts_at + timedelta(days=700)).isoformat()},
            {"status": "going"},
            {"occurrence": self.key},
            {"status": "going", "occurrence": self.key, "extra": 1},
            [],
            "going",
        ]
        for body in cases:
            with self.subTest(body=str(body)[:120]):
                self.assertProblem(self.api("put", self.path, user=self.cast.member, json_body=body), 422)
        self.assertProblem(self.api("put", self.path, user=self.cast.member, raw=b"{"), 400)
        self.assertFalse(Rsvp.objects.exists())
        self.assertEqual(Occurrence.objects.filter(going_count__gt=0).count(), 0)

    def test_unknown_event_is_404(self):
        response = self.api("put", f"/events/{self.event.pk + 99}/rsvp", user=self.cast.member, json_body={})
        self.assertIn(response.status_code, (404, 422))
        body = {"status": "going", "occurrence": self.key}
        self.assertProblem(
            self.api("put", f"/events/{self.event.pk + 99}/rsvp", user=self.cast.member, json_body=body), 404
        )


class WaitlistTests(EventApiTestCase):
    def setUp(self):
        super().setUp()
        self.event = make_event(self.cast.circle, self.cast.facilitator, capacity=1)
        self.key = occurrence_key(self.event.starts_at)
        self.second = factories.make_member(self.cast.circle, display_name="Sid Second")
        self.third = factories.make_member(self.cast.circle, display_name="Tia Third")

    def rsvp(self, user, status="going"):
        body = {"status": status, "occurrence": self.key}
        return self.api("put", f"/events/{self.event.pk}/rsvp", user=user, json_body=body).json()

    def my_rsvp(self, user):
        occurrence = self.api("get", f"/events/{self.event.pk}/occurrences/{self.key}", user=user).json()
        return occurrence["my_rsvp"], occurrence

    def test_second_member_is_waitlisted_and_promoted_when_the_first_cancels(self):
        self.assertEqual(self.rsvp(self.cast.member), {"status": "going", "waitlisted": False, "occurrence": self.key})
        self.assertEqual(self.rsvp(self.second), {"status": "going", "waitlisted": True, "occurrence": self.key})
        self.assertTrue(self.rsvp(self.third)["waitlisted"])

        mine, occurrence = self.my_rsvp(self.second)
        self.assertEqual(mine, {"status": "going", "waitlisted": True, "waitlist_position": 1, "promoted": False})
        self.assertEqual((occurrence["going_count"], occurrence["seats_left"]), (1, 0))
        self.assertEqual(self.my_rsvp(self.third)[0]["waitlist_position"], 2)

        self.assertEqual(self.rsvp(self.cast.member, "not_going")["waitlisted"], False)
        mine, occurrence = self.my_rsvp(self.second)
        self.assertEqual(mine, {"status": "going", "waitlisted": False, "promoted": True})
        self.assertEqual((occurrence["going_count"], occurrence["seats_left"]), (1, 0))
        self.assertEqual(self.my_rsvp(self.third)[0]["waitlist_position"], 1)
        self.assertEqual(self.my_rsvp(self.cast.member)[0]["status"], "not_going")

        query = urlencode({"after": self.event.starts_at.isoformat()})
        listed = self.api("get", f"/events/{self.event.pk}/occurrences?{query}", user=self.second).json()["items"]
        self.assertEqual(listed[0]["my_rsvp"]["promoted"], True)

    def test_more_capacity_promotes_the_waitlist(self):
        self.rsvp(self.cast.member)
        self.rsvp(self.second)
        response = self.api("patch", f"/events/{self.event.pk}", user=self.cast.facilitator, json_body={"capacity": 2})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertFalse(self.my_rsvp(self.second)[0]["waitlisted"])

    def test_visitors_see_counts_but_no_answer(self):
        self.rsvp(self.cast.member)
        occurrence = self.api("get", f"/events/{self.event.pk}/occurrences/{self.key}").json()
        self.assertIsNone(occurrence["my_rsvp"])
        self.assertEqual(occurrence["going_count"], 1)
        self.assertNotIn(self.cast.member.display_name, str(occurrence))
