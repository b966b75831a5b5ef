"""Someone else's conversation, attacked as a third member, a facilitator of the shared circle and staff:
reading, listing, searching, reporting, being notified and browsing the admin must all fail."""

from datetime import timedelta

from django.contrib import admin
from django.core import mail
from django.utils import timezone

from kinship.api.tests.base import ApiTestCase
from kinship.peers import messaging, tasks_messages
from kinship.peers.models import Block, Conversation, Message, Participant
from kinship.peers.tests.messages_support import MessagesTestCase, make_conversation

WORD = "Zanzibarquokka"


class MessagesPrivacyTests(ApiTestCase, MessagesTestCase):
    def intruders(self):
        return {"third member": self.third, "facilitator": self.cast.facilitator, "staff": self.cast.staff}

    def test_intruders_cannot_read_it_in_pages_or_api(self):
        paths = [f"/conversations/{self.conversation.pk}", f"/conversations/{self.conversation.pk}/messages"]
        for who, user in self.intruders().items():
            with self.subTest(who):
                self.client.force_login(user)
                for page in (f"/messages/{self.conversation.pk}/", f"/messages/new/{self.peer.pk}/"):
                    response = self.client.get(page)
                    self.assertNotContains(response, WORD, status_code=response.status_code)
                self.assertEqual(self.client.get(f"/messages/{self.conversation.pk}/").status_code, 404)
                report_page = f"/messages/{self.conversation.pk}/report/{self.message.pk}/"
                self.assertEqual(self.client.get(report_page).status_code, 404)
                for path in paths:
                    response = self.api("get", path, user=user)
                    self.assertProblem(response, 404)
                    self.assertNotIn(WORD, response.content.decode())

    def test_intruders_cannot_list_it(self):
        for who, user in self.intruders().items():
            with self.subTest(who):
                self.client.force_login(user)
                self.assertNotContains(self.client.get("/messages/"), "Pia Peer")
                self.assertEqual(self.api("get", "/conversations", user=user).json()["items"], [])

    def test_nobody_finds_messages_by_search_not_even_the_participants(self):
        for user in [*self.intruders().values(), self.cast.member, self.peer]:
            with self.subTest(user.display_name):
                response = self.api("get", f"/search?q={WORD}", user=user)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.json()["items"], [])
                for kind in ("message", "messages", "conversation"):
                    typed = self.api("get", f"/search?q={WORD}&type={kind}", user=user)
                    self.assertLess(typed.status_code, 500)
                    self.assertNotIn(WORD, typed.content.decode())
                self.client.force_login(user)
                page = self.client.get(f"/search/?q={WORD}")
                self.assertEqual(page.status_code, 200)
                self.assertNotContains(page, "secret word")
                self.assertNotContains(page, f"/messages/{self.conversation.pk}/")

    def test_intruders_cannot_post_into_it_or_report_from_it(self):
        for who, user in self.intruders().items():
            with self.subTest(who):
                path = f"/conversations/{self.conversation.pk}/messages"
                self.assertProblem(self.api("post", path, user=user, json_body={"body": "Hi"}), 404)
                report = {"target_type": "message", "target_id": self.message.pk, "reason": "Nosy"}
                self.assertProblem(self.api("post", "/reports", user=user, json_body=report), 404)
        self.assertEqual(Message.objects.count(), 1)

    def test_only_the_recipient_is_notified(self):
        later = timezone.now() + timedelta(minutes=11)
        # The intruders have conversations of their own, read, so the sweep looks at them too.
        other, _ = make_conversation(self.third, self.cast.facilitator)
        messaging.mark_read(user=self.cast.facilitator, conversation=other)
        self.assertEqual(tasks_messages.sweep(now=later), 1)
        self.assertEqual([m.to for m in mail.outbox], [[self.peer.email]])
        for email in mail.outbox:
            self.assertNotIn(WORD, email.body + email.subject + email.alternatives[0][0])

    def test_no_message_text_in_the_admin(self):
        registered = {model._meta.label for model in admin.site._registry}
        for label in ("peers.Conversation", "peers.Participant", "peers.Message", "peers.Block"):
            self.assertNotIn(label, registered)
        report = messaging.report_message(reporter=self.peer, message=self.message, reason="Spam")
        self.cast.staff.is_superuser = True
        self.cast.staff.save(update_fields=["is_superuser"])
        self.client.force_login(self.cast.staff)
        listing = self.client.get("/admin/peers/messagereport/")
        self.assertEqual(listing.status_code, 200)
        self.assertNotContains(listing, WORD)
        detail = self.client.get(f"/admin/peers/messagereport/{report.pk}/change/")
        self.assertEqual(detail.status_code, 200)
        self.assertNotContains(detail, WORD)
        self.assertNotContains(detail, "Spam")
        for path in ("/admin/peers/message/", "/admin/peers/conversation/"):
            self.assertEqual(self.client.get(path).status_code, 404)

    def test_a_blocked_person_is_not_told_of_new_conversations_either(self):
        Block.objects.create(blocker=self.peer, blocked=self.cast.member)
        response = self.api(
            "post", "/conversations", user=self.cast.member, json_body={"user_id": self.peer.pk, "body": "Hi"}
        )
        self.assertProblem(response, 403)
        self.assertEqual(Conversation.objects.count(), 1)
        self.assertEqual(Participant.objects.get(user=self.peer).unread_count, 1)
