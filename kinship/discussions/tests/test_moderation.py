from django.urls import reverse

from kinship.core import factories
from kinship.core.testing import KinshipTestCase
from kinship.discussions.models import Post, Topic


class TopicModerationTests(KinshipTestCase):
    def setUp(self):
        self.topic = factories.make_topic(circle=self.cast.circle, author=self.cast.member)

    def moderate(self, user, field, value="1"):
        self.client.force_login(user)
        return self.client.post(
            reverse("discussions:topic-moderate", args=[self.topic.pk]), {"field": field, "value": value}
        )

    def test_facilitator_pins_locks_and_hides(self):
        for field in ("pinned", "locked", "hidden"):
            self.assertEqual(self.moderate(self.cast.facilitator, field).status_code, 302)
        topic = Topic.objects.get(pk=self.topic.pk)
        self.assertEqual((topic.pinned, topic.locked, topic.hidden), (True, True, True))

    def test_staff_moderates_too(self):
        self.moderate(self.cast.staff, "pinned")
        self.assertTrue(Topic.objects.get(pk=self.topic.pk).pinned)

    def test_members_cannot_moderate(self):
        self.assertEqual(self.moderate(self.cast.member, "pinned").status_code, 403)
        self.assertFalse(Topic.objects.get(pk=self.topic.pk).pinned)

    def test_unknown_field_is_rejected(self):
        for field in ("title", "", "\x00", "circle"):
            self.assertEqual(self.moderate(self.cast.facilitator, field).status_code, 422)


class PostHideTests(KinshipTestCase):
    def test_facilitator_hides_reply_and_members_see_placeholder(self):
        topic = factories.make_topic(circle=self.cast.circle, author=self.cast.member)
        reply = factories.make_replies(topic, count=1, body="Rude words")[0]
        self.client.force_login(self.cast.facilitator)
        self.client.post(reverse("discussions:post-hide", args=[reply.pk]), {"value": "1"})
        self.assertTrue(Post.objects.get(pk=reply.pk).hidden)
        self.assertContains(self.client.get(topic.get_absolute_url()), "Rude words")
        self.client.force_login(self.cast.member)
        page = self.client.get(topic.get_absolute_url())
        self.assertNotContains(page, "Rude words")
        self.assertContains(page, "A facilitator hid this post.")
        self.assertEqual(self.client.get(reverse("discussions:post-detail", args=[reply.pk])).status_code, 404)

    def test_member_cannot_hide(self):
        topic = factories.make_topic(circle=self.cast.circle, author=self.cast.member)
        reply = factories.make_replies(topic, count=1)[0]
        self.client.force_login(self.cast.member)
        self.assertEqual(
            self.client.post(reverse("discussions:post-hide", args=[reply.pk]), {"value": "1"}).status_code, 403
        )
        self.assertFalse(Post.objects.get(pk=reply.pk).hidden)
