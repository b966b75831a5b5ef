"""Attempts to break the privacy rules through the API."""

import json

from kinship.accounts.models import User
from kinship.api.tests.base import ApiTestCase
from kinship.circles.models import Circle
from kinship.core import factories
from kinship.discussions.models import Post, Topic


class AnonymousPostTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.writer = factories.make_member(cls.cast.circle, display_name="Secret Writer Zelda")
        cls.topic = factories.make_topic(
            circle=cls.cast.circle, author=cls.writer, anonymous=True, title="Scared of the next scan"
        )
        cls.reply = factories.make_replies(cls.topic, count=1, author=cls.writer, anonymous=True)[0]

    def responses_for(self, user):
        circle = self.cast.circle.slug
        return {
            "topics": self.api("get", f"/circles/{circle}/topics", user=user),
            "topic": self.api("get", f"/topics/{self.topic.pk}", user=user),
            "replies": self.api("get", f"/topics/{self.topic.pk}/replies", user=user),
            "react": self.api("put", f"/posts/{self.reply.pk}/reactions/strength", user=user),
        }

    def assertNoTraceOfWriter(self, response):
        self.assertNotIn(b"Secret Writer Zelda", response.content)
        self.assertNotIn(b"author_hidden", response.content)
        self.assertNotIn(self.writer.email.encode(), response.content)
        for post in _posts_in(response.json()):
            self.assertIsNone(post["author"])
            self.assertTrue(post["anonymous"])
            self.assertNotIn("author_hidden", post)

    def test_members_never_learn_who_wrote_anonymously(self):
        for name, response in self.responses_for(self.cast.member).items():
            with self.subTest(name):
                self.assertLess(response.status_code, 300, response.content)
                self.assertNoTraceOfWriter(response)

    def test_signed_in_outsiders_of_a_public_circle_never_learn_either(self):
        for name in ("topics", "topic", "replies"):
            with self.subTest(name):
                self.assertNoTraceOfWriter(self.responses_for(self.cast.outsider)[name])

    def test_the_writer_editing_their_own_post_stays_anonymous_in_the_answer(self):
        response = self.api("patch", f"/posts/{self.reply.pk}", user=self.writer, json_body={"body": "Edited"})
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(response.json()["author"])
        self.assertNotIn("author_hidden", response.json())

    def test_facilitators_and_staff_see_the_hidden_author(self):
        for user in (self.cast.facilitator, self.cast.staff):
            for name, response in self.responses_for(user).items():
                with self.subTest(user=user.display_name, response=name):
                    for post in _posts_in(response.json()):
                        self.assertIsNone(post["author"])
                        self.assertEqual(post["author_hidden"]["id"], self.writer.pk)
                    self.assertNotIn(self.writer.email.encode(), response.content)

    def test_anonymous_reply_created_through_the_api_hides_its_author(self):
        response = self.api(
            "post",
            f"/topics/{self.topic.pk}/replies",
            user=self.cast.member,
            json_body={"body": "Same here.", "anonymous": True},
        )
        self.assertEqual(response.status_code, 201)
        self.assertIsNone(response.json()["author"])
        self.assertNotIn(b"Mia Member", response.content)


def _posts_in(data):
    """Every post-like object (with an "author" key) anywhere in a response."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if "author" in node and "anonymous" in node:
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(data)
    return found


class CircleVisibilityTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.hidden = factories.make_circle(name="Hidden support", visibility=Circle.HIDDEN)
        factories.add_member(cls.hidden, cls.cast.member)
        cls.private = factories.make_circle(
            name="Private support", visibility=Circle.PRIVATE, description="Who we are."
        )
        factories.add_member(cls.private, cls.cast.member)
        factories.add_member(cls.private, cls.cast.pending, status="pending")
        cls.hidden_topic = factories.make_topic(circle=cls.hidden, author=cls.cast.member)
        cls.private_topic = factories.make_topic(circle=cls.private, author=cls.cast.member)

    def test_hidden_circle_is_absent_from_the_list_and_404_everywhere_to_outsiders(self):
        for user in (None, self.cast.outsider, self.cast.facilitator):
            listing = self.api("get", "/circles?limit=100", user=user)
            self.assertNotIn(b"Hidden support", listing.content)
            self.assertNotIn(self.hidden.slug.encode(), listing.content)
            self.assertProblem(self.api("get", f"/circles/{self.hidden.slug}", user=user), 404)
        for method, path in [
            ("get", f"/circles/{self.hidden.slug}/topics"),
            ("get", f"/circles/{self.hidden.slug}/members"),
            ("get", f"/topics/{self.hidden_topic.pk}"),
            ("get", f"/topics/{self.hidden_topic.pk}/replies"),
            ("post", f"/circles/{self.hidden.slug}/leave"),
        ]:
            self.assertProblem(self.api(method, path, user=self.cast.outsider), 404)

    def test_hidden_circle_answers_the_same_as_a_missing_one(self):
        hidden = self.api("get", f"/circles/{self.hidden.slug}", user=self.cast.outsider)
        missing = self.api("get", "/circles/no-such-circle", user=self.cast.outsider)
        self.assertEqual(hidden.content, missing.content)

    def test_private_circle_shows_its_description_but_not_its_topics(self):
        for user in (self.cast.outsider, self.cast.pending):
            detail = self.api("get", f"/circles/{self.private.slug}", user=user)
            self.assertEqual(detail.json()["description"], "Who we are.")
            self.assertProblem(self.api("get", f"/circles/{self.private.slug}/topics", user=user), 404)
            self.assertProblem(self.api("get", f"/topics/{self.private_topic.pk}", user=user), 404)
            self.assertProblem(self.api("get", f"/topics/{self.private_topic.pk}/replies", user=user), 404)
        self.assertProblem(self.api("get", f"/circles/{self.private.slug}/topics"), 401)

    def test_private_circle_topics_are_open_to_members_and_staff(self):
        for user in (self.cast.member, self.cast.staff):
            response = self.api("get", f"/circles/{self.private.slug}/topics", user=user)
            self.assertEqual(len(response.json()["items"]), 1)

    def test_hidden_reply_is_folded_for_members(self):
        reply = factories.make_replies(self.private_topic, count=1, body="Something to hide")[0]
        Post.objects.filter(pk=reply.pk).update(hidden=True)
        member_view = self.api("get", f"/topics/{self.private_topic.pk}/replies", user=self.cast.member)
        self.assertNotIn(b"Something to hide", member_view.content)
        self.assertTrue(member_view.json()["items"][0]["hidden"])
        staff_view = self.api("get", f"/topics/{self.private_topic.pk}/replies", user=self.cast.staff)
        self.assertIn(b"Something to hide", staff_view.content)

    def test_deleted_topic_is_gone(self):
        Topic.objects.filter(pk=self.private_topic.pk).update(deleted_at=self.private_topic.created_at)
        self.assertProblem(self.api("get", f"/topics/{self.private_topic.pk}", user=self.cast.member), 404)


class EmailNeverLeaksTests(ApiTestCase):
    """Scan the raw bytes of every response a member can get: only /me carries an email, their own."""

    def test_no_email_in_any_response_but_own_me(self):
        topic = factories.make_topic(circle=self.cast.circle, author=self.cast.facilitator, replies=3)
        factories.add_member(self.cast.circle, self.cast.staff)
        factories.make_replies(topic, count=1, author=self.cast.staff)
        reply = factories.make_replies(topic, count=1, author=self.cast.member)[0]
        slug = self.cast.circle.slug
        requests = [
            ("get", "/circles", None),
            ("get", f"/circles/{slug}", None),
            ("get", f"/circles/{slug}/members", None),
            ("get", f"/circles/{slug}/topics", None),
            ("get", f"/topics/{topic.pk}", None),
            ("get", f"/topics/{topic.pk}/replies", None),
            ("put", f"/posts/{reply.pk}/reactions/celebrate", None),
            ("patch", f"/posts/{reply.pk}", {"body": "edited"}),
            ("post", f"/topics/{topic.pk}/replies", {"body": "Another one"}),
            ("post", f"/circles/{slug}/topics", {"title": "New", "body": "Words"}),
            ("post", f"/circles/{slug}/members/{self.cast.pending.pk}/approve", None),
            ("post", f"/circles/{slug}/members/{self.cast.member.pk}/role", {"role": "facilitator"}),
            ("patch", f"/circles/{slug}", {"name": "Renamed"}),
        ]
        everyone = list(User.objects.values_list("email", flat=True))
        for user in (self.cast.member, self.cast.facilitator, self.cast.staff, self.cast.outsider, None):
            for method, path, body in requests:
                kwargs = {"json_body": body} if body is not None else {}
                response = self.api(method, path, user=user, **kwargs)
                for email in everyone:
                    self.assertNotIn(email.encode(), response.content, (user, method, path))
                    self.assertNotIn(json.dumps(email).encode(), response.content)

    def test_me_shows_only_the_owners_email(self):
        response = self.api("get", "/me", user=self.cast.member)
        self.assertIn(self.cast.member.email.encode(), response.content)
        for other in (self.cast.facilitator, self.cast.staff, self.cast.outsider):
            self.assertNotIn(other.email.encode(), response.content)

    def test_signup_answer_does_not_echo_the_email(self):
        response = self.api(
            "post",
            "/auth/signup",
            json_body={
                "email": "echo@example.org",
                "password": "an unusual long passphrase",
                "display_name": "Echo",
                "accept_terms": True,
                "role": "patient",
            },
        )
        self.assertEqual(response.status_code, 201)
        self.assertNotIn(b"echo@example.org", response.content)
