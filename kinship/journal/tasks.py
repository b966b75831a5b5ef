"""Journal emails, run by the task worker: a request for support to each facilitator, and the weekly
check-in reminder a member opted in to.

Support request: one task per facilitator, enqueued when the request commits. The email names the
member and the circle and links to the circle's wellbeing page; it carries no score, note or problem
item (health data stays on pages only the facilitators may open).

Weekly reminder (opt-in, EmailPreference.checkin_reminder defaults off): `run_scheduler` enqueues
`send_due_checkin_reminders` every minute. A member who opted in and has not checked in for
REMINDER_DAYS gets one email, then none for another REMINDER_DAYS. Exactly once: each send first
claims the member's ReminderMark (a conditional UPDATE, or the INSERT of the first one) in the same
transaction as the send, so of two workers only one claims it, and a failed send rolls the claim back.
"""

import logging
import smtplib
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from kinship.accounts.models import User
from kinship.circles.models import Membership
from kinship.events.tasks import TRANSIENT, retry_later
from kinship.journal.models import CheckIn, ReminderMark, SupportRequest
from kinship.notifications import services as notifications
from kinship.notifications.models import EmailPreference

logger = logging.getLogger(__name__)

SUPPORT = EmailPreference.SUPPORT_REQUEST
REMINDER = EmailPreference.CHECKIN_REMINDER
REMINDER_DAYS = 7
SWEEP_MAX = 500


@task()
def send_support_request(request_id: int, facilitator_id: int, attempt: int = 0) -> bool:
    """Tell one facilitator that a member asked for someone to reach out; skipped when the request is gone
    (the member deleted the check-in), already acknowledged, or they no longer lead the circle."""
    found = (
        SupportRequest.objects.select_related("owner", "circle")
        .filter(pk=request_id, acknowledged_at__isnull=True, owner__is_active=True)
        .first()
    )
    if found is None:
        return False
    lead = (
        Membership.objects.select_related("user")
        .filter(
            circle_id=found.circle_id,
            user_id=facilitator_id,
            role=Membership.FACILITATOR,
            status=Membership.ACTIVE,
        )
        .first()
    )
    if lead is None:
        return False
    # Only what the email shows: no check-in, so no template can reach its note, problems or score.
    context = {
        "member_name": found.owner.display_name,
        "circle_name": found.circle.name,
        "url": notifications.site_url(reverse("journal:circle-wellbeing", args=[found.circle.slug])),
    }
    try:
        return notifications.send(
            SUPPORT,
            lead.user,
            f"{found.owner.display_name} asked for someone from {found.circle.name} to reach out",
            "journal/email/support_request.txt",
            "journal/email/support_request.html",
            context,
        )
    except TRANSIENT:
        if retry_later(send_support_request, attempt, request_id, facilitator_id):
            logger.warning("Support request email %s failed (attempt %s); retrying later", request_id, attempt + 1)
        raise


# Weekly reminder ----------------------------------------------------------------------------


def due_reminders(now: datetime) -> QuerySet[User]:
    """Members who opted in, with an active account and a verified address, who have not checked in for
    REMINDER_DAYS and were not reminded in that time."""
    since = now - timedelta(days=REMINDER_DAYS)
    opted_in = EmailPreference.objects.filter(user=OuterRef("pk"), **{REMINDER: True})
    checked_in = CheckIn.objects.filter(owner=OuterRef("pk"), created_at__gt=since)
    reminded = ReminderMark.objects.filter(user=OuterRef("pk"), sent_at__gt=since)
    return (
        User.objects.filter(Exists(opted_in), is_active=True, email_verified_at__isnull=False)
        .exclude(Exists(checked_in))
        .exclude(Exists(reminded))
        .order_by("pk")
    )


def _claim(user: User, now: datetime) -> bool:
    since = now - timedelta(days=REMINDER_DAYS)
    if ReminderMark.objects.filter(Q(sent_at__lte=since), user=user).update(sent_at=now):
        return True
    if ReminderMark.objects.filter(user=user).exists():
        return False
    try:
        with transaction.atomic():
            ReminderMark.objects.create(user=user, sent_at=now)
    except IntegrityError:
        return False
    return True


def send_reminder(user: User, now: datetime) -> bool:
    """Claim and send one reminder in one transaction; False when claimed already or switched off."""
    with transaction.atomic():
        # The reminder before this one (none yet: the first) names this one, for its Message-ID.
        before = ReminderMark.objects.filter(user=user).values_list("sent_at", flat=True).first()
        if not _claim(user, now):
            return False
        context = {
            "url": notifications.site_url(reverse("journal:checkin-new")),
            "days": REMINDER_DAYS,
        }
        sent = notifications.send(
            REMINDER,
            user,
            "A moment to check in on Kinship",
            "journal/email/checkin_reminder.txt",
            "journal/email/checkin_reminder.html",
            context,
            message_key=f"checkin-reminder:{user.pk}:{before.isoformat() if before else 'first'}",
        )
        if not sent:
            transaction.set_rollback(True)
        return sent


def sweep_reminders(*, now: datetime | None = None) -> int:
    """Send every weekly reminder that is due; returns how many went out.

    A mail server failure stops the sweep (those sent stay claimed); a refused address is logged and skipped.
    """
    now = now or timezone.now()
    count = 0
    for user in due_reminders(now)[:SWEEP_MAX]:
        try:
            count += send_reminder(user, now)
        except smtplib.SMTPRecipientsRefused:
            logger.warning("Check-in reminder for user %s refused by the mail server", user.pk)
    return count


@task()
def send_due_checkin_reminders() -> int:
    """The scheduler enqueues this every minute; whatever it missed, the next sweep picks up."""
    return sweep_reminders()
