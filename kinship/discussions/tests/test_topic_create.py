from django.test import TestCase
from django.urls import reverse

from kinship.circles.models import Circle
from kinship.core.testing import KinshipTestCase, make_cast
from kinship.discussions.models import Post, Topic


class TopicCreateTests(KinshipTestCase):
    def url(self, circle=None):
        return reverse("discussions:topic-create", args=[(circle or self.cast.circle).slug])

    def post(self, user, **data):
        self.client.force_login(user)
        values = {"title": "Two weeks on crutches", "body": "Some **good** days.", "content_note": "", **data}
        return self.client.post(self.url(), values)

    def test_member_starts_topic(self):
        response = self.post(self.cast.member)
        topic = Topic.objects.get(title="Two weeks on crutches")
        self.assertRedirects(response, topic.get_absolute_url())
        opening = Post.objects.get(topic=topic, is_opening=True)
        self.assertEqual(opening.author, self.cast.member)
        self.assertEqual(opening.body_html.strip(), "<p>Some <strong>good</strong> days.</p>")

    def test_member_starts_anonymous_topic_with_content_note(self):
        self.post(self.cast.member, anonymous="on", content_note="scan results")
        opening = Post.objects.get(topic__title="Two weeks on crutches")
        self.assertTrue(opening.anonymous)
        self.assertEqual(opening.content_note, "scan results")

    def test_outsider_pending_and_unverified_are_refused(self):
        for user in (self.cast.outsider, self.cast.pending, self.cast.unverified):
            self.assertEqual(self.post(user).status_code, 403, user)
        self.assertFalse(Topic.objects.exists())

    def test_unverified_member_is_told_to_confirm_email(self):
        self.assertContains(self.post(self.cast.unverified), "confirm your email", status_code=403)

    def test_visitor_is_sent_to_sign_in(self):
        response = self.client.post(self.url(), {"title": "t", "body": "b"})
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Topic.objects.exists())

    def test_bad_input_is_rejected_and_nothing_is_saved(self):
        bad = [
            {"title": ""},
            {"title": "   "},
            {"title": "t" * 201},
            {"title": "a\x00b"},
            {"body": ""},
            {"body": "b" * 20_001},
            {"body": "nul\x00byte"},
            {"content_note": "n" * 121},
            {"body": "\x07bell"},
        ]
        for change in bad:
            response = self.post(self.cast.member, **change)
            self.assertEqual(response.status_code, 422, change)
        self.assertFalse(Topic.objects.exists())
        self.assertFalse(Post.objects.exists())

    def test_limit_message_names_the_limit(self):
        response = self.post(self.cast.member, body="b" * 20_001)
        self.assertContains(response, "20,000", status_code=422)

    def test_bodies_at_the_limit_and_odd_unicode_are_accepted(self):
        self.post(self.cast.member, title="t" * 200, body="b" * 20_000)
        self.post(self.cast.member, title="\u202eRTL ‍👩‍🦽 e\u0301", body="זה בסדר 🦴")
        self.assertEqual(Topic.objects.count(), 2)


class TopicCreateHiddenCircleTests(TestCase):
    def test_outsider_gets_404_for_hidden_circle(self):
        cast = make_cast(visibility=Circle.HIDDEN)
        self.client.force_login(cast.outsider)
        url = reverse("discussions:topic-create", args=[cast.circle.slug])
        self.assertEqual(self.client.post(url, {"title": "x", "body": "y"}).status_code, 404)
        self.assertFalse(Topic.objects.exists())
