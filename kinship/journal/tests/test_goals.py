"""Goal services: set, edit, progress updates, done as a milestone, delete; refusals change nothing."""

import datetime as dt
from typing import Any

from django.core.cache import cache
from django.http import Http404
from django.utils import timezone

from kinship.core.errors import Conflict, Invalid, RateLimited
from kinship.core.testing import KinshipTestCase
from kinship.journal import goals
from kinship.journal.models import Goal, GoalUpdate, Milestone

TITLE = "Walk 1 km without crutches"


def make_goal(owner: Any, **fields: Any) -> Goal:
    fields.setdefault("title", TITLE)
    return goals.add_goal(owner=owner, **fields)


class AddAndEditGoalTests(KinshipTestCase):
    def test_member_sets_a_goal(self) -> None:
        goal = make_goal(self.cast.member, target_date="2026-09-01")
        self.assertEqual((goal.title, goal.target_date, goal.progress), (TITLE, dt.date(2026, 9, 1), 0))
        self.assertFalse(goal.is_done)

    def test_bad_fields_are_named_and_nothing_is_saved(self) -> None:
        far = timezone.localdate().year + goals.TARGET_YEARS_AHEAD + 1
        cases: list[tuple[dict[str, Any], str]] = [
            ({"title": ""}, "title"),
            ({"title": "   "}, "title"),
            ({"title": None}, "title"),
            ({"title": "x" * 201}, "title"),
            ({"title": ["x"]}, "title"),
            ({"title": "ok", "target_date": f"{far}-01-01"}, "target_date"),
            ({"title": "ok", "target_date": "1800-01-01"}, "target_date"),
            ({"title": "ok", "target_date": "tomorrow"}, "target_date"),
            ({"title": "ok", "target_date": 5}, "target_date"),
        ]
        for data, field in cases:
            with self.assertRaises(Invalid, msg=data) as caught:
                goals.add_goal(owner=self.cast.member, **data)
            self.assertIn(field, caught.exception.errors)
        self.assertFalse(Goal.objects.exists())

    def test_owner_edits_and_clears_the_target(self) -> None:
        goal = make_goal(self.cast.member, target_date="2026-09-01")
        goals.edit_goal(owner=self.cast.member, goal=goal, changes={"title": "Walk 2 km", "target_date": None})
        goal.refresh_from_db()
        self.assertEqual((goal.title, goal.target_date), ("Walk 2 km", None))

    def test_bad_edits_and_other_people_change_nothing(self) -> None:
        goal = make_goal(self.cast.member)
        for changes in ({"title": ""}, {"progress": 50}, {"target_date": "soon"}):
            with self.assertRaises(Invalid):
                goals.edit_goal(owner=self.cast.member, goal=goal, changes=changes)
        for user in (self.cast.facilitator, self.cast.staff):
            with self.assertRaises(Http404):
                goals.edit_goal(owner=user, goal=goal, changes={"title": "Theirs"})
            with self.assertRaises(Http404):
                goals.record_progress(owner=user, goal=goal, progress=5)
            with self.assertRaises(Http404):
                goals.mark_done(owner=user, goal=goal)
            with self.assertRaises(Http404):
                goals.delete_goal(owner=user, goal=goal)
        self.assertEqual(Goal.objects.get().title, TITLE)
        self.assertFalse(GoalUpdate.objects.exists())


class ProgressTests(KinshipTestCase):
    def setUp(self) -> None:
        cache.clear()
        self.goal = make_goal(self.cast.member)

    def test_updates_move_the_goal_to_the_latest_figure(self) -> None:
        goals.record_progress(owner=self.cast.member, goal=self.goal, progress=30, note="300 m today")
        goals.record_progress(owner=self.cast.member, goal=self.goal, progress="20")
        self.goal.refresh_from_db()
        self.assertEqual(self.goal.progress, 20)
        _, updates = goals.detail(self.goal)
        self.assertEqual([u.progress for u in updates], [20, 30])

    def test_bad_progress_is_refused(self) -> None:
        for value in (-1, 101, "101", "abc", "", None, 1.5, True, "\u0665", "  ", [50], "5" * 30):
            with self.assertRaises(Invalid, msg=repr(value)):
                goals.record_progress(owner=self.cast.member, goal=self.goal, progress=value)
        with self.assertRaises(Invalid):
            goals.record_progress(owner=self.cast.member, goal=self.goal, progress=5, note="x" * 2001)
        self.assertFalse(GoalUpdate.objects.exists())
        self.goal.refresh_from_db()
        self.assertEqual(self.goal.progress, 0)

    def test_no_updates_once_done(self) -> None:
        goals.mark_done(owner=self.cast.member, goal=self.goal)
        with self.assertRaises(Conflict):
            goals.record_progress(owner=self.cast.member, goal=self.goal, progress=50)

    def test_updates_are_rate_limited(self) -> None:
        for _ in range(goals.UPDATES_PER_HOUR):
            goals.record_progress(owner=self.cast.member, goal=self.goal, progress=1)
        with self.assertRaises(RateLimited):
            goals.record_progress(owner=self.cast.member, goal=self.goal, progress=2)
        self.assertEqual(GoalUpdate.objects.count(), goals.UPDATES_PER_HOUR)


class DoneTests(KinshipTestCase):
    def test_done_marks_the_goal_and_records_a_milestone(self) -> None:
        goal = make_goal(self.cast.member)
        goals.mark_done(owner=self.cast.member, goal=goal, happened_on="2026-01-05")
        goal.refresh_from_db()
        self.assertIsNotNone(goal.done_at)
        self.assertEqual(goal.progress, 100)
        milestone = Milestone.objects.get()
        self.assertEqual(
            (milestone.owner, milestone.kind, milestone.goal, milestone.title, milestone.happened_on),
            (self.cast.member, "goal_reached", goal, TITLE, dt.date(2026, 1, 5)),
        )
        self.assertEqual(goals.milestone_of(goals.owned(self.cast.member).get()), milestone)

    def test_done_twice_makes_one_milestone(self) -> None:
        goal = make_goal(self.cast.member)
        goals.mark_done(owner=self.cast.member, goal=goal)
        goals.mark_done(owner=self.cast.member, goal=goal)
        self.assertEqual(Milestone.objects.count(), 1)
        self.assertEqual(Milestone.objects.get().happened_on, timezone.localdate())

    def test_bad_date_changes_nothing(self) -> None:
        goal = make_goal(self.cast.member)
        for value in ("2999-01-01", "nope", 5):
            with self.assertRaises(Invalid):
                goals.mark_done(owner=self.cast.member, goal=goal, happened_on=value)
        goal.refresh_from_db()
        self.assertFalse(goal.is_done)
        self.assertFalse(Milestone.objects.exists())

    def test_deleting_the_goal_keeps_its_milestone(self) -> None:
        goal = make_goal(self.cast.member)
        goals.record_progress(owner=self.cast.member, goal=goal, progress=50)
        goals.mark_done(owner=self.cast.member, goal=goal)
        goals.delete_goal(owner=self.cast.member, goal=goal)
        self.assertFalse(Goal.objects.exists())
        self.assertFalse(GoalUpdate.objects.exists())
        self.assertIsNone(Milestone.objects.get().goal)


class ListTests(KinshipTestCase):
    def test_status_filter_and_own_rows_only(self) -> None:
        open_goal = make_goal(self.cast.member)
        done_goal = make_goal(self.cast.member, title="Drive again")
        goals.mark_done(owner=self.cast.member, goal=done_goal)
        make_goal(self.cast.facilitator)

        def ids(state: str | None) -> list[int]:
            return [g.pk for g in goals.page_for(self.cast.member, state, cursor=None, limit=20).items]

        self.assertEqual(ids(None), [done_goal.pk, open_goal.pk])
        self.assertEqual(ids(goals.OPEN), [open_goal.pk])
        self.assertEqual(ids(goals.DONE), [done_goal.pk])
        for value in ("all", "\x00", ["open"]):
            with self.assertRaises(Invalid):
                goals.status(value)
