"""Private one-to-one messages: the area's rules, writes and reads (pages, API, admin and the email
sweep use these, nothing else).

- **Access.** A conversation, its messages and even its existence are for its two participants:
  everyone else gets a 404, staff included. Staff see one message only through a report of it
  (`view_report`), and that look is written to the audit log.
- **Who may write.** Two verified, active members who share an active circle or an active
  mentorship; never oneself; never across a block in either direction. The rule holds for every
  message, so a conversation stops when a block is made or when the two no longer share anything.
- **Services.** `start_conversation`, `send_message`, `mark_read`, `block`, `unblock`,
  `report_message`, `view_report`, `close_report`: one transaction each; unread counts on
  `Participant` change in the same transaction as the message.
- **Queries.** The inbox and a page of a conversation, each in a fixed number of queries.
"""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from kinship.accounts.models import User
from kinship.accounts.two_factor import has_two_factor
from kinship.circles import access as circle_access
from kinship.core import ratelimit
from kinship.core.converters import id_or_404, parse_id
from kinship.core.errors import Conflict, Invalid, NotAllowed
from kinship.core.markdown import render_markdown
from kinship.core.pagination import Page, paginate
from kinship.core.signals import alert_if_crisis
from kinship.core.text import clean_line, clean_text
from kinship.peers.models import Block, Conversation, Mentorship, Message, MessageReport, Participant
from kinship.safety import audit

NEW_CONVERSATIONS_PER_HOUR = 10
MESSAGES_PER_MINUTE = 30
REPORTS_PER_HOUR = 20
REPORT_REASON_MAX = 200
REPORT_DETAIL_MAX = MessageReport.REASON_MAX - REPORT_REASON_MAX - 2

NOT_ELIGIBLE = "You can send messages to members who share an active circle or an active mentorship with you."
NOT_VERIFIED = "Please confirm your email address before sending messages."
NOT_YOURSELF = "You cannot send a message to yourself."

INBOX_ORDER = ["-last_message_at", "-id"]
THREAD_ORDER = ["-created_at", "-id"]


# Access -------------------------------------------------------------------------------------


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(getattr(user, "is_active", False))


def _is_staff(user: Any) -> bool:
    # Staff powers need two-step sign-in (accounts.two_factor); without it staff act as any member.
    return _signed_in(user) and bool(getattr(user, "is_staff", False)) and has_two_factor(user)


def block_between(a: Any, b: Any) -> Block | None:
    """A block either way between two people (the one `a` made first, if both did)."""
    if not (_signed_in(a) and getattr(b, "pk", None)):
        return None
    blocks = list(Block.objects.filter(Q(blocker=a, blocked=b) | Q(blocker=b, blocked=a)))
    blocks.sort(key=lambda blk: blk.blocker_id != a.pk)
    return blocks[0] if blocks else None


def has_blocked(blocker: Any, blocked: Any) -> bool:
    """`blocker` blocked `blocked` (one direction)."""
    if not (getattr(blocker, "pk", None) and getattr(blocked, "pk", None)):
        return False
    return Block.objects.filter(blocker_id=blocker.pk, blocked_id=blocked.pk).exists()


def share_active_mentorship(a: User, b: User) -> bool:
    """An ACTIVE mentorship between the two, whoever mentors whom."""
    return Mentorship.objects.filter(Q(mentee=a, mentor=b) | Q(mentee=b, mentor=a), status=Mentorship.ACTIVE).exists()


def refusal(sender: Any, recipient: Any) -> str | None:
    """Why `sender` may not write to `recipient` now, in words for the sender; None when they may.

    A missing or inactive recipient reads the same as someone who shares nothing with the sender,
    so an id says nothing about whether an account exists.
    """
    if not _signed_in(sender):
        return NOT_ELIGIBLE
    if not getattr(sender, "is_verified", False):
        return NOT_VERIFIED
    if recipient is None or not getattr(recipient, "is_active", False):
        return NOT_ELIGIBLE
    if recipient.pk == sender.pk:
        return NOT_YOURSELF
    if not recipient.is_verified:
        return NOT_ELIGIBLE
    # Sharing first: a name appears in a refusal only to someone who may know the person.
    if not (circle_access.shares_a_circle(sender, recipient) or share_active_mentorship(sender, recipient)):
        return NOT_ELIGIBLE
    found = block_between(sender, recipient)
    if found is not None:
        if found.blocker_id == sender.pk:
            return f"You blocked {recipient.display_name}. Unblock them to write again."
        return f"You cannot send messages to {recipient.display_name}."
    return None


def can_message(sender: Any, recipient: Any) -> bool:
    """Verified, active, not oneself, no block either way, and a shared active circle or mentorship."""
    return refusal(sender, recipient) is None


def is_participant(user: Any, conversation: Conversation) -> bool:
    """One of the conversation's two people; nobody else, staff included."""
    return _signed_in(user) and user.pk in (conversation.low_id, conversation.high_id)


def get_conversation_for(user: Any, conversation_id: Any) -> Conversation:
    """The conversation with both people, or Http404 when it is missing or the user is not in it."""
    conversation = Conversation.objects.select_related("low", "high").filter(pk=id_or_404(conversation_id)).first()
    if conversation is None or not is_participant(user, conversation):
        raise Http404("No such conversation.")
    return conversation


def other_person(conversation: Conversation, user: Any) -> User:
    return conversation.high if conversation.low_id == user.pk else conversation.low


def get_message_for(user: Any, conversation: Conversation, message_id: Any) -> Message:
    """A message of a conversation the user is in, or Http404."""
    message = (
        Message.objects.select_related("sender").filter(pk=id_or_404(message_id), conversation=conversation).first()
    )
    if message is None or not is_participant(user, conversation):
        raise Http404("No such message.")
    return message


def find_conversation(a: User, b: User) -> Conversation | None:
    low, high = sorted((a.pk, b.pk))
    return Conversation.objects.filter(low_id=low, high_id=high).first()


def get_recipient(value: Any) -> User | None:
    """An active user by id from a path, form or JSON; None for anything else (never a 500)."""
    value = parse_id(value)
    if value is None:
        return None
    return User.objects.filter(pk=value, is_active=True).first()


def can_block(user: Any, target: User | None) -> bool:
    """Anyone the user could message, already talks with, or already blocked; never themselves."""
    if not _signed_in(user) or target is None or not target.is_active or target.pk == user.pk:
        return False
    if find_conversation(user, target) is not None or has_blocked(user, target):
        return True
    return circle_access.shares_a_circle(user, target) or share_active_mentorship(user, target)


def is_moderator(user: Any) -> bool:
    """Message reports are for staff only."""
    return _is_staff(user)


def get_report_for(user: Any, report_id: Any) -> MessageReport:
    """A report with its message, or Http404 for anyone but staff."""
    if not is_moderator(user):
        raise Http404("No such report.")
    report = (
        MessageReport.objects.select_related("message", "message__sender", "reporter", "closed_by")
        .filter(pk=id_or_404(report_id))
        .first()
    )
    if report is None:
        raise Http404("No such report.")
    return report


# Services -----------------------------------------------------------------------------------


def _body(value: Any) -> str:
    return clean_text(value, field="body", label="Message", max_length=Message.BODY_MAX, required=True)


def _refuse(sender: User, recipient: User | None) -> None:
    reason = refusal(sender, recipient)
    if reason is not None:
        raise NotAllowed(reason)


def _post(sender: User, conversation: Conversation, body: str) -> Message:
    """Write the message and keep both sides' unread counts and times exact, in the caller's transaction."""
    ratelimit.check(
        "message-send",
        str(sender.pk),
        limit=MESSAGES_PER_MINUTE,
        window=60,
        message=f"You have sent {MESSAGES_PER_MINUTE} messages in a minute. Please wait a moment before the next.",
    )
    message = Message.objects.create(
        conversation=conversation, sender=sender, body=body, body_html=render_markdown(body)
    )
    at = message.created_at
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=at)
    conversation.last_message_at = at
    # The sender has read everything up to their own message.
    Participant.objects.filter(conversation=conversation, user=sender).update(
        last_message_at=at, last_read_at=at, unread_count=0
    )
    Participant.objects.filter(conversation=conversation).exclude(user=sender).update(
        last_message_at=at, unread_count=F("unread_count") + 1
    )
    # Sent either way; facilitators of circles the two share hear only that the sender may need support.
    alert_if_crisis(writer=sender, source_type="message", source_id=message.pk, text=body)
    return message


@transaction.atomic
def start_conversation(*, sender: User, recipient: Any, body: Any) -> tuple[Conversation, Message, bool]:
    """Write to someone: into the pair's conversation, or a new one. Returns (conversation, message, created).

    `recipient` is a User or an id. Raises NotAllowed (with why) when the two may not talk, Invalid
    for an empty or over-long message, RateLimited past 10 new conversations an hour or 30 messages
    a minute.
    """
    person = recipient if isinstance(recipient, User) else get_recipient(recipient)
    _refuse(sender, person)
    assert person is not None
    text = _body(body)
    low, high = sorted((sender.pk, person.pk))
    conversation = Conversation.objects.filter(low_id=low, high_id=high).first()
    created = conversation is None
    if conversation is None:
        ratelimit.check(
            "conversation-start",
            str(sender.pk),
            limit=NEW_CONVERSATIONS_PER_HOUR,
            window=3600,
            message=f"You have started {NEW_CONVERSATIONS_PER_HOUR} conversations in an hour. "
            "Please wait a while before starting another.",
        )
        conversation = Conversation.objects.create(low_id=low, high_id=high)
        Participant.objects.bulk_create(
            [Participant(conversation=conversation, user_id=low), Participant(conversation=conversation, user_id=high)]
        )
    message = _post(sender, conversation, text)
    return conversation, message, created


def reply_refusal(user: User, conversation: Conversation) -> str | None:
    """Why the user may not write in this conversation now (a block, nothing shared any more); None if they may."""
    reason = refusal(user, other_person(conversation, user))
    if reason == NOT_ELIGIBLE:
        return (
            f"You and {other_person(conversation, user).display_name} no longer share an active circle or "
            "mentorship, so this conversation is closed. You can still read it."
        )
    return reason


@transaction.atomic
def send_message(*, sender: User, conversation: Conversation, body: Any) -> Message:
    """Reply in a conversation the sender is in. Raises NotAllowed with why (a block, nothing shared any
    more), Invalid for an empty or over-long message, RateLimited past 30 messages a minute."""
    if not is_participant(sender, conversation):
        raise Http404("No such conversation.")
    reason = reply_refusal(sender, conversation)
    if reason is not None:
        raise NotAllowed(reason)
    return _post(sender, conversation, _body(body))


def mark_read(*, user: User, conversation: Conversation) -> bool:
    """Everything in the conversation is read by this participant; no write when nothing was unread."""
    now = timezone.now()
    updated = (
        Participant.objects.filter(conversation=conversation, user=user)
        .filter(Q(unread_count__gt=0) | Q(last_read_at__isnull=True) | Q(last_read_at__lt=F("last_message_at")))
        .update(unread_count=0, last_read_at=now)
    )
    return bool(updated)


@transaction.atomic
def block(*, blocker: User, target: Any) -> Block:
    """Block someone: no messages either way, and they no longer see the blocker's recovery context.

    Doing it twice is harmless. Raises Http404 for someone the blocker has no way of knowing
    (no shared circle, mentorship or conversation), Invalid for themselves.
    """
    person = target if isinstance(target, User) else get_recipient(target)
    if person is not None and person.pk == blocker.pk:
        raise Invalid("You cannot block yourself.", errors={"user_id": ["You cannot block yourself."]})
    if not can_block(blocker, person):
        raise Http404("No such member.")
    assert person is not None
    made, _ = Block.objects.get_or_create(blocker=blocker, blocked=person)
    return made


@transaction.atomic
def unblock(*, blocker: User, target: Any) -> bool:
    """Lift the blocker's own block; True when there was one. The other person's block, if any, stays."""
    person = target if isinstance(target, User) else get_recipient(target)
    if person is None:
        return False
    deleted, _ = Block.objects.filter(blocker=blocker, blocked=person).delete()
    return bool(deleted)


@transaction.atomic
def report_message(*, reporter: User, message: Message, reason: Any, detail: Any = "") -> MessageReport:
    """A participant reports a message the other person sent; staff see it in the report queue.

    Raises Http404 if the reporter is not in the conversation, Invalid for one's own message or an empty
    reason, Conflict when they already reported it, RateLimited past 20 reports an hour.
    """
    conversation = message.conversation
    if not is_participant(reporter, conversation):
        raise Http404("No such message.")
    if message.sender_id == reporter.pk:
        raise Invalid("You can report messages sent to you, not your own.")
    errors: dict[str, list[str]] = {}
    details: list[str] = []
    text, more = "", ""
    try:
        text = clean_line(reason, field="reason", label="Reason", max_length=REPORT_REASON_MAX, required=True)
    except Invalid as exc:
        errors.update(exc.errors)
        details.append(exc.detail)
    try:
        more = clean_text(detail, field="detail", label="Details", max_length=REPORT_DETAIL_MAX)
    except Invalid as exc:
        errors.update(exc.errors)
        details.append(exc.detail)
    if errors:
        raise Invalid(details[0], errors=errors)
    if MessageReport.objects.filter(message=message, reporter=reporter).exists():
        raise Conflict("You already reported this message. Staff will look at it.")
    ratelimit.check(
        "message-report",
        str(reporter.pk),
        limit=REPORTS_PER_HOUR,
        window=3600,
        message=f"You have sent {REPORTS_PER_HOUR} reports in an hour. Please wait a little before the next.",
    )
    return MessageReport.objects.create(
        message=message, reporter=reporter, reason=f"{text}\n\n{more}" if more else text
    )


@transaction.atomic
def view_report(*, staff: User, report: MessageReport) -> MessageReport:
    """Staff open a report and so read the one reported message: the look is written to the audit log."""
    if not is_moderator(staff):
        raise Http404("No such report.")
    audit.record(
        actor=staff,
        action="message_report.view",
        target=report.message,
        detail=f"Read message {report.message_id} through report {report.pk}.",
    )
    return report


@transaction.atomic
def close_report(*, staff: User, report: MessageReport) -> MessageReport:
    """Staff close a report (audited). Closing a closed report changes nothing."""
    if not is_moderator(staff):
        raise Http404("No such report.")
    if report.status == MessageReport.CLOSED:
        return report
    report.status = MessageReport.CLOSED
    report.closed_at = timezone.now()
    report.closed_by = staff
    report.save(update_fields=["status", "closed_at", "closed_by"])
    audit.record(actor=staff, action="message_report.close", target=report, detail=f"Closed report {report.pk}.")
    return report


# Queries ------------------------------------------------------------------------------------


@dataclass
class InboxRow:
    conversation: Conversation
    other: User
    unread_count: int
    last_message_at: Any
    last_from_me: bool
    blocked: bool


@dataclass
class InboxPage:
    items: list[InboxRow]
    next: str | None


def _inbox(user: User) -> QuerySet[Participant]:
    last = Message.objects.filter(conversation=OuterRef("conversation")).order_by("-created_at", "-id")
    # Nobody blocks themselves (a constraint), so matching either end of the pair finds the other person.
    pair = Q(blocked=OuterRef("conversation__low")) | Q(blocked=OuterRef("conversation__high"))
    pair_back = Q(blocker=OuterRef("conversation__low")) | Q(blocker=OuterRef("conversation__high"))
    blocks = Block.objects.filter((Q(blocker=user) & pair) | (Q(blocked=user) & pair_back))
    return (
        Participant.objects.filter(user=user, last_message_at__isnull=False)
        .select_related("conversation", "conversation__low", "conversation__high")
        .annotate(last_sender_id=Subquery(last.values("sender_id")[:1]), blocked=Exists(blocks))
    )


def inbox_page(user: User, *, cursor: str | None, limit: int) -> InboxPage:
    """The user's conversations, latest message first, with unread counts: one query a page."""
    page = paginate(_inbox(user), INBOX_ORDER, cursor=cursor, limit=limit)
    rows = [
        InboxRow(
            conversation=side.conversation,
            other=other_person(side.conversation, user),
            unread_count=side.unread_count,
            last_message_at=side.last_message_at,
            last_from_me=getattr(side, "last_sender_id", None) == user.pk,
            blocked=bool(getattr(side, "blocked", False)),
        )
        for side in page.items
    ]
    return InboxPage(items=rows, next=page.next)


def unread_total(user: User) -> int:
    """Unread messages across all the user's conversations (for a badge)."""
    from django.db.models import Sum

    return int(Participant.objects.filter(user=user).aggregate(total=Sum("unread_count"))["total"] or 0)


def thread_page(conversation: Conversation, *, cursor: str | None, limit: int) -> Page[Message]:
    """A page of the conversation, newest first (pages reverse it to read top to bottom): one query."""
    found = Message.objects.filter(conversation=conversation).select_related("sender")
    return paginate(found, THREAD_ORDER, cursor=cursor, limit=limit)


def participant(conversation: Conversation, user: User) -> Participant:
    return Participant.objects.get(conversation=conversation, user=user)


def open_reports() -> QuerySet[MessageReport]:
    """Open reports, oldest first, with who reported and who wrote; never the message text."""
    return (
        MessageReport.objects.filter(status=MessageReport.OPEN)
        .select_related("reporter", "message__sender")
        .defer("message__body", "message__body_html")
        .order_by("created_at", "id")
    )
