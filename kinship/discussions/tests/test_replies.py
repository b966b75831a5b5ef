from django.test import TestCase
from django.urls import reverse

from kinship.circles.models import Circle
from kinship.core import factories
from kinship.core.testing import KinshipTestCase, make_cast
from kinship.discussions.models import Post, Topic


class ReplyCreateTests(KinshipTestCase):
    def setUp(self):
        self.topic = factories.make_topic(circle=self.cast.circle, author=self.cast.facilitator)

    def reply(self, user, **data):
        self.client.force_login(user)
        return self.client.post(reverse("discussions:reply-create", args=[self.topic.pk]), {"body": "Me too.", **data})

    def test_member_replies_and_count_and_activity_move(self):
        before = Topic.objects.get(pk=self.topic.pk).last_activity_at
        response = self.reply(self.cast.member)
        reply = Post.objects.get(topic=self.topic, is_opening=False)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].endswith(f"#post-{reply.pk}"))
        topic = Topic.objects.get(pk=self.topic.pk)
        self.assertEqual(topic.reply_count, 1)
        self.assertGreaterEqual(topic.last_activity_at, before)

    def test_outsider_of_public_circle_can_read_but_not_reply(self):
        self.client.force_login(self.cast.outsider)
        self.assertEqual(self.client.get(self.topic.get_absolute_url()).status_code, 200)
        self.assertEqual(self.reply(self.cast.outsider).status_code, 403)
        self.assertEqual(Topic.objects.get(pk=self.topic.pk).reply_count, 0)

    def test_locked_topic_takes_replies_from_facilitators_only(self):
        Topic.objects.filter(pk=self.topic.pk).update(locked=True)
        self.assertEqual(self.reply(self.cast.member).status_code, 403)
        self.assertEqual(self.reply(self.cast.facilitator).status_code, 302)
        self.assertEqual(Post.objects.filter(topic=self.topic, is_opening=False).count(), 1)

    def test_staff_outside_the_circle_cannot_reply_as_they_cannot_start_topics(self):
        self.assertEqual(self.reply(self.cast.staff).status_code, 403)
        self.assertEqual(Topic.objects.get(pk=self.topic.pk).reply_count, 0)

    def test_bad_input_is_rejected_and_nothing_is_saved(self):
        for data in ({"body": ""}, {"body": "x" * 20_001}, {"body": "\x00"}, {"content_note": "c" * 500}):
            self.assertEqual(self.reply(self.cast.member, **data).status_code, 422, data)
        self.assertEqual(Post.objects.filter(topic=self.topic, is_opening=False).count(), 0)
        self.assertEqual(Topic.objects.get(pk=self.topic.pk).reply_count, 0)

    def test_unknown_and_huge_topic_ids_are_404(self):
        self.client.force_login(self.cast.member)
        for topic_id in ("999999", "9223372036854775808", "99999999999999999999999"):
            self.assertEqual(self.client.post(f"/t/{topic_id}/reply/", {"body": "x"}).status_code, 404)

    def test_get_is_not_allowed(self):
        self.client.force_login(self.cast.member)
        self.assertEqual(self.client.get(reverse("discussions:reply-create", args=[self.topic.pk])).status_code, 405)


class PrivateReplyTests(TestCase):
    def test_outsider_and_pending_get_404_in_private_circle(self):
        cast = make_cast(visibility=Circle.PRIVATE)
        topic = factories.make_topic(circle=cast.circle, author=cast.member)
        for user in (cast.outsider, cast.pending):
            self.client.force_login(user)
            self.assertEqual(self.client.get(topic.get_absolute_url()).status_code, 404)
            self.assertEqual(self.client.post(f"/t/{topic.pk}/reply/", {"body": "x"}).status_code, 404)
        self.assertEqual(Post.objects.filter(topic=topic).count(), 1)


class ReplyFormTests(KinshipTestCase):
    def test_refused_reply_keeps_the_words_and_marks_the_field(self):
        topic = factories.make_topic(circle=self.cast.circle, author=self.cast.facilitator)
        self.client.force_login(self.cast.member)
        response = self.client.post(
            reverse("discussions:reply-create", args=[topic.pk]),
            {"body": "x" * 20_001, "content_note": "pain & <fear>", "anonymous": "on"},
        )
        self.assertContains(response, 'aria-invalid="true"', status_code=422)
        self.assertContains(response, "20,000", status_code=422)
        self.assertContains(response, 'value="pain &amp; &lt;fear&gt;"', status_code=422)
        self.assertContains(
            response, 'id="id_anonymous" aria-describedby="id_anonymous_helptext" checked', status_code=422
        )
