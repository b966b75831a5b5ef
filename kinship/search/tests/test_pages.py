"""The search page: the form, results, filters, paging, errors, limits and its query count."""

import re

from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from kinship.core import factories
from kinship.core.testing import KinshipTestCase
from kinship.discussions.models import Post
from kinship.search import queries
from kinship.search.tests.support import make_material, make_resource, make_tip

URL = "/search/"


class SearchPageTests(KinshipTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.topic = factories.make_topic(
            circle=cls.cast.circle, author=cls.cast.member, title="Hydrotherapy after surgery", body="Warm pool"
        )
        cls.tip = make_tip(author=cls.cast.member, body="Hydrotherapy sessions helped my knee bend")
        cls.resource = make_resource(name="Hydrotherapy pool finder", region="Wales")

    def setUp(self):
        self.client.force_login(self.cast.member)

    def test_the_address_and_name(self):
        self.assertEqual(reverse("search:search"), URL)

    def test_blank_shows_the_empty_form(self):
        for params in ({}, {"q": ""}, {"q": "   "}, {"q": "\x00"}):
            with self.subTest(params=params):
                response = self.client.get(URL, params)
                self.assertEqual(response.status_code, 200)
                html = response.content.decode()
                self.assertIn('role="search"', html)
                self.assertIn('type="search"', html)
                self.assertIn('<label for="search-q">', html)
                self.assertNotIn("Results for", html)
                self.assertNotIn("No results", html)

    def test_results_show_type_title_link_snippet_circle_and_date(self):
        response = self.client.get(URL, {"q": "hydrotherapy"})
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn("Results for “hydrotherapy”", html)
        self.assertIn(f'href="{self.topic.get_absolute_url()}"', html)
        self.assertIn(f'href="{self.tip.get_absolute_url()}"', html)
        self.assertIn(f'href="{self.resource.get_absolute_url()}"', html)
        self.assertIn(f'href="/c/{self.cast.circle.slug}/">{self.cast.circle.name}</a>', html)
        self.assertIn("<mark>Hydrotherapy</mark>", html)
        for label in ("Topic", "Tip", "Resource"):
            self.assertIn(f'<span class="badge">{label}</span>', html)
        self.assertRegex(html, r'<time datetime="\d{4}-\d\d-\d\dT')

    def test_visitors_see_only_public_material(self):
        self.client.logout()
        html = self.client.get(URL, {"q": "hydrotherapy"}).content.decode()
        self.assertIn(self.resource.get_absolute_url(), html)
        self.assertNotIn(self.topic.get_absolute_url(), html)
        self.assertNotIn(self.tip.get_absolute_url(), html)

    def test_type_filter_keeps_one_type_and_works_without_javascript(self):
        html = self.client.get(URL, {"q": "hydrotherapy", "type": "tip"}).content.decode()
        self.assertIn(self.tip.get_absolute_url(), html)
        self.assertNotIn(self.resource.get_absolute_url(), html)
        self.assertIn('<input type="radio" name="type" value="tip" checked>', html)
        self.assertIn('method="get"', html)

    def test_unknown_type_gets_a_clear_message(self):
        response = self.client.get(URL, {"q": "hydrotherapy", "type": "everything-secret"})
        self.assertEqual(response.status_code, 422)
        html = response.content.decode()
        self.assertIn('role="alert"', html)
        self.assertIn("type is one of topic, reply", html)
        self.assertIn('value="hydrotherapy"', html)

    def test_no_results_explains_what_to_try(self):
        html = self.client.get(URL, {"q": "zanzibarquokka"}).content.decode()
        self.assertIn("No results", html)
        self.assertIn("Check the spelling", html)
        self.assertIn("quotes", html)

    def test_member_text_cannot_inject_markup(self):
        topic = factories.make_topic(
            circle=self.cast.circle,
            author=self.cast.member,
            title='<script>alert("title")</script> marzipan',
            body='<img src=x onerror=alert(1)> marzipan <script>alert("body")</script>',
        )
        Post.objects.filter(topic=topic).update(body="<img src=x onerror=alert(1)> marzipan <script>alert(2)</script>")
        make_tip(author=self.cast.member, body="<b onmouseover=alert(3)>marzipan</b> \x02<script>x\x03")
        html = self.client.get(URL, {"q": "marzipan"}).content.decode()
        self.assertIn("marzipan", html.lower())
        self.assertNotIn("<script>alert", html)
        self.assertNotIn("<img", html)
        self.assertNotIn("<b onmouseover", html)
        self.assertIn("&lt;script&gt;", html)
        # Every <mark> is ours and closed.
        self.assertEqual(html.count("<mark>"), html.count("</mark>"))

    def test_content_notes_are_not_unfolded_by_a_snippet(self):
        topic = factories.make_topic(circle=self.cast.circle, author=self.cast.member, title="Hard week")
        factories.make_replies(
            topic, count=1, author=self.cast.member, body="The biopsy result was bad", content_note="Scan results"
        )
        html = self.client.get(URL, {"q": "biopsy"}).content.decode()
        self.assertIn("Content note: Scan results", html)
        self.assertNotIn("result was bad", html)

    def test_paging_by_cursor_and_the_depth_cap(self):
        topic = factories.make_topic(circle=self.cast.circle, author=self.cast.member, title="Long thread")
        factories.make_replies(topic, count=25, author=self.cast.member, body="Persimmon talk")
        first = self.client.get(URL, {"q": "persimmon"}).content.decode()
        self.assertEqual(first.count('class="result"'), 20)
        match = re.search(r'href="/search/\?q=persimmon&amp;cursor=([^"]+)">More results', first)
        assert match is not None
        second = self.client.get(URL, {"q": "persimmon", "cursor": match.group(1)}).content.decode()
        self.assertEqual(second.count('class="result"'), 5)
        self.assertIn('<ol class="result-list" start="21">', second)
        self.assertNotIn("More results", second)

    def test_broken_or_too_deep_cursor_gets_a_clear_message(self):
        from kinship.core.pagination import encode_cursor

        cases = {
            "not-a-cursor!!": "That page link is broken.",
            encode_cursor(["x"]): "That page link is broken.",
            encode_cursor([-5]): "That page link is broken.",
            encode_cursor([queries.MAX_RESULTS]): f"Search shows the first {queries.MAX_RESULTS} results",
        }
        for cursor, message in cases.items():
            with self.subTest(cursor=cursor):
                response = self.client.get(URL, {"q": "hydrotherapy", "cursor": cursor})
                self.assertEqual(response.status_code, 422)
                self.assertIn(message, response.content.decode())

    def test_the_limit_is_sixty_searches_a_minute_by_default(self):
        self.assertEqual(queries.rate_limit(), 60)

    @override_settings(SEARCH_RATE_LIMIT=0)
    def test_no_limit_when_switched_off(self):
        for _ in range(70):
            self.assertEqual(self.client.get(URL, {"q": "hydrotherapy"}).status_code, 200)

    @override_settings(SEARCH_RATE_LIMIT=5)
    def test_rate_limited_with_retry_after(self):
        cache.clear()
        for _ in range(queries.rate_limit()):
            self.assertEqual(self.client.get(URL, {"q": "hydrotherapy"}).status_code, 200)
        response = self.client.get(URL, {"q": "hydrotherapy"})
        self.assertEqual(response.status_code, 429)
        self.assertGreaterEqual(int(response["Retry-After"]), 1)
        # The empty form costs nothing and stays available.
        self.assertEqual(self.client.get(URL).status_code, 200)

    # One member writes 30 topics here: the hourly posting pace is not what this test is about.
    @override_settings(TOPICS_PER_HOUR=0, REPLIES_PER_HOUR=0)
    def test_query_count_does_not_grow_with_data(self):
        def count() -> int:
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as captured:
                self.assertEqual(self.client.get(URL, {"q": "hydrotherapy"}).status_code, 200)
            return len(captured)

        cache.clear()
        small = count()
        # session, user, memberships, circles, seven types, snippets
        self.assertEqual(small, 12)
        for i in range(30):
            topic = factories.make_topic(circle=self.cast.circle, author=self.cast.member, title=f"Hydrotherapy {i}")
            factories.make_replies(topic, count=2, author=self.cast.member, body="More hydrotherapy notes")
            make_tip(author=self.cast.member, body=f"Hydrotherapy tip {i}")
            make_resource(name=f"Hydrotherapy centre {i}")
            make_material(title=f"Hydrotherapy guide {i}")
            event = factories.make_event(
                circle=self.cast.circle, facilitator=self.cast.facilitator, title=f"Hydrotherapy {i}"
            )
            del event
        with self.assertNumQueries(small):
            self.client.get(URL, {"q": "hydrotherapy"})

    def test_visitor_query_count(self):
        self.client.logout()
        # session is absent, no user row: circles and memberships are not read; resource, material, event, snippets
        with self.assertNumQueries(4):
            self.client.get(URL, {"q": "hydrotherapy"})
