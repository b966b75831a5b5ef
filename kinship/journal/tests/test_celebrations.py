"""Sharing a milestone to a circle as a celebration: what members see (never the note), reacting and replying,
moving, unsharing and deleting; the badge in the circle's topic list and on the topic page."""

from django.core.cache import cache
from django.urls import reverse

from kinship.circles.models import Circle, Membership
from kinship.core import factories
from kinship.core.errors import Invalid, NotAllowed, RateLimited
from kinship.core.testing import KinshipTestCase
from kinship.discussions import services as discussions
from kinship.discussions.models import Post, Reaction, Topic
from kinship.journal import milestones
from kinship.journal.models import Milestone
from kinship.journal.tests.test_milestones import NOTE, make_milestone

DEFAULT = object()


def share_url(milestone: Milestone) -> str:
    return reverse("journal:milestone-share", args=[milestone.pk])


def unshare_url(milestone: Milestone) -> str:
    return reverse("journal:milestone-unshare", args=[milestone.pk])


class ShareServiceTests(KinshipTestCase):
    def setUp(self) -> None:
        cache.clear()
        self.milestone = make_milestone(self.cast.member, kind="one_crutch", happened_on="2026-01-03")

    def share(self, circle: object = DEFAULT, message: str = "Down to one crutch!") -> Milestone:
        return milestones.share_milestone(
            owner=self.cast.member,
            milestone=self.milestone,
            circle=self.cast.circle.slug if circle is DEFAULT else circle,
            message=message,
        )

    def test_share_makes_a_celebration_topic_by_the_member_without_the_note(self) -> None:
        self.share()
        topic = Topic.objects.get()
        self.assertTrue(topic.is_celebration)
        self.assertEqual(topic.circle, self.cast.circle)
        self.assertEqual(topic.title, "Celebrating: Walking with one crutch")
        opening = Post.objects.get(topic=topic)
        self.assertEqual(opening.author, self.cast.member)
        self.assertFalse(opening.anonymous)
        self.assertEqual(opening.body, "On 3 January 2026.\n\nDown to one crutch!")
        self.assertNotIn("quad", opening.body + opening.body_html)
        self.milestone.refresh_from_db()
        self.assertEqual(self.milestone.shared_topic, topic)

    def test_message_is_optional(self) -> None:
        self.share(message="")
        self.assertEqual(Post.objects.get().body, "On 3 January 2026.")

    def test_other_members_celebrate_and_reply(self) -> None:
        self.share()
        topic = Topic.objects.get()
        opening = Post.objects.get(topic=topic)
        friend = factories.make_member(self.cast.circle, display_name="Leo")
        self.assertTrue(discussions.react(member=friend, post=opening, kind=Reaction.CELEBRATE))
        discussions.post_reply(author=friend, topic=topic, body="So proud of you!")
        opening.refresh_from_db()
        self.assertEqual(opening.celebrate_count, 1)
        self.assertEqual(Post.objects.filter(topic=topic).count(), 2)

    def test_circles_the_member_may_not_post_in_are_refused_alike(self) -> None:
        hidden = factories.make_circle(visibility=Circle.HIDDEN)
        pending = factories.make_circle()
        factories.add_member(pending, self.cast.member, status=Membership.PENDING)
        for circle in (
            hidden.slug,
            pending.slug,
            factories.make_circle().slug,
            "no-such-circle",
            "",
            "a\x00b",
            5,
            None,
        ):
            with self.assertRaises(Invalid, msg=circle) as caught:
                self.share(circle=circle)
            self.assertEqual(caught.exception.errors, {"circle": ["Choose one of your circles."]})
        self.assertFalse(Topic.objects.exists())

    def test_unverified_member_may_not_share(self) -> None:
        milestone = make_milestone(self.cast.unverified)
        with self.assertRaises(NotAllowed):
            milestones.share_milestone(owner=self.cast.unverified, milestone=milestone, circle=self.cast.circle.slug)
        self.assertFalse(Topic.objects.exists())

    def test_long_message_and_control_characters_are_refused(self) -> None:
        for message in ("x" * 501, "a\x00b", ["list"]):
            with self.assertRaises(Invalid):
                self.share(message=message)  # type: ignore[arg-type]
        self.assertFalse(Topic.objects.exists())

    def test_sharing_to_another_circle_moves_it(self) -> None:
        other = factories.make_circle()
        factories.add_member(other, self.cast.member)
        self.share()
        first = Topic.objects.get()
        self.share(circle=other.slug)
        self.assertFalse(Topic.objects.filter(pk=first.pk).exists())
        self.assertEqual(Topic.objects.get().circle, other)

    def test_sharing_to_the_same_circle_again_updates_the_message(self) -> None:
        self.share()
        self.share(message="Edited: down to one crutch")
        topic = Topic.objects.get()
        self.assertIn("Edited", Post.objects.get(topic=topic).body)
        self.assertEqual(self.milestone.shared_topic, topic)

    def test_unshare_deletes_the_topic_replies_and_reactions(self) -> None:
        self.share()
        topic = Topic.objects.get()
        friend = factories.make_member(self.cast.circle)
        discussions.react(member=friend, post=Post.objects.get(topic=topic), kind=Reaction.CELEBRATE)
        discussions.post_reply(author=friend, topic=topic, body="Yay")
        milestones.unshare_milestone(owner=self.cast.member, milestone=self.milestone)
        self.assertFalse(Topic.objects.exists())
        self.assertFalse(Post.objects.exists())
        self.assertFalse(Reaction.objects.exists())
        self.milestone.refresh_from_db()
        self.assertIsNone(self.milestone.shared_topic)
        milestones.unshare_milestone(owner=self.cast.member, milestone=self.milestone)  # twice: no change

    def test_deleting_the_milestone_deletes_the_celebration(self) -> None:
        self.share()
        milestones.delete_milestone(owner=self.cast.member, milestone=self.milestone)
        self.assertFalse(Topic.objects.exists())

    def test_unsharing_never_touches_an_ordinary_topic(self) -> None:
        self.share()
        ordinary = factories.make_topic(circle=self.cast.circle, author=self.cast.member)
        Milestone.objects.filter(pk=self.milestone.pk).update(shared_topic=ordinary)
        Topic.objects.filter(is_celebration=True).delete()
        self.milestone.refresh_from_db()
        milestones.unshare_milestone(owner=self.cast.member, milestone=self.milestone)
        self.assertTrue(Topic.objects.filter(pk=ordinary.pk).exists())

    def test_editing_a_shared_milestone_updates_title_and_date_not_the_note(self) -> None:
        self.share()
        milestones.edit_milestone(
            owner=self.cast.member,
            milestone=self.milestone,
            changes={"title": "One crutch at last", "happened_on": "2026-01-04", "note": "secret words"},
        )
        topic = Topic.objects.get()
        self.assertEqual(topic.title, "Celebrating: One crutch at last")
        body = Post.objects.get(topic=topic).body
        self.assertEqual(body, "On 4 January 2026.\n\nDown to one crutch!")

    def test_a_long_title_is_shortened_for_the_topic(self) -> None:
        milestones.edit_milestone(owner=self.cast.member, milestone=self.milestone, changes={"title": "y" * 200})
        self.share()
        title = Topic.objects.get().title
        self.assertEqual(len(title), 200)
        self.assertTrue(title.endswith("\u2026"))

    def test_new_celebrations_are_rate_limited(self) -> None:
        others = [make_milestone(self.cast.member) for _ in range(milestones.SHARES_PER_HOUR)]
        for milestone in others:
            milestones.share_milestone(owner=self.cast.member, milestone=milestone, circle=self.cast.circle.slug)
        with self.assertRaises(RateLimited):
            self.share()
        self.assertEqual(Topic.objects.count(), milestones.SHARES_PER_HOUR)


class SharePageTests(KinshipTestCase):
    def setUp(self) -> None:
        cache.clear()
        self.milestone = make_milestone(self.cast.member, happened_on="2026-01-03")

    def test_member_shares_and_unshares_from_the_milestone_page(self) -> None:
        self.client.force_login(self.cast.member)
        page = self.client.get(self.milestone.get_absolute_url())
        self.assertContains(page, f'<option value="{self.cast.circle.slug}"')
        response = self.client.post(share_url(self.milestone), {"circle": self.cast.circle.slug, "message": "Yes!"})
        self.assertRedirects(response, self.milestone.get_absolute_url())
        topic = Topic.objects.get()
        page = self.client.get(self.milestone.get_absolute_url())
        self.assertContains(page, topic.get_absolute_url())
        self.assertContains(page, "Stop sharing")
        response = self.client.post(unshare_url(self.milestone))
        self.assertRedirects(response, self.milestone.get_absolute_url())
        self.assertFalse(Topic.objects.exists())

    def test_bad_circle_rerenders_with_422_and_shares_nothing(self) -> None:
        self.client.force_login(self.cast.member)
        hidden = factories.make_circle(visibility=Circle.HIDDEN)
        for data in (
            {"circle": hidden.slug},
            {"circle": ""},
            {},
            {"circle": "x\x00"},
            {"circle": "a", "message": "m" * 501},
        ):
            response = self.client.post(share_url(self.milestone), data)
            self.assertEqual(response.status_code, 422, data)
            self.assertContains(
                response, "Choose one of your circles" if "message" not in data else "500", status_code=422
            )
        self.assertFalse(Topic.objects.exists())

    def test_others_get_404_and_visitors_sign_in(self) -> None:
        for user in (self.cast.facilitator, self.cast.staff, self.cast.outsider):
            self.client.force_login(user)
            self.assertEqual(
                self.client.post(share_url(self.milestone), {"circle": self.cast.circle.slug}).status_code, 404
            )
            self.assertEqual(self.client.post(unshare_url(self.milestone)).status_code, 404)
        self.client.logout()
        self.assertEqual(
            self.client.post(share_url(self.milestone), {"circle": self.cast.circle.slug}).status_code, 302
        )
        self.assertFalse(Topic.objects.exists())

    def test_unverified_member_is_told_to_confirm(self) -> None:
        milestone = make_milestone(self.cast.unverified)
        self.client.force_login(self.cast.unverified)
        self.assertContains(self.client.get(milestone.get_absolute_url()), "Confirm your email address")
        response = self.client.post(share_url(milestone), {"circle": self.cast.circle.slug})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Topic.objects.exists())


class CelebrationBadgeTests(KinshipTestCase):
    def setUp(self) -> None:
        cache.clear()  # rate limits count per user id, and ids repeat across test classes

    def test_circle_list_and_topic_page_show_the_badge_and_never_the_note(self) -> None:
        milestone = make_milestone(self.cast.member)
        milestones.share_milestone(owner=self.cast.member, milestone=milestone, circle=self.cast.circle.slug)
        ordinary = factories.make_topic(circle=self.cast.circle, author=self.cast.member, title="Swelling")
        topic = Topic.objects.get(is_celebration=True)
        viewer = factories.make_member(self.cast.circle)
        self.client.force_login(viewer)
        circle_page = self.client.get(self.cast.circle.get_absolute_url())
        self.assertContains(circle_page, "badge celebration", count=1)
        self.assertContains(circle_page, "Celebrating: Walking with crutches")
        topic_page = self.client.get(topic.get_absolute_url())
        self.assertContains(topic_page, "badge celebration")
        self.assertNotContains(topic_page, NOTE)
        self.assertNotContains(self.client.get(ordinary.get_absolute_url()), "badge celebration")

    def test_a_celebration_in_a_private_circle_stays_there(self) -> None:
        private = factories.make_circle(visibility=Circle.PRIVATE)
        factories.add_member(private, self.cast.member)
        milestone = make_milestone(self.cast.member)
        milestones.share_milestone(owner=self.cast.member, milestone=milestone, circle=private.slug)
        topic = Topic.objects.get()
        self.client.force_login(self.cast.outsider)
        self.assertEqual(self.client.get(topic.get_absolute_url()).status_code, 404)


class ModeratedCelebrationTests(KinshipTestCase):
    """A celebration a facilitator took down is not brought back, nor wiped, by sharing again."""

    def setUp(self) -> None:
        cache.clear()
        self.milestone = make_milestone(self.cast.member, kind="one_crutch", happened_on="2026-01-03")
        milestones.share_milestone(owner=self.cast.member, milestone=self.milestone, circle=self.cast.circle.slug)
        self.topic = Milestone.objects.get(pk=self.milestone.pk).shared_topic

    def test_sharing_again_to_the_circle_that_hid_it_is_refused_and_the_topic_stays(self) -> None:
        for change in ({"hidden": True}, {"deleted_at": "2026-01-04T10:00:00Z"}):
            with self.subTest(change=change):
                Topic.objects.filter(pk=self.topic.pk).update(**change)
                milestone = Milestone.objects.get(pk=self.milestone.pk)
                with self.assertRaises(NotAllowed):
                    milestones.share_milestone(
                        owner=self.cast.member, milestone=milestone, circle=self.cast.circle.slug
                    )
                self.assertTrue(Topic.objects.filter(pk=self.topic.pk).exists())
                Topic.objects.filter(pk=self.topic.pk).update(hidden=False, deleted_at=None)

    def test_moving_it_to_another_circle_keeps_the_moderated_topic(self) -> None:
        other = factories.make_circle(name="Caregivers", slug="caregivers")
        factories.add_member(other, self.cast.member)
        Topic.objects.filter(pk=self.topic.pk).update(hidden=True)
        milestone = Milestone.objects.get(pk=self.milestone.pk)
        # A fresh copy of the member: the one above remembers its memberships from before joining.
        owner = type(self.cast.member).objects.get(pk=self.cast.member.pk)
        milestones.share_milestone(owner=owner, milestone=milestone, circle="caregivers")
        self.assertTrue(Topic.objects.filter(pk=self.topic.pk).exists())
        self.assertEqual(Milestone.objects.get(pk=self.milestone.pk).shared_topic.circle_id, other.pk)
