"""API: /journal/milestones and sharing. The caller's own only (others 404), bad input 422 changing nothing,
never a 500, and flat query counts."""

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kinship.api.tests.base import ApiTestCase
from kinship.api.tests.test_robustness import WEIRD_BODIES, WEIRD_VALUES
from kinship.circles.models import Circle
from kinship.core import factories
from kinship.discussions.models import Post, Topic
from kinship.journal.models import Milestone
from kinship.journal.tests.test_milestones import NOTE, make_milestone

FIELDS = {
    "id", "url", "kind", "kind_label", "title", "happened_on", "note", "shared", "goal_id", "created_at", "updated_at",
}  # fmt: skip


class MilestoneApiTests(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        cache.clear()

    def test_member_records_reads_edits_and_deletes(self) -> None:
        body = {"kind": "clear_scan", "happened_on": "2025-11-20", "note": NOTE}
        response = self.api("post", "/journal/milestones", user=self.cast.member, json_body=body)
        self.assertEqual(response.status_code, 201, response.content)
        data = response.json()
        self.assertEqual(set(data), FIELDS)
        milestone = Milestone.objects.get()
        self.assertEqual(data["url"], f"/journal/milestones/{milestone.pk}/")
        self.assertEqual(
            (data["kind"], data["kind_label"], data["title"], data["happened_on"], data["note"], data["shared"]),
            ("clear_scan", "Clear scan", "Clear scan", "2025-11-20", NOTE, None),
        )
        path = f"/journal/milestones/{milestone.pk}"
        self.assertEqual(self.api("get", path, user=self.cast.member).json(), data)
        response = self.api("patch", path, user=self.cast.member, json_body={"title": "All clear!", "note": ""})
        self.assertEqual((response.json()["title"], response.json()["note"]), ("All clear!", ""))
        self.assertEqual(response.json()["happened_on"], "2025-11-20")
        self.assertEqual(self.api("delete", path, user=self.cast.member).status_code, 204)
        self.assertFalse(Milestone.objects.exists())

    def test_idempotency_key_makes_one(self) -> None:
        headers = {"Idempotency-Key": "m-1"}
        body = {"title": "Stairs"}
        first = self.api("post", "/journal/milestones", user=self.cast.member, json_body=body, headers=headers)
        again = self.api("post", "/journal/milestones", user=self.cast.member, json_body=body, headers=headers)
        self.assertEqual(first.json(), again.json())
        self.assertEqual(Milestone.objects.count(), 1)

    def test_others_get_404_and_lists_hold_only_own(self) -> None:
        mine = make_milestone(self.cast.member)
        path = f"/journal/milestones/{mine.pk}"
        for user in (self.cast.facilitator, self.cast.staff, self.cast.outsider):
            self.assertProblem(self.api("get", path, user=user), 404)
            self.assertProblem(self.api("patch", path, user=user, json_body={"title": "x"}), 404)
            self.assertProblem(self.api("delete", path, user=user), 404)
            share = {"circle": self.cast.circle.slug}
            self.assertProblem(self.api("put", path + "/share", user=user, json_body=share), 404)
            self.assertProblem(self.api("delete", path + "/share", user=user), 404)
            self.assertEqual(self.api("get", "/journal/milestones", user=user).json()["items"], [])
        self.assertProblem(self.api("get", path), 401)
        self.assertProblem(self.api("get", "/journal/milestones"), 401)
        missing = self.api("get", f"/journal/milestones/{mine.pk + 1000}", user=self.cast.member)
        self.assertEqual(missing.json()["detail"], self.api("get", path, user=self.cast.staff).json()["detail"])
        self.assertEqual(Milestone.objects.get().title, "Walking with crutches")
        self.assertFalse(Topic.objects.exists())

    def test_bad_fields_are_422_and_named(self) -> None:
        cases = [
            ({"kind": "goal_reached"}, "kind"),
            ({"kind": "own"}, "title"),
            ({"happened_on": "2999-01-01"}, "happened_on"),
            ({"happened_on": 20250101}, "happened_on"),
            ({"title": "x" * 201}, "title"),
            ({"note": "x" * 2001}, "note"),
            ({"owner": 1}, "owner"),
        ]
        for body, field in cases:
            response = self.api("post", "/journal/milestones", user=self.cast.member, json_body=body)
            self.assertProblem(response, 422, field)
        self.assertFalse(Milestone.objects.exists())

    def test_weird_values_and_bodies_never_make_a_500(self) -> None:
        milestone = make_milestone(self.cast.member)
        for field in ("kind", "title", "happened_on", "note"):
            for value in WEIRD_VALUES:
                response = self.api("post", "/journal/milestones", user=self.cast.member, json_body={field: value})
                if response.status_code < 400:
                    Milestone.objects.exclude(pk=milestone.pk).delete()
                patch = self.api(
                    "patch", f"/journal/milestones/{milestone.pk}", user=self.cast.member, json_body={field: value}
                )
                self.assertLess(patch.status_code, 500)
        for field in ("circle", "message"):
            for value in WEIRD_VALUES:
                body = {"circle": self.cast.circle.slug, field: value}
                self.api("put", f"/journal/milestones/{milestone.pk}/share", user=self.cast.member, json_body=body)
        for raw in WEIRD_BODIES:
            response = self.api("post", "/journal/milestones", user=self.cast.member, raw=raw)
            self.assertIn(response.status_code, (400, 422), raw[:20])

    def test_odd_ids_and_cursors(self) -> None:
        for path in ("/journal/milestones/0", f"/journal/milestones/{10**30}", "/journal/milestones/abc"):
            self.assertIn(self.api("get", path, user=self.cast.member).status_code, (404, 422), path)
            self.assertIn(self.api("delete", path + "/share", user=self.cast.member).status_code, (404, 422), path)
        for query in ("?cursor=broken", "?cursor=W10", "?limit=0", "?limit=abc", "?limit=101"):
            self.assertEqual(self.api("get", "/journal/milestones" + query, user=self.cast.member).status_code, 422)

    def test_list_pages_newest_first_in_flat_queries(self) -> None:
        for day in range(1, 4):
            make_milestone(self.cast.member, happened_on=f"2025-01-0{day}")

        def count(limit: int) -> int:
            with CaptureQueriesContext(connection) as queries:
                response = self.api("get", f"/journal/milestones?limit={limit}", user=self.cast.member)
            self.assertEqual(response.status_code, 200)
            return len(queries)

        count(2)  # issues the token and notes its first use
        few = count(2)
        first = self.api("get", "/journal/milestones?limit=2", user=self.cast.member).json()
        self.assertEqual([i["happened_on"] for i in first["items"]], ["2025-01-03", "2025-01-02"])
        second = self.api("get", f"/journal/milestones?limit=2&cursor={first['next']}", user=self.cast.member).json()
        self.assertEqual(([i["happened_on"] for i in second["items"]], second["next"]), (["2025-01-01"], None))
        for n in range(30):
            milestone = make_milestone(self.cast.member)
            if n < 3:
                self.api(
                    "put",
                    f"/journal/milestones/{milestone.pk}/share",
                    user=self.cast.member,
                    json_body={"circle": self.cast.circle.slug},
                )
        self.assertEqual(count(50), few)


class ShareApiTests(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        cache.clear()
        self.milestone = make_milestone(self.cast.member, happened_on="2026-01-03")
        self.path = f"/journal/milestones/{self.milestone.pk}/share"

    def test_share_move_and_unshare(self) -> None:
        body = {"circle": self.cast.circle.slug, "message": "One crutch!"}
        response = self.api("put", self.path, user=self.cast.member, json_body=body)
        self.assertEqual(response.status_code, 200, response.content)
        topic = Topic.objects.get()
        self.assertEqual(
            response.json()["shared"],
            {
                "circle": {"slug": self.cast.circle.slug, "name": self.cast.circle.name},
                "topic_url": topic.get_absolute_url(),
                "topic_id": topic.pk,
            },
        )
        # Another member reads the celebration through the discussions API: the note is not there.
        friend = factories.make_member(self.cast.circle)
        seen = self.api("get", f"/topics/{topic.pk}", user=friend)
        self.assertEqual(seen.status_code, 200)
        self.assertNotIn(NOTE, seen.content.decode())
        self.assertProblem(self.api("get", f"/journal/milestones/{self.milestone.pk}", user=friend), 404)
        react = self.api("put", f"/posts/{Post.objects.get(topic=topic).pk}/reactions/celebrate", user=friend)
        self.assertLess(react.status_code, 300)
        other = factories.make_circle()
        factories.add_member(other, self.cast.member)
        moved = self.api("put", self.path, user=self.cast.member, json_body={"circle": other.slug})
        self.assertEqual(moved.json()["shared"]["circle"]["slug"], other.slug)
        self.assertEqual(Topic.objects.get().circle, other)
        response = self.api("delete", self.path, user=self.cast.member)
        self.assertIsNone(response.json()["shared"])
        self.assertFalse(Topic.objects.exists())

    def test_refusals(self) -> None:
        hidden = factories.make_circle(visibility=Circle.HIDDEN)
        for slug in (hidden.slug, "nope", ""):
            response = self.api("put", self.path, user=self.cast.member, json_body={"circle": slug})
            self.assertProblem(response, 422, "circle")
        self.assertProblem(self.api("put", self.path, user=self.cast.member, json_body={}), 422, "circle")
        body = {"circle": self.cast.circle.slug, "message": "m" * 501}
        self.assertProblem(self.api("put", self.path, user=self.cast.member, json_body=body), 422, "message")
        mine = make_milestone(self.cast.unverified)
        path = f"/journal/milestones/{mine.pk}/share"
        self.assertProblem(self.api("put", path, user=self.cast.unverified, json_body={"circle": "x"}), 403)
        self.assertFalse(Topic.objects.exists())
