"""Odd input to every milestone, goal and check-in page form and API endpoint: never a 5xx, a clear 4xx,
and nothing changed in the database.

Each case starts from a request that would succeed and spoils one field, so a refusal is the field's
doing. Run on SQLite and PostgreSQL (NUL bytes, huge numbers and odd dates fail differently in each).
"""

import json
from typing import Any

from django.test import Client
from django.urls import reverse

from kinship.accounts.models import ApiToken
from kinship.circles.models import Membership
from kinship.core import factories
from kinship.core.testing import KinshipTestCase
from kinship.discussions.models import Post, Topic
from kinship.journal import checkins, goals, milestones
from kinship.journal.models import CheckIn, Goal, GoalUpdate, Milestone, SummaryShare, SupportRequest
from kinship.notifications.models import EmailPreference

API = "/api/v1"
LONG = "x" * 100_000
SPOILED = object()

# JSON values no field of these endpoints takes, whatever its type.
ANY_JSON = [[], ["a"], {"a": 1}, {"$gt": ""}, 1.5, True]
NUMBER_JSON = [
    *ANY_JSON,
    "²",
    "\u0661",
    "7",
    " 7",
    "",
    None,
    -1,
    2**63,
    10**30,
    -(10**30),
    7.0,
    "\x00",
    LONG,
]
TEXT_JSON = [*ANY_JSON, 5, "a\x00b", "\x07bell", LONG]
DATE_JSON = [
    *ANY_JSON,
    5,
    20260101,
    "2026-02-30",
    "2026-13-01",
    "0000-01-01",
    "1899-12-31",
    "9999-12-31",
    "3000-01-01",
    "2026-1-1",
    "\uff12\uff10\uff12\uff16-01-01",
    "\u0662\u0660\u0662\u0666-01-01",
    "2026-01-01T10:00:00",
    "2026-01-01\x00",
    "+2026-01-01",
    "yesterday",
    LONG,
]
SLUG_JSON = [*ANY_JSON, 5, None, "", "no-such-circle", "a\x00b", "\x00", LONG, "../admin", "CIRCLE-UPPER"]
PROBLEMS_JSON = [
    5,
    "pain",
    None,
    {"pain": True},
    ["no-such-concern"],
    [1],
    [None],
    [["pain"]],
    ["pain\x00"],
    [LONG],
    ["pain"] * 1000,
]
FLAG_JSON = [*ANY_JSON[:5], "true", "yes", 1, 0, None, "\x00"]

# Form values (always text on a page) no field takes.
NUMBER_FORM = ["²", "\u0661", "\u0663", "-1", "1.5", "7.0", "1e1", "99999999999999999999", "7\x00", LONG, "seven"]
TEXT_FORM = ["a\x00b", "\x07bell", LONG]
DATE_FORM = [
    "2026-02-30",
    "0000-01-01",
    "1899-12-31",
    "9999-12-31",
    "3000-01-01",
    "2026-1-1",
    "\uff12\uff10\uff12\uff16-01-01",
    "\u0662\u0660\u0662\u0666-01-01",
    "2026-01-01T10:00",
    "2026-01-01\x00",
    "yesterday",
    LONG,
]
SLUG_FORM = ["", "no-such-circle", "a\x00b", LONG, "\u0661"]
# Odd ids in a path: the page URLs only match digits, the API reads them itself.
ODD_IDS = ["\u0661", "²", "0", "-1", "1.5", "abc", "99999999999999999999", str(2**63), "%00", "1%00"]
RAW_BODIES = [
    "",
    "null",
    "[]",
    "5",
    '"text"',
    "{",
    '{"distress": NaN}',
    "[" * 5000 + "]" * 5000,
    '{"note": "\\ud800"}',
    "\xff\xfe",
]


class FuzzCase(KinshipTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.owner = cls.cast.member
        cls.hidden = factories.make_circle(visibility="hidden", name="Hidden circle")
        cls.milestone = milestones.add_milestone(owner=cls.owner, title="Stood up", note="private")
        cls.goal = goals.add_goal(owner=cls.owner, title="Walk 1 km")
        cls.checkin = checkins.record_checkin(member=cls.owner, distress=7, pain=2, note="hard day")
        cls.low_checkin = checkins.record_checkin(member=cls.owner, distress=1, pain=1)

    def setUp(self) -> None:
        super().setUp()
        _, self.token = ApiToken.issue(self.owner)
        self.page = Client()
        self.page.force_login(self.owner)

    def snapshot(self) -> tuple[Any, ...]:
        return (
            list(Milestone.objects.order_by("pk").values()),
            list(Goal.objects.order_by("pk").values()),
            list(GoalUpdate.objects.order_by("pk").values()),
            list(CheckIn.objects.order_by("pk").values()),
            list(SummaryShare.objects.order_by("pk").values()),
            list(SupportRequest.objects.order_by("pk").values()),
            list(EmailPreference.objects.order_by("pk").values()),
            Topic.objects.count(),
            Post.objects.count(),
            Membership.objects.count(),
        )

    def call(self, method: str, path: str, body: Any = None, *, raw: str | None = None, content_type: str = "") -> Any:
        kwargs: dict[str, Any] = {"headers": {"Authorization": f"Bearer {self.token}"}}
        if raw is not None:
            kwargs.update(data=raw, content_type=content_type or "application/json")
        elif body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        return getattr(Client(), method)(API + path, **kwargs)

    def assertRefused(
        self, response: Any, where: str, statuses: tuple[int, ...] = (400, 404, 405, 409, 413, 422)
    ) -> None:
        self.assertIn(response.status_code, statuses, f"{where}: {response.content[:300]!r}")
        if response.status_code != 405:
            self.assertEqual(response["Content-Type"], "application/problem+json", where)
            body = response.json()
            self.assertEqual(body["status"], response.status_code)
            self.assertTrue(body["detail"], where)


# The API ----------------------------------------------------------------------------------------


class ApiFuzzTests(FuzzCase):
    def endpoints(self) -> list[tuple[str, str, dict[str, Any], dict[str, list[Any]]]]:
        """(method, path, a body that would succeed, {field: values that must be refused})."""
        slug = self.cast.circle.slug
        m, g, c = self.milestone.pk, self.goal.pk, self.checkin.pk
        hidden = [self.hidden.slug]
        return [
            (
                "post",
                "/journal/milestones",
                {"kind": "own", "title": "Stood up", "happened_on": "2026-01-01", "note": ""},
                {
                    "kind": [*TEXT_JSON, None, "goal_reached", "no-such-kind", "OWN"],
                    "title": [*TEXT_JSON, None, "", "   ", "\u200b", "a\u202eb"],
                    "happened_on": DATE_JSON,
                    "note": [*TEXT_JSON, None],
                    "owner": [self.cast.facilitator.pk],
                },
            ),
            (
                "patch",
                f"/journal/milestones/{m}",
                {"title": "Stood up again"},
                {
                    "kind": [*TEXT_JSON, "goal_reached", "no-such-kind"],
                    "title": [*TEXT_JSON, "", "\u200b"],
                    "happened_on": DATE_JSON,
                    "note": TEXT_JSON,
                    "shared_topic": [1],
                },
            ),
            (
                "put",
                f"/journal/milestones/{m}/share",
                {"circle": slug, "message": "Yay"},
                {"circle": [*SLUG_JSON, *hidden], "message": [*TEXT_JSON, None, "m" * 501]},
            ),
            (
                "post",
                "/journal/goals",
                {"title": "Walk 2 km", "target_date": "2027-01-01"},
                {"title": [*TEXT_JSON, None, "", " "], "target_date": DATE_JSON, "progress": [50]},
            ),
            (
                "patch",
                f"/journal/goals/{g}",
                {"title": "Walk 3 km"},
                {"title": [*TEXT_JSON, None, ""], "target_date": DATE_JSON, "done_at": ["2026-01-01T00:00:00Z"]},
            ),
            (
                "post",
                f"/journal/goals/{g}/updates",
                {"progress": 50, "note": ""},
                {"progress": [*NUMBER_JSON, 101], "note": [*TEXT_JSON, None]},
            ),
            ("post", f"/journal/goals/{g}/done", {"happened_on": "2026-01-01"}, {"happened_on": DATE_JSON}),
            (
                "post",
                "/journal/checkins",
                {"distress": 5, "pain": 3, "problems": ["pain"], "note": ""},
                {
                    "distress": [*NUMBER_JSON, 11],
                    "pain": [*NUMBER_JSON, 11],
                    "problems": PROBLEMS_JSON,
                    "note": [*TEXT_JSON, None],
                },
            ),
            ("post", f"/journal/checkins/{c}/support", {"circle": slug}, {"circle": [*SLUG_JSON, *hidden]}),
            ("patch", "/journal/reminder", {"weekly": True}, {"weekly": FLAG_JSON}),
        ]

    def test_every_spoiled_field_is_refused_and_changes_nothing(self) -> None:
        before = self.snapshot()
        for method, path, good, spoilers in self.endpoints():
            for field, values in spoilers.items():
                for value in values:
                    with self.subTest(method=method, path=path, field=field, value=repr(value)[:40]):
                        response = self.call(method, path, {**good, field: value})
                        self.assertRefused(response, f"{method.upper()} {path} {field}={value!r:.40}")
                        if response.status_code == 422:
                            self.assertIn(field, json.dumps(response.json().get("errors", {})))
        self.assertEqual(self.snapshot(), before)

    def test_bad_bodies_and_content_types_are_refused(self) -> None:
        before = self.snapshot()
        for method, path, good, _ in self.endpoints():
            for raw in RAW_BODIES:
                if path.endswith("/done") and raw in ("", "null"):
                    continue  # no body is "done today", by design
                with self.subTest(method=method, path=path, raw=raw[:20]):
                    self.assertRefused(self.call(method, path, raw=raw), f"{method.upper()} {path} {raw[:20]!r}")
            # A page's form post sent to the API instead of JSON.
            form = "&".join(f"{k}={v}" for k, v in good.items() if not isinstance(v, list))
            for content_type in ("application/x-www-form-urlencoded", "text/plain"):
                with self.subTest(method=method, path=path, content_type=content_type):
                    response = self.call(method, path, raw=form, content_type=content_type)
                    self.assertRefused(response, f"{method.upper()} {path} as {content_type}", (400, 415, 422))
        self.assertEqual(self.snapshot(), before)

    def test_odd_ids_in_paths_are_404(self) -> None:
        before = self.snapshot()
        paths = [
            ("get", "/journal/milestones/{}", None),
            ("patch", "/journal/milestones/{}", {"title": "x"}),
            ("delete", "/journal/milestones/{}", None),
            ("put", "/journal/milestones/{}/share", {"circle": self.cast.circle.slug}),
            ("delete", "/journal/milestones/{}/share", None),
            ("get", "/journal/goals/{}", None),
            ("patch", "/journal/goals/{}", {"title": "x"}),
            ("delete", "/journal/goals/{}", None),
            ("post", "/journal/goals/{}/updates", {"progress": 5}),
            ("post", "/journal/goals/{}/done", {}),
            ("get", "/journal/checkins/{}", None),
            ("delete", "/journal/checkins/{}", None),
            ("post", "/journal/checkins/{}/support", {"circle": self.cast.circle.slug}),
            ("post", "/support-requests/{}/acknowledge", None),
        ]
        for method, template, body in paths:
            for odd in ODD_IDS:
                with self.subTest(method=method, path=template, id=odd):
                    response = self.call(method, template.format(odd), body)
                    # 422 is allowed where the framework reads the id as a number before the view does.
                    self.assertRefused(response, f"{method.upper()} {template.format(odd)}", (404, 422))
        self.assertEqual(self.snapshot(), before)

    def test_odd_circle_slugs_in_paths(self) -> None:
        before = self.snapshot()
        for odd in ["no-such-circle", "%00", "a%00b", "x" * 300, "\u0661", self.hidden.slug, "%F0%9F%A6%B4"]:
            with self.subTest(slug=odd):
                self.assertRefused(self.call("put", f"/journal/summary-shares/{odd}"), odd, (404, 422))
                self.assertRefused(self.call("delete", f"/journal/summary-shares/{odd}"), odd, (404,))
                self.assertRefused(self.call("get", f"/circles/{odd}/wellbeing"), odd, (404,))
        self.assertEqual(self.snapshot(), before)

    def test_odd_list_parameters_are_422(self) -> None:
        odd_cursors = ["x", "%00", "W10", "WyJhIiwiYiJd", "WyIyMDI2LTAyLTMwIiwgMV0", "WzEsIDJd", "!" * 3000]
        for path in ("/journal/milestones", "/journal/goals", "/journal/checkins"):
            for cursor in odd_cursors:
                with self.subTest(path=path, cursor=cursor[:20]):
                    self.assertRefused(self.call("get", f"{path}?cursor={cursor}"), f"{path} cursor={cursor[:20]}")
            for limit in ["0", "-1", "101", "abc", "1.5", "99999999999999999999"]:
                with self.subTest(path=path, limit=limit):
                    self.assertRefused(self.call("get", f"{path}?limit={limit}"), f"{path} limit={limit}")
        for status in ["finished", "OPEN", "%00", "x" * 1000]:
            with self.subTest(status=status):
                self.assertRefused(self.call("get", f"/journal/goals?status={status}"), f"status={status}")

    def test_support_for_a_low_score_is_a_conflict(self) -> None:
        before = self.snapshot()
        response = self.call(
            "post", f"/journal/checkins/{self.low_checkin.pk}/support", {"circle": self.cast.circle.slug}
        )
        self.assertRefused(response, "support at distress 1", (409,))
        self.assertEqual(self.snapshot(), before)


# The pages --------------------------------------------------------------------------------------


class PageFuzzTests(FuzzCase):
    def forms(self) -> list[tuple[str, dict[str, Any], dict[str, list[str]]]]:
        """(path, form data that would succeed, {field: values that must be refused with 422})."""
        slug = self.cast.circle.slug
        m, g, c = self.milestone.pk, self.goal.pk, self.checkin.pk
        return [
            (
                reverse("journal:milestones"),
                {"kind": "own", "title": "Stood up", "happened_on": "2026-01-01", "note": ""},
                {
                    "kind": [*TEXT_FORM, "goal_reached", "no-such-kind"],
                    "title": [*TEXT_FORM, "", "\u200b", "a\u202eb"],
                    "happened_on": DATE_FORM,
                    "note": TEXT_FORM,
                },
            ),
            (
                reverse("journal:milestone-detail", args=[m]),
                {"kind": "own", "title": "Stood up", "happened_on": "2026-01-01", "note": ""},
                {
                    "kind": [*TEXT_FORM, "goal_reached"],
                    "title": [*TEXT_FORM, "", "\u200b"],
                    "happened_on": DATE_FORM,
                    "note": TEXT_FORM,
                },
            ),
            (
                reverse("journal:milestone-share", args=[m]),
                {"circle": slug, "message": "Yay"},
                {"circle": [*SLUG_FORM, self.hidden.slug], "message": [*TEXT_FORM, "m" * 501]},
            ),
            (
                reverse("journal:goals"),
                {"title": "Walk 2 km", "target_date": "2027-01-01"},
                {"title": [*TEXT_FORM, "", " "], "target_date": DATE_FORM},
            ),
            (
                reverse("journal:goal-detail", args=[g]),
                {"title": "Walk 2 km", "target_date": ""},
                {"title": [*TEXT_FORM, ""], "target_date": DATE_FORM},
            ),
            (
                reverse("journal:goal-update", args=[g]),
                {"progress": "50", "note": ""},
                {"progress": [*NUMBER_FORM, "", "101"], "note": TEXT_FORM},
            ),
            (reverse("journal:goal-done", args=[g]), {"happened_on": "2026-01-01"}, {"happened_on": DATE_FORM}),
            (
                reverse("journal:checkin-new"),
                {"distress": "5", "pain": "3", "problems": ["pain"], "note": "", "reminder_shown": "1"},
                {
                    "distress": [*NUMBER_FORM, "", "11"],
                    "pain": [*NUMBER_FORM, "", "11"],
                    "problems": ["no-such-concern", "pain\x00", LONG],
                    "note": TEXT_FORM,
                    "weekly_reminder": ["maybe", "\x00", LONG],
                },
            ),
            (
                reverse("journal:support-request", args=[c]),
                {"circle": slug},
                {"circle": [*SLUG_FORM, self.hidden.slug]},
            ),
            (reverse("journal:sharing"), {"circle": slug}, {"circle": [*SLUG_FORM, self.hidden.slug]}),
            (reverse("journal:sharing"), {"action": "reminder", "weekly": "on"}, {"weekly": ["maybe", "\x00", LONG]}),
        ]

    def test_every_spoiled_field_rerenders_the_form_with_422_and_changes_nothing(self) -> None:
        before = self.snapshot()
        for path, good, spoilers in self.forms():
            for field, values in spoilers.items():
                for value in values:
                    with self.subTest(path=path, field=field, value=repr(value)[:40]):
                        response = self.page.post(path, {**good, field: value})
                        self.assertEqual(response.status_code, 422, f"{path} {field}={value!r:.40}")
                        self.assertContains(response, 'role="alert"', status_code=422, msg_prefix=f"{path} {field}")
        self.assertEqual(self.snapshot(), before)

    def test_repeated_and_missing_fields_never_crash(self) -> None:
        before = self.snapshot()
        for path, good, spoilers in self.forms():
            for field, values in spoilers.items():
                with self.subTest(path=path, field=field, case="repeated"):
                    # Two values for one field: the bad one last, the one a page reads.
                    response = self.page.post(path, {**good, field: ["1", values[0]]})
                    self.assertLess(response.status_code, 500)
                    self.assertNotIn(response.status_code, (200, 302), f"{path} {field} repeated")
            with self.subTest(path=path, case="empty post"):
                self.assertLess(self.page.post(path, {}).status_code, 500)
        self.snapshot_after_empty_posts(before)

    def snapshot_after_empty_posts(self, before: tuple[Any, ...]) -> None:
        # An empty post may legitimately do something on a few forms (a goal done today, the reminder off
        # being the default already); everything else must be unchanged.
        after = self.snapshot()
        self.assertEqual(after[0][:1], before[0][:1])
        self.assertEqual(after[3], before[3])
        self.assertEqual(after[4:6], before[4:6])

    def test_odd_list_parameters_never_crash(self) -> None:
        odd_cursors = ["x", "%00", "W10", "WyJhIiwiYiJd", "WyIyMDI2LTAyLTMwIiwgMV0", "WzEsIDJd", "!" * 3000]
        for name, param in (("milestones", "cursor"), ("goals", "open"), ("goals", "done"), ("checkins", "cursor")):
            for cursor in odd_cursors:
                with self.subTest(page=name, cursor=cursor[:20]):
                    response = self.page.get(reverse(f"journal:{name}"), {param: cursor})
                    self.assertEqual(response.status_code, 422, f"{name}?{param}={cursor[:20]}")

    def test_odd_ids_in_page_paths_are_404(self) -> None:
        for name in ("milestone-detail", "goal-detail", "checkin-detail"):
            base = reverse(f"journal:{name}", args=[1]).rsplit("/1/", 1)[0]
            for odd in ODD_IDS:
                with self.subTest(page=name, id=odd):
                    self.assertEqual(self.page.get(f"{base}/{odd}/").status_code, 404)
        for odd in ODD_IDS:
            with self.subTest(page="acknowledge", id=odd):
                self.assertEqual(self.page.post(f"/journal/support/{odd}/acknowledge/").status_code, 404)
        for odd in ("no-such-circle", "%00", "x" * 300, self.hidden.slug):
            with self.subTest(page="wellbeing", slug=odd):
                self.assertEqual(self.page.get(f"/c/{odd}/wellbeing/").status_code, 404)
