"""Trying to break privacy around moderation, crisis alerts, two-step sign-in and data rights."""

import json
from datetime import date

from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from kinship.accounts.models import ApiToken
from kinship.api.tests.base import ApiTestCase
from kinship.circles.models import Membership
from kinship.core import factories
from kinship.discussions.models import Post, Topic
from kinship.journal.models import Milestone
from kinship.notifications.models import Notice
from kinship.peers import messaging
from kinship.safety import moderation, reports
from kinship.safety.models import AuditEntry, CrisisAlert, ModerationAction, Report

CRISIS = "Honestly some nights I want to end my life."
WORDS = ("end my life", "Honestly some nights")


class PrivacyCase(ApiTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # Circle A is the cast's; circle B has its own facilitator, with two-step sign-in on.
        cls.author = factories.make_member(cls.cast.circle, display_name="Ari Author")
        cls.topic = factories.make_topic(circle=cls.cast.circle, author=cls.author, replies=1)
        cls.reply = cls.topic.posts.get(is_opening=False)
        cls.report = reports.report_post(reporter=cls.cast.member, post=cls.reply, reason="spam", detail="Ads")
        cls.circle_b = factories.make_circle()
        cls.fac_b = factories.make_user(display_name="Bea Facilitator B")
        factories.add_member(cls.circle_b, cls.fac_b, role="facilitator")

    def setUp(self):
        super().setUp()
        cache.clear()

    def unchanged(self):
        reply = Post.objects.get(pk=self.reply.pk)
        topic = Topic.objects.get(pk=self.topic.pk)
        return (
            (reply.hidden, reply.body, reply.deleted_at, topic.pinned, topic.locked, topic.hidden),
            list(Membership.objects.order_by("pk").values_list("status", "muted_until")),
            list(Report.objects.order_by("pk").values_list("status", flat=True)),
            ModerationAction.objects.count(),
            Notice.objects.count(),
        )


class OtherCirclesFacilitatorTests(PrivacyCase):
    def test_api_actions_on_another_circles_post_report_and_member_are_404(self):
        before = self.unchanged()
        for body in (
            {"action": "hide", "report_id": self.report.pk, "note": "x"},
            {"action": "dismiss", "report_id": self.report.pk},
            {"action": "hide", "target_type": "post", "target_id": self.reply.pk, "note": "x"},
            {
                "action": "mute",
                "target_type": "user",
                "target_id": self.author.pk,
                "circle": self.cast.circle.slug,
                "days": 3,
            },
            {"action": "warn", "target_type": "user", "target_id": self.author.pk, "note": "x"},
        ):
            response = self.api("POST", "/moderation/actions", user=self.fac_b, json_body=body)
            self.assertIn(response.status_code, (403, 404), body)
        # Naming their own circle does not reach a member of another one.
        body = {
            "action": "mute",
            "target_type": "user",
            "target_id": self.author.pk,
            "circle": self.circle_b.slug,
            "days": 3,
        }
        self.assertEqual(self.api("POST", "/moderation/actions", user=self.fac_b, json_body=body).status_code, 404)
        self.assertEqual(self.unchanged(), before)

    def test_api_queue_and_topic_patch_of_another_circle_give_nothing(self):
        queue = self.api("GET", "/moderation/queue", user=self.fac_b).json()
        self.assertEqual(queue["items"], [])
        response = self.api("GET", f"/moderation/queue?circle={self.cast.circle.slug}", user=self.fac_b)
        self.assertEqual(response.status_code, 403)
        response = self.api("PATCH", f"/topics/{self.topic.pk}", user=self.fac_b, json_body={"hidden": True})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Topic.objects.get(pk=self.topic.pk).hidden)

    def test_pages_of_another_circles_report_post_and_queue_refuse(self):
        before = self.unchanged()
        self.client.force_login(self.fac_b)
        decide = reverse("safety:report-decide", args=[self.report.pk])
        self.assertEqual(self.client.get(decide).status_code, 404)
        self.assertEqual(self.client.post(decide, {"action": "hide", "note": "x"}).status_code, 404)
        moderate = reverse("safety:post-moderate", args=[self.reply.pk])
        self.assertIn(self.client.post(moderate, {"action": "hide", "note": "x"}).status_code, (403, 404))
        self.assertEqual(self.client.get(reverse("safety:circle-queue", args=[self.cast.circle.slug])).status_code, 403)
        self.assertEqual(self.client.get(reverse("safety:site-queue")).status_code, 403)
        hide = reverse("discussions:post-hide", args=[self.reply.pk])
        self.assertEqual(self.client.post(hide, {"value": "1"}).status_code, 403)
        pin = reverse("discussions:topic-moderate", args=[self.topic.pk])
        self.assertEqual(self.client.post(pin, {"field": "pinned", "value": "1"}).status_code, 403)
        self.assertEqual(self.unchanged(), before)

    def test_a_private_circles_post_is_not_even_found(self):
        hidden = factories.make_circle(visibility="hidden")
        writer = factories.make_member(hidden)
        secret = factories.make_topic(circle=hidden, author=writer, replies=1).posts.get(is_opening=False)
        body = {"action": "hide", "target_type": "post", "target_id": secret.pk, "note": "x"}
        self.assertEqual(self.api("POST", "/moderation/actions", user=self.fac_b, json_body=body).status_code, 404)
        body = {"target_type": "post", "target_id": secret.pk, "reason": "spam"}
        self.assertEqual(self.api("POST", "/reports", user=self.fac_b, json_body=body).status_code, 404)
        self.assertFalse(Post.objects.get(pk=secret.pk).hidden)


class MembersAndModerationTests(PrivacyCase):
    def test_a_member_gets_no_moderation_power_anywhere(self):
        before = self.unchanged()
        member = self.cast.member
        self.assertEqual(self.api("GET", "/moderation/queue", user=member).status_code, 403)
        for body in (
            {"action": "hide", "report_id": self.report.pk, "note": "x"},
            {"action": "hide", "target_type": "post", "target_id": self.reply.pk, "note": "x"},
            {"action": "suspend", "target_type": "user", "target_id": self.author.pk, "days": 3},
        ):
            self.assertIn(self.api("POST", "/moderation/actions", user=member, json_body=body).status_code, (403, 404))
        self.client.force_login(member)
        self.assertEqual(self.client.get(reverse("safety:report-decide", args=[self.report.pk])).status_code, 404)
        self.assertEqual(self.client.get(reverse("safety:site-queue")).status_code, 403)
        self.assertEqual(self.client.get(reverse("safety:person-moderate", args=[self.author.pk])).status_code, 404)
        self.assertEqual(self.unchanged(), before)

    def test_no_reporter_learns_of_another_and_the_reported_never_learn_who(self):
        second = factories.make_member(self.cast.circle, display_name="Rita Reporter")
        reports.report_post(reporter=second, post=self.reply, reason="hate", detail="Rita's own words")
        target = moderation.find_target(self.cast.facilitator, report_id=self.report.pk)
        moderation.act(moderator=self.cast.facilitator, target=target, action="hide", note="Spam link")
        for notice in Notice.objects.all():
            self.assertNotIn("Rita", notice.text)
            self.assertNotIn("Mia", notice.text)
        # Each reporter's own export lists their report alone.
        self.client.force_login(self.cast.member)
        exported = self.client.post(reverse("data_rights:data-download")).content.decode()
        self.assertNotIn("Rita", exported)
        self.assertNotIn("hate", exported)


class ExportPrivacyTests(PrivacyCase):
    def test_the_export_of_x_holds_nothing_private_of_y(self):
        x, y = self.cast.member, self.author
        conversation, _, _ = messaging.start_conversation(sender=x, recipient=y, body="From X to Y")
        messaging.send_message(sender=y, conversation=conversation, body="Y's private reply zebra")
        Milestone.objects.create(owner=y, title="Y's secret milestone okapi", happened_on=date(2025, 1, 1))
        x_post = factories.make_topic(circle=self.cast.circle, author=x).posts.get(is_opening=True)
        reports.report_post(reporter=y, post=x_post, reason="spam", detail="Y reported okapi")
        for exported in (
            self.api("GET", "/me/export", user=x).content.decode(),
            self._page_export(x),
        ):
            self.assertIn("From X to Y", exported)
            for secret in ("zebra", "okapi", y.email, "Y reported"):
                self.assertNotIn(secret, exported)
            document = json.loads(exported)
            self.assertEqual(document["profile"]["id"], x.pk)

    def _page_export(self, user):
        self.client.force_login(user)
        return self.client.post(reverse("data_rights:data-download")).content.decode()

    def test_the_export_is_only_ever_the_callers(self):
        response = self.api("GET", f"/me/export?user_id={self.author.pk}", user=self.cast.member)
        self.assertEqual(response.json()["profile"]["id"], self.cast.member.pk)
        self.assertNotIn(self.author.email, response.content.decode())
        self.assertEqual(self.client.post(reverse("data_rights:data-download")).status_code, 302)


class CrisisWordsStayPrivateTests(PrivacyCase):
    def test_alerts_emails_and_notices_never_hold_the_words(self):
        with self.captureOnCommitCallbacks(execute=True):
            response = self.api(
                "POST", f"/topics/{self.topic.pk}/replies", user=self.cast.member, json_body={"body": CRISIS}
            )
        self.assertEqual(response.status_code, 201)
        self.assertIsNotNone(response.json()["crisis_help"])
        alert = CrisisAlert.objects.get()
        self.assertNotIn("end my life", json.dumps(list(CrisisAlert.objects.values()), default=str))
        self.assertEqual(alert.circle, self.cast.circle)
        self.assertTrue(mail.outbox)
        for email in mail.outbox:
            self.assertNotIn(self.fac_b.email, email.to)
            for part in (email.subject, email.body, *(a[0] for a in email.alternatives)):
                for words in WORDS:
                    self.assertNotIn(words, part)
        for text in Notice.objects.values_list("text", flat=True):
            for words in WORDS:
                self.assertNotIn(words, text)
        for detail in AuditEntry.objects.values_list("detail", flat=True):
            for words in WORDS:
                self.assertNotIn(words, detail)

    def test_a_message_alert_has_no_link_to_the_message_and_no_words(self):
        peer = factories.make_member(self.cast.circle)
        with self.captureOnCommitCallbacks(execute=True):
            messaging.start_conversation(sender=self.cast.member, recipient=peer, body=CRISIS)
        for email in mail.outbox:
            self.assertNotIn("/messages/", email.body)
            for words in WORDS:
                self.assertNotIn(words, email.body)
                self.assertNotIn(words, email.subject)


class TwoFactorGateTests(PrivacyCase):
    def test_a_facilitator_without_two_step_sign_in_has_no_power_by_page_or_api(self):
        bare = factories.make_user(display_name="Noah No-Code")
        factories.add_member(self.cast.circle, bare, role="facilitator", two_factor=False)
        before = self.unchanged()
        self.assertEqual(self.api("GET", "/moderation/queue", user=bare).status_code, 403)
        for body in (
            {"action": "hide", "report_id": self.report.pk, "note": "x"},
            {"action": "hide", "target_type": "post", "target_id": self.reply.pk, "note": "x"},
            {
                "action": "mute",
                "target_type": "user",
                "target_id": self.author.pk,
                "circle": self.cast.circle.slug,
                "days": 3,
            },
        ):
            self.assertIn(self.api("POST", "/moderation/actions", user=bare, json_body=body).status_code, (403, 404))
        self.assertEqual(
            self.api("PATCH", f"/topics/{self.topic.pk}", user=bare, json_body={"pinned": True}).status_code, 403
        )
        self.client.force_login(bare)
        self.assertEqual(self.client.get(reverse("safety:circle-queue", args=[self.cast.circle.slug])).status_code, 403)
        self.assertEqual(self.client.get(reverse("safety:report-decide", args=[self.report.pk])).status_code, 404)
        self.assertEqual(
            self.client.post(reverse("discussions:post-hide", args=[self.reply.pk]), {"value": "1"}).status_code, 403
        )
        self.assertEqual(self.unchanged(), before)

    def test_staff_without_two_step_sign_in_have_no_staff_power(self):
        bare = factories.make_user(is_staff=True, two_factor=False)
        before = self.unchanged()
        body = {"action": "suspend", "target_type": "user", "target_id": self.author.pk, "days": 3}
        self.assertIn(self.api("POST", "/moderation/actions", user=bare, json_body=body).status_code, (403, 404))
        self.client.force_login(bare)
        self.assertEqual(self.client.get(reverse("safety:site-queue")).status_code, 403)
        self.assertEqual(self.client.get(reverse("safety:person-moderate", args=[self.author.pk])).status_code, 404)
        self.assertNotEqual(self.client.get("/admin/").status_code, 200)
        self.assertEqual(self.unchanged(), before)

    def test_a_two_factor_account_gets_no_token_without_its_code(self):
        user = factories.make_user()
        factories.give_two_factor(user)
        for otp in (None, "", "000000"):
            body = {"email": user.email, "password": factories.PASSWORD}
            if otp is not None:
                body["otp"] = otp
            response = self.api("POST", "/auth/token", json_body=body)
            self.assertEqual(response.status_code, 401)
            self.assertIs(response.json()["otp_required"], True)
            self.assertNotIn("token", response.json())
        self.assertFalse(ApiToken.objects.filter(user=user).exists())
