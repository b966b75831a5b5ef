"""Moderation from the topic page and the API is recorded; a suspended member's browsers are signed out."""

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kinship.api.tests.base import ApiTestCase
from kinship.core import factories
from kinship.core.testing import KinshipTestCase
from kinship.discussions.models import Topic
from kinship.notifications.models import Notice
from kinship.safety import reports
from kinship.safety.models import AuditEntry, ModerationAction, Report


class TopicPageModerationIsRecordedTests(KinshipTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.topic = factories.make_topic(circle=cls.cast.circle, author=cls.cast.member, replies=1)
        cls.reply = cls.topic.posts.filter(is_opening=False).get()

    def moderate(self, field, value):
        self.client.force_login(self.cast.facilitator)
        url = reverse("discussions:topic-moderate", args=[self.topic.pk])
        return self.client.post(url, {"field": field, "value": value})

    def test_pin_lock_and_hide_of_a_topic_each_write_an_action_and_an_audit_entry(self):
        for field, action in (("pinned", "pin"), ("locked", "lock"), ("hidden", "hide")):
            self.assertEqual(self.moderate(field, "1").status_code, 302)
            record = ModerationAction.objects.get(action=action)
            self.assertEqual(
                (record.moderator, record.target_type, record.target_id, record.circle, record.subject),
                (self.cast.facilitator, "topic", self.topic.pk, self.cast.circle, self.cast.member),
            )
            entry = AuditEntry.objects.get(action=f"moderation.{action}")
            self.assertEqual((entry.actor, entry.target_id), (self.cast.facilitator, self.topic.pk))
        self.moderate("pinned", "0")
        self.assertTrue(ModerationAction.objects.filter(action="unpin").exists())

    def test_repeating_a_change_already_made_records_nothing_more(self):
        Topic.objects.filter(pk=self.topic.pk).update(pinned=True)
        self.moderate("pinned", "1")
        self.assertFalse(ModerationAction.objects.exists() or AuditEntry.objects.exists())

    def test_refused_moderation_records_nothing(self):
        self.client.force_login(self.cast.member)
        url = reverse("discussions:topic-moderate", args=[self.topic.pk])
        self.assertEqual(self.client.post(url, {"field": "pinned", "value": "1"}).status_code, 403)
        self.assertFalse(ModerationAction.objects.exists() or AuditEntry.objects.exists())

    def test_hiding_a_reply_from_the_topic_page_is_recorded_once(self):
        self.client.force_login(self.cast.facilitator)
        self.client.post(reverse("discussions:post-hide", args=[self.reply.pk]), {"value": "1"})
        record = ModerationAction.objects.get()
        self.assertEqual((record.action, record.target_type, record.target_id), ("hide", "post", self.reply.pk))
        self.assertEqual(AuditEntry.objects.get().action, "moderation.hide")
        self.client.post(reverse("discussions:post-hide", args=[self.reply.pk]), {"value": "0"})
        self.assertEqual(ModerationAction.objects.filter(action="restore").count(), 1)

    def test_hiding_the_opening_post_records_one_action_not_two(self):
        opening = self.topic.posts.get(is_opening=True)
        self.client.force_login(self.cast.facilitator)
        self.client.post(reverse("discussions:post-hide", args=[opening.pk]), {"value": "1"})
        self.assertEqual(ModerationAction.objects.count(), 1)
        self.assertTrue(Topic.objects.get(pk=self.topic.pk).hidden)


class TopicApiModerationIsRecordedTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.topic = factories.make_topic(circle=cls.cast.circle, author=cls.cast.member)

    def test_patch_writes_an_action_and_an_audit_entry_per_change(self):
        response = self.api(
            "PATCH", f"/topics/{self.topic.pk}", user=self.cast.facilitator, json_body={"hidden": True, "locked": True}
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(set(ModerationAction.objects.values_list("action", flat=True)), {"hide", "lock"})
        self.assertEqual(
            set(AuditEntry.objects.values_list("action", flat=True)), {"moderation.hide", "moderation.lock"}
        )

    def test_null_is_refused_and_does_not_unpin(self):
        Topic.objects.filter(pk=self.topic.pk).update(pinned=True)
        response = self.api("PATCH", f"/topics/{self.topic.pk}", user=self.cast.facilitator, json_body={"pinned": None})
        self.assertProblem(response, 422, "pinned")
        self.assertTrue(Topic.objects.get(pk=self.topic.pk).pinned)
        self.assertFalse(ModerationAction.objects.exists())


class SuspendedMemberIsSignedOutTests(KinshipTestCase):
    def suspend(self, user, days=3):
        # Straight on the row: a session the suspension did not end (begun before sessions were tracked).
        user.suspended_until = timezone.now() + timedelta(days=days)
        user.save(update_fields=["suspended_until"])

    def test_a_suspended_members_open_session_ends_with_a_clear_message_on_the_sign_in_page(self):
        self.client.force_login(self.cast.member)
        self.suspend(self.cast.member)
        response = self.client.get(reverse("notifications:notices"))
        self.assertRedirects(response, reverse("accounts:login"), fetch_redirect_response=False)
        page = self.client.get(response["Location"])
        self.assertContains(page, "Your account is suspended until")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_a_post_from_a_suspended_member_changes_nothing(self):
        topic = factories.make_topic(circle=self.cast.circle, author=self.cast.facilitator)
        self.client.force_login(self.cast.member)
        self.suspend(self.cast.member)
        url = reverse("discussions:reply-create", args=[topic.pk])
        response = self.client.post(url, {"body": "Still here"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(topic.posts.count(), 1)

    def test_a_past_suspension_and_other_members_are_left_alone(self):
        self.cast.member.suspended_until = timezone.now() - timedelta(days=1)
        self.cast.member.save(update_fields=["suspended_until"])
        self.client.force_login(self.cast.member)
        self.assertEqual(self.client.get(reverse("notifications:notices")).status_code, 200)
        other = Client()
        other.force_login(self.cast.facilitator)
        self.assertEqual(other.get(reverse("notifications:notices")).status_code, 200)

    def test_visitors_pages_cost_no_query_for_the_check(self):
        with self.assertNumQueries(0):
            self.client.get(reverse("accounts:login"))


class HidingFromTheTopicPageDecidesReportsTests(KinshipTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.topic = factories.make_topic(circle=cls.cast.circle, author=cls.cast.member, replies=2)
        cls.opening = cls.topic.posts.get(is_opening=True)
        cls.reply, cls.other_reply = cls.topic.posts.filter(is_opening=False).order_by("pk")
        cls.reporter = factories.make_member(cls.cast.circle)

    def report(self, post):
        return reports.report_post(reporter=self.reporter, post=post, reason=Report.REASONS[0])

    def test_hiding_a_reported_reply_decides_its_reports_and_tells_the_reporter(self):
        about_reply, about_other = self.report(self.reply), self.report(self.other_reply)
        self.client.force_login(self.cast.facilitator)
        self.client.post(reverse("discussions:post-hide", args=[self.reply.pk]), {"value": "1"})
        about_reply.refresh_from_db()
        about_other.refresh_from_db()
        self.assertEqual((about_reply.status, about_reply.resolved_by), (Report.ACTIONED, self.cast.facilitator))
        self.assertEqual(about_other.status, Report.OPEN)  # another post's report waits for its own decision
        notice = Notice.objects.get(user=self.reporter, kind="report_outcome")
        self.assertIn("hid the post you reported", notice.text)

    def test_hiding_a_reported_topic_decides_the_reports_of_its_opening_post(self):
        about_opening = self.report(self.opening)
        self.client.force_login(self.cast.facilitator)
        url = reverse("discussions:topic-moderate", args=[self.topic.pk])
        self.client.post(url, {"field": "pinned", "value": "1"})
        about_opening.refresh_from_db()
        self.assertEqual(about_opening.status, Report.OPEN)  # pinning decides nothing
        self.client.post(url, {"field": "hidden", "value": "1"})
        about_opening.refresh_from_db()
        self.assertEqual(about_opening.status, Report.ACTIONED)

    def test_a_refused_hide_leaves_the_report_open(self):
        about_reply = self.report(self.reply)
        self.client.force_login(self.cast.member)
        self.client.post(reverse("discussions:post-hide", args=[self.reply.pk]), {"value": "1"})
        about_reply.refresh_from_db()
        self.assertEqual(about_reply.status, Report.OPEN)
        self.assertFalse(Notice.objects.filter(user=self.reporter).exists())
