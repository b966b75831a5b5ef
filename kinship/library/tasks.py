"""Background work for referrals, run by the task worker: the follow-up sweep and the member's notice.

Follow-up: `run_scheduler` enqueues `send_due_follow_ups` every minute. A referral still open at its
`follow_up_at`, with no reminder yet, gets one email to the facilitator who made it. Exactly once:
each send first claims the row with a conditional UPDATE (`reminded_at` from null to now) in the
same transaction as the send, so of two workers only one claims it (the other's UPDATE waits for the
row lock, then matches nothing), and a send that fails rolls the claim back for the next sweep.
A status change that keeps the referral open restarts the clock (referrals.change_status).

Neither email ever carries the private note, the member's email address or the member's name: the
facilitator's link goes to the referral page, which only the three people it concerns may open.
"""

import logging
import smtplib
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from kinship.circles.models import Membership
from kinship.events.tasks import TRANSIENT, retry_later
from kinship.library.models import Referral, Resource
from kinship.notifications import services as notifications
from kinship.notifications.models import EmailPreference

logger = logging.getLogger(__name__)

FOLLOW_UP = EmailPreference.REFERRAL_FOLLOW_UP
SUGGESTED = EmailPreference.REFERRAL_SUGGESTED


def due_follow_ups(now: datetime) -> list[Referral]:
    """Open referrals past their follow-up time, not yet reminded, whose referrer still leads the circle
    (or is staff), has an active account and has not switched these emails off."""
    still_leads = Membership.objects.filter(
        circle=OuterRef("circle"),
        user=OuterRef("referred_by"),
        role=Membership.FACILITATOR,
        status=Membership.ACTIVE,
    )
    opted_out = EmailPreference.objects.filter(user=OuterRef("referred_by"), **{FOLLOW_UP: False})
    return list(
        Referral.objects.filter(
            status__in=Referral.OPEN_STATUSES,
            follow_up_at__lte=now,
            reminded_at__isnull=True,
            referred_by__isnull=False,
            referred_by__is_active=True,
        )
        .filter(Q(referred_by__is_staff=True) | Exists(still_leads))
        .exclude(Exists(opted_out))
        .select_related("referred_by", "resource", "circle")
        .order_by("follow_up_at", "pk")
    )


def _context(referral: Referral) -> dict[str, Any]:
    path = reverse("library:referral-detail", args=[referral.pk])
    # Only what the email shows: never the referral itself, so no template can reach the note or the member.
    return {
        "resource_name": referral.resource.name,
        "kind_name": dict(Resource.KIND_CHOICES).get(referral.resource.kind, ""),
        "circle_name": referral.circle.name,
        "status_label": referral.get_status_display(),
        "days": referral.follow_up_days,
        "url": notifications.site_url(path),
    }


def send_follow_up(referral: Referral, now: datetime) -> bool:
    """Claim and send one reminder in one transaction; False when another sweep claimed it first."""
    with transaction.atomic():
        claimed = Referral.objects.filter(
            pk=referral.pk,
            status__in=Referral.OPEN_STATUSES,
            follow_up_at__lte=now,
            reminded_at__isnull=True,
        ).update(reminded_at=now)
        if not claimed:
            return False
        assert referral.referred_by is not None
        sent = notifications.send(
            FOLLOW_UP,
            referral.referred_by,
            "A referral you made is due for follow-up",
            "library/email/referral_follow_up.txt",
            "library/email/referral_follow_up.html",
            _context(referral),
        )
        if not sent:
            # Switched off between the query and now: unclaimed, so switching back on still works.
            transaction.set_rollback(True)
        return sent


def sweep_follow_ups(*, now: datetime | None = None) -> int:
    """Send every follow-up reminder that is due; returns how many went out.

    A mail server failure stops the sweep (those sent stay claimed, the rest wait for the next
    sweep); a single refused address is logged and skipped so it cannot hold up the others.
    """
    now = now or timezone.now()
    count = 0
    for referral in due_follow_ups(now):
        try:
            count += send_follow_up(referral, now)
        except smtplib.SMTPRecipientsRefused:
            logger.warning("Follow-up reminder for referral %s refused by the mail server", referral.pk)
    return count


@task()
def send_due_follow_ups() -> int:
    """The scheduler enqueues this every minute; whatever it missed, the next sweep picks up."""
    return sweep_follow_ups()


@task()
def send_referral_suggested(referral_id: int, attempt: int = 0) -> bool:
    """Tell the member a facilitator suggested a resource: no note, no resource, just the link to the page."""
    referral = Referral.objects.select_related("member", "referred_by", "circle").filter(pk=referral_id).first()
    if referral is None or not referral.is_open:
        return False
    context = {
        "referrer_name": referral.referred_by.display_name if referral.referred_by else "A facilitator",
        "circle_name": referral.circle.name,
        "url": notifications.site_url(reverse("library:referral-detail", args=[referral.pk])),
    }
    try:
        return notifications.send(
            SUGGESTED,
            referral.member,
            "A facilitator suggested a resource for you",
            "library/email/referral_suggested.txt",
            "library/email/referral_suggested.html",
            context,
        )
    except TRANSIENT:
        if retry_later(send_referral_suggested, attempt, referral_id):
            logger.warning("Referral email %s failed (attempt %s); retrying later", referral_id, attempt + 1)
        raise
