"""GET/POST /tips, GET/PATCH/DELETE /tips/{id}, PUT/DELETE /tips/{id}/helpful."""

import json
import threading
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client, TransactionTestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kinship.accounts.models import ApiToken
from kinship.api.models import IdempotencyKey
from kinship.api.tests.base import BAD_TEXT, PREFIX, ApiTestCase
from kinship.api.tests.test_robustness import WEIRD_BODIES, WEIRD_VALUES
from kinship.core import factories
from kinship.library import tips
from kinship.library.models import PAIN, PHYSIO, PROSTHETICS, SCHOOL_WORK, THEMES, Tip, TipVote
from kinship.library.tests.test_tips_services import BODY, make_tip

NOTE = "Shared experience, not medical advice."
TIP_KEYS = {
    "id", "url", "theme", "theme_label", "body", "body_html", "author", "helpful_count", "helped",
    "can_mark_helpful", "mine", "featured", "created_at", "updated_at",
}  # fmt: skip


class TipApiCase(ApiTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.tip = tips.post_tip(author=cls.cast.member, theme=PAIN, body="A cushion under the **knee**.")

    def items(self, user, query: str = "") -> list[dict[str, Any]]:
        response = self.api("get", "/tips" + query, user=user)
        self.assertEqual(response.status_code, 200, response.content)
        return response.json()["items"]

    def ids(self, user, query: str = "") -> list[int]:
        return [item["id"] for item in self.items(user, query)]


# Signed out ---------------------------------------------------------------------------------


class AnonymousTests(TipApiCase):
    def test_every_endpoint_needs_a_token(self):
        for method, path, body in (
            ("get", "/tips", None),
            ("post", "/tips", {"theme": PAIN, "body": BODY}),
            ("get", f"/tips/{self.tip.pk}", None),
            ("patch", f"/tips/{self.tip.pk}", {"body": "Mine"}),
            ("delete", f"/tips/{self.tip.pk}", None),
            ("put", f"/tips/{self.tip.pk}/helpful", None),
            ("delete", f"/tips/{self.tip.pk}/helpful", None),
        ):
            with self.subTest(method=method, path=path):
                kwargs = {} if body is None else {"json_body": body}
                response = self.api(method, path, **kwargs)
                self.assertProblem(response, 401)
                self.assertNotIn("cushion", response.content.decode())
        self.assertEqual(Tip.objects.count(), 1)

    def test_a_session_cookie_is_not_a_token(self):
        self.client.force_login(self.cast.member)
        self.assertProblem(self.api("get", "/tips"), 401)


# The list -----------------------------------------------------------------------------------


class TipListTests(TipApiCase):
    def test_member_lists_tips_in_the_contract_shape_with_the_note(self):
        response = self.api("get", "/tips", user=self.cast.outsider)
        data = response.json()
        self.assertEqual(data["note"], NOTE)
        self.assertIsNone(data["next"])
        [item] = data["items"]
        self.assertEqual(set(item), TIP_KEYS)
        self.assertEqual(item["id"], self.tip.pk)
        self.assertEqual(item["url"], f"/tips/{self.tip.pk}/")
        self.assertEqual((item["theme"], item["theme_label"]), (PAIN, "Pain management"))
        self.assertEqual(item["body"], "A cushion under the **knee**.")
        self.assertIn("<strong>knee</strong>", item["body_html"])
        self.assertEqual(item["author"]["display_name"], "Mia Member")
        self.assertEqual(set(item["author"]), {"id", "display_name", "avatar_url", "badges"})
        self.assertEqual((item["helpful_count"], item["helped"], item["featured"]), (0, False, False))
        self.assertTrue(item["can_mark_helpful"])
        self.assertFalse(item["mine"])
        self.assertNotIn("@", response.content.decode())

    def test_the_author_sees_it_as_theirs_and_cannot_mark_it(self):
        [item] = self.items(self.cast.member)
        self.assertTrue(item["mine"])
        self.assertFalse(item["can_mark_helpful"])

    def test_theme_featured_and_sort_filters(self):
        physio = make_tip(self.cast.outsider, theme=PHYSIO, body="Physio")
        school = make_tip(self.cast.outsider, theme=SCHOOL_WORK, body="School")
        tips.mark_helpful(member=self.cast.member, tip=school)
        tips.mark_helpful(member=self.cast.facilitator, tip=school)
        tips.mark_helpful(member=self.cast.member, tip=physio)
        tips.feature_tip(curator=self.cast.facilitator, tip=physio)
        user = self.cast.staff
        self.assertEqual(self.ids(user), [school.pk, physio.pk, self.tip.pk])
        self.assertEqual(self.ids(user, "?theme=physio"), [physio.pk])
        self.assertEqual(self.ids(user, "?theme="), [school.pk, physio.pk, self.tip.pk])
        self.assertEqual(self.ids(user, "?featured=true"), [physio.pk])
        self.assertEqual(self.ids(user, "?featured=false"), [school.pk, self.tip.pk])
        self.assertEqual(self.ids(user, "?sort=helpful"), [school.pk, physio.pk, self.tip.pk])
        self.assertEqual(self.ids(user, "?sort=newest&theme=pain"), [self.tip.pk])
        featured = self.items(user, "?featured=true")[0]
        self.assertTrue(featured["featured"])
        self.assertEqual(self.items(self.cast.member, "?theme=physio")[0]["helped"], True)

    def test_bad_filters_are_422_naming_the_field(self):
        for query, field in (
            ("?theme=cooking", "theme"),
            ("?theme=PAIN", "theme"),
            ("?theme=%00", "theme"),
            ("?sort=oldest", "sort"),
            ("?featured=yes", "featured"),
            ("?limit=0", "limit"),
            ("?limit=101", "limit"),
            ("?limit=x", "limit"),
            ("?cursor=broken", "cursor"),
            ("?cursor=WyJcdTAwMDAiXQ", "cursor"),
        ):
            with self.subTest(query=query):
                self.assertProblem(self.api("get", "/tips" + query, user=self.cast.member), 422, field)

    def test_pages_follow_the_cursor_in_both_orders(self):
        for i in range(6):
            tip = make_tip(self.cast.outsider, theme=PROSTHETICS, body=f"Tip {i}")
            for voter in (self.cast.member, self.cast.facilitator, self.cast.staff)[: i % 4]:
                tips.mark_helpful(member=voter, tip=tip)
        for sort in ("newest", "helpful"):
            with self.subTest(sort=sort):
                seen: list[int] = []
                query = f"?sort={sort}&limit=3"
                while True:
                    data = self.api("get", "/tips" + query, user=self.cast.member).json()
                    seen += [item["id"] for item in data["items"]]
                    if not data["next"]:
                        break
                    query = f"?sort={sort}&limit=3&cursor={data['next']}"
                self.assertEqual(len(seen), 7)
                self.assertEqual(len(set(seen)), 7)

    def test_a_cursor_from_the_other_order_is_refused_or_read_never_a_500(self):
        for i in range(3):
            make_tip(self.cast.outsider, body=f"Tip {i}")
        newest = self.api("get", "/tips?limit=1", user=self.cast.member).json()["next"]
        helpful = self.api("get", "/tips?limit=1&sort=helpful", user=self.cast.member).json()["next"]
        for query in (f"?sort=helpful&cursor={newest}", f"?cursor={helpful}"):
            response = self.api("get", "/tips" + query, user=self.cast.member)
            self.assertIn(response.status_code, (200, 422), response.content)

    def test_hidden_tips_are_listed_for_curators_only_and_deleted_for_nobody(self):
        hidden = make_tip(self.cast.outsider, body="Hidden", hidden=True)
        make_tip(self.cast.outsider, body="Deleted", deleted_at=timezone.now())
        for user in (self.cast.member, self.cast.outsider, self.cast.unverified, self.cast.pending):
            with self.subTest(user=user.display_name):
                response = self.api("get", "/tips", user=user)
                self.assertEqual([i["id"] for i in response.json()["items"]], [self.tip.pk])
                self.assertNotIn('"hidden"', response.content.decode())
        for user in (self.cast.facilitator, self.cast.staff):
            with self.subTest(user=user.display_name):
                items = self.items(user)
                self.assertEqual([i["id"] for i in items], [hidden.pk, self.tip.pk])
                self.assertEqual([i["hidden"] for i in items], [True, False])


class ListQueryCountTests(TipApiCase):
    def count(self, user, query: str = "?limit=100") -> int:
        self.api("get", "/me", user=user)  # the token's first use is recorded; measure after it
        with CaptureQueriesContext(connection) as queries:
            response = self.api("get", "/tips" + query, user=user)
        self.assertEqual(response.status_code, 200)
        return len(queries)

    def fill(self, n: int) -> None:
        authors = [factories.make_user() for _ in range(3)]
        voters = [self.cast.member, self.cast.facilitator, self.cast.staff]
        for i in range(n):
            tip = make_tip(authors[i % 3], theme=THEMES[i % len(THEMES)], body=f"Tip {i}")
            for voter in voters[: i % 4]:
                tips.mark_helpful(member=voter, tip=tip)
            if i % 5 == 0:
                tips.feature_tip(curator=self.cast.staff, tip=tip)
            if i % 7 == 3:
                tips.hide_tip(curator=self.cast.staff, tip=tip)

    def test_list_and_detail_cost_the_same_with_3_and_30_tips_and_votes(self):
        viewers = (self.cast.member, self.cast.facilitator, self.cast.staff, self.cast.unverified)
        queries = ("?limit=100", "?limit=100&sort=helpful", "?limit=100&featured=true&theme=pain")
        self.fill(2)
        few = {(v.pk, q): self.count(v, q) for v in viewers for q in queries}
        detail = {v.pk: self.count_detail(v) for v in viewers}
        self.fill(28)
        for _ in range(27):
            tips.mark_helpful(member=factories.make_user(), tip=self.tip)
        for viewer in viewers:
            for query in queries:
                with self.subTest(viewer=viewer.display_name, query=query):
                    self.assertEqual(self.count(viewer, query), few[(viewer.pk, query)])
            self.assertEqual(self.count_detail(viewer), detail[viewer.pk])
        self.assertGreaterEqual(len(self.items(self.cast.staff, "?limit=100")), 30)

    def count_detail(self, user) -> int:
        self.api("get", "/me", user=user)
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.api("get", f"/tips/{self.tip.pk}", user=user).status_code, 200)
        return len(queries)


# Posting ------------------------------------------------------------------------------------


class TipCreateTests(TipApiCase):
    def test_member_posts_a_tip(self):
        response = self.api("post", "/tips", user=self.cast.outsider, json_body={"theme": PHYSIO, "body": "Alarm!"})
        self.assertEqual(response.status_code, 201, response.content)
        data = response.json()
        tip = Tip.objects.get(pk=data["id"])
        self.assertEqual((tip.author, tip.theme, tip.body), (self.cast.outsider, PHYSIO, "Alarm!"))
        self.assertEqual(set(data), TIP_KEYS)
        self.assertTrue(data["mine"])

    def test_unverified_people_may_not_post(self):
        response = self.api("post", "/tips", user=self.cast.unverified, json_body={"theme": PAIN, "body": BODY})
        self.assertIn("confirm your email", self.assertProblem(response, 403)["detail"])
        self.assertEqual(Tip.objects.count(), 1)

    def test_bad_input_is_422_and_saves_nothing(self):
        for value in BAD_TEXT:
            with self.subTest(body=str(value)[:20]):
                response = self.api("post", "/tips", user=self.cast.member, json_body={"theme": PAIN, "body": value})
                self.assertProblem(response, 422, "body")
        for value in ("", "cooking", "Pain", None, 3, ["pain"], {"a": 1}):
            with self.subTest(theme=value):
                response = self.api("post", "/tips", user=self.cast.member, json_body={"theme": value, "body": BODY})
                self.assertProblem(response, 422, "theme")
        for body in ({"body": BODY}, {"theme": PAIN}, {"theme": PAIN, "body": BODY, "featured": True}):
            with self.subTest(payload=body):
                self.assertProblem(self.api("post", "/tips", user=self.cast.member, json_body=body), 422)
        for raw in WEIRD_BODIES:
            with self.subTest(raw=raw[:20]):
                response = self.api("post", "/tips", user=self.cast.member, raw=raw)
                self.assertIn(response.status_code, (400, 422), response.content)
        self.assertEqual(Tip.objects.count(), 1)

    def test_idempotency_key_returns_the_first_tip(self):
        headers = {"Idempotency-Key": "tip-once-1"}
        body = {"theme": PAIN, "body": "Only once please"}
        first = self.api("post", "/tips", user=self.cast.outsider, json_body=body, headers=headers)
        again = self.api("post", "/tips", user=self.cast.outsider, json_body=body, headers=headers)
        self.assertEqual(first.status_code, 201)
        self.assertEqual(again.status_code, 201)
        self.assertEqual(first.json(), again.json())
        self.assertEqual(Tip.objects.filter(author=self.cast.outsider).count(), 1)
        changed = self.api(
            "post", "/tips", user=self.cast.outsider, json_body={**body, "body": "Other"}, headers=headers
        )
        self.assertProblem(changed, 422, "Idempotency-Key")
        self.assertEqual(IdempotencyKey.objects.count(), 1)

    def test_posting_is_rate_limited_with_retry_after(self):
        for i in range(tips.TIPS_PER_HOUR):
            response = self.api("post", "/tips", user=self.cast.outsider, json_body={"theme": PAIN, "body": f"T {i}"})
            self.assertEqual(response.status_code, 201)
        response = self.api("post", "/tips", user=self.cast.outsider, json_body={"theme": PAIN, "body": "One more"})
        self.assertProblem(response, 429)
        self.assertGreater(int(response["Retry-After"]), 0)
        self.assertEqual(Tip.objects.filter(author=self.cast.outsider).count(), tips.TIPS_PER_HOUR)


# One tip ------------------------------------------------------------------------------------


class TipDetailTests(TipApiCase):
    def test_member_reads_a_tip(self):
        response = self.api("get", f"/tips/{self.tip.pk}", user=self.cast.outsider)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(set(response.json()), TIP_KEYS)
        self.assertNotIn(self.cast.member.email, response.content.decode())

    def test_hidden_is_404_to_members_and_the_author_but_read_by_curators(self):
        tips.hide_tip(curator=self.cast.staff, tip=self.tip)
        for user in (self.cast.member, self.cast.outsider):
            self.assertProblem(self.api("get", f"/tips/{self.tip.pk}", user=user), 404)
        for user in (self.cast.facilitator, self.cast.staff):
            data = self.api("get", f"/tips/{self.tip.pk}", user=user).json()
            self.assertTrue(data["hidden"])

    def test_deleted_is_404_to_everyone(self):
        tips.delete_tip(actor=self.cast.member, tip=self.tip)
        for user in (self.cast.member, self.cast.facilitator, self.cast.staff):
            self.assertProblem(self.api("get", f"/tips/{self.tip.pk}", user=user), 404)

    def test_odd_ids_never_make_a_500(self):
        for path in ("/tips/999999", f"/tips/{10**30}", "/tips/-1", "/tips/0", "/tips/abc", "/tips/%00/helpful"):
            for method in ("get", "patch", "delete", "put"):
                response = self.api(method, path, user=self.cast.member)
                if response.status_code != 405:
                    self.assertIn(response.status_code, (404, 422), (method, path))
                    self.assertEqual(response["Content-Type"], "application/problem+json")


class TipUpdateTests(TipApiCase):
    def path(self) -> str:
        return f"/tips/{self.tip.pk}"

    def test_author_edits_words_and_theme(self):
        response = self.api("patch", self.path(), user=self.cast.member, json_body={"body": "New *words*"})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertIn("<em>words</em>", response.json()["body_html"])
        response = self.api("patch", self.path(), user=self.cast.member, json_body={"theme": PHYSIO})
        self.assertEqual(response.json()["theme"], PHYSIO)
        self.assertEqual(response.json()["body"], "New *words*")

    def test_others_may_not_edit(self):
        for user in (self.cast.outsider, self.cast.facilitator, self.cast.staff):
            self.assertProblem(self.api("patch", self.path(), user=user, json_body={"body": "Mine"}), 403)
        self.tip.refresh_from_db()
        self.assertEqual(self.tip.body, "A cushion under the **knee**.")

    def test_curators_feature_and_hide(self):
        data = self.api("patch", self.path(), user=self.cast.facilitator, json_body={"featured": True}).json()
        self.assertTrue(data["featured"])
        data = self.api("patch", self.path(), user=self.cast.staff, json_body={"hidden": True}).json()
        self.assertEqual((data["hidden"], data["featured"]), (True, False))
        response = self.api("patch", self.path(), user=self.cast.staff, json_body={"featured": True})
        self.assertProblem(response, 409)
        data = self.api("patch", self.path(), user=self.cast.staff, json_body={"hidden": False}).json()
        self.assertFalse(data["hidden"])

    def test_an_author_who_may_not_feature_changes_nothing_at_all(self):
        body = {"body": "Changed", "featured": True}
        self.assertProblem(self.api("patch", self.path(), user=self.cast.member, json_body=body), 403)
        self.tip.refresh_from_db()
        self.assertEqual(self.tip.body, "A cushion under the **knee**.")
        self.assertIsNone(self.tip.featured_at)

    def test_bad_patches_are_422(self):
        for body, field in (
            ({}, "__all__"),
            ({"featured": None}, "featured"),
            ({"hidden": "yes"}, "hidden"),
            ({"body": ""}, "body"),
            ({"body": None}, "body"),
            ({"theme": "x"}, "theme"),
            ({"author": 1}, "author"),
        ):
            with self.subTest(body=body):
                self.assertProblem(self.api("patch", self.path(), user=self.cast.member, json_body=body), 422, field)


class TipDeleteTests(TipApiCase):
    def test_author_deletes_then_it_is_gone(self):
        self.assertProblem(self.api("delete", f"/tips/{self.tip.pk}", user=self.cast.staff), 403)
        self.assertProblem(self.api("delete", f"/tips/{self.tip.pk}", user=self.cast.outsider), 403)
        self.assertEqual(self.api("delete", f"/tips/{self.tip.pk}", user=self.cast.member).status_code, 204)
        self.tip.refresh_from_db()
        self.assertEqual(self.tip.body, "")
        self.assertProblem(self.api("delete", f"/tips/{self.tip.pk}", user=self.cast.member), 404)
        self.assertEqual(self.items(self.cast.member), [])


# Helpful ------------------------------------------------------------------------------------


class HelpfulTests(TipApiCase):
    def path(self) -> str:
        return f"/tips/{self.tip.pk}/helpful"

    def test_mark_once_and_take_it_back(self):
        response = self.api("put", self.path(), user=self.cast.outsider)
        self.assertEqual(response.json(), {"helpful_count": 1, "helped": True})
        self.assertEqual(
            self.api("put", self.path(), user=self.cast.outsider).json(), {"helpful_count": 1, "helped": True}
        )
        self.assertEqual(
            self.api("put", self.path(), user=self.cast.staff).json(), {"helpful_count": 2, "helped": True}
        )
        self.assertEqual(TipVote.objects.filter(tip=self.tip).count(), 2)
        self.assertTrue(self.items(self.cast.outsider)[0]["helped"])
        self.assertEqual(
            self.api("delete", self.path(), user=self.cast.outsider).json(), {"helpful_count": 1, "helped": False}
        )
        self.assertEqual(
            self.api("delete", self.path(), user=self.cast.outsider).json(), {"helpful_count": 1, "helped": False}
        )

    def test_own_tip_is_403_with_a_clear_message(self):
        body = self.assertProblem(self.api("put", self.path(), user=self.cast.member), 403)
        self.assertEqual(body["detail"], "You cannot mark your own tip as helpful.")
        self.tip.refresh_from_db()
        self.assertEqual(self.tip.helpful_count, 0)

    def test_unverified_people_may_not_mark(self):
        self.assertProblem(self.api("put", self.path(), user=self.cast.unverified), 403)
        self.assertFalse(TipVote.objects.exists())

    def test_hidden_or_deleted_tips_are_404_to_members(self):
        tips.hide_tip(curator=self.cast.staff, tip=self.tip)
        self.assertProblem(self.api("put", self.path(), user=self.cast.outsider), 404)
        self.assertProblem(self.api("put", self.path(), user=self.cast.facilitator), 409)
        tips.hide_tip(curator=self.cast.staff, tip=self.tip, hidden=False)
        tips.delete_tip(actor=self.cast.member, tip=self.tip)
        for user in (self.cast.outsider, self.cast.staff):
            self.assertProblem(self.api("put", self.path(), user=user), 404)
        self.assertFalse(TipVote.objects.exists())

    def test_a_body_is_ignored_and_odd_paths_are_404(self):
        self.assertProblem(self.api("put", "/tips/999999/helpful", user=self.cast.outsider), 404)
        for value in WEIRD_VALUES[:5]:
            response = self.api("put", self.path(), user=self.cast.outsider, json_body=value)
            self.assertLess(response.status_code, 500)


class OpenApiTests(TipApiCase):
    def test_tip_endpoints_are_documented(self):
        document = self.client.get(PREFIX + "/openapi.json").json()
        paths = document["paths"]
        expected = {
            "/api/v1/tips": {"get", "post"},
            "/api/v1/tips/{tip_id}": {"get", "patch", "delete"},
            "/api/v1/tips/{tip_id}/helpful": {"put", "delete"},
        }
        for path, methods in expected.items():
            self.assertEqual(set(paths[path]), methods)
            for method in methods:
                operation = paths[path][method]
                self.assertTrue(operation.get("description") or operation.get("summary"), (path, method))
                self.assertEqual(operation["security"], [{"BearerToken": []}])
        listed = {p["name"] for p in paths["/api/v1/tips"]["get"]["parameters"]}
        self.assertEqual(listed, {"theme", "featured", "sort", "cursor", "limit"})
        self.assertIn("helped", document["components"]["schemas"]["TipOut"]["properties"])


# Concurrency ---------------------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
class SimultaneousHelpfulTests(TransactionTestCase):
    def setUp(self) -> None:
        self.author = factories.make_user()
        self.tip = tips.post_tip(author=self.author, theme=PAIN, body="Which cushion helps most?")
        self.path = f"{PREFIX}/tips/{self.tip.pk}/helpful"

    def at_once(self, method: str, keys: list[str]) -> list[Any]:
        start = threading.Barrier(len(keys))
        results: list[Any] = []

        def act(key: str) -> None:
            try:
                client = Client()
                start.wait()
                response = getattr(client, method)(self.path, headers={"Authorization": f"Bearer {key}"})
                results.append((response.status_code, json.loads(response.content)))
            except BaseException as error:
                results.append(error)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=act, args=(key,)) for key in keys]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return results

    def test_twenty_members_at_once_are_counted_exactly(self) -> None:
        voters = [factories.make_user() for _ in range(20)]
        keys = [ApiToken.issue(voter)[1] for voter in voters]
        results = self.at_once("put", keys)
        self.assertEqual([r[0] for r in results], [200] * 20, results)
        # Each saw the count with its own mark in it: the twenty answers are 1..20 in some order.
        self.assertEqual(sorted(r[1]["helpful_count"] for r in results), list(range(1, 21)))
        self.tip.refresh_from_db()
        self.assertEqual(self.tip.helpful_count, 20)
        self.assertEqual(TipVote.objects.filter(tip=self.tip).count(), 20)

        results = self.at_once("delete", keys)
        self.assertEqual([r[0] for r in results], [200] * 20, results)
        self.assertEqual(sorted(r[1]["helpful_count"] for r in results), list(range(20)))
        self.tip.refresh_from_db()
        self.assertEqual(self.tip.helpful_count, 0)
        self.assertFalse(TipVote.objects.exists())

    def test_one_member_marking_ten_times_at_once_counts_once(self) -> None:
        voter = factories.make_user()
        key = ApiToken.issue(voter)[1]
        results = self.at_once("put", [key] * 10)
        self.assertEqual([r[0] for r in results], [200] * 10, results)
        self.assertTrue(all(r[1] == {"helpful_count": 1, "helped": True} for r in results), results)
        self.tip.refresh_from_db()
        self.assertEqual(self.tip.helpful_count, 1)
        self.assertEqual(TipVote.objects.filter(tip=self.tip).count(), 1)

        results = self.at_once("delete", [key] * 10)
        self.assertEqual([r[0] for r in results], [200] * 10, results)
        self.tip.refresh_from_db()
        self.assertEqual(self.tip.helpful_count, 0)
