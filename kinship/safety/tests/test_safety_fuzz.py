"""Odd input to every page form and API endpoint of reports, moderation, notices and data rights.

Whatever arrives (non-ASCII digits, huge ids, lists, nulls, NUL bytes, 100k strings, broken JSON, wrong
types), the answer is a clear 4xx and nothing changes. The API helper fails the test on any 5xx.
"""

from django.core.cache import cache
from django.urls import reverse

from kinship.accounts.models import ApiToken, User
from kinship.api.tests.base import ApiTestCase
from kinship.circles.models import Membership
from kinship.core import factories
from kinship.discussions.models import Post
from kinship.notifications.models import Notice
from kinship.notifications.notices import notify
from kinship.peers import messaging
from kinship.peers.models import MessageReport
from kinship.safety import reports
from kinship.safety.models import AuditEntry, ModerationAction, Report

HUGE = 10**30


def fair_text(value):
    """Short text of any script is a fair note, detail or message reason: only the rest must be refused."""
    return isinstance(value, str) and 0 < len(value.strip()) <= 200 and "\x00" not in value


# Values that are no id, no choice and no sensible text.
ODD = [
    None,
    "",
    "\u0663",  # Arabic-Indic three
    "\uff11\uff12",  # full-width 12
    HUGE,
    2**63,
    -1,
    0,
    1.5,
    True,
    [1],
    {"a": 1},
    "a\x00b",
    "x" * 100_000,
]
BAD_JSON = ["{", "null", "[]", '"text"', "5", "{\x00}", '{"a": }', "\xff\xfe"]
# Path segments that are no id: each must be a 404 (never a 500).
ODD_PATH_IDS = ["\u0663", "\uff11", str(HUGE), str(2**63), "0", "-1", "1.5", "%00", "abc"]


class FuzzCase(ApiTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.author = factories.make_member(cls.cast.circle, display_name="Ari Author")
        cls.topic = factories.make_topic(circle=cls.cast.circle, author=cls.author, replies=1)
        cls.reply = cls.topic.posts.get(is_opening=False)
        cls.report = reports.report_post(reporter=cls.cast.member, post=cls.reply, reason="spam", detail="Ads")
        cls.peer = factories.make_member(cls.cast.circle, display_name="Pia Peer")
        _, cls.message, _ = messaging.start_conversation(sender=cls.peer, recipient=cls.cast.member, body="Hello")
        cls.notice = notify(cls.cast.member, "warning", "A note")

    def setUp(self):
        super().setUp()
        cache.clear()  # rate limits must not answer for the validation under test

    def snapshot(self):
        reply = Post.objects.get(pk=self.reply.pk)
        return (
            Report.objects.count(),
            MessageReport.objects.count(),
            ModerationAction.objects.count(),
            AuditEntry.objects.count(),
            Notice.objects.filter(read_at__isnull=False).count(),
            (reply.hidden, reply.body, reply.deleted_at),
            list(Membership.objects.order_by("pk").values_list("status", "muted_until")),
            list(User.objects.order_by("pk").values_list("is_active", "suspended_until", "email")),
        )

    def assertRefused(self, response, *allowed):
        self.assertIn(response.status_code, allowed or (400, 404, 409, 422), response.content[:300])


class ReportApiFuzzTests(FuzzCase):
    def test_odd_report_fields_are_4xx_and_report_nothing(self):
        before = self.snapshot()
        good = {"target_type": "post", "target_id": self.reply.pk, "reason": "spam", "detail": ""}
        for field in good:
            for value in ODD:
                body = {**good, field: value}
                if field == "detail" and (value == "" or fair_text(value)):
                    continue
                response = self.api("POST", "/reports", user=self.peer, json_body=body)
                self.assertRefused(response)
        self.assertEqual(self.snapshot(), before)

    def test_message_and_user_reports_with_odd_ids_and_reasons_are_4xx(self):
        before = self.snapshot()
        for target_type, real_id in (("message", self.message.pk), ("user", self.author.pk)):
            for value in ODD:
                bodies = [{"target_type": target_type, "target_id": value, "reason": "spam"}]
                # A message's reason is the reporter's own few words, so short text of any script is fine.
                if target_type == "user" or not fair_text(value):
                    bodies.append({"target_type": target_type, "target_id": real_id, "reason": value})
                for body in bodies:
                    response = self.api("POST", "/reports", user=self.cast.member, json_body=body)
                    self.assertRefused(response)
        self.assertEqual(self.snapshot(), before)

    def test_broken_json_and_extra_fields_are_4xx(self):
        before = self.snapshot()
        for raw in BAD_JSON:
            self.assertRefused(self.api("POST", "/reports", user=self.peer, raw=raw))
        body = {"target_type": "post", "target_id": self.reply.pk, "reason": "spam", "status": "dismissed"}
        self.assertRefused(self.api("POST", "/reports", user=self.peer, json_body=body))
        self.assertEqual(self.snapshot(), before)


class ModerationApiFuzzTests(FuzzCase):
    def test_odd_action_fields_are_4xx_and_change_nothing(self):
        before = self.snapshot()
        goods = [
            {"action": "hide", "report_id": self.report.pk, "note": "Spam"},
            {
                "action": "mute",
                "target_type": "user",
                "target_id": self.author.pk,
                "circle": self.cast.circle.slug,
                "days": 3,
            },
            {"action": "edit_out", "target_type": "post", "target_id": self.reply.pk, "note": "x", "body": "ok"},
        ]
        for good in goods:
            for field in good:
                for value in ODD:
                    body = {**good, field: value}
                    if field in ("note", "body") and (fair_text(value) or (value == "" and good["action"] == "mute")):
                        continue
                    response = self.api("POST", "/moderation/actions", user=self.cast.facilitator, json_body=body)
                    self.assertRefused(response, 400, 403, 404, 409, 422)
        for raw in BAD_JSON:
            response = self.api("POST", "/moderation/actions", user=self.cast.facilitator, raw=raw)
            self.assertRefused(response)
        self.assertEqual(self.snapshot(), before)

    def test_odd_days_never_mute_or_suspend(self):
        before = self.snapshot()
        for value in ["3", "\u0663", 0, 366, -5, HUGE, 2.0, True, None, [3]]:
            for action, who in (("mute", self.cast.facilitator), ("suspend", self.cast.staff)):
                body = {
                    "action": action,
                    "target_type": "user",
                    "target_id": self.author.pk,
                    "circle": self.cast.circle.slug if action == "mute" else None,
                    "days": value,
                }
                self.assertRefused(self.api("POST", "/moderation/actions", user=who, json_body=body))
        self.assertEqual(self.snapshot(), before)

    def test_queue_filters_and_cursors_with_odd_values_are_4xx(self):
        for params in (
            "type=%00",
            "type=" + "x" * 5000,
            "circle=%00",
            "circle=" + "x" * 5000,
            "circle=\u0663",
            "cursor=%00",
            "cursor=garbage",
            "cursor=" + "A" * 100_000,
            "cursor=W10",  # base64 of []
            "limit=\u0663",
            "limit=-1",
            f"limit={HUGE}",
            "limit=1.5",
        ):
            response = self.api("GET", f"/moderation/queue?{params}", user=self.cast.facilitator)
            self.assertRefused(response, 400, 404, 422)

    def test_a_cursor_from_one_queue_does_not_crash_the_other(self):
        factories.make_topic(circle=self.cast.circle, author=self.author)
        for n in range(3):
            other = factories.make_member(self.cast.circle)
            reports.report_post(reporter=other, post=self.reply, reason="spam")
            del n
        page = self.api("GET", "/moderation/queue?type=reports&limit=1", user=self.cast.staff).json()
        self.assertIsNotNone(page["next"])
        response = self.api("GET", f"/moderation/queue?type=waiting&cursor={page['next']}", user=self.cast.staff)
        self.assertLess(response.status_code, 500)


class NoticeApiFuzzTests(FuzzCase):
    def test_odd_ids_mark_nothing_read(self):
        before = self.snapshot()
        odd = [v for v in ODD if v not in (None, [1])]  # null means "all"; [1] is the member's own notice
        for value in [*odd, [None], ["1"], [HUGE], ["\u0663"], list(range(2, 200)), [{"a": 1}]]:
            response = self.api("POST", "/notifications/read", user=self.cast.member, json_body={"ids": value})
            if response.status_code == 200:
                self.assertEqual(response.json()["marked"], 0, value)
            else:
                self.assertRefused(response)
        for raw in BAD_JSON:
            self.assertRefused(self.api("POST", "/notifications/read", user=self.cast.member, raw=raw))
        self.assertEqual(self.snapshot(), before)

    def test_odd_cursors_and_limits_on_the_list_are_4xx(self):
        for params in ("cursor=%00", "cursor=garbage", "cursor=" + "A" * 100_000, "limit=\u0663", f"limit={HUGE}"):
            self.assertRefused(self.api("GET", f"/notifications?{params}", user=self.cast.member), 400, 422)


class DataRightsApiFuzzTests(FuzzCase):
    def test_odd_erase_bodies_are_4xx_and_the_account_stays(self):
        factories.give_two_factor(self.author)  # so that otp is asked for and fuzzed too
        before = self.snapshot()
        good = {"password": factories.PASSWORD, "posts": "remove", "otp": "000000"}
        for field in ("password", "posts", "otp"):
            for value in ODD:
                cache.clear()
                response = self.api("DELETE", "/me", user=self.author, json_body={**good, field: value})
                self.assertRefused(response, 400, 401, 403, 422)
        for raw in BAD_JSON:
            self.assertRefused(self.api("DELETE", "/me", user=self.author, raw=raw))
        self.assertEqual(self.snapshot(), before)
        self.assertTrue(ApiToken.objects.filter(user=self.author).exists())

    def test_export_ignores_odd_query_strings(self):
        response = self.api("GET", "/me/export?user=1&format=%00", user=self.cast.member)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["profile"]["id"], self.cast.member.pk)


class PageFuzzTests(FuzzCase):
    def post(self, user, url, data):
        self.client.force_login(user)
        cache.clear()
        response = self.client.post(url, data)
        self.assertLess(response.status_code, 500)
        return response

    def test_report_forms_refuse_odd_input_with_422(self):
        before = self.snapshot()
        post_url = reverse("safety:post-report", args=[self.reply.pk])
        person_url = reverse("safety:person-report", args=[self.author.pk])
        for data in (
            {},
            {"reason": "cake"},
            {"reason": ["spam", "hate"]},
            {"reason": "spam\x00"},
            {"reason": "spam", "detail": "a\x00b"},
            {"reason": "spam", "detail": "x" * 100_000},
            {"reason": "\u0663"},
        ):
            for url in (post_url, person_url):
                response = self.post(self.peer, url, data)
                if data.get("reason") == ["spam", "hate"]:
                    # A repeated field reads as its last value: a valid choice, so this one is saved.
                    Report.objects.filter(reporter=self.peer).delete()
                    continue
                self.assertEqual(response.status_code, 422, (url, data))
                self.assertContains(response, "errorlist", status_code=422)
        self.assertEqual(self.snapshot()[1:], before[1:])

    def test_odd_ids_in_page_paths_are_404(self):
        self.client.force_login(self.cast.staff)
        for odd in ODD_PATH_IDS:
            for path in (
                f"/posts/{odd}/report/",
                f"/posts/{odd}/moderate/",
                f"/accounts/people/{odd}/report/",
                f"/staff/moderation/reports/{odd}/",
                f"/staff/moderation/people/{odd}/",
            ):
                self.assertEqual(self.client.get(path).status_code, 404, path)
                self.assertEqual(self.client.post(path, {"action": "warn", "note": "x"}).status_code, 404, path)

    def test_decision_forms_refuse_odd_input_and_change_nothing(self):
        before = self.snapshot()
        urls = (
            (self.cast.facilitator, reverse("safety:report-decide", args=[self.report.pk])),
            (self.cast.facilitator, reverse("safety:post-moderate", args=[self.reply.pk])),
            (self.cast.staff, reverse("safety:person-moderate", args=[self.author.pk])),
        )
        for user, url in urls:
            for data in (
                {},
                {"action": "cake"},
                {"action": "hide\x00", "note": "x"},
                {"action": "hide", "note": "x" * 100_000},
                {"action": "hide", "note": "a\x00b"},
                {"action": "mute", "days": "\u0663"},
                {"action": "mute", "days": str(HUGE)},
                {"action": "suspend", "days": "-1"},
                {"action": "suspend", "days": "1e3"},
                {"action": "edit_out", "note": "x", "body": "a\x00b"},
                {"action": "edit_out", "note": "x", "body": "x" * 100_000},
            ):
                response = self.post(user, url, data)
                self.assertEqual(response.status_code, 422, (url, data, response.content[:200]))
        self.assertEqual(self.snapshot(), before)

    def test_queue_pages_with_odd_query_strings_do_not_crash(self):
        self.client.force_login(self.cast.staff)
        for query in ("?cursor=%00", "?cursor=garbage", "?type=%00", "?circle=" + "x" * 5000):
            for url in (reverse("safety:site-queue"), reverse("safety:circle-queue", args=[self.cast.circle.slug])):
                self.assertLess(self.client.get(url + query).status_code, 500)
        self.client.force_login(self.cast.member)
        for query in ("?cursor=%00", "?cursor=garbage", "?cursor=" + "A" * 100_000):
            self.assertIn(self.client.get(reverse("notifications:notices") + query).status_code, (200, 422))

    def test_marking_notices_read_ignores_posted_fields(self):
        response = self.post(self.cast.member, reverse("notifications:notices-read"), {"ids": ["\x00", str(HUGE)]})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Notice.objects.filter(user=self.author, read_at__isnull=False).count(), 0)

    def test_delete_form_refuses_odd_input_and_the_account_stays(self):
        before = self.snapshot()
        url = reverse("data_rights:delete")
        for data in (
            {},
            {"posts": "cake", "password": factories.PASSWORD},
            {"posts": "remove\x00", "password": factories.PASSWORD},
            {"posts": "remove", "password": "a\x00b"},
            {"posts": "remove", "password": "x" * 100_000},
            {"posts": "remove", "password": "wrong"},
            {"posts": "\u0663", "password": ""},
        ):
            response = self.post(self.author, url, data)
            self.assertEqual(response.status_code, 422, data)
            self.assertContains(response, "errorlist", status_code=422)
        self.assertEqual(self.snapshot(), before)

    def test_download_takes_no_input_and_gives_only_the_signed_in_member(self):
        response = self.post(self.author, reverse("data_rights:data-download"), {"user": self.cast.member.pk})
        self.assertEqual(response.status_code, 200)
        self.assertIn(b'"Ari Author"', response.content)
        self.assertNotIn(self.cast.member.email.encode(), response.content)
