"""GET /resources and /resources/{id}: open to visitors, filters, 422 for bad filters, 404, fixed query counts."""

from datetime import UTC, datetime, timedelta
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kinship.api.tests.base import ApiTestCase
from kinship.library.models import Resource
from kinship.library.tests.resources_support import make_resource, make_resources

WEDNESDAY_NOON = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)
KEYS = {
    "id", "url", "kind", "kind_label", "name", "description", "website", "phone", "address", "region", "languages",
    "eligibility", "cost", "timezone", "always_open", "hours", "open_now", "open_status", "verified_by",
    "verified_at", "reviewed_at", "is_example",
}  # fmt: skip


class ResourceListTests(ApiTestCase):
    def names(self, response):
        self.assertEqual(response.status_code, 200, response.content[:300])
        return [item["name"] for item in response.json()["items"]]

    def test_visitor_lists_active_resources_in_the_contract_shape(self):
        make_resource(
            name="Example line",
            languages="en,es",
            is_example=True,
            hours=[(0, "09:00", "17:00"), (4, "22:00", "02:00")],
            verified_by=self.cast.staff,
            verified_at=timezone.now(),
        )
        make_resource(name="Gone", active=False)
        response = self.api("GET", "/resources")
        self.assertEqual(response.status_code, 200)
        [item] = response.json()["items"]
        self.assertEqual(set(item), KEYS)
        self.assertEqual(item["languages"], ["en", "es"])
        self.assertEqual(item["kind_label"], "Helpline")
        self.assertEqual(
            item["hours"],
            [{"weekday": 0, "opens": "09:00", "closes": "17:00"}, {"weekday": 4, "opens": "22:00", "closes": "02:00"}],
        )
        self.assertEqual(item["verified_by"]["display_name"], "Sam Staff")
        self.assertNotIn("email", item["verified_by"])
        self.assertTrue(item["is_example"])
        self.assertTrue(item["url"].startswith("/resources/"))
        self.assertIsNone(response.json()["next"])

    def test_open_now_values(self):
        make_resource(name="A day", hours=[(2, "09:00", "17:00")])
        make_resource(name="B night", hours=[(2, "20:00", "02:00")])
        make_resource(name="C always", always_open=True)
        make_resource(name="D unknown")
        with mock.patch("django.utils.timezone.now", return_value=WEDNESDAY_NOON):
            items = self.api("GET", "/resources").json()["items"]
        self.assertEqual([i["open_now"] for i in items], [True, False, True, None])
        self.assertEqual(items[0]["open_status"], "Open now · closes 17:00")
        self.assertEqual(items[1]["open_status"], "Closed now · opens 20:00")
        with mock.patch("django.utils.timezone.now", return_value=WEDNESDAY_NOON):
            self.assertEqual(self.names(self.api("GET", "/resources?open_now=true")), ["A day", "C always"])
            self.assertEqual(len(self.names(self.api("GET", "/resources?open_now=false"))), 4)

    def test_filters(self):
        make_resource(name="Alpha", region="London", languages="en", description="Travel help")
        make_resource(name="Beta", kind=Resource.FINANCIAL, region="Scotland", languages="es,en")
        make_resource(name="Gamma", kind=Resource.FINANCIAL, region="Scotland", languages="bn")
        self.assertEqual(self.names(self.api("GET", "/resources?kind=financial")), ["Beta", "Gamma"])
        self.assertEqual(self.names(self.api("GET", "/resources?region=London")), ["Alpha"])
        self.assertEqual(self.names(self.api("GET", "/resources?language=en")), ["Alpha", "Beta"])
        self.assertEqual(self.names(self.api("GET", "/resources?q=travel")), ["Alpha"])
        self.assertEqual(self.names(self.api("GET", "/resources?kind=financial&language=es")), ["Beta"])

    def test_bad_filter_values_are_422_naming_the_filter(self):
        for query, field in (
            ("kind=spa", "kind"),
            ("language=english", "language"),
            ("open_now=perhaps", "open_now"),
            ("q=" + "x" * 201, "q"),
            ("region=a%00b", "region"),
            ("limit=0", "limit"),
            ("limit=abc", "limit"),
            ("cursor=!!!", "cursor"),
        ):
            with self.subTest(query=query):
                body = self.assertProblem(self.api("GET", f"/resources?{query}"), 422, field)
                self.assertTrue(body["detail"])

    def test_single_letter_language_is_refused(self):
        self.assertProblem(self.api("GET", "/resources?language=n"), 422, "language")

    def test_cursor_pages(self):
        make_resources(5)
        first = self.api("GET", "/resources?limit=2").json()
        second = self.api("GET", f"/resources?limit=2&cursor={first['next']}").json()
        third = self.api("GET", f"/resources?limit=2&cursor={second['next']}").json()
        names = [i["name"] for page in (first, second, third) for i in page["items"]]
        self.assertEqual(names, sorted(names))
        self.assertEqual(len(set(names)), 5)
        self.assertIsNone(third["next"])

    def test_staleness_only_for_curators(self):
        make_resource(reviewed_at=timezone.now() - timedelta(days=400))
        for user in (None, self.cast.member, self.cast.outsider):
            with self.subTest(user=user):
                item = self.api("GET", "/resources", user=user).json()["items"][0]
                self.assertNotIn("stale", item)
                self.assertNotIn("active", item)
        for user in (self.cast.facilitator, self.cast.staff):
            with self.subTest(user=user):
                item = self.api("GET", "/resources", user=user).json()["items"][0]
                self.assertIs(item["stale"], True)
                self.assertIs(item["active"], True)

    def test_a_bad_token_is_401_not_anonymous(self):
        response = self.api("GET", "/resources", headers={"Authorization": "Bearer nonsense"})
        self.assertProblem(response, 401)

    def test_writes_are_not_offered(self):
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            with self.subTest(method=method):
                response = self.api(method, "/resources", user=self.cast.staff, json_body={"name": "x"})
                self.assertIn(response.status_code, (404, 405))
        self.assertFalse(Resource.objects.exists())

    def test_list_queries_stay_flat(self):
        make_resources(3, reviewed_at=None)
        for user in (None, self.cast.member, self.cast.facilitator):
            # The first call with a token also records when it was last used; measure after it.
            self.api("GET", "/resources", user=user)
            for query in ("?limit=100", "?open_now=true&language=en&limit=100"):
                with self.subTest(user=user, query=query):
                    counts = []
                    for extra in (0, 27):
                        made = make_resources(extra, reviewed_at=None)
                        with (
                            mock.patch("django.utils.timezone.now", return_value=WEDNESDAY_NOON),
                            CaptureQueriesContext(connection) as captured,
                        ):
                            response = self.api("GET", f"/resources{query}", user=user)
                        self.assertEqual(response.status_code, 200, response.content[:200])
                        self.assertEqual(len(response.json()["items"]), 3 + extra)
                        counts.append(len(captured))
                        Resource.objects.filter(pk__in=[r.pk for r in made]).delete()
                    self.assertEqual(counts[0], counts[1])

    def test_visitor_list_is_two_queries(self):
        make_resources(3)
        with self.assertNumQueries(2):  # resources, hours
            self.api("GET", "/resources")
        make_resources(30)
        with self.assertNumQueries(2):
            self.api("GET", "/resources?limit=100")


class ResourceDetailTests(ApiTestCase):
    def test_visitor_gets_one_resource(self):
        resource = make_resource(name="Example US line", timezone="America/New_York", hours=[(0, "09:00", "17:00")])
        response = self.api("GET", f"/resources/{resource.pk}")
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(set(body), KEYS)
        self.assertEqual(body["timezone"], "America/New_York")
        self.assertEqual(body["url"], f"/resources/{resource.pk}/")

    def test_unknown_or_odd_ids_are_404(self):
        for path in ("/resources/999999", "/resources/abc", "/resources/0", "/resources/-1", f"/resources/{2**70}"):
            with self.subTest(path=path):
                self.assertProblem(self.api("GET", path), 404)

    def test_deactivated_is_404_except_for_curators(self):
        resource = make_resource(active=False)
        for user in (None, self.cast.member):
            with self.subTest(user=user):
                self.assertProblem(self.api("GET", f"/resources/{resource.pk}", user=user), 404)
        body = self.api("GET", f"/resources/{resource.pk}", user=self.cast.facilitator).json()
        self.assertIs(body["active"], False)

    def test_detail_queries_stay_flat(self):
        small = make_resource(hours=[(0, "09:00", "17:00")])
        big = make_resource(hours=[(d, f"{h:02d}:00", f"{h:02d}:30") for d in range(7) for h in (8, 10, 12)])
        with self.assertNumQueries(2):
            self.api("GET", f"/resources/{small.pk}")
        make_resources(30)
        with self.assertNumQueries(2):
            self.api("GET", f"/resources/{big.pk}")

    def test_openapi_lists_the_endpoints(self):
        paths = self.api("GET", "/openapi.json").json()["paths"]
        self.assertIn("/api/v1/resources", paths)
        self.assertIn("/api/v1/resources/{resource_id}", paths)
