"""The private message pages: allowed, forbidden and bad input for each, and flat query counts."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kinship.core import factories
from kinship.peers import messaging
from kinship.peers.models import Block, Conversation, Message, MessageReport, Participant
from kinship.peers.tests.messages_support import SECRET, MessagesTestCase, make_conversation
from kinship.safety.models import AuditEntry


def url(conversation) -> str:
    return f"/messages/{conversation.pk}/"


class InboxPageTests(MessagesTestCase):
    def test_member_sees_their_conversations_with_unread_counts(self):
        self.client.force_login(self.peer)
        response = self.client.get("/messages/")
        self.assertContains(response, "Mia Member")
        self.assertContains(response, "1 unread")
        self.assertNotContains(response, "Zanzibarquokka")  # the inbox shows no text
        self.assertEqual(response["Cache-Control"].count("no-cache") + response["Cache-Control"].count("no-store"), 2)

    def test_visitor_is_sent_to_sign_in(self):
        response = self.client.get("/messages/")
        self.assertEqual(response.status_code, 302)
        self.assertIn("/login", response["Location"])

    def test_others_see_an_empty_inbox(self):
        for user in (self.third, self.cast.facilitator, self.cast.staff):
            self.client.force_login(user)
            response = self.client.get("/messages/")
            self.assertContains(response, "No messages yet")
            self.assertNotContains(response, "Pia Peer")

    def test_a_broken_cursor_is_a_clear_422(self):
        self.client.force_login(self.peer)
        response = self.client.get("/messages/?cursor=%%%not-a-cursor")
        self.assertEqual(response.status_code, 422)
        self.assertContains(response, "That page link is broken.", status_code=422)
        self.assertEqual(self.client.post("/messages/").status_code, 405)

    def test_inbox_queries_stay_flat(self):
        self.client.force_login(self.cast.member)
        with CaptureQueriesContext(connection) as few:
            self.client.get("/messages/")
        for _ in range(8):
            make_conversation(self.cast.member, factories.make_member(self.cast.circle), count=3)
        Block.objects.create(blocker=self.cast.member, blocked=self.peer)
        with self.assertNumQueries(len(few.captured_queries)):
            response = self.client.get("/messages/")
        self.assertEqual(response.context["page"].items[-1].blocked, True)
        # session, user, one page of conversations with the other person, last writer and block.
        self.assertEqual(len(few.captured_queries), 3)


class ConversationPageTests(MessagesTestCase):
    def test_participant_reads_and_it_marks_read(self):
        self.client.force_login(self.peer)
        response = self.client.get(url(self.conversation))
        self.assertContains(response, "<p>Zanzibarquokka is my secret word</p>", html=True)
        self.assertContains(response, "Report")
        self.assertEqual(Participant.objects.get(user=self.peer, conversation=self.conversation).unread_count, 0)

    def test_participant_replies(self):
        self.client.force_login(self.peer)
        response = self.client.post(url(self.conversation), {"body": "Hello **back**"})
        reply = Message.objects.latest("pk")
        self.assertRedirects(response, f"{url(self.conversation)}#message-{reply.pk}")
        self.assertEqual((reply.sender, reply.body_html), (self.peer, "<p>Hello <strong>back</strong></p>\n"))

    def test_bad_input_is_a_422_with_the_message_and_saves_nothing(self):
        self.client.force_login(self.peer)
        for body in ("", "   ", "x" * 5001, "nul \x00"):
            response = self.client.post(url(self.conversation), {"body": body})
            self.assertEqual(response.status_code, 422)
        self.assertContains(response, "contains characters that cannot be saved", status_code=422)
        self.assertEqual(Message.objects.count(), 1)

    def test_others_get_404_for_reading_and_writing(self):
        for user in (self.third, self.cast.facilitator, self.cast.staff, self.cast.outsider):
            self.client.force_login(user)
            self.assertEqual(self.client.get(url(self.conversation)).status_code, 404)
            self.assertEqual(self.client.post(url(self.conversation), {"body": "Let me in"}).status_code, 404)
        self.assertEqual(Message.objects.count(), 1)
        self.client.force_login(self.peer)
        self.assertEqual(self.client.get("/messages/99999999/").status_code, 404)

    def test_blocked_conversation_shows_why_and_refuses_with_403(self):
        Block.objects.create(blocker=self.peer, blocked=self.cast.member)
        self.client.force_login(self.cast.member)
        response = self.client.get(url(self.conversation))
        self.assertContains(response, "You cannot send messages to Pia Peer.")
        self.assertNotContains(response, "Reply to Pia Peer")
        response = self.client.post(url(self.conversation), {"body": "Hello?"})
        self.assertContains(response, "You cannot send messages to Pia Peer.", status_code=403)
        self.assertEqual(Message.objects.count(), 1)

    def test_rate_limit_is_a_429_with_retry_after(self):
        self.client.force_login(self.peer)
        for _ in range(messaging.MESSAGES_PER_MINUTE):
            self.client.post(url(self.conversation), {"body": "ping"})
        response = self.client.post(url(self.conversation), {"body": "ping"})
        self.assertEqual(response.status_code, 429)
        self.assertIn("Retry-After", response)
        self.assertContains(response, "30 messages in a minute", status_code=429)

    def test_conversation_page_queries_stay_flat(self):
        self.client.force_login(self.peer)
        self.client.get(url(self.conversation))  # read, so both runs do the same
        with CaptureQueriesContext(connection) as few:
            self.client.get(url(self.conversation))
        for i in range(40):
            messaging.send_message(
                sender=self.peer if i % 2 else self.cast.member, conversation=self.conversation, body="x"
            )
        messaging.mark_read(user=self.peer, conversation=self.conversation)
        with self.assertNumQueries(len(few.captured_queries)):
            response = self.client.get(url(self.conversation))
        self.assertEqual(len(response.context["thread"]), 30)
        self.assertContains(response, "Earlier messages")
        # session, user, conversation, read mark, messages, blocks (2), shared circle (2).
        self.assertEqual(len(few.captured_queries), 9)


class ConversationNewPageTests(MessagesTestCase):
    def test_member_starts_a_conversation(self):
        self.client.force_login(self.cast.member)
        page = self.client.get(f"/messages/new/{self.third.pk}/")
        self.assertContains(page, "Message Theo Third")
        self.assertContains(page, '<label for="id_body">Your message</label>', html=True)
        response = self.client.post(f"/messages/new/{self.third.pk}/", {"body": "Hi Theo"})
        conversation = Conversation.objects.exclude(pk=self.conversation.pk).get()
        self.assertRedirects(response, f"{url(conversation)}#message-{conversation.messages.get().pk}")

    def test_a_profile_links_to_writing(self):
        self.client.force_login(self.cast.member)
        response = self.client.get(self.third.get_absolute_url())
        self.assertContains(response, f'href="/messages/new/{self.third.pk}/"')

    def test_an_existing_conversation_is_opened_instead(self):
        self.client.force_login(self.peer)
        self.assertRedirects(self.client.get(f"/messages/new/{self.cast.member.pk}/"), url(self.conversation))

    def test_refusals_are_403_with_the_reason_and_never_tell_who_exists(self):
        self.client.force_login(self.cast.outsider)
        stranger = self.client.get(f"/messages/new/{self.cast.member.pk}/")
        missing = self.client.get("/messages/new/99999999/")
        for response in (stranger, missing):
            self.assertContains(response, messaging.NOT_ELIGIBLE, status_code=403)
            self.assertNotContains(response, "Mia Member", status_code=403)
        self.client.post(f"/messages/new/{self.cast.member.pk}/", {"body": "Hi"})
        self.client.force_login(self.cast.member)
        self.assertContains(self.client.get(f"/messages/new/{self.cast.member.pk}/"), "yourself", status_code=403)
        self.assertEqual(Conversation.objects.count(), 1)

    def test_bad_input_is_a_422(self):
        self.client.force_login(self.cast.member)
        response = self.client.post(f"/messages/new/{self.third.pk}/", {"body": "  "})
        self.assertContains(response, "Message cannot be empty.", status_code=422)
        self.assertEqual(Conversation.objects.count(), 1)
        self.assertEqual(self.client.get("/messages/new/abc/").status_code, 404)


class MessageReportPageTests(MessagesTestCase):
    def report_url(self) -> str:
        return f"/messages/{self.conversation.pk}/report/{self.message.pk}/"

    def test_recipient_reports_a_message(self):
        self.client.force_login(self.peer)
        page = self.client.get(self.report_url())
        self.assertContains(page, "What is wrong with this message?")
        response = self.client.post(self.report_url(), {"reason": "It frightened me", "detail": ""})
        self.assertRedirects(response, url(self.conversation))
        self.assertEqual(MessageReport.objects.get().reason, "It frightened me")
        again = self.client.post(self.report_url(), {"reason": "Again"})
        self.assertContains(again, "You already reported this message", status_code=409)

    def test_bad_input_is_a_422(self):
        self.client.force_login(self.peer)
        response = self.client.post(self.report_url(), {"reason": ""})
        self.assertContains(response, "Reason cannot be empty.", status_code=422)
        self.assertFalse(MessageReport.objects.exists())

    def test_sender_and_others_get_404(self):
        for user in (self.cast.member, self.third, self.cast.facilitator, self.cast.staff):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.report_url()).status_code, 404)
            self.assertEqual(self.client.post(self.report_url(), {"reason": "x"}).status_code, 404)
        _, sent = make_conversation(self.third, self.cast.facilitator)
        self.client.force_login(self.peer)
        # A message of another conversation through this conversation's address.
        self.assertEqual(self.client.get(f"/messages/{self.conversation.pk}/report/{sent[0].pk}/").status_code, 404)
        self.assertFalse(MessageReport.objects.exists())


class StaffReportPageTests(MessagesTestCase):
    def setUp(self):
        super().setUp()
        self.report = messaging.report_message(reporter=self.peer, message=self.message, reason="Creepy")

    def test_staff_list_shows_no_message_text(self):
        self.client.force_login(self.cast.staff)
        response = self.client.get("/staff/message-reports/")
        self.assertContains(response, f"Report {self.report.pk}")
        self.assertNotContains(response, "Zanzibarquokka")
        self.assertFalse(AuditEntry.objects.exists())

    def test_staff_open_a_report_see_only_that_message_and_the_look_is_audited(self):
        later = messaging.send_message(sender=self.cast.member, conversation=self.conversation, body="Not reported")
        self.client.force_login(self.cast.staff)
        response = self.client.get(f"/staff/message-reports/{self.report.pk}/")
        self.assertContains(response, SECRET)
        self.assertNotContains(response, later.body)
        entry = AuditEntry.objects.get()
        self.assertEqual(
            (entry.actor, entry.target_id, entry.action), (self.cast.staff, self.message.pk, "message_report.view")
        )

    def test_staff_close_a_report(self):
        self.client.force_login(self.cast.staff)
        response = self.client.post(f"/staff/message-reports/{self.report.pk}/", {"action": "close"})
        self.assertRedirects(response, "/staff/message-reports/")
        self.report.refresh_from_db()
        self.assertEqual(self.report.status, MessageReport.CLOSED)
        bad = self.client.post(f"/staff/message-reports/{self.report.pk}/", {"action": "delete"})
        self.assertEqual(bad.status_code, 422)

    def test_members_and_facilitators_are_refused(self):
        for user in (self.peer, self.cast.member, self.cast.facilitator):
            self.client.force_login(user)
            self.assertEqual(self.client.get("/staff/message-reports/").status_code, 403)
            self.assertEqual(self.client.get(f"/staff/message-reports/{self.report.pk}/").status_code, 404)
            self.assertEqual(
                self.client.post(f"/staff/message-reports/{self.report.pk}/", {"action": "close"}).status_code, 404
            )
        self.assertFalse(AuditEntry.objects.exists())
        self.client.force_login(self.cast.staff)
        self.assertEqual(self.client.get("/staff/message-reports/99999999/").status_code, 404)
