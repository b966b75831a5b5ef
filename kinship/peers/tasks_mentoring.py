"""Background work for mentoring: the mentor's notice of a request, the mentee's notice of the answer,
and the sweep that expires requests nobody answered in time.

Expiry: `run_scheduler` enqueues `expire_due_requests` every minute. Each waiting request past its
`respond_by` is claimed with a conditional UPDATE (status from requested to expired) in the same
transaction as the mentee's email, so of two workers only one claims it, and a send that fails rolls
the claim back for the next sweep.

No email carries the mentee's message, preferences or recovery context, nor anyone's email address:
just who and a link to the mentorship page, which only its two people and staff may open.
"""

import logging
import smtplib
from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from kinship.events.tasks import TRANSIENT, retry_later
from kinship.notifications import services as notifications
from kinship.notifications.models import EmailPreference
from kinship.peers import mentoring
from kinship.peers.models import Mentorship

logger = logging.getLogger(__name__)

ANSWER_SUBJECTS = {
    Mentorship.ACTIVE: "{mentor} accepted: you have a mentor",
    Mentorship.DECLINED: "{mentor} can't mentor you right now",
    Mentorship.EXPIRED: "{mentor} did not answer in time",
}


def _url(mentorship: Mentorship) -> str:
    return notifications.site_url(reverse("peers:mentorship-detail", args=[mentorship.pk]))


def _send_answer(mentorship: Mentorship) -> bool:
    context = {
        "mentor_name": mentorship.mentor.display_name,
        "status": mentorship.status,
        "url": _url(mentorship),
        "find_url": notifications.site_url(reverse("peers:mentor-find")),
    }
    return notifications.send(
        EmailPreference.MENTORSHIP_UPDATE,
        mentorship.mentee,
        ANSWER_SUBJECTS[mentorship.status].format(mentor=mentorship.mentor.display_name),
        "peers/email/mentorship_answer.txt",
        "peers/email/mentorship_answer.html",
        context,
    )


@task()
def send_mentor_request(mentorship_id: int, attempt: int = 0) -> bool:
    """Tell the mentor a member asked them: the member's display name, the answer-by date and a link."""
    mentorship = Mentorship.objects.select_related("mentee", "mentor").filter(pk=mentorship_id).first()
    if mentorship is None or mentorship.status != Mentorship.REQUESTED:
        return False
    context = {
        "mentee_name": mentorship.mentee.display_name,
        "respond_by": mentorship.respond_by,
        "url": _url(mentorship),
    }
    try:
        return notifications.send(
            EmailPreference.MENTOR_REQUEST,
            mentorship.mentor,
            f"{mentorship.mentee.display_name} asked you to be their mentor",
            "peers/email/mentor_request.txt",
            "peers/email/mentor_request.html",
            context,
        )
    except TRANSIENT:
        if retry_later(send_mentor_request, attempt, mentorship_id):
            logger.warning("Mentor request email %s failed (attempt %s); retrying later", mentorship_id, attempt + 1)
        raise


@task()
def send_mentorship_answer(mentorship_id: int, attempt: int = 0) -> bool:
    """Tell the mentee the mentor accepted or declined (and that they may choose another)."""
    mentorship = Mentorship.objects.select_related("mentee", "mentor").filter(pk=mentorship_id).first()
    if mentorship is None or mentorship.status not in (Mentorship.ACTIVE, Mentorship.DECLINED):
        return False
    try:
        return _send_answer(mentorship)
    except TRANSIENT:
        if retry_later(send_mentorship_answer, attempt, mentorship_id):
            logger.warning("Mentorship answer email %s failed (attempt %s); retrying later", mentorship_id, attempt + 1)
        raise


def expire_one(mentorship: Mentorship, now: datetime) -> bool:
    """Claim one overdue request and tell the mentee, in one transaction; False when already handled."""
    with transaction.atomic():
        claimed = Mentorship.objects.filter(pk=mentorship.pk, status=Mentorship.REQUESTED, respond_by__lte=now).update(
            status=Mentorship.EXPIRED, responded_at=now, updated_at=now
        )
        if not claimed:
            return False
        mentorship = Mentorship.objects.select_related("mentee", "mentor").get(pk=mentorship.pk)
        # Switched off or a deactivated account: the request still expires, silently.
        _send_answer(mentorship)
        return True


def sweep_expired_requests(*, now: datetime | None = None) -> int:
    """Expire every request past its answer-by time; returns how many. A mail server failure stops the
    sweep (the rest wait for the next one); a single refused address is logged and skipped."""
    now = now or timezone.now()
    count = 0
    for mentorship in mentoring.due_requests(now):
        try:
            count += expire_one(mentorship, now)
        except smtplib.SMTPRecipientsRefused:
            logger.warning("Expiry email for mentorship %s refused by the mail server", mentorship.pk)
    return count


@task()
def expire_due_requests() -> int:
    """The scheduler enqueues this every minute; whatever it missed, the next sweep picks up."""
    return sweep_expired_requests()
