"""The rules and writes of private messages (kinship.peers.messaging): who may write, text, unread counts,
rate limits, reports with their audit, and the demo data."""

from datetime import timedelta

from django.core.cache import cache
from django.http import Http404
from django.utils import timezone

from kinship.circles.models import Membership
from kinship.core import factories
from kinship.core.errors import Conflict, Invalid, NotAllowed, RateLimited
from kinship.peers import demo_messages, messaging
from kinship.peers.models import Block, Conversation, Mentorship, Message, MessageReport, Participant
from kinship.peers.tests.messages_support import SECRET, MessagesTestCase, make_conversation
from kinship.safety.models import AuditEntry


def make_mentorship(mentee, mentor, status=Mentorship.ACTIVE) -> Mentorship:
    return Mentorship.objects.create(
        mentee=mentee, mentor=mentor, status=status, respond_by=timezone.now() + timedelta(days=7)
    )


class WhoMayWriteTests(MessagesTestCase):
    def test_members_sharing_an_active_circle_may_write(self):
        self.assertTrue(messaging.can_message(self.cast.member, self.third))
        self.assertTrue(messaging.can_message(self.cast.facilitator, self.cast.member))

    def test_an_outsider_may_not_write_and_is_told_why(self):
        self.assertEqual(messaging.refusal(self.cast.outsider, self.cast.member), messaging.NOT_ELIGIBLE)
        with self.assertRaisesMessage(NotAllowed, "share an active circle"):
            messaging.start_conversation(sender=self.cast.outsider, recipient=self.cast.member, body="Hi")
        self.assertFalse(Conversation.objects.filter(low=self.cast.outsider).exists())

    def test_pending_and_unverified_members_share_nothing(self):
        self.assertFalse(messaging.can_message(self.cast.member, self.cast.pending))
        self.assertFalse(messaging.can_message(self.cast.member, self.cast.unverified))
        self.assertEqual(messaging.refusal(self.cast.unverified, self.cast.member), messaging.NOT_VERIFIED)

    def test_staff_are_not_special(self):
        self.assertFalse(messaging.can_message(self.cast.staff, self.cast.member))

    def test_nobody_writes_to_themselves(self):
        self.assertEqual(messaging.refusal(self.cast.member, self.cast.member), messaging.NOT_YOURSELF)

    def test_a_missing_or_inactive_person_reads_like_a_stranger(self):
        gone = factories.make_member(self.cast.circle, is_active=False)
        self.assertEqual(messaging.refusal(self.cast.member, gone), messaging.NOT_ELIGIBLE)
        self.assertEqual(messaging.refusal(self.cast.member, None), messaging.NOT_ELIGIBLE)
        for bad in ("abc", "0", "-1", 0, True, None, "9" * 30, 2**70, [1], {"a": 1}):
            with self.assertRaises(NotAllowed):
                messaging.start_conversation(sender=self.cast.member, recipient=bad, body="Hi")

    def test_an_active_mentorship_opens_messages_a_request_does_not(self):
        mentor = factories.make_user()
        mentorship = make_mentorship(self.cast.outsider, mentor, status=Mentorship.REQUESTED)
        self.assertFalse(messaging.can_message(self.cast.outsider, mentor))
        mentorship.status = Mentorship.ACTIVE
        mentorship.save()
        self.assertTrue(messaging.can_message(self.cast.outsider, mentor))
        self.assertTrue(messaging.can_message(mentor, self.cast.outsider))
        mentorship.status = Mentorship.ENDED
        mentorship.save()
        self.assertFalse(messaging.can_message(mentor, self.cast.outsider))

    def test_a_block_either_way_stops_the_conversation_and_says_why(self):
        Block.objects.create(blocker=self.peer, blocked=self.cast.member)
        self.assertEqual(
            messaging.reply_refusal(self.cast.member, self.conversation), "You cannot send messages to Pia Peer."
        )
        self.assertIn("You blocked Mia Member", messaging.reply_refusal(self.peer, self.conversation))
        for sender in (self.cast.member, self.peer):
            with self.assertRaises(NotAllowed):
                messaging.send_message(sender=sender, conversation=self.conversation, body="Still there?")
        with self.assertRaises(NotAllowed):
            messaging.start_conversation(sender=self.cast.member, recipient=self.peer, body="Hello?")
        self.assertEqual(Message.objects.count(), 1)

    def test_a_block_by_someone_no_longer_shared_does_not_name_them(self):
        Block.objects.create(blocker=self.peer, blocked=self.cast.member)
        Membership.objects.filter(user=self.peer, circle=self.cast.circle).update(status=Membership.REMOVED)
        self.assertEqual(messaging.refusal(self.cast.member, self.peer), messaging.NOT_ELIGIBLE)

    def test_leaving_the_shared_circle_closes_the_conversation_but_keeps_it_readable(self):
        Membership.objects.filter(user=self.peer, circle=self.cast.circle).update(status=Membership.REMOVED)
        reason = messaging.reply_refusal(self.cast.member, self.conversation)
        self.assertIn("no longer share", reason)
        with self.assertRaisesMessage(NotAllowed, "no longer share"):
            messaging.send_message(sender=self.cast.member, conversation=self.conversation, body="Hi")
        self.assertEqual(messaging.get_conversation_for(self.peer, self.conversation.pk), self.conversation)


class TextTests(MessagesTestCase):
    def test_markdown_is_rendered_and_sanitised(self):
        message = messaging.send_message(
            sender=self.cast.member,
            conversation=self.conversation,
            body='**bold** <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror="a()">',
        )
        self.assertIn("<strong>bold</strong>", message.body_html)
        self.assertNotIn("<script", message.body_html)
        self.assertNotIn('href="javascript', message.body_html)
        self.assertNotIn("<img", message.body_html)
        self.assertNotIn("<script", message.rendered)
        self.assertIn("**bold**", message.body)

    def test_the_length_limit_names_the_numbers_and_saves_nothing(self):
        messaging.send_message(sender=self.cast.member, conversation=self.conversation, body="x" * 5000)
        before = Message.objects.count()
        with self.assertRaisesMessage(Invalid, "Message is 5,001 characters; the limit is 5,000."):
            messaging.send_message(sender=self.cast.member, conversation=self.conversation, body="x" * 5001)
        self.assertEqual(Message.objects.count(), before)

    def test_blank_wrong_type_and_control_characters_are_refused(self):
        for bad in ("", "   \n ", None, 5, ["a"], "nul \x00 byte"):
            with self.assertRaises(Invalid):
                messaging.send_message(sender=self.cast.member, conversation=self.conversation, body=bad)
        with self.assertRaises(Invalid):
            messaging.start_conversation(sender=self.cast.member, recipient=self.third, body="")
        self.assertFalse(Conversation.objects.filter(low__in=[self.third], high__in=[self.third]).exists())
        self.assertEqual(Conversation.objects.count(), 1)


class UnreadTests(MessagesTestCase):
    def side(self, user) -> Participant:
        return Participant.objects.get(conversation=self.conversation, user=user)

    def test_counts_stay_exact_as_both_write_and_read(self):
        self.assertEqual((self.side(self.peer).unread_count, self.side(self.cast.member).unread_count), (1, 0))
        messaging.send_message(sender=self.cast.member, conversation=self.conversation, body="Two")
        messaging.send_message(sender=self.cast.member, conversation=self.conversation, body="Three")
        self.assertEqual(self.side(self.peer).unread_count, 3)
        messaging.send_message(sender=self.peer, conversation=self.conversation, body="Got them")
        # Writing means having read: the peer's count is back to zero, the member has one.
        self.assertEqual((self.side(self.peer).unread_count, self.side(self.cast.member).unread_count), (0, 1))
        self.assertTrue(messaging.mark_read(user=self.cast.member, conversation=self.conversation))
        self.assertEqual(self.side(self.cast.member).unread_count, 0)
        self.assertFalse(messaging.mark_read(user=self.cast.member, conversation=self.conversation))

    def test_the_pair_keeps_one_conversation(self):
        conversation, _, created = messaging.start_conversation(sender=self.peer, recipient=self.cast.member, body="Hi")
        self.assertFalse(created)
        self.assertEqual(conversation, self.conversation)
        self.assertEqual(Conversation.objects.count(), 1)
        self.assertEqual(messaging.unread_total(self.cast.member), 1)


class RateLimitTests(MessagesTestCase):
    def test_new_conversations_stop_at_ten_an_hour(self):
        cache.clear()
        people = [factories.make_member(self.cast.circle) for _ in range(11)]
        for person in people[:10]:
            messaging.start_conversation(sender=self.third, recipient=person, body="Hello")
        with self.assertRaises(RateLimited) as caught:
            messaging.start_conversation(sender=self.third, recipient=people[10], body="Hello")
        self.assertIn("10 conversations in an hour", caught.exception.detail)
        self.assertGreater(caught.exception.retry_after, 0)
        self.assertFalse(Conversation.objects.filter(high=people[10]).exists())
        # Writing in an existing conversation is not a new one.
        messaging.start_conversation(sender=self.third, recipient=people[0], body="Again")

    def test_messages_stop_at_thirty_a_minute(self):
        cache.clear()
        for _ in range(30):
            messaging.send_message(sender=self.peer, conversation=self.conversation, body="ping")
        with self.assertRaisesMessage(RateLimited, "30 messages in a minute"):
            messaging.send_message(sender=self.peer, conversation=self.conversation, body="ping")
        self.assertEqual(Message.objects.filter(sender=self.peer).count(), 30)


class ReportTests(MessagesTestCase):
    def test_the_recipient_reports_and_staff_look_is_audited(self):
        report = messaging.report_message(reporter=self.peer, message=self.message, reason="Harassment", detail="More")
        self.assertEqual(report.reason, "Harassment\n\nMore")
        self.assertEqual(AuditEntry.objects.count(), 0)
        messaging.view_report(staff=self.cast.staff, report=report)
        entry = AuditEntry.objects.get()
        self.assertEqual(
            (entry.actor, entry.action, entry.target_type, entry.target_id),
            (self.cast.staff, "message_report.view", "peers.message", self.message.pk),
        )
        messaging.close_report(staff=self.cast.staff, report=report)
        report.refresh_from_db()
        self.assertEqual(report.status, MessageReport.CLOSED)
        self.assertEqual(AuditEntry.objects.filter(action="message_report.close").count(), 1)

    def test_refusals(self):
        with self.assertRaises(Invalid):
            messaging.report_message(reporter=self.cast.member, message=self.message, reason="Mine")
        for outsider in (self.third, self.cast.facilitator, self.cast.staff):
            with self.assertRaises(Http404):
                messaging.report_message(reporter=outsider, message=self.message, reason="Nosy")
        for bad in ("", "  ", None, 7, "x" * 201):
            with self.assertRaises(Invalid):
                messaging.report_message(reporter=self.peer, message=self.message, reason=bad)
        messaging.report_message(reporter=self.peer, message=self.message, reason="Spam")
        with self.assertRaises(Conflict):
            messaging.report_message(reporter=self.peer, message=self.message, reason="Spam")
        self.assertEqual(MessageReport.objects.count(), 1)

    def test_only_staff_may_open_a_report(self):
        report = messaging.report_message(reporter=self.peer, message=self.message, reason="Spam")
        for user in (self.peer, self.cast.member, self.cast.facilitator, self.third):
            with self.assertRaises(Http404):
                messaging.get_report_for(user, report.pk)
            with self.assertRaises(Http404):
                messaging.view_report(staff=user, report=report)
        self.assertEqual(AuditEntry.objects.count(), 0)


class DemoTests(MessagesTestCase):
    def test_seed_makes_conversations_once_between_people_who_share_a_circle(self):
        people = {"maya": self.third, "leo": factories.make_member(self.cast.circle), "priya": self.cast.outsider}
        made = demo_messages.seed(people, {})
        self.assertEqual(made, 3)
        self.assertEqual(demo_messages.seed(people, {}), 0)
        self.assertEqual(Conversation.objects.count(), 2)  # the set-up's one and maya/leo's
        self.assertIn(SECRET, Message.objects.order_by("pk").first().body)


class HelperTests(MessagesTestCase):
    def test_make_conversation_alternates_writers(self):
        conversation, sent = make_conversation(self.third, self.cast.facilitator, count=3)
        self.assertEqual([m.sender for m in sent], [self.third, self.cast.facilitator, self.third])
        self.assertEqual(conversation.messages.count(), 3)
