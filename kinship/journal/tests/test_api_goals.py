"""API: /journal/goals, progress updates and done. The caller's own only (others 404), bad input 422 changing
nothing, never a 500, and flat query counts."""

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kinship.api.tests.base import ApiTestCase
from kinship.api.tests.test_robustness import WEIRD_BODIES, WEIRD_VALUES
from kinship.journal import goals
from kinship.journal.models import Goal, GoalUpdate, Milestone
from kinship.journal.tests.test_goals import TITLE, make_goal

FIELDS = {"id", "url", "title", "target_date", "progress", "done_at", "milestone_id", "created_at", "updated_at"}


class GoalApiTests(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        cache.clear()

    def test_member_sets_updates_and_finishes_a_goal(self) -> None:
        response = self.api(
            "post", "/journal/goals", user=self.cast.member, json_body={"title": TITLE, "target_date": "2026-09-01"}
        )
        self.assertEqual(response.status_code, 201, response.content)
        data = response.json()
        self.assertEqual(set(data), FIELDS | {"updates"})
        goal = Goal.objects.get()
        self.assertEqual((data["url"], data["progress"], data["updates"]), (f"/journal/goals/{goal.pk}/", 0, []))
        path = f"/journal/goals/{goal.pk}"
        first = self.api("post", path + "/updates", user=self.cast.member, json_body={"progress": 30, "note": "300 m"})
        self.assertEqual(first.status_code, 201)
        second = self.api("post", path + "/updates", user=self.cast.member, json_body={"progress": 55})
        self.assertEqual(second.json()["progress"], 55)
        self.assertEqual([u["progress"] for u in second.json()["updates"]], [55, 30])
        done = self.api("post", path + "/done", user=self.cast.member, json_body={"happened_on": "2026-01-05"})
        self.assertEqual(done.status_code, 200, done.content)
        milestone = Milestone.objects.get()
        self.assertEqual((done.json()["milestone_id"], done.json()["progress"]), (milestone.pk, 100))
        self.assertEqual(
            (done.json()["milestone"]["kind"], done.json()["milestone"]["title"], done.json()["milestone"]["goal_id"]),
            ("goal_reached", TITLE, goal.pk),
        )
        self.assertIsNotNone(done.json()["done_at"])
        again = self.api("post", path + "/done", user=self.cast.member, json_body={})
        self.assertEqual(again.json()["milestone_id"], milestone.pk)
        self.assertEqual(Milestone.objects.count(), 1)
        self.assertProblem(self.api("post", path + "/updates", user=self.cast.member, json_body={"progress": 5}), 409)

    def test_patch_and_delete(self) -> None:
        goal = make_goal(self.cast.member, target_date="2026-09-01")
        path = f"/journal/goals/{goal.pk}"
        response = self.api("patch", path, user=self.cast.member, json_body={"title": "Walk 2 km", "target_date": None})
        self.assertEqual((response.json()["title"], response.json()["target_date"]), ("Walk 2 km", None))
        self.assertEqual(self.api("delete", path, user=self.cast.member).status_code, 204)
        self.assertFalse(Goal.objects.exists())

    def test_others_get_404_and_lists_hold_only_own(self) -> None:
        goal = make_goal(self.cast.member)
        path = f"/journal/goals/{goal.pk}"
        for user in (self.cast.facilitator, self.cast.staff, self.cast.outsider):
            self.assertProblem(self.api("get", path, user=user), 404)
            self.assertProblem(self.api("patch", path, user=user, json_body={"title": "x"}), 404)
            self.assertProblem(self.api("delete", path, user=user), 404)
            self.assertProblem(self.api("post", path + "/updates", user=user, json_body={"progress": 5}), 404)
            self.assertProblem(self.api("post", path + "/done", user=user, json_body={}), 404)
            self.assertEqual(self.api("get", "/journal/goals", user=user).json()["items"], [])
        self.assertProblem(self.api("get", path), 401)
        goal.refresh_from_db()
        self.assertEqual((goal.title, goal.progress, goal.done_at), (TITLE, 0, None))
        self.assertFalse(Milestone.objects.exists())

    def test_bad_fields_are_422_and_change_nothing(self) -> None:
        goal = make_goal(self.cast.member)
        path = f"/journal/goals/{goal.pk}"
        for body, field in (
            ({"title": ""}, "title"),
            ({"title": "ok", "target_date": "2026-13-01"}, "target_date"),
            ({"title": "ok", "progress": 5}, "progress"),
        ):
            self.assertProblem(self.api("post", "/journal/goals", user=self.cast.member, json_body=body), 422, field)
        for body, field in (({"progress": 101}, "progress"), ({"progress": "5"}, "progress"), ({}, "progress")):
            self.assertProblem(self.api("post", path + "/updates", user=self.cast.member, json_body=body), 422, field)
        body = {"happened_on": "2999-01-01"}
        self.assertProblem(self.api("post", path + "/done", user=self.cast.member, json_body=body), 422, "happened_on")
        self.assertProblem(self.api("get", "/journal/goals?status=all", user=self.cast.member), 422, "status")
        self.assertEqual(Goal.objects.count(), 1)
        self.assertFalse(GoalUpdate.objects.exists())
        self.assertFalse(Milestone.objects.exists())

    def test_weird_values_and_bodies_never_make_a_500(self) -> None:
        goal = make_goal(self.cast.member)
        path = f"/journal/goals/{goal.pk}"
        for value in WEIRD_VALUES:
            for field in ("title", "target_date"):
                response = self.api("post", "/journal/goals", user=self.cast.member, json_body={field: value})
                if response.status_code < 400:
                    Goal.objects.exclude(pk=goal.pk).delete()
                self.api("patch", path, user=self.cast.member, json_body={field: value})
            for field in ("progress", "note"):
                self.api("post", path + "/updates", user=self.cast.member, json_body={"progress": 1, field: value})
                GoalUpdate.objects.all().delete()
            self.api("post", path + "/done", user=self.cast.member, json_body={"happened_on": value})
            Milestone.objects.all().delete()
            Goal.objects.filter(pk=goal.pk).update(done_at=None)
        for raw in WEIRD_BODIES:
            self.assertIn(self.api("post", "/journal/goals", user=self.cast.member, raw=raw).status_code, (400, 422))
            self.assertIn(self.api("post", path + "/updates", user=self.cast.member, raw=raw).status_code, (400, 422))
        for odd in ("0", str(10**30), "abc"):
            self.assertIn(self.api("get", f"/journal/goals/{odd}", user=self.cast.member).status_code, (404, 422))
            response = self.api("post", f"/journal/goals/{odd}/done", user=self.cast.member, json_body={})
            self.assertIn(response.status_code, (404, 422))

    def test_list_filters_pages_and_keeps_queries_flat(self) -> None:
        open_goal = make_goal(self.cast.member)
        done_goal = make_goal(self.cast.member, title="Drive")
        goals.mark_done(owner=self.cast.member, goal=done_goal)

        def ids(query: str) -> list[int]:
            return [g["id"] for g in self.api("get", "/journal/goals" + query, user=self.cast.member).json()["items"]]

        self.assertEqual(ids(""), [done_goal.pk, open_goal.pk])
        self.assertEqual(ids("?status=open"), [open_goal.pk])
        self.assertEqual(ids("?status=done"), [done_goal.pk])
        listed = self.api("get", "/journal/goals?limit=1", user=self.cast.member).json()
        self.assertEqual(set(listed["items"][0]), FIELDS)  # no updates in lists
        rest = self.api("get", f"/journal/goals?limit=1&cursor={listed['next']}", user=self.cast.member).json()
        self.assertEqual([g["id"] for g in rest["items"]], [open_goal.pk])

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                self.api("get", "/journal/goals?limit=100", user=self.cast.member)
            return len(queries)

        few = count()
        for n in range(30):
            goal = make_goal(self.cast.member)
            if n % 3 == 0:
                goals.mark_done(owner=self.cast.member, goal=goal)
        self.assertEqual(count(), few)

    def test_detail_queries_stay_flat(self) -> None:
        goal = make_goal(self.cast.member)
        path = f"/journal/goals/{goal.pk}"
        self.api("get", path, user=self.cast.member)

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                self.api("get", path, user=self.cast.member)
            return len(queries)

        few = count()
        for n in range(40):
            goals.record_progress(owner=self.cast.member, goal=goal, progress=n)
        self.assertEqual(count(), few)
        self.assertEqual(len(self.api("get", path, user=self.cast.member).json()["updates"]), 40)
