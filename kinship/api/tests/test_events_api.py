"""GET/POST /circles/{slug}/events, GET/PATCH /events/{id}, POST /events/{id}/cancel."""

from datetime import UTC, datetime, timedelta
from typing import Any

from kinship.api.tests.base import BAD_TEXT, ApiTestCase
from kinship.circles.models import Circle
from kinship.core import factories
from kinship.events import services
from kinship.events.models import Event, Organisation


def soon(days: int = 2) -> datetime:
    return (datetime.now(UTC) + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)


def make_event(circle: Circle, facilitator, *, start: datetime | None = None, **fields: Any) -> Event:
    start = start or soon()
    values: dict[str, Any] = {
        "title": "Tuesday evening circle",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(minutes=90)).isoformat(),
        "in_person": False,
        "online": True,
        "meeting_link": "https://meet.example.org/tuesday-secret",
    }
    values.update(fields)
    return services.create_event(facilitator=facilitator, circle=circle, **values)


def new_event(**fields: Any) -> dict[str, Any]:
    start = soon()
    body: dict[str, Any] = {
        "title": "Physio Q&A",
        "description": "Bring *questions* about stairs.",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(),
        "timezone": "Europe/London",
        "in_person": True,
        "address": "Sarcoma Centre, Room 2",
        "step_free": True,
        "online": True,
        "meeting_link": "https://meet.example.org/physio-secret",
        "capacity": 12,
        "kind": "seminar",
    }
    body.update(fields)
    return body


class EventApiTestCase(ApiTestCase):
    def hidden_circle(self) -> tuple[Circle, Any]:
        circle = factories.make_circle(visibility=Circle.HIDDEN)
        facilitator = factories.make_user(display_name="Hanna Hidden")
        factories.add_member(circle, facilitator, role="facilitator")
        return circle, facilitator

    def assertNoEmail(self, response) -> None:
        text = response.content.decode()
        for user in (self.cast.member, self.cast.facilitator, self.cast.staff, self.cast.outsider):
            self.assertNotIn(user.email, text)
        self.assertNotIn("@example.org", text)


class EventListTests(EventApiTestCase):
    def path(self, circle=None):
        return f"/circles/{(circle or self.cast.circle).slug}/events"

    def test_visitor_lists_a_public_circles_events_by_start(self):
        later = make_event(self.cast.circle, self.cast.facilitator, start=soon(5), title="Later")
        make_event(self.cast.circle, self.cast.facilitator, start=soon(3), title="Sooner")
        response = self.api("get", self.path())
        self.assertEqual(response.status_code, 200, response.content)
        items = response.json()["items"]
        self.assertEqual([e["title"] for e in items], ["Sooner", "Later"])
        self.assertEqual(items[1]["url"], later.get_absolute_url())
        self.assertEqual(items[1]["circle"], self.cast.circle.slug)
        self.assertEqual(items[1]["facilitator"]["id"], self.cast.facilitator.pk)
        self.assertIn("facilitator", items[1]["facilitator"]["badges"])
        self.assertFalse(items[1]["can_manage"])
        self.assertNotIn("meeting_link", items[1])
        self.assertNoEmail(response)

    def test_private_circle_events_are_404_to_outsiders_and_visitors(self):
        circle = factories.make_circle(visibility=Circle.PRIVATE)
        factories.add_member(circle, self.cast.facilitator, role="facilitator")
        make_event(circle, self.cast.facilitator)
        self.assertProblem(self.api("get", self.path(circle)), 404)
        self.assertProblem(self.api("get", self.path(circle), user=self.cast.outsider), 404)
        self.assertEqual(len(self.api("get", self.path(circle), user=self.cast.facilitator).json()["items"]), 1)
        self.assertEqual(len(self.api("get", self.path(circle), user=self.cast.staff).json()["items"]), 1)

    def test_hidden_circle_events_are_404_to_outsiders(self):
        circle, facilitator = self.hidden_circle()
        make_event(circle, facilitator, title="Secret meeting")
        for user in (None, self.cast.outsider, self.cast.member):
            response = self.api("get", self.path(circle), user=user)
            self.assertProblem(response, 404)
            self.assertNotIn(b"Secret meeting", response.content)
        self.assertEqual(len(self.api("get", self.path(circle), user=facilitator).json()["items"]), 1)

    def test_pages_follow_the_cursor_and_garbage_is_422(self):
        for i in range(5):
            make_event(self.cast.circle, self.cast.facilitator, start=soon(2 + i), title=f"E{i}")
        first = self.api("get", self.path() + "?limit=3").json()
        second = self.api("get", self.path() + f"?limit=3&cursor={first['next']}").json()
        self.assertEqual([e["title"] for e in first["items"] + second["items"]], [f"E{i}" for i in range(5)])
        self.assertIsNone(second["next"])
        for query in ("?cursor=%%%", "?cursor=WzEsMiwzXQ", "?limit=-1", "?limit=abc", "?limit=%00"):
            self.assertProblem(self.api("get", self.path() + query), 422)

    def test_unknown_circle_is_404(self):
        self.assertProblem(self.api("get", "/circles/no-such-circle/events"), 404)
        self.assertProblem(self.api("get", "/circles/bad%00slug/events"), 404)

    def test_bad_token_is_401_even_on_a_public_list(self):
        response = self.api("get", self.path(), headers={"Authorization": "Bearer nonsense"})
        self.assertProblem(response, 401)


class EventCreateTests(EventApiTestCase):
    def path(self, circle=None):
        return f"/circles/{(circle or self.cast.circle).slug}/events"

    def test_facilitator_plans_an_event(self):
        org = Organisation.objects.create(name="Bone Cancer Research Trust", kind="charity", website="https://x.org")
        speaker = factories.make_member(self.cast.circle, display_name="Dr Pia Physio")
        body = new_event(speakers=[speaker.pk], partners=[org.pk], rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=6")
        response = self.api("post", self.path(), user=self.cast.facilitator, json_body=body)
        self.assertEqual(response.status_code, 201, response.content)
        data = response.json()
        event = Event.objects.get(pk=data["id"])
        self.assertEqual(data["url"], event.get_absolute_url())
        self.assertEqual(data["kind"], "seminar")
        self.assertIn("<em>questions</em>", data["description_html"])
        self.assertEqual(data["timezone"], "Europe/London")
        self.assertEqual(data["rrule"], "FREQ=WEEKLY;BYDAY=TU;COUNT=6")
        self.assertEqual(data["capacity"], 12)
        self.assertEqual(data["speakers"][0]["display_name"], "Dr Pia Physio")
        self.assertEqual(
            data["partners"],
            [{"id": org.pk, "name": org.name, "kind": "charity", "website": "https://x.org", "logo_url": None}],
        )
        self.assertEqual(data["place"]["address"], "Sarcoma Centre, Room 2")
        self.assertTrue(data["place"]["step_free"])
        self.assertTrue(data["can_manage"])
        self.assertFalse(data["cancelled"])
        self.assertRegex(data["starts_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|\+00:00)$")
        self.assertNotIn("meeting_link", data)
        self.assertNotIn("physio-secret", response.content.decode())
        self.assertEqual(event.meeting_link, "https://meet.example.org/physio-secret")
        self.assertNoEmail(response)

    def test_staff_may_plan_events_too(self):
        response = self.api("post", self.path(), user=self.cast.staff, json_body=new_event())
        self.assertEqual(response.status_code, 201, response.content)

    def test_members_outsiders_and_pending_get_403_visitors_401(self):
        for user in (self.cast.member, self.cast.outsider, self.cast.pending, self.cast.unverified):
            self.assertProblem(self.api("post", self.path(), user=user, json_body=new_event()), 403)
        self.assertProblem(self.api("post", self.path(), json_body=new_event()), 401)
        self.assertFalse(Event.objects.exists())

    def test_hidden_circle_is_404_to_outsiders(self):
        circle, _ = self.hidden_circle()
        self.assertProblem(self.api("post", self.path(circle), user=self.cast.outsider, json_body=new_event()), 404)
        self.assertFalse(Event.objects.exists())

    def test_same_idempotency_key_returns_the_same_event_and_creates_nothing_new(self):
        headers = {"Idempotency-Key": "c8a1f1b2-event"}
        first = self.api("post", self.path(), user=self.cast.facilitator, json_body=new_event(), headers=headers)
        again = self.api("post", self.path(), user=self.cast.facilitator, json_body=new_event(), headers=headers)
        self.assertEqual(first.status_code, 201)
        self.assertEqual(again.status_code, 201)
        self.assertEqual(first.json(), again.json())
        self.assertEqual(Event.objects.count(), 1)
        other = self.api(
            "post", self.path(), user=self.cast.facilitator, json_body=new_event(title="Other"), headers=headers
        )
        self.assertProblem(other, 422, "Idempotency-Key")
        self.assertEqual(Event.objects.count(), 1)

    def test_bad_input_is_refused_and_nothing_is_created(self):
        start = soon()
        cases: list[Any] = [{**new_event(), "title": v} for v in BAD_TEXT]
        cases += [{**new_event(), "description": v} for v in (None, 5, ["x"], "\x00", "x" * 20_001)]
        cases += [{**new_event(), "starts_at": v} for v in (None, "", "tomorrow", 5, "2026-13-45T00:00:00Z", "\x00")]
        cases += [{**new_event(), "starts_at": "1900-01-01T10:00:00Z", "ends_at": "1900-01-01T11:00:00Z"}]
        cases += [{**new_event(), "ends_at": (start - timedelta(hours=1)).isoformat()}]
        cases += [{**new_event(), "ends_at": start.isoformat()}]
        cases += [{**new_event(), "ends_at": (start + timedelta(days=20)).isoformat()}]
        cases += [{**new_event(), "timezone": v} for v in ("Mars/Olympus", "", None, 3, "x" * 500, "Europe/\x00")]
        cases += [{**new_event(), "rrule": v} for v in ("FREQ=HOURLY", "FREQ=DAILY;COUNT=1000", "FREQ=WEEKLY;X=1")]
        cases += [{**new_event(), "rrule": v} for v in ("FREQ=MONTHLY;BYMONTHDAY=31", "nonsense", 5, "\x00")]
        cases += [{**new_event(), "capacity": v} for v in (-1, 0, 10_001, "12", 1.5, True, [1])]
        cases += [{**new_event(), "kind": v} for v in ("party", "", None, 1)]
        cases += [{**new_event(), "in_person": v} for v in ("yes", 1, None)]
        cases += [{**new_event(), "meeting_link": v} for v in ("javascript:alert(1)", "not a url", 5)]
        cases += [{**new_event(), "online": True, "meeting_link": ""}]
        cases += [{**new_event(), "in_person": False, "online": False}]
        cases += [{**new_event(), "speakers": v} for v in ([self.cast.outsider.pk], ["1"], [0], [2**64], 5)]
        cases += [{**new_event(), "speakers": list(range(1, 20))}]
        cases += [{**new_event(), "partners": v} for v in ([999_999], [True], "x")]
        cases += [{**new_event(), "address": "x" * 501}, {**new_event(), "accessibility_notes": "\x00"}]
        cases += [{**new_event(), "circle": 1}, {"title": "Only a title"}, {}, [], "text", 5, None]
        for body in cases:
            with self.subTest(body=str(body)[:200]):
                response = self.api("post", self.path(), user=self.cast.facilitator, json_body=body)
                self.assertProblem(response, 422)
        self.assertProblem(self.api("post", self.path(), user=self.cast.facilitator, raw=b"{not json"), 400)
        self.assertProblem(self.api("post", self.path(), user=self.cast.facilitator, raw=b'{"title": "\\ud800"}'), 400)
        self.assertFalse(Event.objects.exists())

    def test_errors_name_every_field_at_once(self):
        body = new_event(title="", capacity=-3, timezone="Nowhere/Town")
        response = self.api("post", self.path(), user=self.cast.facilitator, json_body=body)
        problem = self.assertProblem(response, 422, "title", "capacity", "timezone")
        self.assertIn("title", problem["errors"])

    def test_abusive_rule_names_the_rule(self):
        body = new_event(rrule="FREQ=HOURLY;COUNT=1000")
        self.assertProblem(self.api("post", self.path(), user=self.cast.facilitator, json_body=body), 422, "rrule")


class EventDetailTests(EventApiTestCase):
    def test_visitor_reads_a_public_event(self):
        event = make_event(self.cast.circle, self.cast.facilitator)
        response = self.api("get", f"/events/{event.pk}")
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual(body["id"], event.pk)
        self.assertEqual(body["title"], event.title)
        self.assertNotIn("meeting_link", body)
        self.assertNotIn("tuesday-secret", response.content.decode())
        self.assertNoEmail(response)

    def test_seated_member_sees_no_link_in_event_json_either(self):
        start = (datetime.now(UTC) + timedelta(minutes=10)).replace(microsecond=0)
        event = make_event(self.cast.circle, self.cast.facilitator, start=start)
        services.rsvp(member=self.cast.member, event=event, original_start=event.starts_at, answer="going")
        for user in (self.cast.member, self.cast.facilitator, self.cast.staff):
            response = self.api("get", f"/events/{event.pk}", user=user)
            self.assertNotIn("tuesday-secret", response.content.decode())

    def test_hidden_circle_event_is_404_to_outsiders_and_visitors(self):
        circle, facilitator = self.hidden_circle()
        event = make_event(circle, facilitator)
        self.assertProblem(self.api("get", f"/events/{event.pk}"), 404)
        self.assertProblem(self.api("get", f"/events/{event.pk}", user=self.cast.outsider), 404)
        self.assertEqual(self.api("get", f"/events/{event.pk}", user=facilitator).status_code, 200)
        self.assertEqual(self.api("get", f"/events/{event.pk}", user=self.cast.staff).status_code, 200)

    def test_unknown_or_odd_ids_are_404_or_422(self):
        event = make_event(self.cast.circle, self.cast.facilitator)
        for event_id in (event.pk + 1000, 0, -3, 2**63, 10**40):
            self.assertProblem(self.api("get", f"/events/{event_id}"), 404)
        for event_id in ("abc", "1e5", "%00", "\uff11"):
            self.assertIn(self.api("get", f"/events/{event_id}").status_code, (404, 422))


class EventUpdateTests(EventApiTestCase):
    def setUp(self):
        super().setUp()
        self.event = make_event(self.cast.circle, self.cast.facilitator, capacity=5)
        self.path = f"/events/{self.event.pk}"

    def test_facilitator_changes_the_series(self):
        body = {"title": "Tuesday circle (new room)", "capacity": None, "rrule": "FREQ=WEEKLY", "in_person": True}
        body["address"] = "Room 4"
        response = self.api("patch", self.path, user=self.cast.facilitator, json_body=body)
        self.assertEqual(response.status_code, 200, response.content)
        data = response.json()
        self.assertEqual(data["title"], "Tuesday circle (new room)")
        self.assertIsNone(data["capacity"])
        self.assertEqual(data["rrule"], "FREQ=WEEKLY")
        self.assertTrue(data["place"]["in_person"])
        self.event.refresh_from_db()
        self.assertEqual(self.event.title, "Tuesday circle (new room)")
        self.assertEqual(self.event.sequence, 1)

    def test_members_and_outsiders_get_403_visitors_401(self):
        for user in (self.cast.member, self.cast.outsider):
            self.assertProblem(self.api("patch", self.path, user=user, json_body={"title": "Mine now"}), 403)
        self.assertProblem(self.api("patch", self.path, json_body={"title": "Mine now"}), 401)
        self.event.refresh_from_db()
        self.assertEqual(self.event.title, "Tuesday evening circle")

    def test_hidden_circle_event_is_404_to_outsiders(self):
        circle, facilitator = self.hidden_circle()
        event = make_event(circle, facilitator)
        response = self.api("patch", f"/events/{event.pk}", user=self.cast.outsider, json_body={"title": "x"})
        self.assertProblem(response, 404)

    def test_bad_input_is_refused_and_nothing_changes(self):
        start = self.event.starts_at
        cases: list[Any] = [{"title": v} for v in BAD_TEXT]
        cases += [{"ends_at": (start - timedelta(minutes=1)).isoformat()}, {"timezone": "Atlantis/Capital"}]
        cases += [{"rrule": "FREQ=HOURLY;COUNT=1000"}, {"capacity": -1}, {"capacity": "5"}, {"kind": None}]
        cases += [{"online": None}, {"meeting_link": None}, {"speakers": [self.cast.outsider.pk]}]
        cases += [{"meeting_link": ""}, {"unknown": 1}, {}, [], None]
        for body in cases:
            with self.subTest(body=str(body)[:200]):
                self.assertProblem(self.api("patch", self.path, user=self.cast.facilitator, json_body=body), 422)
        self.assertProblem(self.api("patch", self.path, user=self.cast.facilitator, raw=b"{"), 400)
        self.event.refresh_from_db()
        self.assertEqual((self.event.title, self.event.capacity, self.event.sequence), ("Tuesday evening circle", 5, 0))


class EventCancelTests(EventApiTestCase):
    def setUp(self):
        super().setUp()
        self.event = make_event(self.cast.circle, self.cast.facilitator, rrule="FREQ=WEEKLY;COUNT=4")
        self.path = f"/events/{self.event.pk}/cancel"

    def test_facilitator_cancels_the_series(self):
        response = self.api("post", self.path, user=self.cast.facilitator)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertTrue(response.json()["cancelled"])
        occurrences = self.api("get", f"/events/{self.event.pk}/occurrences", user=self.cast.member).json()
        self.assertEqual(len(occurrences["items"]), 4)
        self.assertTrue(all(o["cancelled"] for o in occurrences["items"]))

    def test_member_gets_403_visitor_401_and_nothing_changes(self):
        self.assertProblem(self.api("post", self.path, user=self.cast.member), 403)
        self.assertProblem(self.api("post", self.path), 401)
        self.event.refresh_from_db()
        self.assertFalse(self.event.is_cancelled)

    def test_hidden_or_unknown_event_is_404(self):
        circle, facilitator = self.hidden_circle()
        event = make_event(circle, facilitator)
        self.assertProblem(self.api("post", f"/events/{event.pk}/cancel", user=self.cast.outsider), 404)
        self.assertProblem(self.api("post", f"/events/{event.pk + 999}/cancel", user=self.cast.staff), 404)


class EventOpenApiTests(EventApiTestCase):
    def test_event_endpoints_appear_with_schemas(self):
        response = self.client.get("/api/v1/openapi.json")
        self.assertEqual(response.status_code, 200)
        document = response.json()
        paths = document["paths"]
        self.assertEqual(set(paths["/api/v1/circles/{slug}/events"]), {"get", "post"})
        self.assertEqual(set(paths["/api/v1/events/{event_id}"]), {"get", "patch"})
        self.assertEqual(set(paths["/api/v1/events/{event_id}/rsvp"]), {"put"})
        self.assertEqual(set(paths["/api/v1/events/{event_id}/occurrences/{key}"]), {"get", "patch"})
        for path in (
            "/api/v1/events/{event_id}/cancel",
            "/api/v1/events/{event_id}/occurrences",
            "/api/v1/events/{event_id}/occurrences/{key}/attendees",
            "/api/v1/events/{event_id}/occurrences/{key}/attendance",
        ):
            self.assertIn(path, paths)
        schemas = document["components"]["schemas"]
        for name in ("EventIn", "EventOut", "EventPatch", "OccurrenceOut", "RsvpIn", "RsvpOut", "AttendanceIn"):
            self.assertIn(name, schemas)
        self.assertNotIn("meeting_link", schemas["EventOut"]["properties"])
        self.assertIn("meeting_link", schemas["OccurrenceOut"]["properties"])
