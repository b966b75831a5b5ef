"""Milestone services: recording, editing and deleting, with their rules; nothing changes on bad input."""

import datetime as dt
from typing import Any

from django.core.cache import cache
from django.http import Http404
from django.utils import timezone

from kinship.circles.models import Membership
from kinship.core import factories
from kinship.core.errors import Invalid
from kinship.core.testing import KinshipTestCase
from kinship.discussions.models import Post, Topic
from kinship.journal import demo_milestones, milestones
from kinship.journal.models import Goal, GoalUpdate, Milestone

NOTE = "Physio said the quad is finally waking up. Cried a bit in the car."


def make_milestone(owner: Any, **fields: Any) -> Milestone:
    fields.setdefault("kind", "crutches")
    fields.setdefault("happened_on", timezone.localdate() - dt.timedelta(days=3))
    fields.setdefault("note", NOTE)
    return milestones.add_milestone(owner=owner, **fields)


class AddMilestoneTests(KinshipTestCase):
    def test_template_kind_with_blank_title_takes_its_words(self) -> None:
        milestone = milestones.add_milestone(owner=self.cast.member, kind="prosthesis_steps", happened_on="2025-06-01")
        self.assertEqual(milestone.title, "First steps with a prosthesis")
        self.assertEqual(milestone.happened_on, dt.date(2025, 6, 1))
        self.assertEqual(milestone.owner, self.cast.member)

    def test_own_words_and_today_by_default(self) -> None:
        milestone = milestones.add_milestone(owner=self.cast.member, title="  Climbed the stairs at school  ")
        self.assertEqual((milestone.kind, milestone.title), (Milestone.OWN, "Climbed the stairs at school"))
        self.assertEqual(milestone.happened_on, timezone.localdate())

    def test_bad_fields_are_named_and_nothing_is_saved(self) -> None:
        cases: list[tuple[dict[str, Any], str]] = [
            ({"kind": Milestone.OWN, "title": ""}, "title"),
            ({"kind": "goal_reached"}, "kind"),
            ({"kind": "flying"}, "kind"),
            ({"kind": ["standing"]}, "kind"),
            ({"title": "x" * 201}, "title"),
            ({"title": "a\x00b"}, "title"),
            ({"title": "Mia\u202eadmin"}, "title"),
            ({"title": 5}, "title"),
            ({"happened_on": (timezone.localdate() + dt.timedelta(days=2)).isoformat()}, "happened_on"),
            ({"happened_on": "1899-12-31"}, "happened_on"),
            ({"happened_on": "2025-02-30"}, "happened_on"),
            ({"happened_on": "yesterday"}, "happened_on"),
            ({"happened_on": "\u0662\u0660\u0662\u0665-01-01"}, "happened_on"),
            ({"happened_on": 20250101}, "happened_on"),
            ({"note": "x" * 2001}, "note"),
            ({"note": ["a"]}, "note"),
        ]
        for change, field in cases:
            data: dict[str, Any] = {"kind": "standing", **change}
            with self.assertRaises(Invalid, msg=change) as caught:
                milestones.add_milestone(owner=self.cast.member, **data)
            self.assertIn(field, caught.exception.errors, change)
        self.assertFalse(Milestone.objects.exists())

    def test_several_problems_are_reported_together(self) -> None:
        with self.assertRaises(Invalid) as caught:
            milestones.add_milestone(owner=self.cast.member, kind="nope", happened_on="soon", note="x" * 2001)
        self.assertEqual(set(caught.exception.errors), {"kind", "happened_on", "note"})


class EditMilestoneTests(KinshipTestCase):
    def test_owner_changes_fields(self) -> None:
        milestone = make_milestone(self.cast.member)
        milestones.edit_milestone(
            owner=self.cast.member,
            milestone=milestone,
            changes={"kind": Milestone.OWN, "title": "Stairs!", "happened_on": "2025-01-02", "note": ""},
        )
        milestone.refresh_from_db()
        self.assertEqual(
            (milestone.kind, milestone.title, milestone.happened_on, milestone.note),
            (Milestone.OWN, "Stairs!", dt.date(2025, 1, 2), ""),
        )

    def test_blank_title_on_a_template_takes_its_words(self) -> None:
        milestone = make_milestone(self.cast.member, title="My own")
        milestones.edit_milestone(owner=self.cast.member, milestone=milestone, changes={"title": ""})
        self.assertEqual(milestone.title, "Walking with crutches")

    def test_bad_changes_are_refused_and_nothing_changes(self) -> None:
        milestone = make_milestone(self.cast.member)
        for changes in (
            {"kind": "goal_reached"},
            {"happened_on": "2999-01-01"},
            {"owner": 5},
            {"kind": Milestone.OWN, "title": ""},
            {"title": "ok", "note": "x" * 2001},
        ):
            with self.assertRaises(Invalid, msg=changes):
                milestones.edit_milestone(owner=self.cast.member, milestone=milestone, changes=changes)
        fresh = Milestone.objects.get()
        self.assertEqual((fresh.kind, fresh.title, fresh.note), ("crutches", "Walking with crutches", NOTE))

    def test_someone_else_cannot_edit_or_delete_through_the_service(self) -> None:
        milestone = make_milestone(self.cast.member)
        for user in (self.cast.facilitator, self.cast.staff, self.cast.outsider):
            with self.assertRaises(Http404):
                milestones.edit_milestone(owner=user, milestone=milestone, changes={"title": "mine now"})
            with self.assertRaises(Http404):
                milestones.delete_milestone(owner=user, milestone=milestone)
        self.assertTrue(Milestone.objects.filter(pk=milestone.pk, title="Walking with crutches").exists())


class DeleteAndListTests(KinshipTestCase):
    def test_owner_deletes(self) -> None:
        milestone = make_milestone(self.cast.member)
        milestones.delete_milestone(owner=self.cast.member, milestone=milestone)
        self.assertFalse(Milestone.objects.exists())

    def test_page_is_the_owners_own_newest_first(self) -> None:
        old = make_milestone(self.cast.member, happened_on="2024-01-01")
        new = make_milestone(self.cast.member, happened_on="2025-01-01")
        make_milestone(self.cast.facilitator)
        page = milestones.page_for(self.cast.member, cursor=None, limit=1)
        self.assertEqual(page.items, [new])
        page = milestones.page_for(self.cast.member, cursor=page.next, limit=1)
        self.assertEqual((page.items, page.next), ([old], None))


class ShareableCirclesTests(KinshipTestCase):
    def test_only_circles_the_member_may_post_in(self) -> None:
        other = factories.make_circle(name="Amputation and prosthetics")
        factories.add_member(other, self.cast.member)
        pending = factories.make_circle(name="Waiting room")
        factories.add_member(pending, self.cast.member, status=Membership.PENDING)
        removed = factories.make_circle(name="Left behind")
        factories.add_member(removed, self.cast.member, status=Membership.REMOVED)
        self.assertEqual(milestones.shareable_circles(self.cast.member), [other, self.cast.circle])
        self.assertEqual(milestones.shareable_circles(self.cast.unverified), [])
        self.assertEqual(milestones.shareable_circles(self.cast.outsider), [])


class DemoTests(KinshipTestCase):
    def test_seed_fills_journals_and_shares_one_celebration_once(self) -> None:
        cache.clear()
        circle = factories.make_circle(slug="osteosarcoma-young-adults")
        people = {key: factories.make_member(circle) for key in ("maya", "leo", "priya", "daniel", "amara")}
        made = demo_milestones.seed(people, {circle.slug: circle})
        self.assertEqual(made, len(demo_milestones.MILESTONES))
        self.assertEqual(Goal.objects.count(), len(demo_milestones.GOALS))
        self.assertEqual(GoalUpdate.objects.count(), 3)
        topic = Topic.objects.get(is_celebration=True)
        self.assertEqual(topic.circle, circle)
        opening = Post.objects.get(topic=topic, is_opening=True)
        self.assertEqual(opening.celebrate_count, 2)
        self.assertNotIn("quad", opening.body)
        self.assertEqual(demo_milestones.seed(people, {circle.slug: circle}), 0)
        self.assertEqual(Milestone.objects.count(), made)
