"""GET /api/v1/search: who finds what, the item shape, paging, problem+json errors, the rate limit."""

import re

from django.core.cache import cache
from django.test import override_settings

from kinship.api.tests.base import ApiTestCase
from kinship.circles.models import Circle
from kinship.core import factories
from kinship.core.pagination import encode_cursor
from kinship.qa import services as qa
from kinship.search import queries
from kinship.search.tests.support import make_material, make_resource, make_tip

ITEM_KEYS = {"type", "id", "url", "title", "snippet_html", "circle", "created_at"}


class SearchApiTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cast = cls.cast
        cls.topic = factories.make_topic(
            circle=cast.circle, author=cast.member, title="Rhubarb season", body="Rhubarb crumble for the ward"
        )
        cls.tip = make_tip(author=cast.member, body="Rhubarb & <ginger> tea settles the stomach")
        cls.resource = make_resource(name="Rhubarb helpline", description="Talk it through")
        cls.material = make_material(title="Rhubarb leaflet", source="Patient group")
        cls.event = factories.make_event(circle=cast.circle, facilitator=cast.facilitator, title="Rhubarb social")
        private = factories.make_circle(visibility=Circle.PRIVATE)
        lead = factories.make_user()
        factories.add_member(private, lead, role="facilitator")
        cls.private_event = factories.make_event(circle=private, facilitator=lead, title="Rhubarb private")
        question = qa.ask(author=cast.member, event=cls.event, body="Is rhubarb ok after chemo?")
        cls.question = qa.answer(answerer=cast.facilitator, question=question, body="Ask your team first.")

    def types_found(self, response) -> set[str]:
        return {item["type"] for item in response.json()["items"]}

    def test_members_find_every_type_they_may_see(self):
        response = self.api("get", "/search?q=rhubarb", user=self.cast.member)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            self.types_found(response), {"topic", "reply", "tip", "resource", "material", "event", "question"}
        )
        self.assertNotIn(self.private_event.pk, [i["id"] for i in response.json()["items"] if i["type"] == "event"])

    def test_visitors_find_public_material_resources_and_public_events_only(self):
        response = self.api("get", "/search?q=rhubarb")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.types_found(response), {"resource", "material", "event"})
        self.assertEqual([i["id"] for i in response.json()["items"] if i["type"] == "event"], [self.event.pk])

    def test_a_bad_token_is_401_not_a_visitor(self):
        response = self.api("get", "/search?q=rhubarb", headers={"Authorization": "Bearer nonsense"})
        self.assertProblem(response, 401)

    def test_item_shape(self):
        items = self.api("get", "/search?q=rhubarb", user=self.cast.member).json()["items"]
        by_type = {item["type"]: item for item in items}
        for item in items:
            self.assertEqual(set(item), ITEM_KEYS)
            self.assertNotIn("<", re.sub(r"</?mark>", "", item["snippet_html"]))
        self.assertEqual(by_type["topic"]["url"], self.topic.get_absolute_url())
        self.assertEqual(by_type["topic"]["circle"], {"slug": self.cast.circle.slug, "name": self.cast.circle.name})
        self.assertEqual(by_type["reply"]["title"], "Rhubarb season")
        self.assertIsNone(by_type["tip"]["circle"])
        # Escaped on SQLite; PostgreSQL's ts_headline drops tag-like text altogether. Never raw.
        self.assertNotIn("<ginger>", by_type["tip"]["snippet_html"])
        self.assertIn("&amp;", by_type["tip"]["snippet_html"])
        self.assertIn("<mark>", by_type["tip"]["snippet_html"])
        self.assertEqual(by_type["question"]["url"], self.question.get_absolute_url())
        self.assertEqual(by_type["event"]["url"], self.event.get_absolute_url())
        self.assertEqual(by_type["material"]["url"], f"/library/{self.material.pk}/")
        self.assertEqual(by_type["resource"]["url"], f"/resources/{self.resource.pk}/")

    def test_type_keeps_one_kind(self):
        for kind in queries.TYPES:
            with self.subTest(type=kind):
                response = self.api("get", f"/search?q=rhubarb&type={kind}", user=self.cast.member)
                self.assertEqual(self.types_found(response), {kind})

    def test_bad_input_is_422_problem_json(self):
        cases = {
            "/search": "q",
            "/search?q=": "q",
            "/search?q=%20%20": "q",
            "/search?q=%00": "q",
            "/search?q=rhubarb&type=secret": "type",
            "/search?q=rhubarb&type=Topic": "type",
            "/search?q=rhubarb&limit=0": "limit",
            "/search?q=rhubarb&limit=101": "limit",
            "/search?q=rhubarb&limit=ten": "limit",
            "/search?q=rhubarb&cursor=%%%": "cursor",
            f"/search?q=rhubarb&cursor={encode_cursor(['x'])}": "cursor",
            f"/search?q=rhubarb&cursor={encode_cursor([True])}": "cursor",
            f"/search?q=rhubarb&cursor={encode_cursor([queries.MAX_RESULTS])}": "cursor",
            f"/search?q=rhubarb&cursor={'A' * 5000}": "cursor",
        }
        for path, field in cases.items():
            with self.subTest(path=path[:60]):
                body = self.assertProblem(self.api("get", path, user=self.cast.member), 422, field)
                self.assertTrue(body["detail"])

    def test_only_punctuation_is_an_empty_list_not_an_error(self):
        for q in ("%21%21%21", "%22", "-rhubarb", "AND%20OR%20NOT"):
            with self.subTest(q=q):
                response = self.api("get", f"/search?q={q}", user=self.cast.member)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.json(), {"items": [], "next": None})

    def test_paging_walks_every_result_once(self):
        topic = factories.make_topic(circle=self.cast.circle, author=self.cast.member, title="Elderflower")
        factories.make_replies(topic, count=6, author=self.cast.member, body="Elderflower cordial")
        seen: list[tuple[str, int]] = []
        path = "/search?q=elderflower&limit=3"
        pages = 0
        while path:
            body = self.api("get", path, user=self.cast.member).json()
            seen += [(i["type"], i["id"]) for i in body["items"]]
            pages += 1
            path = f"/search?q=elderflower&limit=3&cursor={body['next']}" if body["next"] else ""
        self.assertEqual(len(seen), 7)  # the topic and six replies
        self.assertEqual(len(set(seen)), 7)
        self.assertEqual(pages, 3)

    @override_settings(SEARCH_RATE_LIMIT=5)
    def test_rate_limited_with_retry_after(self):
        cache.clear()
        for _ in range(queries.rate_limit()):
            self.assertEqual(self.api("get", "/search?q=rhubarb", user=self.cast.member).status_code, 200)
        response = self.api("get", "/search?q=rhubarb", user=self.cast.member)
        self.assertProblem(response, 429)
        self.assertGreaterEqual(int(response["Retry-After"]), 1)
        # Per client: someone else still searches.
        self.assertEqual(self.api("get", "/search?q=rhubarb", user=self.cast.outsider).status_code, 200)

    @override_settings(SEARCH_RATE_LIMIT=5)
    def test_visitors_are_limited_by_address(self):
        cache.clear()
        for _ in range(queries.rate_limit()):
            self.api("get", "/search?q=rhubarb")
        self.assertProblem(self.api("get", "/search?q=rhubarb"), 429)

    def test_query_count_does_not_grow_with_data(self):
        key = self.key_for(self.cast.member)
        headers = {"Authorization": f"Bearer {key}"}
        self.client.get("/api/v1/search?q=rhubarb", headers=headers)
        # token, memberships, circles, seven types, snippets
        with self.assertNumQueries(11):
            self.client.get("/api/v1/search?q=rhubarb", headers=headers)
        for i in range(20):
            factories.make_topic(circle=self.cast.circle, author=self.cast.member, title=f"Rhubarb {i}")
            make_tip(author=self.cast.member, body=f"Rhubarb tip {i}")
        with self.assertNumQueries(11):
            self.client.get("/api/v1/search?q=rhubarb", headers=headers)
