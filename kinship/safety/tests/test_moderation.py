"""Moderation actions and queues: who may act, what each action does, who is told, and the audit trail."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from kinship.accounts.models import ApiToken
from kinship.circles.models import Circle, Membership
from kinship.core import factories
from kinship.core.errors import Invalid, NotAllowed
from kinship.core.testing import KinshipTestCase
from kinship.discussions.models import Post
from kinship.notifications.models import Notice
from kinship.safety import moderation, reports
from kinship.safety.models import AuditEntry, ModerationAction


class ModerationTestCase(KinshipTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.author = factories.make_member(cls.cast.circle, display_name="Ari Author")
        cls.topic = factories.make_topic(circle=cls.cast.circle, author=cls.cast.member)
        cls.reply = factories.make_replies(cls.topic, count=1, author=cls.author)[0]
        cls.report = reports.report_post(reporter=cls.cast.member, post=cls.reply, reason="harassment", detail="Mean")

    def decide(self, user, report, data):
        self.client.force_login(user)
        return self.client.post(reverse("safety:report-decide", args=[report.pk]), data)


class HideTests(ModerationTestCase):
    def test_facilitator_hides_a_reported_post_author_and_reporter_are_told_and_it_is_audited(self):
        response = self.decide(self.cast.facilitator, self.report, {"action": "hide", "note": "Personal attack"})
        self.assertEqual(response.status_code, 302)
        self.reply.refresh_from_db()
        self.assertTrue(self.reply.hidden)
        self.assertEqual(self.reply.moderation_note, "Personal attack")
        self.report.refresh_from_db()
        self.assertEqual((self.report.status, self.report.resolved_by), ("actioned", self.cast.facilitator))
        self.assertIn("Personal attack", Notice.objects.get(user=self.author).text)
        self.assertIn("hid the post you reported", Notice.objects.get(user=self.cast.member).text)
        self.assertNotIn("Mia", Notice.objects.get(user=self.author).text)
        action = ModerationAction.objects.get()
        self.assertEqual(
            (action.action, action.target_id, action.report, action.subject),
            ("hide", self.reply.pk, self.report, self.author),
        )
        entry = AuditEntry.objects.get(action="moderation.hide")
        self.assertEqual((entry.actor, entry.target_id), (self.cast.facilitator, self.reply.pk))

    def test_hide_needs_a_note_and_nothing_changes_without_one(self):
        response = self.decide(self.cast.facilitator, self.report, {"action": "hide", "note": "  "})
        self.assertEqual(response.status_code, 422)
        self.assertContains(response, "errorlist", status_code=422)
        self.reply.refresh_from_db()
        self.assertFalse(self.reply.hidden)
        self.assertFalse(ModerationAction.objects.exists() or AuditEntry.objects.exists() or Notice.objects.exists())

    def test_unknown_or_unfitting_actions_and_odd_input_are_422(self):
        for data in (
            {"action": "cake"},
            {},
            {"action": "unsuspend"},
            {"action": "mute", "days": "0"},
            {"action": "mute", "days": "91"},
            {"action": "mute", "days": "\u0663"},
            {"action": "edit_out", "note": "x", "body": ""},
            {"action": "warn", "note": "x" * 501},
            {"action": "warn", "note": "a\x00b"},
        ):
            self.assertEqual(self.decide(self.cast.facilitator, self.report, data).status_code, 422, data)
        self.assertFalse(ModerationAction.objects.exists())

    def test_members_outsiders_and_other_circles_facilitators_get_404(self):
        other = factories.make_circle()
        stranger = factories.make_user()
        factories.add_member(other, stranger, role="facilitator")
        factories.give_two_factor(stranger)
        for user in (self.cast.member, self.cast.outsider, stranger):
            self.assertEqual(self.decide(user, self.report, {"action": "hide", "note": "x"}).status_code, 404)
        self.client.force_login(self.cast.facilitator)
        for odd in ("\u0661", "99999999999999999999", "abc"):
            self.assertEqual(self.client.get(f"/staff/moderation/reports/{odd}/").status_code, 404)
        self.assertFalse(ModerationAction.objects.exists())

    def test_restore_shows_it_again(self):
        self.decide(self.cast.facilitator, self.report, {"action": "hide", "note": "x"})
        self.client.post(reverse("safety:post-moderate", args=[self.reply.pk]), {"action": "restore"})
        self.reply.refresh_from_db()
        self.assertFalse(self.reply.hidden)
        self.assertEqual(self.reply.moderation_note, "")


class OtherActionTests(ModerationTestCase):
    def test_edit_out_replaces_the_words_and_tells_the_author(self):
        data = {"action": "edit_out", "note": "Removed a phone number", "body": "Call me at [removed]"}
        self.assertEqual(self.decide(self.cast.facilitator, self.report, data).status_code, 302)
        self.reply.refresh_from_db()
        self.assertEqual(
            (self.reply.body, self.reply.moderation_note), ("Call me at [removed]", "Removed a phone number")
        )
        self.assertIn("Removed a phone number", Notice.objects.get(user=self.author).text)

    def test_warn_sends_a_notice(self):
        self.decide(self.cast.facilitator, self.report, {"action": "warn", "note": "Please keep it kind"})
        self.assertIn("Please keep it kind", Notice.objects.get(user=self.author, kind="warning").text)

    def test_mute_for_days_stops_posting_and_reacting_with_a_clear_message(self):
        self.decide(self.cast.facilitator, self.report, {"action": "mute", "days": "3"})
        membership = Membership.objects.get(user=self.author, circle=self.cast.circle)
        self.assertGreater(membership.muted_until, timezone.now() + timedelta(days=2))
        self.client.force_login(self.author)
        response = self.client.post(reverse("discussions:reply-create", args=[self.topic.pk]), {"body": "Hello"})
        self.assertEqual(response.status_code, 403)
        self.assertContains(response, "muted", status_code=403)
        post = self.topic.posts.get(is_opening=True)
        self.assertEqual(
            self.client.post(reverse("discussions:post-react", args=[post.pk]), {"reaction": "strength:1"}).status_code,
            403,
        )
        self.assertEqual(Post.objects.filter(author=self.author).count(), 1)

    def test_facilitators_cannot_mute_a_facilitator_or_themselves(self):
        target = moderation.find_target(
            self.cast.facilitator, target_type="user", target_id=self.cast.facilitator.pk, circle=self.cast.circle.slug
        )
        with self.assertRaises(Invalid):
            moderation.act(moderator=self.cast.facilitator, target=target, action="mute", days=2)
        second = factories.make_member(self.cast.circle)
        Membership.objects.filter(user=second).update(role="facilitator")
        target = moderation.find_target(
            self.cast.facilitator, target_type="user", target_id=second.pk, circle=self.cast.circle.slug
        )
        with self.assertRaises(NotAllowed):
            moderation.act(moderator=self.cast.facilitator, target=target, action="mute", days=2)

    def test_remove_from_the_circle(self):
        self.decide(self.cast.facilitator, self.report, {"action": "remove", "note": "Repeated"})
        self.assertEqual(Membership.objects.get(user=self.author, circle=self.cast.circle).status, "removed")

    def test_dismiss_tells_the_reporter_no_action_was_needed(self):
        self.decide(self.cast.facilitator, self.report, {"action": "dismiss"})
        self.report.refresh_from_db()
        self.assertEqual(self.report.status, "dismissed")
        self.assertIn("no action was needed", Notice.objects.get(user=self.cast.member).text)
        self.assertFalse(Notice.objects.filter(user=self.author).exists())

    def test_only_staff_suspend_and_a_suspension_ends_sessions_tokens_and_sign_in(self):
        response = self.decide(self.cast.facilitator, self.report, {"action": "suspend", "days": "7"})
        self.assertEqual(response.status_code, 422)  # not among a facilitator's choices
        ApiToken.issue(self.author)
        response = self.decide(self.cast.staff, self.report, {"action": "suspend", "days": "7", "note": "Threats"})
        self.assertEqual(response.status_code, 302)
        self.author.refresh_from_db()
        self.assertGreater(self.author.suspended_until, timezone.now() + timedelta(days=6))
        self.assertFalse(ApiToken.objects.filter(user=self.author).exists())
        self.client.logout()
        response = self.client.post(
            reverse("accounts:login"), {"email": self.author.email, "password": factories.PASSWORD}
        )
        self.assertEqual(response.status_code, 422)
        self.assertContains(response, "suspended until", status_code=422)
        # Lifting it lets them back in.
        self.client.force_login(self.cast.staff)
        self.client.post(reverse("safety:person-moderate", args=[self.author.pk]), {"action": "unsuspend"})
        self.author.refresh_from_db()
        self.assertIsNone(self.author.suspended_until)

    def test_person_moderation_page_is_staff_only(self):
        self.client.force_login(self.cast.facilitator)
        self.assertEqual(self.client.get(reverse("safety:person-moderate", args=[self.author.pk])).status_code, 404)


class QueueTests(ModerationTestCase):
    def test_facilitator_sees_the_circle_queue_members_get_403_and_hidden_circles_404(self):
        url = reverse("safety:circle-queue", args=[self.cast.circle.slug])
        self.client.force_login(self.cast.facilitator)
        response = self.client.get(url)
        self.assertContains(response, "Harassment or bullying")
        self.assertContains(response, reverse("safety:report-decide", args=[self.report.pk]))
        self.client.force_login(self.cast.member)
        self.assertEqual(self.client.get(url).status_code, 403)
        hidden = factories.make_circle(visibility=Circle.HIDDEN)
        self.assertEqual(self.client.get(reverse("safety:circle-queue", args=[hidden.slug])).status_code, 404)
        self.assertEqual(self.client.get("/c/no-such-circle/moderation/").status_code, 404)

    def test_site_queue_is_for_staff_and_lists_member_reports(self):
        reports.report_user(reporter=self.cast.member, person=self.author, reason="spam")
        self.client.force_login(self.cast.staff)
        response = self.client.get(reverse("safety:site-queue"))
        self.assertContains(response, "a member: Ari Author")
        self.assertNotContains(response, self.reply.body)  # post text only when a report is opened
        self.client.force_login(self.cast.facilitator)
        self.assertEqual(self.client.get(reverse("safety:site-queue")).status_code, 403)

    def test_staff_opening_a_private_circle_report_is_audited(self):
        Circle.objects.filter(pk=self.cast.circle.pk).update(visibility=Circle.PRIVATE)
        self.client.force_login(self.cast.staff)
        self.assertEqual(self.client.get(reverse("safety:report-decide", args=[self.report.pk])).status_code, 200)
        self.assertTrue(AuditEntry.objects.filter(action="report.view", actor=self.cast.staff).exists())

    def test_circle_queue_queries_stay_flat(self):
        url = reverse("safety:circle-queue", args=[self.cast.circle.slug])
        self.client.force_login(self.cast.facilitator)
        first = self._count(url)
        for _ in range(6):
            reporter = factories.make_member(self.cast.circle)
            reports.report_post(reporter=reporter, post=self.reply, reason="spam")
            reply = factories.make_replies(self.topic, count=1)[0]
            reports.report_post(reporter=reporter, post=reply, reason="other")
        self.assertEqual(self._count(url), first)

    def test_site_queue_queries_stay_flat(self):
        url = reverse("safety:site-queue")
        self.client.force_login(self.cast.staff)
        first = self._count(url)
        for _ in range(5):
            reporter = factories.make_member(self.cast.circle)
            reports.report_user(reporter=reporter, person=self.author, reason="spam")
            reports.report_post(reporter=reporter, post=self.reply, reason="spam")
        self.assertEqual(self._count(url), first)

    def _count(self, url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len(captured)
