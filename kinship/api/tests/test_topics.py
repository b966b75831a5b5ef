from kinship.api.tests.base import BAD_TEXT, ApiTestCase
from kinship.circles.models import Circle
from kinship.core import factories
from kinship.discussions.models import Post, Topic

NEW_TOPIC = {"title": "Stairs again", "body": "First time *without* crutches.", "anonymous": False, "content_note": ""}


class TopicListTests(ApiTestCase):
    def path(self, circle=None):
        return f"/circles/{(circle or self.cast.circle).slug}/topics"

    def test_member_lists_topics_pinned_first(self):
        older = factories.make_topic(circle=self.cast.circle, author=self.cast.member, title="Older")
        factories.make_topic(circle=self.cast.circle, author=self.cast.member, title="Newer")
        Topic.objects.filter(pk=older.pk).update(pinned=True)
        response = self.api("get", self.path(), user=self.cast.member)
        self.assertEqual(response.status_code, 200)
        items = response.json()["items"]
        self.assertEqual([t["title"] for t in items], ["Older", "Newer"])
        self.assertEqual(items[0]["url"], older.get_absolute_url())
        self.assertEqual(items[0]["author"]["id"], self.cast.member.pk)

    def test_visitor_gets_401(self):
        self.assertProblem(self.api("get", self.path()), 401)

    def test_signed_in_outsider_reads_a_public_circle(self):
        factories.make_topic(circle=self.cast.circle, author=self.cast.member)
        self.assertEqual(len(self.api("get", self.path(), user=self.cast.outsider).json()["items"]), 1)

    def test_hidden_topics_are_listed_for_facilitators_only(self):
        topic = factories.make_topic(circle=self.cast.circle, author=self.cast.member)
        Topic.objects.filter(pk=topic.pk).update(hidden=True)
        self.assertEqual(self.api("get", self.path(), user=self.cast.member).json()["items"], [])
        self.assertEqual(len(self.api("get", self.path(), user=self.cast.facilitator).json()["items"]), 1)

    def test_pages_follow_the_cursor_and_garbage_is_422(self):
        for i in range(5):
            factories.make_topic(circle=self.cast.circle, author=self.cast.member, title=f"T{i}")
        first = self.api("get", self.path() + "?limit=3", user=self.cast.member).json()
        second = self.api("get", self.path() + f"?limit=3&cursor={first['next']}", user=self.cast.member).json()
        titles = [t["title"] for t in first["items"] + second["items"]]
        self.assertEqual(sorted(titles), [f"T{i}" for i in range(5)])
        self.assertIsNone(second["next"])
        for query in ("?cursor=%%%", "?cursor=WzEsMiwzXQ", "?limit=-1", "?limit=1e3"):
            self.assertProblem(self.api("get", self.path() + query, user=self.cast.member), 422)


class TopicCreateTests(ApiTestCase):
    def path(self, circle=None):
        return f"/circles/{(circle or self.cast.circle).slug}/topics"

    def test_member_starts_topic(self):
        response = self.api("post", self.path(), user=self.cast.member, json_body=NEW_TOPIC)
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        topic = Topic.objects.get(pk=body["id"])
        self.assertEqual(body["url"], topic.get_absolute_url())
        self.assertEqual(body["opening_post"]["body"], NEW_TOPIC["body"])
        self.assertIn("<em>without</em>", body["opening_post"]["body_html"])
        self.assertEqual(body["opening_post"]["author"]["id"], self.cast.member.pk)
        self.assertTrue(body["can_reply"])

    def test_outsider_pending_and_unverified_get_403_visitor_401(self):
        for user in (self.cast.outsider, self.cast.pending, self.cast.unverified):
            self.assertProblem(self.api("post", self.path(), user=user, json_body=NEW_TOPIC), 403)
        self.assertProblem(self.api("post", self.path(), json_body=NEW_TOPIC), 401)
        self.assertFalse(Topic.objects.exists())

    def test_hidden_circle_is_404_to_outsiders(self):
        hidden = factories.make_circle(visibility=Circle.HIDDEN)
        self.assertProblem(self.api("post", self.path(hidden), user=self.cast.outsider, json_body=NEW_TOPIC), 404)

    def test_bad_input_is_refused_and_nothing_is_created(self):
        cases = [{**NEW_TOPIC, "title": v} for v in BAD_TEXT]
        cases += [{**NEW_TOPIC, "body": v} for v in BAD_TEXT]
        cases += [{**NEW_TOPIC, "anonymous": v} for v in ("yes", 1, None, [])]
        cases += [{**NEW_TOPIC, "content_note": v} for v in ("x" * 121, "\x00", 3)]
        cases += [{"title": "Only a title"}, {}, {**NEW_TOPIC, "circle": 1}]
        for body in cases:
            response = self.api("post", self.path(), user=self.cast.member, json_body=body)
            self.assertProblem(response, 422)
        self.assertProblem(self.api("post", self.path(), user=self.cast.member, raw=b"\xff\xfe"), 400)
        self.assertFalse(Topic.objects.exists())
        self.assertFalse(Post.objects.exists())

    def test_oversized_body_names_the_field_and_the_limit(self):
        response = self.api("post", self.path(), user=self.cast.member, json_body={**NEW_TOPIC, "body": "é" * 20_001})
        body = self.assertProblem(response, 422, "body")
        self.assertIn("20,000", body["errors"]["body"][0])

    def test_odd_but_valid_unicode_is_kept(self):
        title = "Ça va? 🦴 \uff53\uff54\uff41\uff49\uff52\uff53 \u200b الحمد"  # full-width letters, zero-width space
        response = self.api("post", self.path(), user=self.cast.member, json_body={**NEW_TOPIC, "title": title})
        self.assertEqual(response.status_code, 201, response.content)


class TopicDetailTests(ApiTestCase):
    def test_member_reads_topic(self):
        topic = factories.make_topic(circle=self.cast.circle, author=self.cast.member, replies=2)
        response = self.api("get", f"/topics/{topic.pk}", user=self.cast.member)
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["reply_count"], 2)
        self.assertEqual(body["circle"]["slug"], self.cast.circle.slug)
        self.assertFalse(body["can_moderate"])

    def test_visitor_401_and_unknown_or_odd_ids_404(self):
        topic = factories.make_topic(circle=self.cast.circle, author=self.cast.member)
        self.assertProblem(self.api("get", f"/topics/{topic.pk}"), 401)
        for topic_id in (topic.pk + 1000, 0, -3, 2**63, 10**40):
            self.assertProblem(self.api("get", f"/topics/{topic_id}", user=self.cast.member), 404)
        for topic_id in ("abc", "1e5", "%00", "\uff11"):
            response = self.api("get", f"/topics/{topic_id}", user=self.cast.member)
            self.assertIn(response.status_code, (404, 422))

    def test_hidden_topic_is_404_to_members_and_open_to_facilitators(self):
        topic = factories.make_topic(circle=self.cast.circle, author=self.cast.member)
        Topic.objects.filter(pk=topic.pk).update(hidden=True)
        self.assertProblem(self.api("get", f"/topics/{topic.pk}", user=self.cast.member), 404)
        self.assertEqual(self.api("get", f"/topics/{topic.pk}", user=self.cast.facilitator).status_code, 200)


class TopicModerateTests(ApiTestCase):
    def setUp(self):
        super().setUp()
        self.topic = factories.make_topic(circle=self.cast.circle, author=self.cast.member)
        self.path = f"/topics/{self.topic.pk}"

    def test_facilitator_pins_locks_and_hides(self):
        response = self.api(
            "patch", self.path, user=self.cast.facilitator, json_body={"pinned": True, "locked": True, "hidden": True}
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual((response.json()["pinned"], response.json()["hidden"]), (True, True))
        self.topic.refresh_from_db()
        self.assertTrue(self.topic.pinned and self.topic.locked and self.topic.hidden)

    def test_staff_moderates_too(self):
        response = self.api("patch", self.path, user=self.cast.staff, json_body={"locked": True})
        self.assertEqual(response.status_code, 200)

    def test_member_and_author_get_403_outsider_of_private_404(self):
        self.assertProblem(self.api("patch", self.path, user=self.cast.member, json_body={"pinned": True}), 403)
        self.assertProblem(self.api("patch", self.path, json_body={"pinned": True}), 401)
        private = factories.make_circle(visibility=Circle.PRIVATE)
        topic = factories.make_topic(circle=private)
        self.assertProblem(
            self.api("patch", f"/topics/{topic.pk}", user=self.cast.outsider, json_body={"pinned": True}), 404
        )
        self.topic.refresh_from_db()
        self.assertFalse(self.topic.pinned)

    def test_bad_input_changes_nothing(self):
        for body in ({"pinned": "true"}, {"locked": 1}, {"title": "New"}, {"hidden": [True]}):
            self.assertProblem(self.api("patch", self.path, user=self.cast.facilitator, json_body=body), 422)
        self.topic.refresh_from_db()
        self.assertFalse(self.topic.pinned or self.topic.locked or self.topic.hidden)


class ReplyTests(ApiTestCase):
    def setUp(self):
        super().setUp()
        self.topic = factories.make_topic(circle=self.cast.circle, author=self.cast.member)
        self.path = f"/topics/{self.topic.pk}/replies"

    def test_member_replies_and_reads_replies(self):
        response = self.api("post", self.path, user=self.cast.member, json_body={"body": "Me too."})
        self.assertEqual(response.status_code, 201, response.content)
        reply = Post.objects.get(pk=response.json()["id"])
        self.assertEqual(response.json()["url"], reply.get_absolute_url())
        listing = self.api("get", self.path, user=self.cast.member).json()
        self.assertEqual([p["id"] for p in listing["items"]], [reply.pk])
        self.assertEqual(listing["items"][0]["reactions"], {"strength": 0, "me_too": 0, "celebrate": 0})
        self.assertEqual(listing["items"][0]["my_reactions"], [])
        self.assertFalse(listing["items"][0]["edited"])
        self.topic.refresh_from_db()
        self.assertEqual(self.topic.reply_count, 1)

    def test_outsider_of_public_circle_reads_but_may_not_reply(self):
        self.assertEqual(self.api("get", self.path, user=self.cast.outsider).status_code, 200)
        self.assertProblem(self.api("post", self.path, user=self.cast.outsider, json_body={"body": "Hi"}), 403)
        self.assertProblem(self.api("post", self.path, json_body={"body": "Hi"}), 401)
        self.assertProblem(self.api("get", self.path), 401)

    def test_locked_topic_takes_replies_from_facilitators_only(self):
        Topic.objects.filter(pk=self.topic.pk).update(locked=True)
        self.assertProblem(self.api("post", self.path, user=self.cast.member, json_body={"body": "Hi"}), 403)
        response = self.api("post", self.path, user=self.cast.facilitator, json_body={"body": "Closing this."})
        self.assertEqual(response.status_code, 201)
        self.assertEqual(response.json()["author"]["badges"], ["facilitator"])

    def test_bad_input_is_refused_and_nothing_is_created(self):
        for body in [{"body": v} for v in BAD_TEXT] + [{"body": "ok", "anonymous": "no"}, {"body": "ok", "x": 1}]:
            self.assertProblem(self.api("post", self.path, user=self.cast.member, json_body=body), 422)
        self.assertFalse(Post.objects.filter(is_opening=False).exists())

    def test_unknown_topics_are_404(self):
        for topic_id in (self.topic.pk + 99, 2**64):
            self.assertProblem(
                self.api("post", f"/topics/{topic_id}/replies", user=self.cast.member, json_body={"body": "Hi"}), 404
            )
            self.assertProblem(self.api("get", f"/topics/{topic_id}/replies", user=self.cast.member), 404)

    def test_replies_page_by_cursor(self):
        factories.make_replies(self.topic, count=5)
        first = self.api("get", self.path + "?limit=2", user=self.cast.member).json()
        self.assertEqual(len(first["items"]), 2)
        ids = [p["id"] for p in first["items"]]
        cursor = first["next"]
        while cursor:
            page = self.api("get", self.path + f"?limit=2&cursor={cursor}", user=self.cast.member).json()
            ids += [p["id"] for p in page["items"]]
            cursor = page["next"]
        self.assertEqual(ids, sorted(ids))
        self.assertEqual(len(ids), 5)
        self.assertProblem(self.api("get", self.path + "?cursor=WyJ4IiwgIngiXQ", user=self.cast.member), 422)
