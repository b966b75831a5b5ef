"""/conversations, /conversations/{id}/messages, /blocks/{user_id} and POST /reports for messages."""

from kinship.api.models import IdempotencyKey
from kinship.api.tests.base import BAD_TEXT, ApiTestCase
from kinship.core import factories
from kinship.peers import messaging
from kinship.peers.models import Block, Conversation, Message, MessageReport, Participant
from kinship.peers.tests.messages_support import SECRET, MessagesTestCase, make_conversation

CONVERSATION_FIELDS = {
    "id", "url", "other", "unread_count", "last_message_at", "created_at", "can_send", "closed_reason",
}  # fmt: skip
MESSAGE_FIELDS = {"id", "conversation_id", "sender", "body", "body_html", "created_at", "mine"}


class MessagesApiTestCase(ApiTestCase, MessagesTestCase):
    def path(self) -> str:
        return f"/conversations/{self.conversation.pk}"


class ConversationListApiTests(MessagesApiTestCase):
    def test_participant_lists_their_conversations(self):
        response = self.api("get", "/conversations", user=self.peer)
        self.assertEqual(response.status_code, 200)
        [item] = response.json()["items"]
        self.assertEqual(set(item), CONVERSATION_FIELDS)
        self.assertEqual(item["id"], self.conversation.pk)
        self.assertEqual(item["other"]["id"], self.cast.member.pk)
        self.assertEqual(
            (item["unread_count"], item["can_send"], item["url"]), (1, True, f"/messages/{self.conversation.pk}/")
        )
        self.assertNotIn(self.cast.member.email, response.content.decode())

    def test_visitor_is_401_and_others_see_nothing(self):
        self.assertProblem(self.api("get", "/conversations"), 401)
        for user in (self.third, self.cast.facilitator, self.cast.staff):
            self.assertEqual(self.api("get", "/conversations", user=user).json(), {"items": [], "next": None})

    def test_paging_and_bad_params(self):
        for _ in range(3):
            make_conversation(self.cast.member, factories.make_member(self.cast.circle))
        first = self.api("get", "/conversations?limit=2", user=self.cast.member).json()
        second = self.api("get", f"/conversations?limit=2&cursor={first['next']}", user=self.cast.member).json()
        ids = [i["id"] for i in first["items"] + second["items"]]
        self.assertEqual(len(set(ids)), 4)
        self.assertIsNone(second["next"])
        self.assertProblem(self.api("get", "/conversations?limit=0", user=self.peer), 422, "limit")
        self.assertProblem(self.api("get", "/conversations?cursor=nonsense", user=self.peer), 422, "cursor")

    def test_list_queries_stay_flat(self):
        self.api("get", "/conversations", user=self.cast.member)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as few:
            self.api("get", "/conversations", user=self.cast.member)
        for _ in range(6):
            make_conversation(self.cast.member, factories.make_member(self.cast.circle), count=2)
        with self.assertNumQueries(len(few.captured_queries)):
            self.api("get", "/conversations", user=self.cast.member)


class ConversationCreateApiTests(MessagesApiTestCase):
    def test_member_starts_a_conversation(self):
        body = {"user_id": self.third.pk, "body": "Hi *Theo*"}
        response = self.api("post", "/conversations", user=self.cast.member, json_body=body)
        self.assertEqual(response.status_code, 201, response.content)
        data = response.json()
        self.assertEqual(set(data), CONVERSATION_FIELDS | {"message", "created", "crisis_help"})
        self.assertTrue(data["created"])
        self.assertEqual(set(data["message"]), MESSAGE_FIELDS)
        self.assertEqual(data["message"]["body_html"], "<p>Hi <em>Theo</em></p>\n")
        self.assertEqual(data["other"]["id"], self.third.pk)
        again = self.api(
            "post", "/conversations", user=self.third, json_body={"user_id": self.cast.member.pk, "body": "Hey"}
        )
        self.assertEqual((again.status_code, again.json()["created"], again.json()["id"]), (201, False, data["id"]))

    def test_idempotency_key_replays_and_creates_nothing_new(self):
        headers = {"Idempotency-Key": "msg-1"}
        body = {"user_id": self.third.pk, "body": "Once"}
        first = self.api("post", "/conversations", user=self.cast.member, json_body=body, headers=headers)
        again = self.api("post", "/conversations", user=self.cast.member, json_body=body, headers=headers)
        self.assertEqual(first.json(), again.json())
        self.assertEqual(Message.objects.filter(body="Once").count(), 1)
        self.assertEqual(IdempotencyKey.objects.count(), 1)

    def test_refusals_are_403_with_the_reason(self):
        self.assertProblem(self.api("post", "/conversations", json_body={"user_id": 1, "body": "x"}), 401)
        for user_id in (self.cast.outsider.pk, 99999999):
            response = self.api(
                "post", "/conversations", user=self.cast.member, json_body={"user_id": user_id, "body": "Hi"}
            )
            self.assertEqual(self.assertProblem(response, 403)["detail"], messaging.NOT_ELIGIBLE)
        mine = self.api(
            "post", "/conversations", user=self.cast.member, json_body={"user_id": self.cast.member.pk, "body": "Hi"}
        )
        self.assertProblem(mine, 403)
        unverified = self.api(
            "post", "/conversations", user=self.cast.unverified, json_body={"user_id": self.third.pk, "body": "Hi"}
        )
        self.assertEqual(self.assertProblem(unverified, 403)["detail"], messaging.NOT_VERIFIED)
        self.assertEqual(Conversation.objects.count(), 1)

    def test_bad_input_is_422_and_never_500(self):
        for body in BAD_TEXT:
            response = self.api(
                "post", "/conversations", user=self.cast.member, json_body={"user_id": self.third.pk, "body": body}
            )
            self.assertProblem(response, 422)
        for user_id in (None, "3", 0, -1, 2**64, True, [1]):
            response = self.api(
                "post", "/conversations", user=self.cast.member, json_body={"user_id": user_id, "body": "x"}
            )
            self.assertProblem(response, 422, "user_id")
        self.assertProblem(
            self.api("post", "/conversations", user=self.cast.member, json_body={"body": "x"}), 422, "user_id"
        )
        extra = {"user_id": self.third.pk, "body": "x", "cc": 5}
        self.assertProblem(self.api("post", "/conversations", user=self.cast.member, json_body=extra), 422)
        self.assertProblem(self.api("post", "/conversations", user=self.cast.member, raw="{not json"), 400)
        self.assertEqual(Conversation.objects.count(), 1)

    def test_rate_limit_is_429_with_retry_after(self):
        people = [factories.make_member(self.cast.circle) for _ in range(11)]
        for person in people[:10]:
            self.api("post", "/conversations", user=self.third, json_body={"user_id": person.pk, "body": "Hi"})
        response = self.api(
            "post", "/conversations", user=self.third, json_body={"user_id": people[10].pk, "body": "Hi"}
        )
        self.assertProblem(response, 429)
        self.assertIn("Retry-After", response)


class ConversationDetailApiTests(MessagesApiTestCase):
    def test_participant_gets_it_and_others_get_404(self):
        response = self.api("get", self.path(), user=self.cast.member)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(set(response.json()), CONVERSATION_FIELDS)
        for user in (self.third, self.cast.facilitator, self.cast.staff, self.cast.outsider):
            self.assertProblem(self.api("get", self.path(), user=user), 404)
        self.assertProblem(self.api("get", self.path()), 401)
        self.assertProblem(self.api("get", "/conversations/99999999", user=self.cast.member), 404)
        self.assertLess(self.api("get", "/conversations/abc", user=self.cast.member).status_code, 500)

    def test_a_block_shows_in_can_send(self):
        Block.objects.create(blocker=self.peer, blocked=self.cast.member)
        data = self.api("get", self.path(), user=self.cast.member).json()
        self.assertEqual((data["can_send"], data["closed_reason"]), (False, "You cannot send messages to Pia Peer."))
        [row] = self.api("get", "/conversations", user=self.cast.member).json()["items"]
        self.assertFalse(row["can_send"])


class MessageListApiTests(MessagesApiTestCase):
    def test_participant_reads_newest_first_and_it_marks_read(self):
        messaging.send_message(sender=self.cast.member, conversation=self.conversation, body="Second")
        response = self.api("get", f"{self.path()}/messages", user=self.peer)
        items = response.json()["items"]
        self.assertEqual([m["body"] for m in items], ["Second", SECRET])
        self.assertEqual((items[0]["mine"], items[0]["sender"]["id"]), (False, self.cast.member.pk))
        self.assertEqual(Participant.objects.get(user=self.peer, conversation=self.conversation).unread_count, 0)

    def test_others_get_404_and_bad_params_422(self):
        for user in (self.third, self.cast.facilitator, self.cast.staff):
            self.assertProblem(self.api("get", f"{self.path()}/messages", user=user), 404)
        self.assertEqual(Participant.objects.get(user=self.peer, conversation=self.conversation).unread_count, 1)
        self.assertProblem(self.api("get", f"{self.path()}/messages?limit=500", user=self.peer), 422, "limit")
        self.assertProblem(self.api("get", f"{self.path()}/messages?cursor=%%", user=self.peer), 422, "cursor")

    def test_paging_goes_to_older_messages(self):
        for i in range(4):
            messaging.send_message(sender=self.peer, conversation=self.conversation, body=f"n{i}")
        first = self.api("get", f"{self.path()}/messages?limit=3", user=self.peer).json()
        rest = self.api("get", f"{self.path()}/messages?limit=3&cursor={first['next']}", user=self.peer).json()
        self.assertEqual([m["body"] for m in first["items"] + rest["items"]], ["n3", "n2", "n1", "n0", SECRET])

    def test_queries_stay_flat(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.api("get", f"{self.path()}/messages", user=self.peer)
        with CaptureQueriesContext(connection) as few:
            self.api("get", f"{self.path()}/messages", user=self.peer)
        for _ in range(25):
            messaging.send_message(sender=self.peer, conversation=self.conversation, body="more")
        with self.assertNumQueries(len(few.captured_queries)):
            self.api("get", f"{self.path()}/messages", user=self.peer)


class MessageCreateApiTests(MessagesApiTestCase):
    def test_participant_replies(self):
        response = self.api("post", f"{self.path()}/messages", user=self.peer, json_body={"body": "Back at you"})
        self.assertEqual(response.status_code, 201)
        self.assertEqual(set(response.json()), MESSAGE_FIELDS | {"crisis_help"})
        self.assertTrue(response.json()["mine"])
        self.assertEqual(Participant.objects.get(user=self.cast.member, conversation=self.conversation).unread_count, 1)

    def test_idempotency_key(self):
        headers = {"Idempotency-Key": "reply-1"}
        for _ in range(2):
            self.api("post", f"{self.path()}/messages", user=self.peer, json_body={"body": "Once"}, headers=headers)
        self.assertEqual(Message.objects.filter(body="Once").count(), 1)

    def test_others_get_404_blocked_403_bad_input_422(self):
        for user in (self.third, self.cast.facilitator, self.cast.staff):
            self.assertProblem(self.api("post", f"{self.path()}/messages", user=user, json_body={"body": "Hi"}), 404)
        for body in BAD_TEXT:
            self.assertProblem(
                self.api("post", f"{self.path()}/messages", user=self.peer, json_body={"body": body}), 422
            )
        long = self.api("post", f"{self.path()}/messages", user=self.peer, json_body={"body": "x" * 5001})
        self.assertIn("the limit is 5,000", self.assertProblem(long, 422, "body")["detail"])
        Block.objects.create(blocker=self.cast.member, blocked=self.peer)
        blocked = self.api("post", f"{self.path()}/messages", user=self.peer, json_body={"body": "Hi"})
        self.assertEqual(self.assertProblem(blocked, 403)["detail"], "You cannot send messages to Mia Member.")
        self.assertEqual(Message.objects.count(), 1)

    def test_rate_limit_is_429(self):
        for _ in range(messaging.MESSAGES_PER_MINUTE):
            self.api("post", f"{self.path()}/messages", user=self.peer, json_body={"body": "ping"})
        response = self.api("post", f"{self.path()}/messages", user=self.peer, json_body={"body": "ping"})
        self.assertProblem(response, 429)
        self.assertIn("Retry-After", response)


class BlockApiTests(MessagesApiTestCase):
    def test_block_and_unblock(self):
        response = self.api("put", f"/blocks/{self.cast.member.pk}", user=self.peer)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"user": response.json()["user"], "blocked": True})
        self.assertEqual(response.json()["user"]["id"], self.cast.member.pk)
        self.assertEqual(self.api("put", f"/blocks/{self.cast.member.pk}", user=self.peer).status_code, 200)
        self.assertEqual(Block.objects.count(), 1)
        self.assertEqual(self.api("delete", f"/blocks/{self.cast.member.pk}", user=self.peer).status_code, 204)
        self.assertEqual(self.api("delete", f"/blocks/{self.cast.member.pk}", user=self.peer).status_code, 204)
        self.assertFalse(Block.objects.exists())

    def test_refusals(self):
        self.assertProblem(self.api("put", f"/blocks/{self.cast.member.pk}"), 401)
        self.assertProblem(self.api("put", f"/blocks/{self.cast.outsider.pk}", user=self.peer), 404)
        self.assertProblem(self.api("put", "/blocks/99999999", user=self.peer), 404)
        self.assertProblem(self.api("put", f"/blocks/{self.peer.pk}", user=self.peer), 422)
        self.assertLess(self.api("put", "/blocks/abc", user=self.peer).status_code, 500)
        self.assertFalse(Block.objects.exists())


class ReportApiTests(MessagesApiTestCase):
    def body(self, **overrides):
        data = {"target_type": "message", "target_id": self.message.pk, "reason": "Harassment", "detail": "Twice now"}
        data.update(overrides)
        return data

    def test_recipient_reports_a_message(self):
        response = self.api("post", "/reports", user=self.peer, json_body=self.body())
        self.assertEqual(response.status_code, 201, response.content)
        data = response.json()
        self.assertEqual((data["target_type"], data["target_id"], data["status"]), ("message", self.message.pk, "open"))
        self.assertEqual(MessageReport.objects.get().reason, "Harassment\n\nTwice now")
        self.assertProblem(self.api("post", "/reports", user=self.peer, json_body=self.body()), 409)

    def test_others_get_404_and_the_sender_422(self):
        self.assertProblem(self.api("post", "/reports", json_body=self.body()), 401)
        for user in (self.third, self.cast.facilitator, self.cast.staff):
            self.assertProblem(self.api("post", "/reports", user=user, json_body=self.body()), 404)
        self.assertProblem(self.api("post", "/reports", user=self.peer, json_body=self.body(target_id=99999999)), 404)
        self.assertProblem(self.api("post", "/reports", user=self.cast.member, json_body=self.body()), 422)
        self.assertFalse(MessageReport.objects.exists())

    def test_unknown_kinds_and_bad_input_are_422(self):
        # Reports of posts and members are tested with moderation (kinship/safety/tests).
        self.assertProblem(
            self.api("post", "/reports", user=self.peer, json_body=self.body(target_type="cake")), 422, "target_type"
        )
        for reason in BAD_TEXT:
            self.assertProblem(self.api("post", "/reports", user=self.peer, json_body=self.body(reason=reason)), 422)
        self.assertProblem(
            self.api("post", "/reports", user=self.peer, json_body=self.body(target_id="1")), 422, "target_id"
        )
        self.assertFalse(MessageReport.objects.exists())
