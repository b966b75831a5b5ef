from unittest import mock

from kinship.accounts.models import User
from kinship.api import idempotency
from kinship.api.models import IdempotencyKey
from kinship.api.tests.base import ApiTestCase
from kinship.circles.models import Circle, Membership
from kinship.core import factories
from kinship.discussions.models import Post, Topic

KEY = {"Idempotency-Key": "3f1c8a52-7d1e-4c57-9a55-5f3c1d1e2b10"}


class IdempotencyTests(ApiTestCase):
    def twice(self, method, path, *, user, body, headers=KEY):
        first = self.api(method, path, user=user, json_body=body, headers=headers)
        second = self.api(method, path, user=user, json_body=body, headers=headers)
        self.assertEqual(first.status_code, 201, first.content)
        self.assertEqual(second.status_code, first.status_code)
        self.assertEqual(second.content, first.content)
        return first

    def test_topic_retry_returns_the_first_topic_and_creates_nothing(self):
        path = f"/circles/{self.cast.circle.slug}/topics"
        self.twice("post", path, user=self.cast.member, body={"title": "Once", "body": "Only once."})
        self.assertEqual(Topic.objects.count(), 1)
        self.assertEqual(Post.objects.count(), 1)

    def test_reply_retry_creates_one_reply(self):
        topic = factories.make_topic(circle=self.cast.circle, author=self.cast.member)
        self.twice("post", f"/topics/{topic.pk}/replies", user=self.cast.member, body={"body": "Once"})
        topic.refresh_from_db()
        self.assertEqual(topic.reply_count, 1)
        self.assertEqual(Post.objects.filter(is_opening=False).count(), 1)

    def test_circle_retry_creates_one_circle(self):
        body = {"name": "Once circle", "description": "d", "guidelines": "g"}
        self.twice("post", "/circles", user=self.cast.staff, body=body)
        self.assertEqual(Circle.objects.filter(name="Once circle").count(), 1)

    def test_join_retry_answers_201_again_instead_of_conflict(self):
        self.twice(
            "post", f"/circles/{self.cast.circle.slug}/join", user=self.cast.outsider, body={"accept_guidelines": True}
        )
        self.assertEqual(Membership.objects.filter(user=self.cast.outsider).count(), 1)

    def test_signup_retry_creates_one_account(self):
        body = {
            "email": "once@example.org",
            "password": "an unusual long passphrase",
            "display_name": "Once",
            "accept_terms": True,
            "role": "patient",
        }
        self.twice("post", "/auth/signup", user=None, body=body)
        self.assertEqual(User.objects.filter(email="once@example.org").count(), 1)

    def test_without_a_key_each_request_creates(self):
        path = f"/circles/{self.cast.circle.slug}/topics"
        for _ in range(2):
            self.api("post", path, user=self.cast.member, json_body={"title": "Twice", "body": "b"})
        self.assertEqual(Topic.objects.count(), 2)

    def test_the_same_key_with_a_different_body_is_refused(self):
        path = f"/circles/{self.cast.circle.slug}/topics"
        self.api("post", path, user=self.cast.member, json_body={"title": "A", "body": "b"}, headers=KEY)
        response = self.api("post", path, user=self.cast.member, json_body={"title": "B", "body": "b"}, headers=KEY)
        self.assertProblem(response, 422, "Idempotency-Key")
        self.assertEqual(list(Topic.objects.values_list("title", flat=True)), ["A"])

    def test_keys_belong_to_their_user_and_endpoint(self):
        topic = factories.make_topic(circle=self.cast.circle, author=self.cast.member)
        self.api("post", f"/topics/{topic.pk}/replies", user=self.cast.member, json_body={"body": "x"}, headers=KEY)
        other = self.api(
            "post", f"/topics/{topic.pk}/replies", user=self.cast.facilitator, json_body={"body": "x"}, headers=KEY
        )
        self.assertEqual(other.status_code, 201)
        self.assertEqual(other.json()["author"]["id"], self.cast.facilitator.pk)
        elsewhere = self.api(
            "post",
            f"/circles/{self.cast.circle.slug}/topics",
            user=self.cast.member,
            json_body={"title": "t", "body": "x"},
            headers=KEY,
        )
        self.assertEqual(elsewhere.status_code, 201)
        self.assertEqual(Post.objects.filter(is_opening=False).count(), 2)

    def test_failures_are_not_remembered(self):
        path = f"/circles/{self.cast.circle.slug}/topics"
        failed = self.api("post", path, user=self.cast.member, json_body={"title": "", "body": "b"}, headers=KEY)
        self.assertProblem(failed, 422)
        self.assertFalse(IdempotencyKey.objects.exists())
        fixed = self.api("post", path, user=self.cast.member, json_body={"title": "", "body": "b"}, headers=KEY)
        self.assertProblem(fixed, 422)
        self.assertFalse(Topic.objects.exists())

    def test_odd_keys_are_refused_and_nothing_is_created(self):
        path = f"/circles/{self.cast.circle.slug}/topics"
        for key in ("", "   ", "k" * 256, "tab\there"):
            response = self.api(
                "post",
                path,
                user=self.cast.member,
                json_body={"title": "t", "body": "b"},
                headers={"Idempotency-Key": key},
            )
            self.assertProblem(response, 422, "Idempotency-Key")
        self.assertFalse(Topic.objects.exists())

    def test_odd_paths_with_a_key_are_404_not_500(self):
        response = self.api(
            "post", "/circles/a%00b/join", user=self.cast.member, json_body={"accept_guidelines": True}, headers=KEY
        )
        self.assertProblem(response, 404)

    def test_a_racing_duplicate_is_rolled_back_and_answered_with_the_first_result(self):
        # Two copies of a request can both miss the lookup; the unique constraint then decides.
        # Making the lookup miss once is the one deterministic way to replay that race here.
        path = f"/circles/{self.cast.circle.slug}/topics"
        body = {"title": "Raced", "body": "b"}
        first = self.api("post", path, user=self.cast.member, json_body=body, headers=KEY)
        real = idempotency._existing
        calls = []

        def miss_once(*args):
            calls.append(args)
            return None if len(calls) == 1 else real(*args)

        with mock.patch.object(idempotency, "_existing", side_effect=miss_once):
            second = self.api("post", path, user=self.cast.member, json_body=body, headers=KEY)
        self.assertEqual(len(calls), 2)
        self.assertEqual(second.status_code, 201)
        self.assertEqual(second.content, first.content)
        self.assertEqual(Topic.objects.count(), 1)
        self.assertEqual(Post.objects.count(), 1)
