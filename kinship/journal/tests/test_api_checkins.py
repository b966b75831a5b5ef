"""API: /journal/checkins, /journal/summary-shares, /circles/{slug}/wellbeing, /support-requests, /journal/reminder."""

from django.core import mail

from kinship.api.tests.base import ApiTestCase
from kinship.api.tests.test_robustness import WEIRD_BODIES, WEIRD_VALUES
from kinship.circles.models import Circle
from kinship.core import factories
from kinship.journal import summaries, support
from kinship.journal.models import CheckIn, ReminderMark, SummaryShare, SupportRequest
from kinship.journal.tests.test_checkins import NOTE, make_checkin, weekly_checkins
from kinship.library.models import Resource

CHECKIN_FIELDS = {
    "id", "url", "created_at", "distress", "pain", "problems", "note", "offers_help", "help", "support_requests",
}  # fmt: skip
ODD_IDS = ["0", "99999999", "9" * 19, "9" * 30, "%D9%A1", "abc", "-1", "1.5"]


class CheckInApiTests(ApiTestCase):
    def body(self, **overrides: object) -> dict[str, object]:
        return {"distress": 6, "pain": 3, "problems": ["money", "worry"], "note": NOTE, **overrides}

    def test_member_records_a_check_in_and_gets_help_at_once(self) -> None:
        Resource.objects.create(kind=Resource.FINANCIAL, name="Grants (example)", is_example=True)
        response = self.api("post", "/journal/checkins", user=self.cast.member, json_body=self.body())
        self.assertEqual(response.status_code, 201, response.content)
        data = response.json()
        # A new check-in also answers whether its note suggests a crisis (kinship.api.crisis_help).
        self.assertEqual(set(data), CHECKIN_FIELDS | {"crisis_help"})
        self.assertIsNone(data["crisis_help"])
        checkin = CheckIn.objects.get()
        self.assertEqual((data["id"], data["url"]), (checkin.pk, f"/journal/checkins/{checkin.pk}/"))
        self.assertEqual([p["code"] for p in data["problems"]], ["money", "worry"])
        self.assertEqual(data["note"], NOTE)
        self.assertTrue(data["offers_help"])
        self.assertEqual(data["help"]["helplines"][0]["name"], "Emergency services")
        self.assertIsNone(data["help"]["helplines"][0]["id"])
        self.assertEqual([r["name"] for r in data["help"]["resources"]], ["Grants (example)"])
        self.assertEqual(data["help"]["circles"], [{"slug": self.cast.circle.slug, "name": self.cast.circle.name}])

    def test_below_four_help_is_null(self) -> None:
        response = self.api("post", "/journal/checkins", user=self.cast.member, json_body=self.body(distress=3))
        self.assertEqual(response.status_code, 201)
        self.assertIsNone(response.json()["help"])

    def test_idempotency_key_replays(self) -> None:
        headers = {"Idempotency-Key": "checkin-1"}
        first = self.api("post", "/journal/checkins", user=self.cast.member, json_body=self.body(), headers=headers)
        again = self.api("post", "/journal/checkins", user=self.cast.member, json_body=self.body(), headers=headers)
        self.assertEqual(first.json(), again.json())
        self.assertEqual(CheckIn.objects.count(), 1)

    def test_visitor_is_401(self) -> None:
        self.assertProblem(self.api("post", "/journal/checkins", json_body=self.body()), 401)
        self.assertProblem(self.api("get", "/journal/checkins"), 401)

    def test_bad_fields_are_422_and_named_and_nothing_is_saved(self) -> None:
        cases = [
            ({"distress": 11}, "distress"),
            ({"distress": -1}, "distress"),
            ({"distress": "5"}, "distress"),
            ({"distress": None}, "distress"),
            ({"pain": 2**63}, "pain"),
            ({"pain": 1.5}, "pain"),
            ({"problems": ["nope"]}, "problems"),
            ({"problems": "worry"}, "problems"),
            ({"problems": [None]}, "problems.0"),
            ({"note": "x" * 2001}, "note"),
            ({"note": "a\x00b"}, "note"),
            ({"surprise": 1}, "surprise"),
        ]
        for change, field in cases:
            with self.subTest(change=str(change)[:50]):
                response = self.api("post", "/journal/checkins", user=self.cast.member, json_body=self.body(**change))
                self.assertProblem(response, 422, field)
        for value in WEIRD_VALUES:
            for field in ("distress", "pain", "problems", "note"):
                response = self.api(
                    "post", "/journal/checkins", user=self.cast.member, json_body=self.body(**{field: value})
                )
                self.assertIn(response.status_code, (201, 422), (field, value))
        CheckIn.objects.all().delete()
        for raw in WEIRD_BODIES:
            response = self.api("post", "/journal/checkins", user=self.cast.member, raw=raw)
            self.assertIn(response.status_code, (400, 422), raw[:20])
        self.assertFalse(CheckIn.objects.exists())

    def test_rate_limited_with_retry_after(self) -> None:
        for _ in range(30):
            self.api("post", "/journal/checkins", user=self.cast.member, json_body=self.body(distress=1))
        response = self.api("post", "/journal/checkins", user=self.cast.member, json_body=self.body())
        self.assertProblem(response, 429)
        self.assertIn("Retry-After", response)

    def test_list_is_own_only_paged_and_flat_in_queries(self) -> None:
        weekly_checkins(self.cast.member, 3)
        make_checkin(self.cast.facilitator, note="not yours")
        self.api("get", "/journal/reminder", user=self.cast.member)  # the token's first use is outside the count
        with self.assertNumQueries(2):
            response = self.api("get", "/journal/checkins?limit=2", user=self.cast.member)
        self.assertEqual(len(response.json()["items"]), 2)
        rest = self.api("get", f"/journal/checkins?cursor={response.json()['next']}", user=self.cast.member)
        self.assertEqual(len(rest.json()["items"]), 1)
        self.assertNotIn("not yours", rest.content.decode())
        weekly_checkins(self.cast.member, 60)
        with self.assertNumQueries(2):
            self.api("get", "/journal/checkins?limit=100", user=self.cast.member)
        self.assertProblem(self.api("get", "/journal/checkins?cursor=bad", user=self.cast.member), 422, "cursor")
        self.assertProblem(self.api("get", "/journal/checkins?limit=1000", user=self.cast.member), 422, "limit")

    def test_detail_is_404_for_everyone_else_and_odd_ids(self) -> None:
        checkin = make_checkin(self.cast.member, distress=5, note=NOTE)
        response = self.api("get", f"/journal/checkins/{checkin.pk}", user=self.cast.member)
        self.assertEqual(response.json()["note"], NOTE)
        self.assertIsNotNone(response.json()["help"])
        for person in (self.cast.facilitator, self.cast.staff, self.cast.outsider):
            self.assertProblem(self.api("get", f"/journal/checkins/{checkin.pk}", user=person), 404)
            self.assertProblem(self.api("delete", f"/journal/checkins/{checkin.pk}", user=person), 404)
        for raw in ODD_IDS:
            self.assertProblem(self.api("get", f"/journal/checkins/{raw}", user=self.cast.member), 404)
        self.assertTrue(CheckIn.objects.filter(pk=checkin.pk).exists())

    def test_detail_queries_stay_flat(self) -> None:
        checkin = make_checkin(self.cast.member, distress=8, problems=["pain"])
        Resource.objects.create(kind=Resource.HELPLINE, name="Line (example)")
        self.api("get", "/journal/reminder", user=self.cast.member)  # the token's first use is outside the count
        with self.assertNumQueries(7):
            self.api("get", f"/journal/checkins/{checkin.pk}", user=self.cast.member)
        for i in range(20):
            Resource.objects.create(kind=[Resource.HELPLINE, Resource.SPECIALIST][i % 2], name=f"R{i}")
        with self.assertNumQueries(7):
            self.api("get", f"/journal/checkins/{checkin.pk}", user=self.cast.member)

    def test_owner_deletes(self) -> None:
        checkin = make_checkin(self.cast.member)
        response = self.api("delete", f"/journal/checkins/{checkin.pk}", user=self.cast.member)
        self.assertEqual(response.status_code, 204)
        self.assertFalse(CheckIn.objects.exists())
        self.assertProblem(self.api("delete", f"/journal/checkins/{checkin.pk}", user=self.cast.member), 404)


class SupportApiTests(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.checkin = make_checkin(self.cast.member, distress=7, pain=5, note=NOTE, problems=["fears"])
        self.path = f"/journal/checkins/{self.checkin.pk}/support"

    def test_member_asks_and_the_facilitator_is_emailed(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            response = self.api("post", self.path, user=self.cast.member, json_body={"circle": self.cast.circle.slug})
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["circle"]["slug"], self.cast.circle.slug)
        self.assertEqual([m.to for m in mail.outbox], [[self.cast.facilitator.email]])
        detail = self.api("get", f"/journal/checkins/{self.checkin.pk}", user=self.cast.member).json()
        self.assertEqual(len(detail["support_requests"]), 1)

    def test_refusals(self) -> None:
        other = factories.make_circle()
        hidden = factories.make_circle(visibility=Circle.HIDDEN)
        for circle in (other.slug, hidden.slug, "nope", "\x00", ""):
            response = self.api("post", self.path, user=self.cast.member, json_body={"circle": circle})
            self.assertProblem(response, 422, "circle")
        for body in ({"circle": 5}, {}, {"circle": None}, {"circle": self.cast.circle.slug, "x": 1}):
            self.assertProblem(self.api("post", self.path, user=self.cast.member, json_body=body), 422)
        for person in (self.cast.facilitator, self.cast.staff):
            response = self.api("post", self.path, user=person, json_body={"circle": self.cast.circle.slug})
            self.assertProblem(response, 404)
        low = make_checkin(self.cast.member, distress=1)
        response = self.api(
            "post",
            f"/journal/checkins/{low.pk}/support",
            user=self.cast.member,
            json_body={"circle": self.cast.circle.slug},
        )
        self.assertProblem(response, 409)
        self.assertFalse(SupportRequest.objects.exists())


class WellbeingApiTests(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.checkin = make_checkin(self.cast.member, distress=7, pain=5, note=NOTE, problems=["fears"])
        self.request = support.request_support(member=self.cast.member, checkin=self.checkin, circle=self.cast.circle)
        summaries.share_summary(member=self.cast.member, circle=self.cast.circle)
        self.path = f"/circles/{self.cast.circle.slug}/wellbeing"

    def test_facilitator_sees_requests_and_summaries_and_nothing_private(self) -> None:
        response = self.api("get", self.path, user=self.cast.facilitator)
        self.assertEqual(response.status_code, 200, response.content)
        data = response.json()
        (found,) = data["support_requests"]
        self.assertEqual((found["member"]["id"], found["distress"]), (self.cast.member.pk, 7))
        self.assertEqual(
            set(found), {"id", "circle", "member", "distress", "created_at", "acknowledged_at", "acknowledged_by"}
        )
        (shared,) = data["summaries"]
        self.assertEqual(shared["summary"]["distress"], 7)
        self.assertEqual(shared["summary"]["pain"], 5)
        text = response.content.decode()
        for secret in ("knee throbbed", "fears", "Fears", self.cast.member.email, '"note"', '"problems"'):
            self.assertNotIn(secret, text)

    def test_everyone_else_gets_404(self) -> None:
        for person in (self.cast.member, self.cast.staff, self.cast.outsider, self.cast.pending):
            self.assertProblem(self.api("get", self.path, user=person), 404)
        self.assertProblem(self.api("get", "/circles/\u0661/wellbeing", user=self.cast.facilitator), 404)
        self.assertProblem(self.api("get", self.path), 401)

    def test_wellbeing_queries_stay_flat(self) -> None:
        self.api("get", "/journal/reminder", user=self.cast.facilitator)  # the token's first use is outside the count
        with self.assertNumQueries(8):
            self.api("get", self.path, user=self.cast.facilitator)
        for _ in range(8):
            person = factories.make_member(self.cast.circle)
            weekly_checkins(person, 5)
            summaries.share_summary(member=person, circle=self.cast.circle)
            support.request_support(member=person, checkin=make_checkin(person, distress=9), circle=self.cast.circle)
        with self.assertNumQueries(8):
            self.api("get", self.path, user=self.cast.facilitator)

    def test_acknowledge(self) -> None:
        path = f"/support-requests/{self.request.pk}/acknowledge"
        for person in (self.cast.member, self.cast.staff, self.cast.outsider):
            self.assertProblem(self.api("post", path, user=person), 404)
        for raw in ODD_IDS:
            self.assertProblem(
                self.api("post", f"/support-requests/{raw}/acknowledge", user=self.cast.facilitator), 404
            )
        response = self.api("post", path, user=self.cast.facilitator)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["acknowledged_by"]["id"], self.cast.facilitator.pk)
        self.assertIsNotNone(SupportRequest.objects.get().acknowledged_at)


class SummaryShareApiTests(ApiTestCase):
    def test_share_list_and_revoke(self) -> None:
        make_checkin(self.cast.member, distress=4, pain=4)
        path = f"/journal/summary-shares/{self.cast.circle.slug}"
        response = self.api("put", path, user=self.cast.member)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["summary"]["distress"], 4)
        self.assertEqual(self.api("put", path, user=self.cast.member).status_code, 200)
        listed = self.api("get", "/journal/summary-shares", user=self.cast.member).json()
        self.assertEqual([s["circle"]["slug"] for s in listed["items"]], [self.cast.circle.slug])
        self.assertEqual(self.api("delete", path, user=self.cast.member).status_code, 204)
        self.assertProblem(self.api("delete", path, user=self.cast.member), 404)
        self.assertFalse(SummaryShare.objects.exists())

    def test_refusals(self) -> None:
        hidden = factories.make_circle(visibility=Circle.HIDDEN)
        for slug in (hidden.slug, "nope", "%00", "x" * 300):
            self.assertProblem(self.api("put", f"/journal/summary-shares/{slug}", user=self.cast.member), 422, "circle")
        self.assertProblem(
            self.api("put", f"/journal/summary-shares/{self.cast.circle.slug}", user=self.cast.outsider), 422
        )
        self.assertProblem(self.api("put", f"/journal/summary-shares/{self.cast.circle.slug}"), 401)
        self.assertFalse(SummaryShare.objects.exists())


class ReminderApiTests(ApiTestCase):
    def test_off_by_default_and_patched(self) -> None:
        self.assertEqual(
            self.api("get", "/journal/reminder", user=self.cast.member).json(), {"weekly": False, "last_sent_at": None}
        )
        response = self.api("patch", "/journal/reminder", user=self.cast.member, json_body={"weekly": True})
        self.assertEqual(response.json()["weekly"], True)
        for body in ({"weekly": "true"}, {"weekly": None}, {}, {"weekly": 1}, {"weekly": True, "daily": True}):
            self.assertProblem(self.api("patch", "/journal/reminder", user=self.cast.member, json_body=body), 422)
        self.assertTrue(self.api("get", "/journal/reminder", user=self.cast.member).json()["weekly"])
        self.assertProblem(self.api("get", "/journal/reminder"), 401)
        self.assertFalse(ReminderMark.objects.exists())
