from django.urls import reverse

from kinship.core import factories
from kinship.core.testing import KinshipTestCase
from kinship.discussions import services
from kinship.discussions.models import Post, Topic


class PostEditTests(KinshipTestCase):
    def setUp(self):
        self.topic = factories.make_topic(circle=self.cast.circle, author=self.cast.member, title="Original title")
        self.opening = self.topic.posts.get()
        self.reply = factories.make_replies(self.topic, count=1, author=self.cast.member)[0]

    def edit(self, user, post, **data):
        self.client.force_login(user)
        return self.client.post(reverse("discussions:post-edit", args=[post.pk]), data)

    def test_author_edits_reply_and_it_is_marked_edited(self):
        self.edit(self.cast.member, self.reply, body="*Changed*", content_note="")
        self.reply.refresh_from_db()
        self.assertEqual(self.reply.body, "*Changed*")
        self.assertIn("<em>Changed</em>", self.reply.body_html)
        self.assertIsNotNone(self.reply.edited_at)

    def test_author_edits_title_through_opening_post(self):
        self.edit(self.cast.member, self.opening, title="Better title", body="Same", content_note="")
        self.assertEqual(Topic.objects.get(pk=self.topic.pk).title, "Better title")

    def test_facilitator_may_edit_any_post_in_their_circle(self):
        self.assertEqual(
            self.edit(self.cast.facilitator, self.reply, body="Edited out", content_note="").status_code, 302
        )

    def test_other_members_cannot_edit(self):
        other = factories.make_member(self.cast.circle)
        for user in (other, self.cast.outsider):
            self.assertEqual(self.edit(user, self.reply, body="Hijack", content_note="").status_code, 403)
        self.reply.refresh_from_db()
        self.assertNotEqual(self.reply.body, "Hijack")

    def test_bad_input_changes_nothing(self):
        for data in ({"body": ""}, {"body": "x" * 20_001}, {"body": "\x00"}, {"title": "", "body": "ok"}):
            self.assertEqual(self.edit(self.cast.member, self.opening, **data).status_code, 422, data)
        self.opening.refresh_from_db()
        self.assertIsNone(self.opening.edited_at)
        self.assertEqual(Topic.objects.get(pk=self.topic.pk).title, "Original title")

    def test_unknown_post_is_404(self):
        self.client.force_login(self.cast.member)
        self.assertEqual(self.client.post("/p/987654/edit/", {"body": "x"}).status_code, 404)


class PostDeleteTests(KinshipTestCase):
    def setUp(self):
        self.topic = factories.make_topic(circle=self.cast.circle, author=self.cast.member)
        self.reply = factories.make_replies(self.topic, count=1, author=self.cast.member, body="Regret this")[0]

    def delete(self, user, post):
        self.client.force_login(user)
        return self.client.post(reverse("discussions:post-delete", args=[post.pk]))

    def test_author_soft_deletes_reply_and_placeholder_stays(self):
        self.delete(self.cast.member, self.reply)
        self.reply.refresh_from_db()
        self.assertIsNotNone(self.reply.deleted_at)
        self.assertEqual(self.reply.body, "")
        self.assertEqual(Topic.objects.get(pk=self.topic.pk).reply_count, 0)
        page = self.client.get(self.topic.get_absolute_url())
        self.assertContains(page, "This post was deleted.")
        self.assertNotContains(page, "Regret this")

    def test_deleting_opening_post_removes_topic(self):
        self.delete(self.cast.member, self.topic.posts.get(is_opening=True))
        self.assertIsNotNone(Topic.objects.get(pk=self.topic.pk).deleted_at)
        self.assertEqual(self.client.get(self.topic.get_absolute_url()).status_code, 404)

    def test_facilitator_deletes_any_post_in_their_circle(self):
        self.assertEqual(self.delete(self.cast.facilitator, self.reply).status_code, 302)
        self.assertIsNotNone(Post.objects.get(pk=self.reply.pk).deleted_at)

    def test_others_cannot_delete(self):
        other = factories.make_member(self.cast.circle)
        self.assertEqual(self.delete(other, self.reply).status_code, 403)
        self.assertIsNone(Post.objects.get(pk=self.reply.pk).deleted_at)

    def test_two_deletes_at_once_move_the_count_once(self):
        factories.make_replies(self.topic, count=1)
        post = Post.objects.get(pk=self.reply.pk)
        same_post_seen_by_a_second_request = Post.objects.get(pk=self.reply.pk)
        services.delete_post(actor=self.cast.member, post=post)
        services.delete_post(actor=self.cast.member, post=same_post_seen_by_a_second_request)
        self.assertEqual(Topic.objects.get(pk=self.topic.pk).reply_count, 1)

    def test_deleting_twice_is_404(self):
        self.delete(self.cast.member, self.reply)
        self.assertEqual(self.delete(self.cast.member, self.reply).status_code, 404)
        self.assertEqual(Topic.objects.get(pk=self.topic.pk).reply_count, 0)
