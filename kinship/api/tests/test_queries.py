"""List endpoints run a fixed number of queries, however much data they return."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kinship.api.tests.base import ApiTestCase
from kinship.circles.models import Circle
from kinship.core import factories
from kinship.discussions import services as discussions


class QueryCountTests(ApiTestCase):
    def count(self, path, user):
        # The first request with a token records its use; measure the steady state after it.
        self.api("get", "/me", user=user)
        with CaptureQueriesContext(connection) as queries:
            response = self.api("get", path, user=user)
        self.assertEqual(response.status_code, 200, response.content)
        return len(queries), response.json()["items"]

    def test_topic_list_queries_stay_flat(self):
        path = f"/circles/{self.cast.circle.slug}/topics?limit=100"
        factories.make_topic(circle=self.cast.circle, author=self.cast.member)
        for viewer in (self.cast.member, self.cast.facilitator):
            _, items = self.count(path, viewer)
            self.assertEqual(len(items), 1)
        for i in range(30):
            factories.make_topic(circle=self.cast.circle, anonymous=i % 3 == 0, replies=1)
        for viewer in (self.cast.member, self.cast.facilitator):
            with self.subTest(viewer=viewer.display_name):
                self.api("get", "/me", user=viewer)
                few, _ = self.count(path.replace("limit=100", "limit=1"), viewer)
                many, items = self.count(path, viewer)
                self.assertEqual(len(items), 31)
                self.assertEqual(many, few)

    def test_reply_list_queries_stay_flat(self):
        """1 reply against 50 replies with up to 20 reactors each, for member, facilitator and staff."""
        topic = factories.make_topic(circle=self.cast.circle, author=self.cast.member)
        factories.make_replies(topic, count=1)
        path = f"/topics/{topic.pk}/replies?limit=100"
        viewers = (self.cast.member, self.cast.facilitator, self.cast.staff)
        one = {viewer.pk: self.count(path, viewer)[0] for viewer in viewers}

        replies = factories.make_replies(topic, count=49)
        reactors = [factories.make_member(self.cast.circle) for _ in range(20)]
        for i, reply in enumerate(replies):
            for reactor in reactors[: (i % 20) + 1]:
                discussions.react(member=reactor, post=reply, kind="strength")
            if i % 5 == 0:
                discussions.react(member=self.cast.member, post=reply, kind="me_too")
            if i % 4 == 0:
                reply.anonymous = True
                reply.save(update_fields=["anonymous"])
        for viewer in viewers:
            with self.subTest(viewer=viewer.display_name):
                many, items = self.count(path, viewer)
                self.assertEqual(len(items), 50)
                self.assertEqual(many, one[viewer.pk])
        _, items = self.count(path, self.cast.member)
        self.assertEqual(sum(1 for item in items if "me_too" in item["my_reactions"]), 10)
        self.assertEqual(max(item["reactions"]["strength"] for item in items), 20)

    def test_topic_detail_queries_do_not_grow_with_replies(self):
        topic = factories.make_topic(circle=self.cast.circle, author=self.cast.member)
        before, _ = self._detail(topic)
        factories.make_replies(topic, count=30)
        after, _ = self._detail(topic)
        self.assertEqual(after, before)

    def _detail(self, topic):
        self.api("get", "/me", user=self.cast.member)
        with CaptureQueriesContext(connection) as queries:
            response = self.api("get", f"/topics/{topic.pk}", user=self.cast.member)
        return len(queries), response

    def test_circle_list_queries_stay_flat(self):
        one, _ = self.count("/circles?limit=100", self.cast.member)
        for i in range(15):
            circle = factories.make_circle(visibility=[Circle.PUBLIC, Circle.PRIVATE, Circle.HIDDEN][i % 3])
            factories.add_member(circle, self.cast.member)
            factories.make_member(circle)
        many, items = self.count("/circles?limit=100", self.cast.member)
        self.assertEqual(len(items), 16)
        self.assertEqual(many, one)

    def test_member_list_queries_stay_flat(self):
        path = f"/circles/{self.cast.circle.slug}/members?limit=100"
        few, _ = self.count(path, self.cast.facilitator)
        for _ in range(25):
            factories.make_member(self.cast.circle)
        many, items = self.count(path, self.cast.facilitator)
        self.assertEqual(len(items), 29)
        self.assertEqual(many, few)
