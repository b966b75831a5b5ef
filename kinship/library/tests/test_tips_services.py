"""Member tips: the access rules, every service, and the demo data."""

from typing import Any

from django.http import Http404
from django.utils import timezone

from kinship.circles.models import Circle, Membership
from kinship.core import factories
from kinship.core.errors import Conflict, Invalid, NotAllowed, RateLimited
from kinship.core.testing import KinshipTestCase
from kinship.library import demo_tips, tips
from kinship.library.models import PAIN, PHYSIO, THEMES, Tip, TipVote

BODY = "A cushion under the knee at night helped me sleep through."


def make_tip(author=None, *, theme: str = PAIN, body: str = BODY, **fields: Any) -> Tip:
    """A tip written straight to the table (no rate limit), for tests that need many."""
    author = author or factories.make_user()
    return Tip.objects.create(author=author, theme=theme, body=body, body_html=f"<p>{body}</p>", **fields)


class AccessTests(KinshipTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tip = make_tip(cls.cast.member)
        cls.hidden = make_tip(cls.cast.member, body="Hidden words", hidden=True)
        cls.deleted = make_tip(cls.cast.member, body="", deleted_at=timezone.now())

    def visible(self, user) -> set[int]:
        return set(tips.visible_tips(user).values_list("pk", flat=True))

    def test_visitors_see_no_tips(self):
        from django.contrib.auth.models import AnonymousUser

        self.assertEqual(self.visible(AnonymousUser()), set())
        with self.assertRaises(Http404):
            tips.get_tip_for(AnonymousUser(), self.tip.pk)

    def test_members_outsiders_and_unverified_people_see_visible_tips_only(self):
        for user in (self.cast.member, self.cast.outsider, self.cast.unverified, self.cast.pending):
            with self.subTest(user=user.display_name):
                self.assertEqual(self.visible(user), {self.tip.pk})
                with self.assertRaises(Http404):
                    tips.get_tip_for(user, self.hidden.pk)

    def test_facilitators_and_staff_also_see_hidden_tips_but_nobody_deleted_ones(self):
        for user in (self.cast.facilitator, self.cast.staff):
            with self.subTest(user=user.display_name):
                self.assertEqual(self.visible(user), {self.tip.pk, self.hidden.pk})
                with self.assertRaises(Http404):
                    tips.get_tip_for(user, self.deleted.pk)

    def test_the_author_does_not_see_their_own_hidden_or_deleted_tip(self):
        for tip in (self.hidden, self.deleted):
            with self.assertRaises(Http404):
                tips.get_tip_for(self.cast.member, tip.pk)

    def test_odd_ids_are_404(self):
        for value in ("abc", -1, 0, 2**63, None, "1; DROP TABLE", 10**30):
            with self.subTest(value=value), self.assertRaises(Http404):
                tips.get_tip_for(self.cast.member, value)

    def test_curators_are_staff_and_active_facilitators_of_any_circle(self):
        self.assertTrue(tips.can_curate(self.cast.staff))
        self.assertTrue(tips.can_curate(self.cast.facilitator))
        for user in (self.cast.member, self.cast.outsider, self.cast.pending, self.cast.unverified):
            self.assertFalse(tips.can_curate(user))
        hidden_circle = factories.make_circle(visibility=Circle.HIDDEN)
        leader = factories.make_user()
        factories.add_member(hidden_circle, leader, role=Membership.FACILITATOR)
        self.assertTrue(tips.can_curate(leader))

    def test_removed_or_pending_facilitators_do_not_curate(self):
        for status in (Membership.REMOVED, Membership.PENDING):
            with self.subTest(status=status):
                user = factories.make_user()
                factories.add_member(factories.make_circle(), user, role=Membership.FACILITATOR, status=status)
                self.assertFalse(tips.can_curate(user))

    def test_who_may_mark_helpful(self):
        self.assertTrue(tips.can_mark_helpful(self.cast.outsider, self.tip))
        self.assertFalse(tips.can_mark_helpful(self.cast.member, self.tip))  # own tip
        self.assertFalse(tips.can_mark_helpful(self.cast.unverified, self.tip))
        self.assertFalse(tips.can_mark_helpful(self.cast.facilitator, self.hidden))

    def test_only_the_author_edits_and_deletes(self):
        self.assertTrue(tips.can_edit(self.cast.member, self.tip))
        for user in (self.cast.outsider, self.cast.facilitator, self.cast.staff):
            self.assertFalse(tips.can_edit(user, self.tip))
            self.assertFalse(tips.can_delete(user, self.tip))
        self.assertFalse(tips.can_edit(self.cast.member, self.deleted))


class PostTipTests(KinshipTestCase):
    def test_verified_member_posts_a_tip_rendered_from_markdown(self):
        tip = tips.post_tip(author=self.cast.member, theme=PHYSIO, body="Set an **alarm** for your exercises.")
        self.assertEqual(tip.theme, PHYSIO)
        self.assertEqual(tip.author, self.cast.member)
        self.assertIn("<strong>alarm</strong>", tip.body_html)

    def test_markdown_is_sanitised(self):
        body = '<script>alert(1)</script> [click](javascript:alert(2)) <img src=x onerror="alert(3)">'
        tip = tips.post_tip(author=self.cast.member, theme=PAIN, body=body)
        self.assertNotIn("<script", tip.body_html)
        self.assertNotIn('href="javascript', tip.body_html)
        self.assertNotIn("<img", tip.body_html)
        self.assertIn("&lt;script&gt;", tip.body_html)

    def test_unverified_people_may_not_post(self):
        with self.assertRaises(NotAllowed):
            tips.post_tip(author=self.cast.unverified, theme=PAIN, body=BODY)
        self.assertFalse(Tip.objects.exists())

    def test_bad_input_is_refused_and_nothing_is_saved(self):
        cases = [
            (PAIN, "", "body"),
            (PAIN, "   ", "body"),
            (PAIN, None, "body"),
            (PAIN, 5, "body"),
            (PAIN, ["a list"], "body"),
            (PAIN, "nul \x00 byte", "body"),
            (PAIN, "x" * (Tip.BODY_MAX + 1), "body"),
            ("", BODY, "theme"),
            (None, BODY, "theme"),
            ("cooking", BODY, "theme"),
            (7, BODY, "theme"),
            (["pain"], BODY, "theme"),
        ]
        for theme, body, field in cases:
            with self.subTest(theme=theme, body=str(body)[:20]), self.assertRaises(Invalid) as caught:
                tips.post_tip(author=self.cast.member, theme=theme, body=body)
            self.assertIn(field, caught.exception.errors)
        self.assertFalse(Tip.objects.exists())

    def test_the_limit_names_the_number(self):
        with self.assertRaises(Invalid) as caught:
            tips.post_tip(author=self.cast.member, theme=PAIN, body="x" * 1001)
        self.assertIn("1,001", caught.exception.detail)
        self.assertIn("1,000", caught.exception.detail)

    def test_both_bad_fields_are_named_at_once(self):
        with self.assertRaises(Invalid) as caught:
            tips.post_tip(author=self.cast.member, theme="nope", body="")
        self.assertEqual(set(caught.exception.errors), {"theme", "body"})

    def test_a_double_submit_makes_one_tip(self):
        first = tips.post_tip(author=self.cast.member, theme=PAIN, body=BODY)
        again = tips.post_tip(author=self.cast.member, theme=PAIN, body=BODY)
        self.assertEqual(first.pk, again.pk)
        self.assertEqual(Tip.objects.count(), 1)

    def test_ten_tips_an_hour_then_rate_limited(self):
        for i in range(tips.TIPS_PER_HOUR):
            tips.post_tip(author=self.cast.member, theme=PAIN, body=f"Tip number {i}")
        with self.assertRaises(RateLimited) as caught:
            tips.post_tip(author=self.cast.member, theme=PAIN, body="One too many")
        self.assertGreater(caught.exception.retry_after, 0)
        self.assertEqual(Tip.objects.count(), tips.TIPS_PER_HOUR)
        # Another member has their own allowance.
        tips.post_tip(author=self.cast.outsider, theme=PAIN, body="Mine")


class EditDeleteTests(KinshipTestCase):
    def setUp(self) -> None:
        self.tip = tips.post_tip(author=self.cast.member, theme=PAIN, body=BODY)

    def test_author_edits_words_and_theme(self):
        tips.edit_tip(editor=self.cast.member, tip=self.tip, changes={"theme": PHYSIO, "body": "Now *better*"})
        self.tip.refresh_from_db()
        self.assertEqual((self.tip.theme, self.tip.body), (PHYSIO, "Now *better*"))
        self.assertIn("<em>better</em>", self.tip.body_html)

    def test_others_may_not_edit_or_delete(self):
        for user in (self.cast.outsider, self.cast.facilitator, self.cast.staff):
            with self.assertRaises(NotAllowed):
                tips.edit_tip(editor=user, tip=self.tip, changes={"body": "Mine now"})
            with self.assertRaises(NotAllowed):
                tips.delete_tip(actor=user, tip=self.tip)
        self.tip.refresh_from_db()
        self.assertEqual(self.tip.body, BODY)
        self.assertIsNone(self.tip.deleted_at)

    def test_bad_edit_changes_nothing(self):
        for changes in ({"body": ""}, {"theme": "x"}, {"hidden": True}, {"body": "y" * 1001}):
            with self.subTest(changes=str(changes)[:30]), self.assertRaises(Invalid):
                tips.edit_tip(editor=self.cast.member, tip=self.tip, changes=changes)
        self.tip.refresh_from_db()
        self.assertEqual((self.tip.theme, self.tip.body), (PAIN, BODY))

    def test_delete_is_soft_and_removes_the_words_and_the_feature(self):
        tips.feature_tip(curator=self.cast.facilitator, tip=self.tip)
        tips.delete_tip(actor=self.cast.member, tip=self.tip)
        self.tip.refresh_from_db()
        self.assertIsNotNone(self.tip.deleted_at)
        self.assertEqual((self.tip.body, self.tip.body_html), ("", ""))
        self.assertIsNone(self.tip.featured_at)
        with self.assertRaises(NotAllowed):
            tips.edit_tip(editor=self.cast.member, tip=self.tip, changes={"body": "Back"})


class CurateTests(KinshipTestCase):
    def setUp(self) -> None:
        self.tip = tips.post_tip(author=self.cast.member, theme=PAIN, body=BODY)

    def test_facilitator_features_and_unfeatures(self):
        tips.feature_tip(curator=self.cast.facilitator, tip=self.tip)
        self.tip.refresh_from_db()
        self.assertIsNotNone(self.tip.featured_at)
        self.assertEqual(self.tip.featured_by, self.cast.facilitator)
        tips.feature_tip(curator=self.cast.staff, tip=self.tip, featured=False)
        self.tip.refresh_from_db()
        self.assertIsNone(self.tip.featured_at)

    def test_members_may_not_feature_or_hide(self):
        for user in (self.cast.member, self.cast.outsider, self.cast.unverified):
            with self.assertRaises(NotAllowed):
                tips.feature_tip(curator=user, tip=self.tip)
            with self.assertRaises(NotAllowed):
                tips.hide_tip(curator=user, tip=self.tip)
        self.tip.refresh_from_db()
        self.assertIsNone(self.tip.featured_at)
        self.assertFalse(self.tip.hidden)

    def test_hiding_unfeatures_and_a_hidden_tip_cannot_be_featured(self):
        tips.feature_tip(curator=self.cast.facilitator, tip=self.tip)
        tips.hide_tip(curator=self.cast.facilitator, tip=self.tip)
        self.tip.refresh_from_db()
        self.assertTrue(self.tip.hidden)
        self.assertIsNone(self.tip.featured_at)
        with self.assertRaises(Conflict):
            tips.feature_tip(curator=self.cast.staff, tip=self.tip)
        tips.hide_tip(curator=self.cast.staff, tip=self.tip, hidden=False)
        self.tip.refresh_from_db()
        self.assertFalse(self.tip.hidden)

    def test_a_deleted_tip_cannot_be_curated(self):
        tips.delete_tip(actor=self.cast.member, tip=self.tip)
        with self.assertRaises(Conflict):
            tips.feature_tip(curator=self.cast.staff, tip=self.tip)
        with self.assertRaises(Conflict):
            tips.hide_tip(curator=self.cast.staff, tip=self.tip)


class HelpfulTests(KinshipTestCase):
    def setUp(self) -> None:
        self.tip = tips.post_tip(author=self.cast.member, theme=PAIN, body=BODY)

    def count(self) -> int:
        self.tip.refresh_from_db()
        return self.tip.helpful_count

    def test_one_helpful_per_member(self):
        self.assertTrue(tips.mark_helpful(member=self.cast.outsider, tip=self.tip))
        self.assertEqual(self.tip.helpful_count, 1)
        self.assertFalse(tips.mark_helpful(member=self.cast.outsider, tip=self.tip))
        self.assertEqual(self.tip.helpful_count, 1)
        self.assertTrue(tips.mark_helpful(member=self.cast.facilitator, tip=self.tip))
        self.assertEqual(self.count(), 2)
        self.assertEqual(TipVote.objects.filter(tip=self.tip).count(), 2)

    def test_taking_it_back(self):
        tips.mark_helpful(member=self.cast.outsider, tip=self.tip)
        self.assertTrue(tips.unmark_helpful(member=self.cast.outsider, tip=self.tip))
        self.assertEqual(self.tip.helpful_count, 0)
        self.assertFalse(tips.unmark_helpful(member=self.cast.outsider, tip=self.tip))
        self.assertEqual(self.count(), 0)
        self.assertFalse(TipVote.objects.exists())

    def test_never_on_your_own_tip(self):
        with self.assertRaises(NotAllowed) as caught:
            tips.mark_helpful(member=self.cast.member, tip=self.tip)
        self.assertIn("your own tip", caught.exception.detail)
        self.assertEqual(self.count(), 0)

    def test_unverified_people_may_not_mark(self):
        with self.assertRaises(NotAllowed):
            tips.mark_helpful(member=self.cast.unverified, tip=self.tip)
        self.assertEqual(self.count(), 0)

    def test_hidden_and_deleted_tips_take_no_marks(self):
        tips.hide_tip(curator=self.cast.staff, tip=self.tip)
        with self.assertRaises(Conflict):
            tips.mark_helpful(member=self.cast.facilitator, tip=self.tip)
        tips.hide_tip(curator=self.cast.staff, tip=self.tip, hidden=False)
        tips.delete_tip(actor=self.cast.member, tip=self.tip)
        with self.assertRaises(Conflict):
            tips.mark_helpful(member=self.cast.facilitator, tip=self.tip)
        self.assertEqual(self.count(), 0)

    def test_the_database_refuses_a_second_vote_row(self):
        from django.db import IntegrityError, transaction

        TipVote.objects.create(tip=self.tip, voter=self.cast.outsider)
        with self.assertRaises(IntegrityError), transaction.atomic():
            TipVote.objects.create(tip=self.tip, voter=self.cast.outsider)

    def test_marks_are_rate_limited(self):
        many = [make_tip(self.cast.member, body=f"Tip {i}") for i in range(tips.VOTES_PER_MINUTE)]
        for tip in many:
            tips.mark_helpful(member=self.cast.outsider, tip=tip)
        with self.assertRaises(RateLimited):
            tips.mark_helpful(member=self.cast.outsider, tip=self.tip)
        self.assertEqual(self.count(), 0)


class ListingTests(KinshipTestCase):
    def test_featured_first_then_the_rest_without_repeats(self):
        old = make_tip(self.cast.member, body="Old")
        new = make_tip(self.cast.member, body="New")
        tips.feature_tip(curator=self.cast.facilitator, tip=old)
        listing = tips.tip_listing(self.cast.outsider)
        self.assertEqual([r.tip.pk for r in listing.featured], [old.pk])
        self.assertEqual([r.tip.pk for r in listing.rows], [new.pk])

    def test_sort_by_helpful(self):
        a, b, c = (make_tip(self.cast.member, body=x) for x in "abc")
        for voter in (self.cast.outsider, self.cast.facilitator):
            tips.mark_helpful(member=voter, tip=b)
        tips.mark_helpful(member=self.cast.outsider, tip=a)
        rows, _ = tips.tip_page(self.cast.outsider, sort=tips.HELPFUL)
        self.assertEqual([r.tip.pk for r in rows], [b.pk, a.pk, c.pk])
        self.assertEqual([r.helped for r in rows], [True, True, False])

    def test_bad_filters_are_invalid(self):
        with self.assertRaises(Invalid):
            tips.parse_theme("nope", required=False)
        with self.assertRaises(Invalid):
            tips.parse_sort("oldest")
        with self.assertRaises(Invalid):
            tips.parse_featured("yes")


class DemoTests(KinshipTestCase):
    def test_demo_tips_cover_every_theme_with_votes_and_two_featured(self):
        keys = {key for key, *_ in demo_tips.TIPS} | {k for *_, helpers in demo_tips.TIPS for k in helpers}
        keys |= {facilitator for _, facilitator in demo_tips.FEATURED}
        people = {key: factories.make_user(display_name=key.title()) for key in keys}
        circle = factories.make_circle()
        for _, facilitator in demo_tips.FEATURED:
            factories.add_member(circle, people[facilitator], role=Membership.FACILITATOR)
        made = demo_tips.seed(people, {})
        self.assertTrue(12 <= made <= 15)
        self.assertEqual(Tip.objects.count(), made)
        self.assertEqual(set(Tip.objects.values_list("theme", flat=True)), set(THEMES))
        self.assertEqual(Tip.objects.filter(featured_at__isnull=False).count(), 2)
        for tip in Tip.objects.all():
            self.assertEqual(tip.helpful_count, TipVote.objects.filter(tip=tip).count())
            self.assertFalse(TipVote.objects.filter(tip=tip, voter=tip.author).exists())
            self.assertLess(tip.created_at, timezone.now())
        self.assertEqual(demo_tips.seed(people, {}), 0)
