"""Occurrences: the list, one date, changing one date (or those following), attendees and attendance."""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from django.utils import timezone

from kinship.api.tests.test_events_api import EventApiTestCase, make_event, soon
from kinship.circles.models import Circle
from kinship.core import factories
from kinship.events import services
from kinship.events.models import Event, Occurrence, Rsvp, occurrence_key


def q(**params) -> str:
    return "?" + urlencode(params)


class OccurrenceListTests(EventApiTestCase):
    def setUp(self):
        super().setUp()
        self.event = make_event(self.cast.circle, self.cast.facilitator, rrule="FREQ=WEEKLY;COUNT=10", capacity=8)
        self.path = f"/events/{self.event.pk}/occurrences"

    def test_visitor_lists_upcoming_occurrences(self):
        response = self.api("get", self.path)
        self.assertEqual(response.status_code, 200, response.content)
        items = response.json()["items"]
        self.assertEqual(len(items), 10)
        first = items[0]
        self.assertEqual(first["key"], occurrence_key(self.event.starts_at))
        self.assertEqual(first["event"], self.event.pk)
        self.assertEqual(first["url"], f"/events/{self.event.pk}/{first['key']}/")
        self.assertEqual((first["capacity"], first["going_count"], first["seats_left"]), (8, 0, 8))
        self.assertFalse(first["moved"])
        self.assertIsNone(first["my_rsvp"])
        self.assertNotIn("meeting_link", first)
        self.assertIsNone(response.json()["next"])

    def test_window_and_pages(self):
        start = self.event.starts_at
        window = q(after=(start + timedelta(days=6)).isoformat(), before=(start + timedelta(days=22)).isoformat())
        items = self.api("get", self.path + window).json()["items"]
        self.assertEqual([i["key"] for i in items], [occurrence_key(start + timedelta(days=d)) for d in (7, 14, 21)])
        first = self.api("get", self.path + q(limit=4)).json()
        self.assertEqual(len(first["items"]), 4)
        second = self.api("get", self.path + q(limit=4, cursor=first["next"])).json()
        third = self.api("get", self.path + q(limit=4, cursor=second["next"])).json()
        keys = [i["key"] for i in first["items"] + second["items"] + third["items"]]
        self.assertEqual(keys, [occurrence_key(start + timedelta(days=7 * n)) for n in range(10)])
        self.assertIsNone(third["next"])

    def test_a_date_moved_onto_another_is_neither_lost_nor_repeated_across_pages(self):
        start = self.event.starts_at
        services.change_occurrence(
            actor=self.cast.facilitator,
            event=self.event,
            original_start=start + timedelta(days=7),
            changes={"starts_at": (start + timedelta(days=14)).isoformat()},
        )
        keys, cursor = [], None
        for _ in range(12):
            page = self.api("get", self.path + q(limit=1, **({"cursor": cursor} if cursor else {}))).json()
            keys += [i["key"] for i in page["items"]]
            cursor = page["next"]
            if cursor is None:
                break
        self.assertEqual(sorted(keys), sorted(occurrence_key(start + timedelta(days=7 * n)) for n in range(10)))
        self.assertEqual(len(keys), 10)

    def test_member_sees_own_answer(self):
        services.rsvp(member=self.cast.member, event=self.event, original_start=self.event.starts_at, answer="maybe")
        items = self.api("get", self.path, user=self.cast.member).json()["items"]
        self.assertEqual(items[0]["my_rsvp"], {"status": "maybe", "waitlisted": False, "promoted": False})
        self.assertIsNone(items[1]["my_rsvp"])
        self.assertIsNone(self.api("get", self.path, user=self.cast.facilitator).json()["items"][0]["my_rsvp"])

    def test_hidden_circle_occurrences_are_404_to_outsiders(self):
        circle, facilitator = self.hidden_circle()
        event = make_event(circle, facilitator, title="Secret")
        for user in (None, self.cast.outsider, self.cast.member):
            response = self.api("get", f"/events/{event.pk}/occurrences", user=user)
            self.assertProblem(response, 404)
            self.assertNotIn(b"Secret", response.content)
        self.assertEqual(self.api("get", f"/events/{event.pk}/occurrences", user=facilitator).status_code, 200)

    def test_bad_windows_are_422(self):
        now = datetime.now(UTC)
        for params in (
            {"after": "tomorrow"},
            {"after": "\x00"},
            {"after": "x" * 5000},
            {"before": "2026-02-30T00:00:00Z"},
            {"after": now.isoformat(), "before": (now - timedelta(days=1)).isoformat()},
            {"after": now.isoformat(), "before": (now + timedelta(days=400)).isoformat()},
            {"after": "1700-01-01T00:00:00Z"},
            {"after": "9999-12-31T23:59:59Z"},
            {"limit": 0},
            {"limit": 101},
            {"cursor": "%%%"},
            {"cursor": "WzEsMiwzXQ"},
            {"cursor": "x" * 3000},
        ):
            with self.subTest(params=str(params)[:80]):
                self.assertProblem(self.api("get", self.path + q(**params)), 422)

    def test_occurrence_detail_and_unknown_keys(self):
        key = occurrence_key(self.event.starts_at + timedelta(days=14))
        response = self.api("get", f"{self.path}/{key}", user=self.cast.member)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["key"], key)
        off_rule = occurrence_key(self.event.starts_at + timedelta(days=1))
        for bad in (off_rule, "20261301T180000Z", "nonsense", "%00", "2" * 200, occurrence_key(soon(-400))):
            self.assertProblem(self.api("get", f"{self.path}/{bad}", user=self.cast.member), 404)

    def test_keys_at_the_calendars_edges_are_404_not_an_overflow(self):
        # West of UTC, year 1 would fall into year 0 when the rule reads it in local time.
        event = make_event(self.cast.circle, self.cast.facilitator, timezone="America/New_York", rrule="FREQ=DAILY")
        for key in ("00010101T000000Z", "99991231T235959Z", "20000101T000000Z"):
            for suffix in ("", "/attendees"):
                path = f"/events/{event.pk}/occurrences/{key}{suffix}"
                self.assertProblem(self.api("get", path, user=self.cast.facilitator), 404)
            path = f"/events/{event.pk}/occurrences/{key}"
            self.assertProblem(self.api("patch", path, user=self.cast.facilitator, json_body={"cancelled": True}), 404)


class MeetingLinkTests(EventApiTestCase):
    def setUp(self):
        super().setUp()
        self.event = make_event(
            self.cast.circle,
            self.cast.facilitator,
            start=(timezone.now() + timedelta(minutes=20)).replace(microsecond=0),
        )
        self.key = occurrence_key(self.event.starts_at)
        self.path = f"/events/{self.event.pk}/occurrences/{self.key}"
        services.rsvp(member=self.cast.member, event=self.event, original_start=self.event.starts_at, answer="going")

    def test_seated_member_gets_the_link_from_thirty_minutes_before(self):
        response = self.api("get", self.path, user=self.cast.member)
        self.assertEqual(response.json()["meeting_link"], "https://meet.example.org/tuesday-secret")
        listed = self.api("get", f"/events/{self.event.pk}/occurrences", user=self.cast.member).json()["items"]
        self.assertEqual(listed[0]["meeting_link"], "https://meet.example.org/tuesday-secret")
        self.assertNotIn(
            "tuesday-secret", self.api("get", f"/events/{self.event.pk}", user=self.cast.member).content.decode()
        )

    def test_no_link_without_a_seat(self):
        maybe = factories.make_member(self.cast.circle)
        services.rsvp(member=maybe, event=self.event, original_start=self.event.starts_at, answer="maybe")
        for user in (None, self.cast.outsider, self.cast.facilitator, self.cast.staff, maybe):
            with self.subTest(user=getattr(user, "display_name", "visitor")):
                response = self.api("get", self.path, user=user)
                self.assertEqual(response.status_code, 200)
                self.assertNotIn("meeting_link", response.json())
                self.assertNotIn("tuesday-secret", response.content.decode())

    def test_no_link_on_the_waitlist(self):
        event = services.update_event(actor=self.cast.facilitator, event=self.event, changes={"capacity": 1})
        waiting = factories.make_member(self.cast.circle)
        services.rsvp(member=waiting, event=event, original_start=self.event.starts_at, answer="going")
        body = self.api("get", self.path, user=waiting).json()
        self.assertTrue(body["my_rsvp"]["waitlisted"])
        self.assertNotIn("meeting_link", body)

    def test_no_link_earlier_than_thirty_minutes_before(self):
        later = make_event(
            self.cast.circle,
            self.cast.facilitator,
            start=(timezone.now() + timedelta(minutes=45)).replace(microsecond=0),
        )
        services.rsvp(member=self.cast.member, event=later, original_start=later.starts_at, answer="going")
        body = self.api(
            "get", f"/events/{later.pk}/occurrences/{occurrence_key(later.starts_at)}", user=self.cast.member
        ).json()
        self.assertEqual(body["my_rsvp"]["status"], "going")
        self.assertNotIn("meeting_link", body)

    def test_no_link_once_the_date_is_cancelled(self):
        services.change_occurrence(
            actor=self.cast.facilitator,
            event=self.event,
            original_start=self.event.starts_at,
            changes={"cancelled": True},
        )
        self.assertNotIn("meeting_link", self.api("get", self.path, user=self.cast.member).json())


class OccurrenceChangeTests(EventApiTestCase):
    def setUp(self):
        super().setUp()
        self.event = make_event(self.cast.circle, self.cast.facilitator, rrule="FREQ=WEEKLY;COUNT=6")
        self.original = self.event.starts_at + timedelta(days=7)
        self.key = occurrence_key(self.original)
        self.path = f"/events/{self.event.pk}/occurrences/{self.key}"

    def test_facilitator_cancels_one_date(self):
        response = self.api(
            "patch", self.path, user=self.cast.facilitator, json_body={"cancelled": True, "note": "Snow"}
        )
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual((body["key"], body["cancelled"], body["note"]), (self.key, True, "Snow"))
        items = self.api("get", f"/events/{self.event.pk}/occurrences").json()["items"]
        self.assertEqual([i["cancelled"] for i in items], [False, True, False, False, False, False])

    def test_facilitator_moves_and_retitles_one_date(self):
        moved = self.original + timedelta(days=1, hours=1)
        body = {"starts_at": moved.isoformat(), "title": "Outing to the park"}
        data = self.api("patch", self.path, user=self.cast.facilitator, json_body=body).json()
        self.assertTrue(data["moved"])
        self.assertEqual(datetime.fromisoformat(data["starts_at"]), moved)
        self.assertEqual(datetime.fromisoformat(data["ends_at"]), moved + timedelta(minutes=90))
        self.assertEqual(data["key"], self.key)
        self.assertEqual(data["title"], "Outing to the park")

    def test_following_scope_starts_a_new_series(self):
        later = self.original + timedelta(hours=1)
        body = {
            "scope": "following",
            "starts_at": later.isoformat(),
            "ends_at": (later + timedelta(hours=1)).isoformat(),
        }
        response = self.api("patch", self.path, user=self.cast.facilitator, json_body=body)
        self.assertEqual(response.status_code, 200, response.content)
        data = response.json()
        self.assertNotEqual(data["event"], self.event.pk)
        self.assertEqual(datetime.fromisoformat(data["starts_at"]), later)
        self.assertEqual(Event.objects.count(), 2)
        self.event.refresh_from_db()
        self.assertEqual(self.event.rrule, "FREQ=WEEKLY;COUNT=1")
        tail = self.api("get", f"/events/{data['event']}/occurrences").json()["items"]
        self.assertEqual(len(tail), 5)

    def test_members_get_403_visitors_401_outsiders_of_hidden_404(self):
        for user in (self.cast.member, self.cast.outsider):
            self.assertProblem(self.api("patch", self.path, user=user, json_body={"cancelled": True}), 403)
        self.assertProblem(self.api("patch", self.path, json_body={"cancelled": True}), 401)
        self.assertFalse(Occurrence.objects.filter(cancelled=True).exists())
        circle, facilitator = self.hidden_circle()
        hidden = make_event(circle, facilitator)
        path = f"/events/{hidden.pk}/occurrences/{occurrence_key(hidden.starts_at)}"
        self.assertProblem(self.api("patch", path, user=self.cast.outsider, json_body={"cancelled": True}), 404)

    def test_bad_input_is_refused_and_nothing_changes(self):
        cases = [
            {},
            {"scope": "this"},
            {"scope": "everything", "cancelled": True},
            {"scope": None, "cancelled": True},
            {"cancelled": "yes"},
            {"cancelled": None},
            {"title": 5},
            {"title": "x" * 201},
            {"note": "\x00"},
            {"note": "x" * 1001},
            {"starts_at": "never"},
            {"starts_at": "1900-01-01T00:00:00Z"},
            {"ends_at": (self.original - timedelta(hours=1)).isoformat()},
            {"ends_at": (self.original + timedelta(days=30)).isoformat()},
            {"capacity": 3},
            {"scope": "following", "cancelled": True},
            {"scope": "following", "rrule": "FREQ=HOURLY;COUNT=1000"},
            {"scope": "following", "timezone": "Nowhere/Land"},
            {"unknown": 1},
            [],
            "cancel",
        ]
        for body in cases:
            with self.subTest(body=str(body)[:80]):
                self.assertProblem(self.api("patch", self.path, user=self.cast.facilitator, json_body=body), 422)
        for key in ("20991301T000000Z", occurrence_key(self.original + timedelta(days=1)), "junk"):
            path = f"/events/{self.event.pk}/occurrences/{key}"
            self.assertProblem(self.api("patch", path, user=self.cast.facilitator, json_body={"cancelled": True}), 404)
        self.assertFalse(Occurrence.objects.exists())
        self.assertEqual(Event.objects.count(), 1)
        self.event.refresh_from_db()
        self.assertEqual((self.event.rrule, self.event.sequence), ("FREQ=WEEKLY;COUNT=6", 0))


class AttendanceTests(EventApiTestCase):
    def setUp(self):
        super().setUp()
        # Answers for a past date can't be given through the service any more; write them as they were.
        self.event = make_event(self.cast.circle, self.cast.facilitator, start=soon(-1))
        self.key = occurrence_key(self.event.starts_at)
        row = Occurrence.objects.create(
            event=self.event, original_start=self.event.starts_at, starts_at=self.event.starts_at,
            ends_at=self.event.ends_at, going_count=1,
        )  # fmt: skip
        self.maybe = factories.make_member(self.cast.circle, display_name="May Maybe")
        now = timezone.now()
        Rsvp.objects.create(occurrence=row, member=self.cast.member, answer="going", answered_at=now)
        Rsvp.objects.create(occurrence=row, member=self.maybe, answer="maybe", answered_at=now)
        self.base = f"/events/{self.event.pk}/occurrences/{self.key}"

    def test_facilitator_lists_attendees_without_emails(self):
        response = self.api("get", self.base + "/attendees", user=self.cast.facilitator)
        self.assertEqual(response.status_code, 200, response.content)
        items = response.json()["items"]
        self.assertEqual(
            [(i["user"]["id"], i["status"]) for i in items], [(self.cast.member.pk, "going"), (self.maybe.pk, "maybe")]
        )
        self.assertIsNone(items[0]["attended"])
        self.assertNoEmail(response)
        self.assertNotIn(self.maybe.email, response.content.decode())

    def test_facilitator_records_who_came(self):
        response = self.api(
            "put", self.base + "/attendance", user=self.cast.facilitator, json_body={"present": [self.cast.member.pk]}
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual([i["attended"] for i in response.json()["items"]], [True, False])
        self.assertEqual(Rsvp.objects.get(member=self.maybe).attended, False)

    def test_members_get_403_visitors_401_outsiders_of_hidden_404(self):
        for user in (self.cast.member, self.cast.outsider):
            self.assertProblem(self.api("get", self.base + "/attendees", user=user), 403)
            response = self.api(
                "put", self.base + "/attendance", user=user, json_body={"present": [self.cast.member.pk]}
            )
            self.assertProblem(response, 403)
        self.assertProblem(self.api("get", self.base + "/attendees"), 401)
        self.assertFalse(Rsvp.objects.filter(attended__isnull=False).exists())
        circle, facilitator = self.hidden_circle()
        hidden = make_event(circle, facilitator)
        path = f"/events/{hidden.pk}/occurrences/{occurrence_key(hidden.starts_at)}/attendees"
        self.assertProblem(self.api("get", path, user=self.cast.outsider), 404)

    def test_bad_input_is_refused_and_nothing_changes(self):
        for body in (
            {"present": [self.cast.outsider.pk]},
            {"present": [0]},
            {"present": [2**64]},
            {"present": ["1"]},
            {"present": [True]},
            {"present": None},
            {"present": "all"},
            {},
            {"present": [], "extra": 1},
        ):
            with self.subTest(body=body):
                response = self.api("put", self.base + "/attendance", user=self.cast.facilitator, json_body=body)
                self.assertProblem(response, 422)
        self.assertFalse(Rsvp.objects.filter(attended__isnull=False).exists())

    def test_attendance_waits_for_the_start(self):
        future = make_event(self.cast.circle, self.cast.facilitator)
        services.rsvp(member=self.cast.member, event=future, original_start=future.starts_at, answer="going")
        path = f"/events/{future.pk}/occurrences/{occurrence_key(future.starts_at)}/attendance"
        response = self.api("put", path, user=self.cast.facilitator, json_body={"present": [self.cast.member.pk]})
        self.assertProblem(response, 422, "occurrence")

    def test_waitlist_shows_in_order_to_facilitators(self):
        event = make_event(self.cast.circle, self.cast.facilitator, capacity=1)
        people = [factories.make_member(self.cast.circle) for _ in range(3)]
        for person in people:
            services.rsvp(member=person, event=event, original_start=event.starts_at, answer="going")
        path = f"/events/{event.pk}/occurrences/{occurrence_key(event.starts_at)}/attendees"
        items = self.api("get", path, user=self.cast.facilitator).json()["items"]
        self.assertEqual([i["user"]["id"] for i in items], [p.pk for p in people])
        self.assertEqual([i.get("waitlist_position") for i in items], [None, 1, 2])

    def test_hidden_circle_is_private_even_for_circle_members_elsewhere(self):
        circle = factories.make_circle(visibility=Circle.PRIVATE)
        facilitator = factories.make_user()
        factories.add_member(circle, facilitator, role="facilitator")
        event = make_event(circle, facilitator)
        path = f"/events/{event.pk}/occurrences/{occurrence_key(event.starts_at)}/attendees"
        self.assertProblem(self.api("get", path, user=self.cast.facilitator), 404)
