from kinship.api.tests.base import BAD_TEXT, ApiTestCase
from kinship.circles.models import Circle
from kinship.core import factories
from kinship.discussions.models import Post, Reaction, Topic


class PostEditTests(ApiTestCase):
    def setUp(self):
        super().setUp()
        self.topic = factories.make_topic(circle=self.cast.circle, author=self.cast.member)
        self.reply = factories.make_replies(self.topic, count=1, author=self.cast.member)[0]
        self.path = f"/posts/{self.reply.pk}"

    def test_author_edits_own_post(self):
        response = self.api("patch", self.path, user=self.cast.member, json_body={"body": "Edited **words**."})
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertTrue(body["edited"])
        self.assertIsNotNone(body["edited_at"])
        self.assertIn("<strong>words</strong>", body["body_html"])

    def test_author_retitles_topic_through_opening_post(self):
        opening = Post.objects.get(topic=self.topic, is_opening=True)
        response = self.api("patch", f"/posts/{opening.pk}", user=self.cast.member, json_body={"title": "Better"})
        self.assertEqual(response.status_code, 200, response.content)
        self.topic.refresh_from_db()
        self.assertEqual(self.topic.title, "Better")

    def test_facilitator_edits_any_post_in_their_circle(self):
        response = self.api("patch", self.path, user=self.cast.facilitator, json_body={"content_note": "surgery"})
        self.assertEqual(response.status_code, 200)

    def test_other_member_gets_403_visitor_401_private_outsider_404(self):
        other = factories.make_member(self.cast.circle)
        self.assertProblem(self.api("patch", self.path, user=other, json_body={"body": "Mine now"}), 403)
        self.assertProblem(self.api("patch", self.path, user=self.cast.outsider, json_body={"body": "Mine"}), 403)
        self.assertProblem(self.api("patch", self.path, json_body={"body": "Mine now"}), 401)
        private = factories.make_circle(visibility=Circle.PRIVATE)
        post = Post.objects.get(topic=factories.make_topic(circle=private))
        self.assertProblem(
            self.api("patch", f"/posts/{post.pk}", user=self.cast.outsider, json_body={"body": "x"}), 404
        )
        self.reply.refresh_from_db()
        self.assertEqual(self.reply.body, "Sending you strength. (0)")

    def test_bad_input_changes_nothing(self):
        cases = [{"body": v} for v in BAD_TEXT if v is not None]
        cases += [{"title": "Replies have none"}, {"anonymous": True}, {"content_note": "n" * 121}]
        for body in cases:
            self.assertProblem(self.api("patch", self.path, user=self.cast.member, json_body=body), 422)
        self.reply.refresh_from_db()
        self.assertIsNone(self.reply.edited_at)

    def test_unknown_posts_are_404(self):
        for post_id in (self.reply.pk + 500, 2**63, 10**25):
            self.assertProblem(
                self.api("patch", f"/posts/{post_id}", user=self.cast.member, json_body={"body": "x"}), 404
            )
        self.assertProblem(self.api("patch", "/posts/abc", user=self.cast.member, json_body={"body": "x"}), 422)


class PostDeleteTests(ApiTestCase):
    def setUp(self):
        super().setUp()
        self.topic = factories.make_topic(circle=self.cast.circle, author=self.cast.member)
        self.reply = factories.make_replies(self.topic, count=1, author=self.cast.member, content_note="hard day")[0]

    def test_author_deletes_and_the_words_are_gone(self):
        self.assertEqual(self.api("delete", f"/posts/{self.reply.pk}", user=self.cast.member).status_code, 204)
        item = self.api("get", f"/topics/{self.topic.pk}/replies", user=self.cast.member).json()["items"][0]
        self.assertTrue(item["deleted"])
        self.assertEqual((item["body"], item["body_html"], item["content_note"]), ("", "", ""))
        self.assertProblem(self.api("delete", f"/posts/{self.reply.pk}", user=self.cast.member), 404)

    def test_deleting_the_opening_post_removes_the_topic(self):
        opening = Post.objects.get(topic=self.topic, is_opening=True)
        self.assertEqual(self.api("delete", f"/posts/{opening.pk}", user=self.cast.facilitator).status_code, 204)
        self.assertProblem(self.api("get", f"/topics/{self.topic.pk}", user=self.cast.member), 404)

    def test_other_member_gets_403_visitor_401_unknown_404(self):
        other = factories.make_member(self.cast.circle)
        self.assertProblem(self.api("delete", f"/posts/{self.reply.pk}", user=other), 403)
        self.assertProblem(self.api("delete", f"/posts/{self.reply.pk}"), 401)
        self.assertProblem(self.api("delete", f"/posts/{2**63}", user=self.cast.member), 404)
        self.reply.refresh_from_db()
        self.assertIsNone(self.reply.deleted_at)


class ReactionTests(ApiTestCase):
    def setUp(self):
        super().setUp()
        self.topic = factories.make_topic(circle=self.cast.circle, author=self.cast.member)
        self.reply = factories.make_replies(self.topic, count=1)[0]
        self.path = f"/posts/{self.reply.pk}/reactions"

    def test_member_reacts_once_per_kind_and_takes_it_back(self):
        for _ in range(2):
            response = self.api("put", f"{self.path}/strength", user=self.cast.member)
            self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual(body["reactions"]["strength"], 1)
        self.assertEqual(body["my_reactions"], ["strength"])
        self.api("put", f"{self.path}/celebrate", user=self.cast.facilitator)
        body = self.api("delete", f"{self.path}/strength", user=self.cast.member).json()
        self.assertEqual(body["reactions"], {"strength": 0, "me_too": 0, "celebrate": 1})
        self.assertEqual(body["my_reactions"], [])
        body = self.api("delete", f"{self.path}/strength", user=self.cast.member).json()
        self.assertEqual(body["reactions"]["strength"], 0)

    def test_my_reactions_show_in_the_reply_list(self):
        self.api("put", f"{self.path}/me_too", user=self.cast.member)
        item = self.api("get", f"/topics/{self.topic.pk}/replies", user=self.cast.member).json()["items"][0]
        self.assertEqual(item["my_reactions"], ["me_too"])
        item = self.api("get", f"/topics/{self.topic.pk}/replies", user=self.cast.facilitator).json()["items"][0]
        self.assertEqual(item["my_reactions"], [])
        self.assertEqual(item["reactions"]["me_too"], 1)

    def test_outsider_pending_unverified_get_403_visitor_401(self):
        for user in (self.cast.outsider, self.cast.pending, self.cast.unverified):
            response = self.api("put", f"{self.path}/strength", user=user)
            self.assertIn(response.status_code, (403, 404))
            self.assertProblem(response, response.status_code)
        self.assertProblem(self.api("put", f"{self.path}/strength", user=self.cast.outsider), 403)
        self.assertProblem(self.api("delete", f"{self.path}/strength", user=self.cast.outsider), 403)
        self.assertProblem(self.api("put", f"{self.path}/strength"), 401)
        self.assertProblem(self.api("delete", f"{self.path}/strength"), 401)
        self.assertFalse(Reaction.objects.exists())

    def test_private_circle_posts_are_404_to_outsiders(self):
        private = factories.make_circle(visibility=Circle.PRIVATE)
        post = Post.objects.get(topic=factories.make_topic(circle=private))
        self.assertProblem(self.api("put", f"/posts/{post.pk}/reactions/strength", user=self.cast.outsider), 404)

    def test_unknown_kinds_and_posts_change_nothing(self):
        for kind in ("hug", "STRENGTH", "%00", "x" * 500, "%F0%9F%92%9C"):
            self.assertProblem(self.api("put", f"{self.path}/{kind}", user=self.cast.member), 422, "kind")
        for post_id in (self.reply.pk + 77, 2**63):
            self.assertProblem(self.api("put", f"/posts/{post_id}/reactions/strength", user=self.cast.member), 404)
        self.assertFalse(Reaction.objects.exists())
        self.reply.refresh_from_db()
        self.assertEqual(self.reply.reaction_counts(), {"strength": 0, "me_too": 0, "celebrate": 0})

    def test_reacting_to_a_deleted_post_is_404(self):
        Post.objects.filter(pk=self.reply.pk).update(deleted_at=self.reply.created_at)
        self.assertProblem(self.api("put", f"{self.path}/strength", user=self.cast.member), 404)

    def test_reacting_in_a_hidden_topic_is_404_for_members(self):
        Topic.objects.filter(pk=self.topic.pk).update(hidden=True)
        self.assertProblem(self.api("put", f"{self.path}/strength", user=self.cast.member), 404)
