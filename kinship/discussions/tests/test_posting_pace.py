"""Posting is paced per member: a flood gets 429 with Retry-After, on pages and in the API, and saves nothing."""

from django.test import override_settings
from django.urls import reverse

from kinship.api.tests.base import ApiTestCase
from kinship.core import factories
from kinship.core.testing import KinshipTestCase
from kinship.discussions.models import Post, Topic


@override_settings(TOPICS_PER_HOUR=2, REPLIES_PER_HOUR=3)
class PostingPaceTests(KinshipTestCase):
    def test_a_member_past_the_hourly_topics_gets_429_and_nothing_is_saved(self) -> None:
        self.client.force_login(self.cast.member)
        url = reverse("discussions:topic-create", args=[self.cast.circle.slug])
        for i in range(2):
            self.assertEqual(self.client.post(url, {"title": f"T{i}", "body": "Hello"}).status_code, 302)
        response = self.client.post(url, {"title": "One too many", "body": "Hello"})
        self.assertEqual(response.status_code, 429)
        self.assertGreater(int(response["Retry-After"]), 0)
        self.assertContains(response, "Please wait a little", status_code=429)
        self.assertFalse(Topic.objects.filter(title="One too many").exists())

    def test_replies_are_paced_per_member_not_per_circle(self) -> None:
        topic = factories.make_topic(circle=self.cast.circle, author=self.cast.facilitator)
        url = reverse("discussions:reply-create", args=[topic.pk])
        self.client.force_login(self.cast.member)
        for _ in range(3):
            self.assertEqual(self.client.post(url, {"body": "Me too."}).status_code, 302)
        self.assertEqual(self.client.post(url, {"body": "Flood"}).status_code, 429)
        self.client.force_login(self.cast.facilitator)
        self.assertEqual(self.client.post(url, {"body": "Still here for you."}).status_code, 302)
        self.assertEqual(Post.objects.filter(topic=topic, is_opening=False).count(), 4)

    def test_bad_input_does_not_use_up_the_allowance(self) -> None:
        self.client.force_login(self.cast.member)
        url = reverse("discussions:topic-create", args=[self.cast.circle.slug])
        for _ in range(5):
            self.assertEqual(self.client.post(url, {"title": "", "body": ""}).status_code, 422)
        self.assertEqual(self.client.post(url, {"title": "Now properly", "body": "Hello"}).status_code, 302)


@override_settings(TOPICS_PER_HOUR=1, REPLIES_PER_HOUR=1)
class PostingPaceApiTests(ApiTestCase):
    def test_the_api_answers_problem_json_429_with_retry_after(self) -> None:
        path = f"/circles/{self.cast.circle.slug}/topics"
        body = {"title": "First", "body": "Hello", "anonymous": False, "content_note": ""}
        self.assertEqual(self.api("post", path, json_body=body, user=self.cast.member).status_code, 201)
        response = self.api("post", path, json_body={**body, "title": "Second"}, user=self.cast.member)
        self.assertProblem(response, 429)
        self.assertGreater(int(response["Retry-After"]), 0)
        self.assertEqual(Topic.objects.filter(title="Second").count(), 0)
