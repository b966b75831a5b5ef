"""Blocking: POST /people/<id>/block/, the service rules, and the profile context it hides."""

from django.http import Http404

from kinship.accounts.models import User
from kinship.core import factories
from kinship.core.errors import Invalid
from kinship.peers import messaging
from kinship.peers.models import Block
from kinship.peers.tests.messages_support import MessagesTestCase


class BlockServiceTests(MessagesTestCase):
    def test_block_is_idempotent_and_unblock_lifts_only_ones_own(self):
        messaging.block(blocker=self.peer, target=self.cast.member)
        messaging.block(blocker=self.peer, target=self.cast.member.pk)
        messaging.block(blocker=self.cast.member, target=self.peer)
        self.assertEqual(Block.objects.count(), 2)
        self.assertTrue(messaging.unblock(blocker=self.peer, target=self.cast.member))
        self.assertFalse(messaging.unblock(blocker=self.peer, target=self.cast.member))
        self.assertFalse(messaging.can_message(self.peer, self.cast.member))  # the member's block stays

    def test_strangers_themselves_and_nonsense_are_refused(self):
        with self.assertRaises(Invalid):
            messaging.block(blocker=self.peer, target=self.peer)
        for target in (self.cast.outsider, None, "abc", 0, 99999999):
            with self.assertRaises(Http404):
                messaging.block(blocker=self.peer, target=target)
        self.assertFalse(Block.objects.exists())

    def test_a_conversation_partner_can_be_blocked_after_leaving_the_circle(self):
        self.peer.memberships.update(status="removed")
        messaging.block(blocker=self.cast.member, target=self.peer)
        self.assertTrue(Block.objects.filter(blocker=self.cast.member, blocked=self.peer).exists())


class BlockPageTests(MessagesTestCase):
    def test_member_blocks_and_unblocks_from_the_conversation(self):
        self.client.force_login(self.peer)
        back = f"/messages/{self.conversation.pk}/"
        response = self.client.post(f"/people/{self.cast.member.pk}/block/", {"action": "block", "next": back})
        self.assertRedirects(response, back)
        self.assertTrue(Block.objects.filter(blocker=self.peer, blocked=self.cast.member).exists())
        page = self.client.get(back)
        self.assertContains(page, "You blocked Mia Member. Unblock them to write again.")
        self.assertContains(page, "Unblock Mia Member")
        response = self.client.post(f"/people/{self.cast.member.pk}/block/", {"action": "unblock", "next": back})
        self.assertRedirects(response, back)
        self.assertFalse(Block.objects.exists())

    def test_the_blocked_person_sees_the_conversation_stopped(self):
        Block.objects.create(blocker=self.peer, blocked=self.cast.member)
        self.client.force_login(self.cast.member)
        response = self.client.get(f"/messages/{self.conversation.pk}/")
        self.assertContains(response, "You cannot send messages to Pia Peer.")
        self.assertContains(self.client.get("/messages/"), "Closed")

    def test_bad_input_and_refusals(self):
        self.client.force_login(self.peer)
        self.assertEqual(self.client.post(f"/people/{self.cast.member.pk}/block/", {"action": "zap"}).status_code, 422)
        self.assertEqual(self.client.post(f"/people/{self.peer.pk}/block/", {"action": "block"}).status_code, 422)
        self.assertEqual(
            self.client.post(f"/people/{self.cast.outsider.pk}/block/", {"action": "block"}).status_code, 404
        )
        self.assertEqual(self.client.post("/people/99999999/block/", {"action": "block"}).status_code, 404)
        self.assertEqual(self.client.get(f"/people/{self.cast.member.pk}/block/").status_code, 405)
        # An outside "next" is ignored.
        response = self.client.post(
            f"/people/{self.cast.member.pk}/block/", {"action": "block", "next": "https://evil.example/"}
        )
        self.assertRedirects(response, "/messages/")
        self.client.logout()
        self.assertEqual(
            self.client.post(f"/people/{self.cast.member.pk}/block/", {"action": "block"}).status_code, 302
        )
        self.assertEqual(Block.objects.count(), 1)


class BlockHidesProfileContextTests(MessagesTestCase):
    def setUp(self):
        super().setUp()
        User.objects.filter(pk=self.peer.pk).update(diagnosis="Ewing sarcoma", diagnosis_visibility=User.MY_CIRCLES)

    def test_recovery_context_is_hidden_from_the_blocked_person_only(self):
        self.client.force_login(self.cast.member)
        self.assertContains(self.client.get(self.peer.get_absolute_url()), "Ewing sarcoma")
        messaging.block(blocker=self.peer, target=self.cast.member)
        response = self.client.get(self.peer.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "Ewing sarcoma")
        self.client.force_login(self.third)
        self.assertContains(self.client.get(self.peer.get_absolute_url()), "Ewing sarcoma")
        # Blocking someone does not hide *their* context from the blocker.
        other = factories.make_member(self.cast.circle)
        User.objects.filter(pk=other.pk).update(diagnosis="Chondrosarcoma", diagnosis_visibility=User.MY_CIRCLES)
        messaging.block(blocker=self.peer, target=other)
        self.client.force_login(self.peer)
        self.assertContains(self.client.get(other.get_absolute_url()), "Chondrosarcoma")
