"""No input makes a 500, and a refused request changes nothing."""

import json

from kinship.accounts.models import ApiToken, User
from kinship.api.models import IdempotencyKey
from kinship.api.schemas import ReactionCountsOut
from kinship.api.tests.base import ApiTestCase
from kinship.circles.models import Circle, Membership
from kinship.core import factories
from kinship.discussions.models import Post, Reaction, Topic

WEIRD_VALUES = [
    None,
    "",
    " ",
    "\x00",
    "a\x00b",
    "\u202e\u0645",
    "🦴" * 10,
    "x" * 20_001,
    "\n" * 5000,
    0,
    -1,
    2**63,
    10**100,
    1.5,
    True,
    False,
    [],
    [None],
    {},
    {"$gt": ""},
    "<script>alert(1)</script>",
]
WEIRD_BODIES = [
    "",
    "null",
    "[]",
    "5",
    '"text"',
    "{",
    '{"a": NaN}',
    "[" * 5000 + "]" * 5000,
    "1" * 5000,
    '{"title": "\\ud800", "body": "x"}',
    "\xff\xfe",
    '{"": ""}',
]


def snapshot():
    return tuple(
        model.objects.count() for model in (User, ApiToken, Circle, Membership, Topic, Post, Reaction, IdempotencyKey)
    )


class NeverA500Tests(ApiTestCase):
    def setUp(self):
        super().setUp()
        self.topic = factories.make_topic(circle=self.cast.circle, author=self.cast.member)
        self.reply = factories.make_replies(self.topic, count=1, author=self.cast.member)[0]
        for user in (self.cast.member, self.cast.staff, self.cast.facilitator, self.cast.outsider):
            self.key_for(user)  # issued now, so the token count is part of the "nothing changed" snapshot
        slug = self.cast.circle.slug
        self.endpoints = [
            ("post", "/auth/signup", None, ["email", "password", "display_name", "accept_terms", "role"]),
            ("post", "/auth/verify", None, ["token"]),
            ("post", "/auth/token", None, ["email", "password"]),
            ("patch", "/me", self.cast.member, ["display_name", "bio", "diagnosis_visibility", "surgery_date"]),
            ("post", "/circles", self.cast.staff, ["name", "description", "guidelines", "visibility", "slug"]),
            ("patch", f"/circles/{slug}", self.cast.facilitator, ["name", "description", "join_policy"]),
            ("post", f"/circles/{slug}/join", self.cast.outsider, ["accept_guidelines", "invite_code"]),
            ("post", f"/circles/{slug}/members/{self.cast.member.pk}/role", self.cast.facilitator, ["role"]),
            ("post", f"/circles/{slug}/topics", self.cast.member, ["title", "body", "anonymous", "content_note"]),
            ("patch", f"/topics/{self.topic.pk}", self.cast.facilitator, ["pinned", "locked", "hidden"]),
            ("post", f"/topics/{self.topic.pk}/replies", self.cast.member, ["body", "anonymous", "content_note"]),
            ("patch", f"/posts/{self.reply.pk}", self.cast.member, ["body", "content_note", "title"]),
        ]

    def test_weird_field_values_never_make_a_500_and_refusals_change_nothing(self):
        for method, path, user, fields in self.endpoints:
            for field in fields:
                for value in WEIRD_VALUES:
                    before = snapshot()
                    response = self.api(method, path, user=user, json_body={field: value})
                    if response.status_code >= 400:
                        self.assertEqual(response["Content-Type"], "application/problem+json", (path, field))
                        self.assertEqual(snapshot(), before, (method, path, field, value))

    def test_weird_bodies_are_400_or_422(self):
        for method, path, user, _ in self.endpoints:
            for raw in WEIRD_BODIES:
                before = snapshot()
                response = self.api(method, path, user=user, raw=raw)
                self.assertIn(response.status_code, (400, 422), (method, path, raw[:20], response.content))
                self.assertEqual(snapshot(), before)

    def test_lone_surrogates_are_refused_as_400(self):
        raw = json.dumps({"title": "\ud800", "body": "x"})
        response = self.api("post", f"/circles/{self.cast.circle.slug}/topics", user=self.cast.member, raw=raw)
        self.assertProblem(response, 400)
        # A proper pair is one character, and fine.
        raw = json.dumps({"title": "\ud83e\uddb4 bones", "body": "x"})
        response = self.api("post", f"/circles/{self.cast.circle.slug}/topics", user=self.cast.member, raw=raw)
        self.assertEqual(response.status_code, 201)
        self.assertEqual(response.json()["title"], "🦴 bones")

    def test_a_body_past_the_size_limit_is_413(self):
        raw = json.dumps({"title": "t", "body": "x" * 3_000_000})
        response = self.api("post", f"/circles/{self.cast.circle.slug}/topics", user=self.cast.member, raw=raw)
        self.assertProblem(response, 413)

    def test_odd_paths_never_make_a_500(self):
        for path in [
            "/topics/%00",
            "/topics/1%00",
            f"/topics/{10**30}/replies",
            "/posts/-1/reactions/strength",
            "/circles/%2e%2e",
            "/circles/" + "%E2%80%AE" * 100,
            "/circles/%ff%fe/members",
            f"/circles/{self.cast.circle.slug}/members/{'9' * 40}/approve",
            "/topics/0x10",
            "/topics/" + "9" * 5000,
        ]:
            for method in ("get", "post", "put", "patch", "delete"):
                self.api(method, path, user=self.cast.facilitator)

    def test_odd_queries_never_make_a_500(self):
        path = f"/circles/{self.cast.circle.slug}/topics"
        for query in [
            "?limit=%00",
            "?limit=1&limit=2",
            "?cursor=&limit=",
            "?cursor=%ff",
            "?cursor=null",
            "?cursor=W251bGwsbnVsbCxudWxsXQ",
            "?cursor=WzEsIDIsIDNd",
            "?cursor=WyIyMDI1LTEzLTQ1VDAwOjAwOjAwIiwxLDFd",
            "?cursor=W3RydWUsICIyMDI1LTAxLTAxVDAwOjAwOjAwKzAwOjAwIiwgOTk5OTk5OTk5OTk5OTk5OTk5OTk5OV0",
            "?limit=" + "9" * 5000,
        ]:
            response = self.api("get", path + query, user=self.cast.member)
            self.assertIn(response.status_code, (200, 422), (query, response.content))


class ProtocolTests(ApiTestCase):
    def test_openapi_document_describes_every_endpoint(self):
        response = self.client.get("/api/v1/openapi.json")
        self.assertEqual(response.status_code, 200)
        document = response.json()
        paths = document["paths"]
        for path in [
            "/api/v1/auth/signup",
            "/api/v1/auth/verify",
            "/api/v1/auth/token",
            "/api/v1/auth/logout",
            "/api/v1/me",
            "/api/v1/circles",
            "/api/v1/circles/{slug}",
            "/api/v1/circles/{slug}/join",
            "/api/v1/circles/{slug}/leave",
            "/api/v1/circles/{slug}/members",
            "/api/v1/circles/{slug}/members/{user_id}/approve",
            "/api/v1/circles/{slug}/members/{user_id}/remove",
            "/api/v1/circles/{slug}/members/{user_id}/role",
            "/api/v1/circles/{slug}/topics",
            "/api/v1/topics/{topic_id}",
            "/api/v1/topics/{topic_id}/replies",
            "/api/v1/posts/{post_id}",
            "/api/v1/posts/{post_id}/reactions/{kind}",
        ]:
            self.assertIn(path, paths)
        self.assertEqual(set(paths["/api/v1/me"]), {"get", "patch", "delete"})
        self.assertEqual(set(paths["/api/v1/posts/{post_id}/reactions/{kind}"]), {"put", "delete"})
        self.assertIn("BearerToken", document["components"]["securitySchemes"])
        self.assertNotIn("/api/v1/{rest}", paths)

    def test_docs_page_is_served(self):
        response = self.client.get("/api/v1/docs")
        self.assertEqual(response.status_code, 200)
        self.assertIn(b"openapi.json", response.content)

    def test_unknown_endpoint_is_a_problem_404(self):
        self.assertProblem(self.api("get", "/nothing/here", user=self.cast.member), 404)
        self.assertProblem(self.api("post", "/circles/x/y/z"), 404)

    def test_wrong_method_is_405(self):
        self.assertEqual(self.api("delete", "/circles", user=self.cast.staff).status_code, 405)

    def test_times_are_utc_iso_8601(self):
        topic = factories.make_topic(circle=self.cast.circle, author=self.cast.member)
        body = self.api("get", f"/topics/{topic.pk}", user=self.cast.member).json()
        self.assertRegex(body["created_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|\+00:00)$")

    def test_reaction_counts_schema_lists_every_kind(self):
        self.assertEqual(list(ReactionCountsOut.model_fields), Reaction.KINDS)
