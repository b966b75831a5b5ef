"""The new-messages email: batched, after a quiet moment, never with the text.

`run_scheduler` enqueues `send_due_message_emails` every minute. A participant gets one email about
a conversation when it has unread messages for them, has been quiet (no new message) for
`QUIET_MINUTES`, and they were not emailed about it since they last read it. The email names who
wrote and how many messages, never what they said; the link goes to the conversation page, which
only its two people may open.

Exactly once per quiet spell: each send claims the participant row with a conditional UPDATE
(`notified_at` to now) in the same transaction as the send, so of two workers only one claims it,
and a send that fails rolls the claim back for the next sweep.
"""

import logging
import smtplib
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from kinship.notifications import services as notifications
from kinship.notifications.models import EmailPreference
from kinship.peers.models import Block, Participant

logger = logging.getLogger(__name__)

KIND = EmailPreference.NEW_MESSAGES
QUIET_MINUTES = 10


def _due_filter(now: datetime) -> Q:
    quiet_since = now - timedelta(minutes=QUIET_MINUTES)
    return Q(unread_count__gt=0, conversation__last_message_at__lte=quiet_since) & (
        Q(notified_at__isnull=True) | Q(last_read_at__gt=F("notified_at"))
    )


def due(now: datetime) -> QuerySet[Participant]:
    """Participants to email now: unread, quiet, not yet emailed since their last read, active, not opted
    out, and no block between the two (a blocked conversation sends nothing more)."""
    opted_out = EmailPreference.objects.filter(user=OuterRef("user"), **{KIND: False})
    pair = Q(blocker=OuterRef("conversation__low"), blocked=OuterRef("conversation__high")) | Q(
        blocker=OuterRef("conversation__high"), blocked=OuterRef("conversation__low")
    )
    return (
        Participant.objects.filter(_due_filter(now), user__is_active=True)
        .exclude(Exists(opted_out))
        .exclude(Exists(Block.objects.filter(pair)))
        .select_related("user", "conversation__low", "conversation__high")
        .order_by("conversation__last_message_at", "pk")
    )


def send_one(side: Participant, now: datetime) -> bool:
    """Claim and send one email in one transaction; False when another sweep claimed it or it was switched off."""
    with transaction.atomic():
        claimed = Participant.objects.filter(_due_filter(now), pk=side.pk).update(notified_at=now)
        if not claimed:
            return False
        fresh = Participant.objects.get(pk=side.pk)
        conversation = side.conversation
        other = conversation.high if conversation.low_id == side.user_id else conversation.low
        # Only what the email shows: who wrote, how many, the link. Never a message.
        context = {
            "sender_name": other.display_name,
            "count": fresh.unread_count,
            "url": notifications.site_url(reverse("peers:conversation", args=[conversation.pk])),
        }
        sent = notifications.send(
            KIND,
            side.user,
            f"{other.display_name} sent you {'a message' if fresh.unread_count == 1 else 'messages'} on Kinship",
            "peers/messages_email.txt",
            "peers/messages_email.html",
            context,
        )
        if not sent:
            transaction.set_rollback(True)
        return sent


def sweep(*, now: datetime | None = None) -> int:
    """Send every new-messages email that is due; returns how many went out.

    A mail server failure stops the sweep (those sent stay claimed); a single refused address is
    logged and skipped.
    """
    now = now or timezone.now()
    count = 0
    for side in due(now):
        try:
            count += send_one(side, now)
        except smtplib.SMTPRecipientsRefused:
            logger.warning("New-messages email for participant %s refused by the mail server", side.pk)
    return count


@task()
def send_due_message_emails() -> int:
    """The scheduler enqueues this every minute; whatever it missed, the next sweep picks up."""
    return sweep()
