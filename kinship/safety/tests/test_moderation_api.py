"""POST /reports, GET /moderation/queue and POST /moderation/actions."""

from kinship.api.tests.base import BAD_TEXT, ApiTestCase
from kinship.circles.models import Circle, Membership
from kinship.core import factories
from kinship.discussions import services
from kinship.peers.models import MessageReport
from kinship.safety import reports
from kinship.safety.models import AuditEntry, ModerationAction, Report


class ApiModerationTestCase(ApiTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.author = factories.make_member(cls.cast.circle, display_name="Ari Author")
        cls.topic = factories.make_topic(circle=cls.cast.circle, author=cls.cast.member)
        cls.reply = factories.make_replies(cls.topic, count=1, author=cls.author)[0]


class ReportApiTests(ApiModerationTestCase):
    def body(self, **overrides):
        data = {"target_type": "post", "target_id": self.reply.pk, "reason": "harassment", "detail": "Twice"}
        return {**data, **overrides}

    def test_member_reports_a_post_and_a_user(self):
        response = self.api("post", "/reports", user=self.cast.member, json_body=self.body())
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["target_type"], "post")
        self.assertProblem(self.api("post", "/reports", user=self.cast.member, json_body=self.body()), 409)
        response = self.api(
            "post", "/reports", user=self.cast.member, json_body=self.body(target_type="user", target_id=self.author.pk)
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(Report.objects.filter(target_type="user", subject=self.author).count(), 1)

    def test_message_reports_still_go_to_the_message_queue(self):
        conversation_sender = self.author
        from kinship.peers import messaging

        _conversation, message, _ = messaging.start_conversation(
            sender=conversation_sender, recipient=self.cast.member.pk, body="Hello"
        )
        data = self.body(target_type="message", target_id=message.pk, reason="Unwanted")
        self.assertEqual(self.api("post", "/reports", user=self.cast.member, json_body=data).status_code, 201)
        self.assertEqual(MessageReport.objects.get().reason, "Unwanted\n\nTwice")
        self.assertProblem(self.api("post", "/reports", user=self.cast.outsider, json_body=data), 404)

    def test_forbidden_and_bad_input(self):
        self.assertProblem(self.api("post", "/reports", json_body=self.body()), 401)
        self.assertProblem(self.api("post", "/reports", user=self.author, json_body=self.body()), 422)
        hidden = factories.make_circle(visibility=Circle.HIDDEN)
        secret = factories.make_topic(circle=hidden).posts.get()
        self.assertProblem(
            self.api("post", "/reports", user=self.cast.member, json_body=self.body(target_id=secret.pk)), 404
        )
        outsider_target = self.body(target_type="user", target_id=self.cast.outsider.pk)
        self.assertProblem(self.api("post", "/reports", user=self.cast.member, json_body=outsider_target), 404)
        self.assertProblem(
            self.api("post", "/reports", user=self.cast.member, json_body=self.body(target_type="cake")),
            422,
            "target_type",
        )
        for reason in [*BAD_TEXT, "cake"]:
            self.assertProblem(
                self.api("post", "/reports", user=self.cast.member, json_body=self.body(reason=reason)), 422
            )
        for target_id in ("1", 0, 2**63, None, [1]):
            self.assertProblem(
                self.api("post", "/reports", user=self.cast.member, json_body=self.body(target_id=target_id)), 422
            )
        self.assertProblem(
            self.api("post", "/reports", user=self.cast.member, json_body=self.body(detail="x" * 1001)), 422
        )
        self.assertFalse(Report.objects.exists())


class ActionApiTests(ApiModerationTestCase):
    def setUp(self):
        super().setUp()
        self.report = reports.report_post(reporter=self.cast.member, post=self.reply, reason="spam")

    def test_facilitator_hides_through_a_report(self):
        data = {"action": "hide", "report_id": self.report.pk, "note": "Advertising"}
        response = self.api("post", "/moderation/actions", user=self.cast.facilitator, json_body=data)
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["action"], "hide")
        self.reply.refresh_from_db()
        self.assertTrue(self.reply.hidden)
        self.assertTrue(AuditEntry.objects.filter(action="moderation.hide").exists())

    def test_mute_a_member_of_a_circle_by_id(self):
        data = {
            "action": "mute",
            "target_type": "user",
            "target_id": self.author.pk,
            "circle": self.cast.circle.slug,
            "days": 5,
        }
        self.assertEqual(
            self.api("post", "/moderation/actions", user=self.cast.facilitator, json_body=data).status_code, 201
        )
        self.assertIsNotNone(Membership.objects.get(user=self.author, circle=self.cast.circle).muted_until)
        response = self.api("post", f"/topics/{self.topic.pk}/replies", user=self.author, json_body={"body": "Hi"})
        self.assertProblem(response, 403)

    def test_suspension_is_staff_only_and_refuses_the_token(self):
        data = {"action": "suspend", "target_type": "user", "target_id": self.author.pk, "days": 3}
        self.key_for(self.author)
        self.assertProblem(self.api("post", "/moderation/actions", user=self.cast.facilitator, json_body=data), 404)
        self.assertEqual(self.api("post", "/moderation/actions", user=self.cast.staff, json_body=data).status_code, 201)
        self.assertProblem(self.api("get", "/notifications", user=self.author), 401)

    def test_forbidden_and_bad_input_change_nothing(self):
        data = {"action": "hide", "report_id": self.report.pk, "note": "x"}
        for user in (self.cast.member, self.cast.outsider):
            self.assertProblem(self.api("post", "/moderation/actions", user=user, json_body=data), 404)
        post_target = {"action": "hide", "target_type": "post", "target_id": self.reply.pk, "note": "x"}
        self.assertProblem(self.api("post", "/moderation/actions", user=self.cast.member, json_body=post_target), 403)
        bad = [
            {"action": "hide", "report_id": self.report.pk},
            {"action": "cake", "report_id": self.report.pk},
            {"action": "mute", "report_id": self.report.pk, "days": 0},
            {"action": "mute", "report_id": self.report.pk, "days": "3"},
            {"action": "approve", "report_id": self.report.pk},
            {"action": "hide"},
            {"action": "hide", "target_type": "post", "target_id": "1", "note": "x"},
            {"action": "hide", "report_id": self.report.pk, "note": "x", "extra": 1},
            {"action": None, "report_id": self.report.pk},
            {"action": "warn", "report_id": self.report.pk, "note": "a\x00b"},
        ]
        for body in bad:
            self.assertProblem(self.api("post", "/moderation/actions", user=self.cast.facilitator, json_body=body), 422)
        self.assertProblem(
            self.api(
                "post",
                "/moderation/actions",
                user=self.cast.facilitator,
                json_body={"action": "hide", "report_id": 2**62, "note": "x"},
            ),
            404,
        )
        self.assertFalse(ModerationAction.objects.exists())


class QueueApiTests(ApiModerationTestCase):
    def test_facilitator_sees_reports_of_their_circles_and_waiting_posts(self):
        report = reports.report_post(reporter=self.cast.member, post=self.reply, reason="spam")
        other = factories.make_circle()
        elsewhere = factories.make_topic(circle=other)
        reports.report_post(reporter=factories.make_member(other), post=elsewhere.posts.get(), reason="spam")
        data = self.api("get", "/moderation/queue", user=self.cast.facilitator).json()
        self.assertEqual([r["id"] for r in data["items"]], [report.pk])
        self.assertEqual(data["items"][0]["post"]["id"], self.reply.pk)
        self.assertEqual(len(self.api("get", "/moderation/queue", user=self.cast.staff).json()["items"]), 2)
        Circle.objects.filter(pk=self.cast.circle.pk).update(premoderate_posts=1)
        self.topic.circle.refresh_from_db()
        newcomer = factories.make_member(self.cast.circle)
        waiting = services.post_reply(author=newcomer, topic=self.topic, body="New")
        data = self.api(
            "get", f"/moderation/queue?type=waiting&circle={self.cast.circle.slug}", user=self.cast.facilitator
        ).json()
        self.assertEqual([p["id"] for p in data["items"]], [waiting.pk])

    def test_members_get_403_hidden_circles_404_and_bad_params_422(self):
        self.assertProblem(self.api("get", "/moderation/queue", user=self.cast.member), 403)
        self.assertProblem(self.api("get", "/moderation/queue"), 401)
        hidden = factories.make_circle(visibility=Circle.HIDDEN)
        self.assertProblem(self.api("get", f"/moderation/queue?circle={hidden.slug}", user=self.cast.facilitator), 404)
        self.assertProblem(self.api("get", "/moderation/queue?type=cake", user=self.cast.facilitator), 422)
        self.assertProblem(self.api("get", "/moderation/queue?limit=0", user=self.cast.facilitator), 422)
        self.assertLess(self.api("get", "/moderation/queue?cursor=%00", user=self.cast.facilitator).status_code, 500)
        self.assertLess(self.api("get", "/moderation/queue?circle=%00", user=self.cast.facilitator).status_code, 500)

    def test_queue_queries_stay_flat(self):
        reports.report_post(reporter=self.cast.member, post=self.reply, reason="spam")
        self.api("get", "/moderation/queue", user=self.cast.staff)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        def count():
            with CaptureQueriesContext(connection) as captured:
                self.api("get", "/moderation/queue", user=self.cast.staff)
            return len(captured)

        first = count()
        for _ in range(8):
            reporter = factories.make_member(self.cast.circle)
            reports.report_post(reporter=reporter, post=factories.make_replies(self.topic, count=1)[0], reason="spam")
            reports.report_user(reporter=reporter, person=self.author, reason="spam")
        self.assertEqual(count(), first)
