"""Goal pages: list and set, view and edit, progress, done and delete; others get 404; bad input is a 422 form
that changes nothing; query counts stay flat."""

from django.core.cache import cache
from django.urls import reverse

from kinship.core.testing import KinshipTestCase
from kinship.journal import goals
from kinship.journal.models import Goal, GoalUpdate, Milestone
from kinship.journal.tests.test_goals import TITLE, make_goal

LIST = reverse("journal:goals")
LOGIN = reverse("accounts:login")


def url(name: str, goal: Goal) -> str:
    return reverse(f"journal:goal-{name}", args=[goal.pk])


class SignedOutTests(KinshipTestCase):
    def test_visitors_are_sent_to_sign_in(self) -> None:
        goal = make_goal(self.cast.member)
        for path in (LIST, goal.get_absolute_url()):
            response = self.client.get(path)
            self.assertEqual(response.status_code, 302)
            self.assertIn(LOGIN, response["Location"])
        for name in ("update", "done", "delete"):
            self.assertEqual(self.client.post(url(name, goal), {"progress": "5"}).status_code, 302)
        self.assertFalse(GoalUpdate.objects.exists())


class GoalListTests(KinshipTestCase):
    def test_member_sees_own_open_and_reached_goals(self) -> None:
        open_goal = make_goal(self.cast.member)
        reached = make_goal(self.cast.member, title="Back at school")
        goals.mark_done(owner=self.cast.member, goal=reached)
        theirs = make_goal(self.cast.facilitator, title="Fiona's private goal")
        self.client.force_login(self.cast.member)
        response = self.client.get(LIST)
        self.assertEqual(response.context["open_page"].items, [open_goal])
        self.assertEqual(response.context["done_page"].items, [reached])
        self.assertNotContains(response, theirs.get_absolute_url())
        self.assertContains(response, '<progress max="100" value="0"')

    def test_member_sets_a_goal(self) -> None:
        self.client.force_login(self.cast.member)
        response = self.client.post(LIST, {"title": TITLE, "target_date": "2026-10-01"})
        goal = Goal.objects.get()
        self.assertRedirects(response, goal.get_absolute_url())
        self.assertEqual(goal.owner, self.cast.member)

    def test_bad_input_is_422_and_saves_nothing(self) -> None:
        self.client.force_login(self.cast.member)
        for data, text in (
            ({"title": ""}, "Title cannot be empty"),
            ({"title": "x" * 201}, "200"),
            ({"title": "ok", "target_date": "01/10/2026"}, "YYYY-MM-DD"),
            ({"title": "\x00"}, "Title"),
        ):
            self.assertContains(self.client.post(LIST, data), text, status_code=422, msg_prefix=str(data))
        self.assertFalse(Goal.objects.exists())
        self.assertEqual(self.client.get(LIST, {"open": "broken"}).status_code, 422)
        self.assertEqual(self.client.get(LIST, {"done": "W10"}).status_code, 422)

    def test_list_queries_stay_flat(self) -> None:
        make_goal(self.cast.member)
        self.client.force_login(self.cast.member)
        self.client.get(LIST)
        with self.assertNumQueries(4):
            self.client.get(LIST)
        for n in range(30):
            goal = make_goal(self.cast.member)
            if n % 2:
                goals.mark_done(owner=self.cast.member, goal=goal)
        with self.assertNumQueries(4):
            self.client.get(LIST)


class GoalDetailTests(KinshipTestCase):
    def setUp(self) -> None:
        cache.clear()
        self.goal = make_goal(self.cast.member)

    def test_owner_sees_updates_with_sanitised_notes(self) -> None:
        goals.record_progress(owner=self.cast.member, goal=self.goal, progress=40, note="<script>x</script> *slow*")
        self.client.force_login(self.cast.member)
        response = self.client.get(self.goal.get_absolute_url())
        self.assertContains(response, "<em>slow</em>", html=True)
        self.assertNotContains(response, "<script>x</script>")
        self.assertContains(response, "40%")

    def test_everyone_else_gets_404(self) -> None:
        for user in (self.cast.facilitator, self.cast.staff, self.cast.outsider):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.goal.get_absolute_url()).status_code, 404)
            self.assertEqual(self.client.post(self.goal.get_absolute_url(), {"title": "x"}).status_code, 404)
            for name in ("update", "done", "delete"):
                self.assertEqual(self.client.post(url(name, self.goal), {"progress": "5"}).status_code, 404)
        self.goal.refresh_from_db()
        self.assertEqual((self.goal.title, self.goal.progress, self.goal.done_at), (TITLE, 0, None))

    def test_odd_ids_are_404(self) -> None:
        self.client.force_login(self.cast.member)
        for path in ("/journal/goals/0/", f"/journal/goals/{10**25}/", "/journal/goals/\u0663/", "/journal/goals/x/"):
            self.assertEqual(self.client.get(path).status_code, 404, path)
            self.assertEqual(self.client.post(path.rstrip("/") + "/update/", {"progress": "1"}).status_code, 404)

    def test_owner_edits(self) -> None:
        self.client.force_login(self.cast.member)
        response = self.client.post(self.goal.get_absolute_url(), {"title": "Walk 2 km", "target_date": ""})
        self.assertRedirects(response, self.goal.get_absolute_url())
        self.goal.refresh_from_db()
        self.assertEqual(self.goal.title, "Walk 2 km")
        response = self.client.post(self.goal.get_absolute_url(), {"title": "", "target_date": "2026-02-30"})
        self.assertContains(response, "real date", status_code=422)
        self.goal.refresh_from_db()
        self.assertEqual(self.goal.title, "Walk 2 km")

    def test_progress_then_done(self) -> None:
        self.client.force_login(self.cast.member)
        response = self.client.post(url("update", self.goal), {"progress": "60", "note": "Halfway and more"})
        self.assertRedirects(response, self.goal.get_absolute_url())
        self.goal.refresh_from_db()
        self.assertEqual(self.goal.progress, 60)
        response = self.client.post(url("done", self.goal), {"happened_on": "2026-01-02"})
        self.assertRedirects(response, self.goal.get_absolute_url())
        milestone = Milestone.objects.get()
        page = self.client.get(self.goal.get_absolute_url())
        self.assertContains(page, milestone.get_absolute_url())
        self.assertNotContains(page, "Save progress")
        response = self.client.post(url("update", self.goal), {"progress": "70"})
        self.assertContains(response, "This goal is done", status_code=409)

    def test_bad_progress_and_date_are_422_and_change_nothing(self) -> None:
        self.client.force_login(self.cast.member)
        for data in ({"progress": "150"}, {"progress": ""}, {"progress": "ten"}, {"progress": "5", "note": "x" * 2001}):
            response = self.client.post(url("update", self.goal), data)
            self.assertEqual(response.status_code, 422, data)
        self.assertContains(self.client.post(url("update", self.goal), {"progress": "-3"}), "0 to 100", status_code=422)
        response = self.client.post(url("done", self.goal), {"happened_on": "2999-01-01"})
        self.assertContains(response, "future", status_code=422)
        self.assertFalse(GoalUpdate.objects.exists())
        self.assertFalse(Milestone.objects.exists())

    def test_owner_deletes(self) -> None:
        self.client.force_login(self.cast.member)
        self.assertRedirects(self.client.post(url("delete", self.goal)), LIST)
        self.assertFalse(Goal.objects.exists())

    def test_detail_queries_stay_flat(self) -> None:
        goals.record_progress(owner=self.cast.member, goal=self.goal, progress=1)
        self.client.force_login(self.cast.member)
        self.client.get(self.goal.get_absolute_url())
        with self.assertNumQueries(5):
            self.client.get(self.goal.get_absolute_url())
        for n in range(40):
            goals.record_progress(owner=self.cast.member, goal=self.goal, progress=n, note="step")
        with self.assertNumQueries(5):
            self.client.get(self.goal.get_absolute_url())
