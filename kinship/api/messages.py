"""API: private messages (/conversations, /blocks); reports of a message are in api/moderation.py (POST /reports).

A conversation is for its two people only: to anyone else, staff included, it answers 404 exactly
like one that does not exist. The rules live in kinship.peers.messaging, shared with the pages.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from kinship.api import shapes
from kinship.api.crisis_help import ConversationWrittenOut, MessageWrittenOut, crisis_help_out
from kinship.api.idempotency import idempotent
from kinship.api.message_schemas import (
    BlockOut,
    ConversationIn,
    ConversationOut,
    ConversationPageOut,
    MessageIn,
    MessagePageOut,
)
from kinship.api.security import bearer
from kinship.core.pagination import parse_limit
from kinship.peers import messaging
from kinship.peers.models import Conversation, Message, Participant

router = Router(tags=["messages"], auth=bearer)


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _message_out(message: Message, viewer: Any) -> dict[str, Any]:
    return {
        "id": message.pk,
        "conversation_id": message.conversation_id,
        "sender": shapes.user_out(message.sender),
        "body": message.body,
        "body_html": message.body_html,
        "created_at": message.created_at,
        "mine": message.sender_id == viewer.pk,
    }


def _conversation_out(conversation: Conversation, viewer: Any, *, unread: int) -> dict[str, Any]:
    reason = messaging.reply_refusal(viewer, conversation)
    return {
        "id": conversation.pk,
        "url": conversation.get_absolute_url(),
        "other": shapes.user_out(messaging.other_person(conversation, viewer)),
        "unread_count": unread,
        "last_message_at": conversation.last_message_at,
        "created_at": conversation.created_at,
        "can_send": reason is None,
        "closed_reason": reason,
    }


def _row_out(row: messaging.InboxRow, viewer: Any) -> dict[str, Any]:
    conversation = row.conversation
    # The list says only whether a block closes it: the full rule (shared circles) is per conversation.
    reason = None
    if row.blocked:
        reason = f"Messages between you and {row.other.display_name} are switched off: one of you blocked the other."
    return {
        "id": conversation.pk,
        "url": conversation.get_absolute_url(),
        "other": shapes.user_out(row.other),
        "unread_count": row.unread_count,
        "last_message_at": row.last_message_at,
        "created_at": conversation.created_at,
        "can_send": not row.blocked,
        "closed_reason": reason,
    }


def _unread(conversation: Conversation, viewer: Any) -> int:
    side = Participant.objects.filter(conversation=conversation, user=viewer).values_list("unread_count", flat=True)
    return next(iter(side), 0)


@router.get("/conversations", response=ConversationPageOut)
def conversation_list(request: HttpRequest, cursor: str | None = None, limit: str | None = None) -> dict[str, Any]:
    """The caller's own conversations, latest message first, with unread counts. Nobody sees anyone
    else's here, staff included. `can_send` here reflects blocks; GET /conversations/{id} checks the full rule."""
    user = _user(request)
    page = messaging.inbox_page(user, cursor=cursor, limit=parse_limit(limit))
    return {"items": [_row_out(row, user) for row in page.items], "next": page.next}


@router.post("/conversations", response={201: ConversationWrittenOut})
def conversation_create(request: HttpRequest, payload: ConversationIn) -> Status[Any]:
    """Write to a member who shares an active circle or an active mentorship with you. If the two of you
    already have a conversation the message goes there (`created: false`). 403 with the reason when you may
    not write to them (the same for an id that does not exist), 422 for an empty or over-long body, 429 past
    10 new conversations an hour or 30 messages a minute. Honours Idempotency-Key."""
    user = _user(request)

    def create() -> Status[Any]:
        conversation, message, created = messaging.start_conversation(
            sender=user, recipient=payload.user_id, body=payload.body
        )
        conversation = messaging.get_conversation_for(user, conversation.pk)
        message.sender = user
        data = {
            **_conversation_out(conversation, user, unread=_unread(conversation, user)),
            "message": _message_out(message, user),
            "created": created,
            "crisis_help": crisis_help_out(user, payload.body),
        }
        return Status(201, data)

    return idempotent(request, create)


@router.get("/conversations/{conversation_id}", response=ConversationOut)
def conversation_detail(request: HttpRequest, conversation_id: int) -> dict[str, Any]:
    """One of the caller's conversations: 404 for anyone else, staff included."""
    user = _user(request)
    conversation = messaging.get_conversation_for(user, conversation_id)
    return _conversation_out(conversation, user, unread=_unread(conversation, user))


@router.get("/conversations/{conversation_id}/messages", response=MessagePageOut)
def message_list(
    request: HttpRequest, conversation_id: int, cursor: str | None = None, limit: str | None = None
) -> dict[str, Any]:
    """Messages newest first; reading the first page (no cursor) marks the conversation read."""
    user = _user(request)
    conversation = messaging.get_conversation_for(user, conversation_id)
    page = messaging.thread_page(conversation, cursor=cursor, limit=parse_limit(limit))
    if not cursor:
        messaging.mark_read(user=user, conversation=conversation)
    return {"items": [_message_out(m, user) for m in page.items], "next": page.next}


@router.post("/conversations/{conversation_id}/messages", response={201: MessageWrittenOut})
def message_create(request: HttpRequest, conversation_id: int, payload: MessageIn) -> Status[Any]:
    """Reply in one of your conversations. 404 if it is not yours; 403 with the reason when it is closed
    (a block either way, or you no longer share a circle or mentorship); 422 for an empty or over-long body;
    429 past 30 messages a minute. Honours Idempotency-Key."""
    user = _user(request)
    conversation = messaging.get_conversation_for(user, conversation_id)

    def create() -> Status[Any]:
        message = messaging.send_message(sender=user, conversation=conversation, body=payload.body)
        message.sender = user
        return Status(201, {**_message_out(message, user), "crisis_help": crisis_help_out(user, payload.body)})

    return idempotent(request, create)


@router.put("/blocks/{user_id}", response=BlockOut)
def block_put(request: HttpRequest, user_id: int) -> dict[str, Any]:
    """Block a member: no messages either way, and they no longer see your recovery details. They are not
    told. Doing it twice is harmless. 404 for someone you share no circle, mentorship or conversation with."""
    user = _user(request)
    made = messaging.block(blocker=user, target=user_id)
    return {"user": shapes.user_out(made.blocked), "blocked": True}


@router.delete("/blocks/{user_id}", response={204: None})
def block_delete(request: HttpRequest, user_id: int) -> Status[Any]:
    """Lift your block (if any). A block the other person made stays."""
    messaging.unblock(blocker=_user(request), target=user_id)
    return Status(204, None)
