"""Every page and API operation, as every role, against things in public, private and hidden circles.

The expected answers live in kinship/core/tests/authorization_matrix.py. The routes come from the URL
patterns and the OpenAPI document, so a new page or operation fails here until the matrix says who may
use it. Each request runs in a savepoint that is rolled back, so one allowed write never changes what
the next request sees; a refused write must not change anything even before that rollback.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_finished
from django.db import close_old_connections, connection, transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.test import Client, TestCase
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from kinship.accounts.models import ApiToken, User
from kinship.api.urls import api
from kinship.circles.models import Circle
from kinship.core import factories
from kinship.core.tests import authorization_matrix as matrix
from kinship.discussions import services as discussions
from kinship.discussions.models import Topic
from kinship.events.models import Occurrence
from kinship.journal import checkins, goals, milestones, support
from kinship.journal.models import Milestone
from kinship.library.models import Referral, Resource, Tip
from kinship.library.tests.materials_support import add_pdf
from kinship.peers.models import Conversation, Message, MessageReport, Participant
from kinship.peers.tests.mentoring_support import ask, make_mentor
from kinship.qa.models import Question, SpeakerInvitation, SpeakerProfile
from kinship.qa.speakers import hash_token
from kinship.safety.models import CrisisAlert, Report

LOGIN = "/accounts/login/"
INVITATION_TOKEN = "matrix-invitation-token-0123456789abcdefghij"
WRITES = ("post", "put", "patch", "delete")


@dataclass
class Place:
    """One circle and what lives in it, or (name "site") the public circle's people and site-wide things."""

    name: str
    circle: Circle
    people: dict[str, User | None]
    values: dict[str, list[Any]] = field(default_factory=dict)


def url_patterns() -> Iterator[tuple[str, str, list[str]]]:
    """(route name, route text, path parameters) of every URL pattern but the excluded ones."""

    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[tuple[str, str, list[str]]]:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if any(route.startswith(skip) for skip in matrix.EXCLUDED_PATTERNS):
                continue
            if isinstance(pattern, URLResolver):
                inner = ":".join(n for n in (namespace, pattern.namespace or "") if n)
                yield from walk(pattern.url_patterns, route, inner)
            else:
                assert isinstance(pattern, URLPattern)
                name = f"{namespace}:{pattern.name}" if namespace else str(pattern.name)
                if pattern.callback.__module__ == "ninja.operation" and name != "api:unknown_path":
                    continue  # an API operation: walked from the OpenAPI document
                yield name, route, list(pattern.pattern.regex.groupindex)

    return walk(get_resolver().url_patterns, "", "")


def api_operations() -> list[tuple[str, str]]:
    """(METHOD, path template) of every operation of the OpenAPI document."""
    schema = api.get_openapi_schema()
    return [(method.upper(), path) for path, ops in schema["paths"].items() for method in ops]


class AuthorizationMatrixTests(TestCase):
    places: dict[str, Place]
    bodies: dict[str, Any] = {}

    @classmethod
    def setUpTestData(cls) -> None:
        now = timezone.now()
        staff = factories.make_user(display_name="Sam Staff", is_staff=True)
        outsider = factories.make_user(display_name="Otto Outsider")
        other_circle = factories.make_circle(name="Another circle")
        other_lead = factories.make_user(display_name="Olga Otherlead")
        factories.add_member(other_circle, other_lead, role="facilitator")
        resource = Resource.objects.create(kind="helpline", name="Bone Cancer Helpline")
        cls.places = {}
        policies = {Circle.PUBLIC: Circle.OPEN, Circle.PRIVATE: Circle.APPROVAL, Circle.HIDDEN: Circle.INVITE}
        for visibility, policy in policies.items():
            circle = factories.make_circle(name=f"{visibility} circle", visibility=visibility, join_policy=policy)
            lead = factories.make_user(display_name=f"Fiona {visibility}")
            factories.add_member(circle, lead, role="facilitator")
            member = factories.make_member(circle, display_name=f"Mia {visibility}")
            pending = factories.make_user(display_name=f"Pat {visibility}")
            factories.add_member(circle, pending, status="pending")
            people: dict[str, User | None] = {
                "visitor": None,
                "outsider": outsider,
                "pending": pending,
                "member": member,
                "other-lead": other_lead,
                "facilitator": lead,
                "staff": staff,
            }
            topic = factories.make_topic(circle=circle, author=member)
            reply = discussions.post_reply(author=lead, topic=topic, body="Sending strength.")
            milestone = milestones.add_milestone(owner=member, kind="one_crutch")
            milestones.share_milestone(owner=member, milestone=milestone, circle=circle, message="Down to one!")
            celebration = Topic.objects.get(pk=Milestone.objects.get(pk=milestone.pk).shared_topic_id)
            event = factories.make_event(circle=circle, facilitator=lead)
            occurrence = Occurrence.objects.create(
                event=event, original_start=event.starts_at, starts_at=event.starts_at, ends_at=event.ends_at
            )
            question = Question.objects.create(event=event, author=member, body="How long until I can run?")
            invitation = SpeakerInvitation.objects.create(
                event=event,
                name="Dr Bone",
                email=f"speaker-{visibility}@example.org",
                token_hash=hash_token(f"{INVITATION_TOKEN}{visibility}"),
                invited_by=lead,
                expires_at=now + timedelta(days=7),
            )
            referral = Referral.objects.create(
                resource=resource, member=member, referred_by=lead, circle=circle, follow_up_at=now + timedelta(days=7)
            )
            checkin = checkins.record_checkin(member=member, distress=7, pain=5)
            request = support.request_support(member=member, checkin=checkin, circle=circle)
            alert = CrisisAlert.objects.create(
                writer=member, circle=circle, source_type="checkin", source_id=checkin.pk
            )
            report = Report.objects.create(
                reporter=member, target_type=Report.POST, target_id=reply.pk, circle=circle, reason="spam"
            )
            cls.places[visibility] = Place(
                name=visibility,
                circle=circle,
                people=people,
                values={
                    "slug": [circle.slug],
                    "code": [circle.invite_code],
                    "user_id": [member.pk],
                    "action": ["approve"],
                    "topic_id": [topic.pk, celebration.pk],
                    "post_id": [reply.pk],
                    "event_id": [event.pk],
                    "key": [occurrence.key],
                    "question_id": [question.pk],
                    "invitation_id": [invitation.pk],
                    "referral_id": [referral.pk],
                    "request_id": [request.pk],
                    "alert_id": [alert.pk],
                    "report_id": [report.pk],
                    "kind": ["strength"],
                },
            )

        # Site-wide things, and the public circle's member's own.
        public = cls.places[Circle.PUBLIC]
        member, lead = public.people["member"], public.people["facilitator"]
        assert member is not None and lead is not None
        milestone = milestones.add_milestone(owner=member, kind="one_crutch")
        goal = goals.add_goal(owner=member, title="Walk to school")
        checkin = checkins.record_checkin(member=member, distress=3, pain=2)
        tip = Tip.objects.create(author=member, theme="pain", body="Ice helps.", body_html="<p>Ice helps.</p>")
        material = add_pdf(staff)
        low, high = sorted([member, lead], key=lambda u: u.pk)
        conversation = Conversation.objects.create(low=low, high=high, last_message_at=now)
        Participant.objects.create(conversation=conversation, user=member)
        Participant.objects.create(conversation=conversation, user=lead)
        message = Message.objects.create(conversation=conversation, sender=lead, body="Hi", body_html="<p>Hi</p>")
        message_report = MessageReport.objects.create(message=message, reporter=member, reason="unkind")
        make_mentor(user=lead)
        mentorship = ask(member, lead, message="Could you help me with stairs?")
        profile = SpeakerProfile.objects.create(user=member, profession="Physiotherapist")
        cls.places["site"] = Place(
            name="site",
            circle=public.circle,
            people=public.people,
            values={
                "user_id": [member.pk],
                "milestone_id": [milestone.pk],
                "goal_id": [goal.pk],
                "checkin_id": [checkin.pk],
                "tip_id": [tip.pk],
                "material_id": [material.pk],
                "resource_id": [resource.pk],
                "conversation_id": [conversation.pk],
                "message_id": [message.pk],
                "report_id": [message_report.pk],
                "mentorship_id": [mentorship.pk],
                "profile_id": [profile.pk],
                "token": ["not-a-real-token"],
                "uidb64": ["MQ"],
                "rest": ["no/such/operation"],
            },
        )
        # Routes whose parameter means something else than the place's default.
        cls.route_values: dict[tuple[str, str, str], list[Any]] = {}
        report_ids = [cls.places[v].values["report_id"][0] for v in matrix.CIRCLE_PLACES]
        cls.route_values[("safety:report-decide", "site", "report_id")] = report_ids[:1]
        cls.tokens = {
            u.pk: ApiToken.issue(u)[1] for u in {p for pl in cls.places.values() for p in pl.people.values() if p}
        }

    # Paths ----------------------------------------------------------------------------------------

    def paths(self, route: str, place: Place, params: list[str], template: str) -> list[str]:
        """The route's path(s) with the place's objects filled in: one per value of a many-valued parameter."""
        filled = [template]
        for name in params:
            values = self.route_values.get((route, place.name, name)) or place.values.get(name)
            self.assertIsNotNone(values, f"{route} at {place.name}: no value for the path parameter {name!r}")
            assert values is not None
            filled = [p.replace("{" + name + "}", str(v)) for p in filled for v in values]
        return filled

    def fill_route(self, route: str, pattern: str, params: list[str], place: Place) -> list[str]:
        if route == "api:unknown_path":
            return ["/api/v1/no/such/operation"]
        args_sets = [[]]  # type: list[list[Any]]
        for name in params:
            values = self.route_values.get((route, place.name, name)) or place.values.get(name)
            self.assertIsNotNone(values, f"{route} at {place.name}: no value for the path parameter {name!r}")
            assert values is not None
            args_sets = [[*a, v] for a in args_sets for v in values]
        return [reverse(route, kwargs=dict(zip(params, args, strict=True))) for args in args_sets]

    # Requests -------------------------------------------------------------------------------------

    def fingerprint(self) -> list[tuple[Any, ...]]:
        """Rows and latest change of every table of the project's apps: a refused write changes none."""
        parts = []
        for model in apps.get_models():
            if not model.__module__.startswith("kinship.") or model._meta.db_table in SELF_UPDATING:
                continue
            table = connection.ops.quote_name(model._meta.db_table)
            names = {f.column for f in model._meta.concrete_fields}
            latest = "CAST(MAX(updated_at) AS TEXT)" if "updated_at" in names else "''"
            pk = connection.ops.quote_name(model._meta.pk.column)
            # Table and column names come from the models, never from input.
            parts.append(f"SELECT '{model._meta.db_table}', COUNT(*), CAST(MAX({pk}) AS TEXT), {latest} FROM {table}")  # noqa: S608  # nosec B608
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts))
            return sorted(tuple(str(v) for v in row) for row in cursor.fetchall())

    def session_key(self, user: User) -> str:
        """One signed-in session per person, made once (each request's changes are rolled back)."""
        if user.pk not in self.sessions:
            client = Client()
            client.force_login(user)
            self.sessions[user.pk] = client.cookies[settings.SESSION_COOKIE_NAME].value
        return self.sessions[user.pk]

    def send(
        self, method: str, path: str, user: User | None, *, is_api: bool, body: Any = None, watch: bool = False
    ) -> tuple[HttpResponse, bool]:
        """The answer, and whether the database changed; always rolled back."""
        cache.clear()  # rate limits count per person: hundreds of requests are no abuse here
        client = Client()
        kwargs: dict[str, Any] = {}
        if is_api:
            if user is not None:
                kwargs["headers"] = {"Authorization": f"Bearer {self.tokens[user.pk]}"}
            if method in WRITES:
                kwargs.update(data=json.dumps(body), content_type="application/json")
        elif user is not None:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.session_key(user)
        with transaction.atomic():
            before = self.fingerprint() if watch else None
            response = getattr(client, method)(path, **kwargs)
            if isinstance(response, StreamingHttpResponse):
                # Close the stream as the server would, but keep the connection the test's transaction is
                # on: request_finished would close it on PostgreSQL (see kinship/qa/tests/test_live_stream.py).
                request_finished.disconnect(close_old_connections)
                try:
                    response.close()
                finally:
                    request_finished.connect(close_old_connections)
            changed = before is not None and self.fingerprint() != before
            transaction.set_rollback(True)
        return response, changed

    def check(self, code: str, response: HttpResponse, changed: bool, *, is_api: bool, write: bool) -> None:
        status = response.status_code
        self.assertLess(status, 500)
        location = response.get("Location", "") if status == 302 else ""
        to_login = location.startswith(LOGIN)

        def fits(alt: str) -> bool:
            if alt == "any":
                return True
            if alt == "ok":
                return status < 500 if write else status == 200
            if alt == "login":
                return status == 401 if is_api else to_login
            if alt == "deny":
                return 400 <= status < 500
            if alt == "302":
                return status == 302 and not to_login
            return status == int(alt)

        alts = code.split("|")
        self.assertTrue(any(fits(a) for a in alts), f"expected {code}, got {status} {location}".rstrip())
        refused = not any(a in ("ok", "any") for a in alts)
        if write and refused:
            self.assertFalse(changed, "a refused write changed the database")

    def setUp(self) -> None:
        super().setUp()
        self.sessions: dict[int, str] = {}

    def walk(self, spec_of: dict[str, matrix.Spec], method: str, routes: list[tuple[str, str, list[str]]]) -> None:
        is_api_table = spec_of is matrix.API
        for route, template, params in routes:
            spec = spec_of[route]
            for place_name, codes in spec.items():
                place = self.places[place_name]
                row = codes.split()
                self.assertEqual(len(row), len(matrix.ROLES), f"{route} {place_name}: one code per role")
                if is_api_table:
                    paths = self.paths(route, place, params, template)
                else:
                    paths = self.fill_route(route, template, params, place)
                is_api = is_api_table or (template.startswith("api/v1/") and not template.endswith(".ics"))
                for path in paths:
                    for role, code in zip(matrix.ROLES, row, strict=True):
                        with self.subTest(route=route, method=method.upper(), place=place_name, role=role, path=path):
                            body = self.bodies.get(route, {})
                            refused = not any(a in ("ok", "any") for a in code.split("|"))
                            response, changed = self.send(
                                method,
                                path + QUERIES.get(route, ""),
                                place.people[role],
                                is_api=is_api,
                                body=body,
                                watch=refused and method in WRITES,
                            )
                            self.check(code, response, changed, is_api=is_api, write=method in WRITES)

    # Tests ----------------------------------------------------------------------------------------

    def test_every_route_is_in_the_matrix(self) -> None:
        pages = {name for name, _, _ in url_patterns()}
        operations = {f"{m} {p}" for m, p in api_operations()}
        for name in sorted(pages - set(matrix.PAGES)):
            with self.subTest(page=name):
                self.fail(f"the URL pattern {name!r} is not in the authorization matrix: say who may use it")
        for op in sorted(operations - set(matrix.API)):
            with self.subTest(operation=op):
                self.fail(f"the API operation {op!r} is not in the authorization matrix: say who may use it")
        for name in sorted(set(matrix.PAGES) - pages) + sorted(set(matrix.PAGE_WRITES) - pages):
            with self.subTest(stale=name):
                self.fail(f"the matrix names {name!r}, which is no URL pattern any more")
        for op in sorted(set(matrix.API) - operations):
            with self.subTest(stale=op):
                self.fail(f"the matrix names {op!r}, which is no API operation any more")

    def test_pages_answer_each_role_as_the_matrix_says(self) -> None:
        routes = [r for r in url_patterns() if r[0] in matrix.PAGES]
        self.walk(matrix.PAGES, "get", routes)

    def test_page_writes_answer_each_role_as_the_matrix_says(self) -> None:
        routes = [r for r in url_patterns() if r[0] in matrix.PAGE_WRITES]
        self.walk(matrix.PAGE_WRITES, "post", routes)

    def test_api_operations_answer_each_role_as_the_matrix_says(self) -> None:
        # A well-formed body, so the answer is about who asks rather than what they sent.
        self.bodies = request_bodies()
        known = [(m, p) for m, p in api_operations() if f"{m} {p}" in matrix.API]
        for method in ("GET", *[w.upper() for w in WRITES]):
            routes = [(f"{m} {p}", p, _params(p)) for m, p in known if m == method]
            self.walk(matrix.API, method.lower(), routes)


def request_bodies() -> dict[str, Any]:
    """For each API write, a body with every required field given a plausible value, from the OpenAPI schema."""
    schema = api.get_openapi_schema()
    components = schema.get("components", {}).get("schemas", {})

    def example(node: dict[str, Any]) -> Any:
        if "$ref" in node:
            return example(components[node["$ref"].rsplit("/", 1)[1]])
        for key in ("anyOf", "oneOf", "allOf"):
            if key in node:
                return example(node[key][0])
        if "enum" in node:
            return node["enum"][0]
        kind = node.get("type")
        if kind == "object" or "properties" in node:
            props = node.get("properties", {})
            return {name: example(props[name]) for name in node.get("required", []) if name in props}
        if kind == "array":
            return []
        if kind == "integer":
            return 1
        if kind == "number":
            return 1
        if kind == "boolean":
            return True
        if node.get("format") == "date":
            return "2030-01-01"
        if node.get("format") == "date-time":
            return "2030-01-01T10:00:00+00:00"
        return "Matrix"

    bodies: dict[str, Any] = {}
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            content = op.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                bodies[f"{method.upper()} {path}"] = example(content["application/json"]["schema"])
    return bodies


def _params(template: str) -> list[str]:
    import re

    return re.findall(r"\{(\w+)\}", template)


# Operations that need a query to mean anything.
QUERIES = {"GET /api/v1/search": "?q=walk"}

# Tables a plain read may touch: sign-in bookkeeping, not anyone's data.
SELF_UPDATING = {"accounts_apitoken", "accounts_signinsession"}
