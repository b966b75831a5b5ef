"""New-member pre-moderation: the first N posts of a member wait for a facilitator's approval."""

from django.urls import reverse

from kinship.circles.models import Circle
from kinship.core import factories
from kinship.core.testing import KinshipTestCase
from kinship.discussions import queries, services
from kinship.discussions.models import Post, Topic
from kinship.notifications.models import Notice
from kinship.safety import moderation


class PremoderationTests(KinshipTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Circle.objects.filter(pk=cls.cast.circle.pk).update(premoderate_posts=2)
        cls.cast.circle.refresh_from_db()
        cls.topic = factories.make_topic(circle=cls.cast.circle, author=cls.cast.facilitator)
        cls.newcomer = factories.make_member(cls.cast.circle, display_name="Nell Newcomer")

    def reply(self, body="My first words here"):
        return services.post_reply(author=self.newcomer, topic=self.topic, body=body)

    def test_a_new_member_s_reply_waits_and_only_they_see_it_on_the_topic_page(self):
        post = self.reply()
        self.assertTrue(post.awaiting_approval)
        self.topic.refresh_from_db()
        self.assertEqual(self.topic.reply_count, 0)
        url = self.topic.get_absolute_url()
        self.client.force_login(self.newcomer)
        self.assertContains(self.client.get(url), "My first words here")
        self.assertContains(self.client.get(url), "Waiting for a facilitator")
        for user in (self.cast.member, self.cast.staff):
            self.client.force_login(user)
            self.assertNotContains(self.client.get(url), "My first words here")

    def test_the_api_s_thread_hides_a_waiting_reply_from_others(self):
        self.reply()
        self.assertEqual(len(queries.topic_thread(self.cast.member, self.topic, replies_only=True).posts), 0)
        self.assertEqual(len(queries.topic_thread(self.newcomer, self.topic, replies_only=True).posts), 1)

    def test_facilitator_approves_from_the_queue_and_the_author_is_told(self):
        post = self.reply()
        self.client.force_login(self.cast.facilitator)
        queue = self.client.get(reverse("safety:circle-queue", args=[self.cast.circle.slug]))
        self.assertContains(queue, "My first words here")
        response = self.client.post(reverse("safety:post-moderate", args=[post.pk]), {"action": "approve"})
        self.assertEqual(response.status_code, 302)
        post.refresh_from_db()
        self.assertFalse(post.awaiting_approval or post.hidden)
        self.topic.refresh_from_db()
        self.assertEqual(self.topic.reply_count, 1)
        self.assertTrue(Notice.objects.filter(user=self.newcomer, kind="post_approved").exists())
        self.client.force_login(self.cast.member)
        self.assertContains(self.client.get(self.topic.get_absolute_url()), "My first words here")

    def test_after_n_approved_posts_a_member_posts_freely(self):
        for i in range(2):
            post = self.reply(f"Post {i}")
            target = moderation.find_target(self.cast.facilitator, target_type="post", target_id=post.pk)
            moderation.act(moderator=self.cast.facilitator, target=target, action="approve")
        self.assertFalse(self.reply("Third").awaiting_approval)

    def test_reject_takes_it_down_and_tells_why(self):
        post = self.reply()
        target = moderation.find_target(self.cast.facilitator, target_type="post", target_id=post.pk)
        moderation.act(moderator=self.cast.facilitator, target=target, action="reject", note="Advertising")
        post.refresh_from_db()
        self.assertIsNotNone(post.deleted_at)
        self.assertIn("Advertising", Notice.objects.get(user=self.newcomer).text)

    def test_a_waiting_topic_is_hidden_until_approved(self):
        topic = services.start_topic(author=self.newcomer, circle=self.cast.circle, title="Hello all", body="New here")
        self.assertTrue(topic.hidden)
        self.client.force_login(self.cast.member)
        self.assertEqual(self.client.get(topic.get_absolute_url()).status_code, 404)
        opening = topic.posts.get()
        target = moderation.find_target(self.cast.facilitator, target_type="post", target_id=opening.pk)
        moderation.act(moderator=self.cast.facilitator, target=target, action="approve")
        self.assertFalse(Topic.objects.get(pk=topic.pk).hidden)
        self.assertEqual(self.client.get(topic.get_absolute_url()).status_code, 200)

    def test_facilitators_and_circles_without_premoderation_are_not_held(self):
        self.assertFalse(
            services.post_reply(author=self.cast.facilitator, topic=self.topic, body="Hi").awaiting_approval
        )
        Circle.objects.filter(pk=self.cast.circle.pk).update(premoderate_posts=0)
        self.topic.circle.refresh_from_db()
        self.assertFalse(self.reply().awaiting_approval)

    def test_members_cannot_approve_and_approving_twice_is_refused(self):
        post = self.reply()
        self.client.force_login(self.cast.member)
        self.assertEqual(
            self.client.post(reverse("safety:post-moderate", args=[post.pk]), {"action": "approve"}).status_code, 404
        )
        self.assertTrue(Post.objects.get(pk=post.pk).awaiting_approval)
        self.client.force_login(self.cast.facilitator)
        self.client.post(reverse("safety:post-moderate", args=[post.pk]), {"action": "approve"})
        self.assertEqual(
            self.client.post(reverse("safety:post-moderate", args=[post.pk]), {"action": "approve"}).status_code, 422
        )


class PremoderationPageTests(KinshipTestCase):
    def test_starting_a_waiting_topic_returns_to_the_circle_with_a_message(self):
        Circle.objects.filter(pk=self.cast.circle.pk).update(premoderate_posts=1)
        self.client.force_login(self.cast.member)
        url = reverse("discussions:topic-create", args=[self.cast.circle.slug])
        response = self.client.post(url, {"title": "Hello", "body": "New here"}, follow=True)
        self.assertContains(response, "once a facilitator approves it")
        self.assertTrue(Topic.objects.get(title="Hello").hidden)
