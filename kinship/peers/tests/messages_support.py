"""Shared set-up for the private messages tests: a conversation between two members of the cast's circle.

Besides the cast (member, facilitator, staff, outsider...), `peer` is another active member of the
circle and `third` a third one; `member` and `peer` talk; the others must never see it.
"""

from kinship.core import factories
from kinship.core.testing import KinshipTestCase
from kinship.peers import messaging
from kinship.peers.models import Conversation, Message

SECRET = "Zanzibarquokka is my secret word"


def make_conversation(a, b, *, count: int = 1, body: str = SECRET) -> tuple[Conversation, list[Message]]:
    conversation, first, _ = messaging.start_conversation(sender=a, recipient=b, body=body)
    made = [first]
    for i in range(1, count):
        made.append(
            messaging.send_message(sender=b if i % 2 else a, conversation=conversation, body=f"Reply {i}: {body}")
        )
    conversation.refresh_from_db()
    return conversation, made


class MessagesTestCase(KinshipTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.peer = factories.make_member(cls.cast.circle, display_name="Pia Peer")
        cls.third = factories.make_member(cls.cast.circle, display_name="Theo Third")

    def setUp(self) -> None:
        super().setUp()
        self.conversation, self.sent = make_conversation(self.cast.member, self.peer)
        self.message = self.sent[0]
