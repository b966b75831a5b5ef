"""The batched new-messages email (kinship.peers.tasks_messages): after a quiet moment, once until read,
to the recipient only, never with the text."""

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from kinship.events.management.commands import run_scheduler
from kinship.notifications import services as notifications
from kinship.peers import messaging, tasks_messages
from kinship.peers.models import Block, Participant
from kinship.peers.tests.messages_support import SECRET, MessagesTestCase


class MessageEmailTests(MessagesTestCase):
    def later(self, minutes: int = 11):
        return timezone.now() + timedelta(minutes=minutes)

    def test_nothing_goes_out_before_the_quiet_period(self):
        self.assertEqual(tasks_messages.sweep(now=self.later(5)), 0)
        self.assertEqual(mail.outbox, [])

    def test_one_email_for_several_messages_naming_the_writer_and_count_never_the_text(self):
        messaging.send_message(sender=self.cast.member, conversation=self.conversation, body=f"Again {SECRET}")
        self.assertEqual(tasks_messages.sweep(now=self.later()), 1)
        self.assertEqual(len(mail.outbox), 1)
        email = mail.outbox[0]
        self.assertEqual(email.to, [self.peer.email])
        self.assertIn("Mia Member sent you 2 new messages", email.body)
        self.assertIn(f"/messages/{self.conversation.pk}/", email.body)
        html = email.alternatives[0][0]
        for part in (email.subject, email.body, html):
            self.assertNotIn("Zanzibarquokka", part)
            self.assertNotIn(self.cast.member.email, part)

    def test_emailed_once_until_read_then_again_for_new_ones(self):
        self.assertEqual(tasks_messages.sweep(now=self.later()), 1)
        messaging.send_message(sender=self.cast.member, conversation=self.conversation, body="More")
        self.assertEqual(tasks_messages.sweep(now=self.later(30)), 0)
        # The sweeps ran "later"; put the email back in the real past, before the member reads.
        Participant.objects.filter(user=self.peer).update(notified_at=timezone.now() - timedelta(minutes=1))
        messaging.mark_read(user=self.peer, conversation=self.conversation)
        messaging.send_message(sender=self.cast.member, conversation=self.conversation, body="Newer")
        self.assertEqual(tasks_messages.sweep(now=self.later(60)), 1)
        self.assertEqual([m.to for m in mail.outbox], [[self.peer.email], [self.peer.email]])

    def test_read_before_the_sweep_sends_nothing(self):
        messaging.mark_read(user=self.peer, conversation=self.conversation)
        self.assertEqual(tasks_messages.sweep(now=self.later()), 0)

    def test_switched_off_or_blocked_sends_nothing(self):
        notifications.update_preferences(user=self.peer, changes={"new_messages": False})
        self.assertEqual(tasks_messages.sweep(now=self.later()), 0)
        notifications.update_preferences(user=self.peer, changes={"new_messages": True})
        Block.objects.create(blocker=self.peer, blocked=self.cast.member)
        self.assertEqual(tasks_messages.sweep(now=self.later()), 0)
        self.assertEqual(mail.outbox, [])
        self.assertIsNone(Participant.objects.get(user=self.peer, conversation=self.conversation).notified_at)

    def test_the_task_and_the_scheduler_run_the_sweep(self):
        self.assertIn(tasks_messages.send_due_message_emails, run_scheduler.SWEEPS)
        self.assertEqual(tasks_messages.send_due_message_emails.call(), 0)  # not quiet yet
