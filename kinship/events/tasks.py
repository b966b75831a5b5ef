"""Background work for events, run by the task worker: reminders and waitlist news, safe to run twice.

Retries: `send_seat_opened` re-enqueues itself with a growing delay when the mail server fails,
at most MAX_ATTEMPTS times in all. The reminder sweep does not: the scheduler enqueues it every
minute and every member it could not reach is still unreminded, so the next sweep retries them.
"""

import logging
import smtplib
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django_tasks import task

from kinship.accounts.models import User
from kinship.events import access, calendars, queries, recurrence
from kinship.events.models import Event, Occurrence, ReminderSent, Rsvp
from kinship.notifications import services as notifications
from kinship.notifications.models import EmailPreference

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
FIRST_RETRY = timedelta(seconds=30)

# Which stored occurrences each reminder looks at: starting in (now + near, now + far]. The day
# reminder stops where the hour reminder begins, so a sweep that was down for a day sends one
# reminder, not two at once.
WINDOWS: dict[str, tuple[timedelta, timedelta]] = {
    ReminderSent.DAY_BEFORE: (timedelta(hours=1), timedelta(hours=24)),
    ReminderSent.HOUR_BEFORE: (timedelta(0), timedelta(hours=1)),
}
PREFERENCE_FOR = {
    ReminderSent.DAY_BEFORE: EmailPreference.REMINDER_DAY,
    ReminderSent.HOUR_BEFORE: EmailPreference.REMINDER_HOUR,
}
# Mail errors worth another try later; anything else is a bug and fails loudly.
TRANSIENT = (smtplib.SMTPException, OSError)


def local_time(when: datetime, event: Event) -> datetime:
    return when.astimezone(recurrence.zone(event.timezone))


def format_when(when: datetime, event: Event) -> str:
    """ "Tue 3 Mar, 18:00 GMT": in the event's own time zone, as the page shows it."""
    local = local_time(when, event)
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M} {local.tzname()}"


def _email_context(rsvp: Rsvp) -> dict[str, Any]:
    row = rsvp.occurrence
    event = row.event
    slot = queries.slot_from_row(row)
    return {
        "event": event,
        "slot": slot,
        "title": slot.title,
        "when": format_when(slot.starts_at, event),
        "ends": format_when(slot.ends_at, event),
        "timezone": event.timezone,
        "url": notifications.site_url(slot.get_absolute_url()),
        # Never the meeting link itself: it opens on the page 30 minutes before the start, to
        # members with a seat, and an email would carry it earlier and further (forwarded mail).
        "link_opens": event.online,
    }


def _ics(rsvp: Rsvp) -> notifications.Attachment:
    slot = queries.slot_from_row(rsvp.occurrence)
    return notifications.calendar_attachment(calendars.occurrence_ics(slot, base_url=notifications.site_url("")))


def _still_welcome(rsvp: Rsvp) -> bool:
    """Email about an event only while the member may still see it (left a private circle: no more)."""
    return access.can_see_events(rsvp.member, rsvp.occurrence.event.circle)


def due_reminders(kind: str, now: datetime) -> "list[Rsvp]":
    """Seats at stored occurrences in this kind's window whose holder wants and has not had this reminder."""
    near, far = WINDOWS[kind]
    sent = ReminderSent.objects.filter(occurrence=OuterRef("occurrence"), member=OuterRef("member"), kind=kind)
    opted_out = EmailPreference.objects.filter(user=OuterRef("member"), **{PREFERENCE_FOR[kind]: False})
    return list(
        Rsvp.objects.filter(
            answer=Rsvp.GOING,
            waitlisted=False,
            occurrence__starts_at__gt=now + near,
            occurrence__starts_at__lte=now + far,
            occurrence__cancelled=False,
            occurrence__event__cancelled_at__isnull=True,
            member__is_active=True,
        )
        .exclude(Exists(sent))
        .exclude(Exists(opted_out))
        .select_related("occurrence__event__circle", "member")
        .order_by("occurrence__starts_at", "pk")
    )


def send_reminder(rsvp: Rsvp, kind: str) -> bool:
    """Record and send one reminder in one transaction: a failed send leaves no record, so it is retried.

    If another sweep got there first the unique row already exists and nothing is sent.
    """
    if not _still_welcome(rsvp):
        return False
    with transaction.atomic():
        _, created = ReminderSent.objects.get_or_create(occurrence=rsvp.occurrence, member=rsvp.member, kind=kind)
        if not created:
            return False
        context = _email_context(rsvp)
        context["lead"] = "tomorrow" if kind == ReminderSent.DAY_BEFORE else "in an hour"
        sent = notifications.send(
            PREFERENCE_FOR[kind],
            rsvp.member,
            f"Reminder: {context['title']} {context['when']}",
            "events/email/reminder.txt",
            "events/email/reminder.html",
            context,
            attachments=[_ics(rsvp)],
            message_key=f"reminder:{kind}:{rsvp.occurrence_id}:{rsvp.member_id}",
        )
        if not sent:
            # Switched off between the query and now: no record, so switching back on still works.
            transaction.set_rollback(True)
        return sent


def sweep_reminders(*, now: datetime | None = None) -> int:
    """Send every reminder that is due; returns how many went out.

    A mail server failure stops the sweep (what was sent stays recorded, the rest waits for the
    next sweep); a single refused address is skipped so it cannot hold up everyone after it.
    """
    now = now or timezone.now()
    count = 0
    for kind in (ReminderSent.HOUR_BEFORE, ReminderSent.DAY_BEFORE):
        for rsvp in due_reminders(kind, now):
            try:
                count += send_reminder(rsvp, kind)
            except smtplib.SMTPRecipientsRefused:
                logger.warning("Reminder %s for RSVP %s refused by the mail server", kind, rsvp.pk)
    return count


@task()
def send_due_reminders() -> int:
    """The scheduler enqueues this every minute; see the module docstring for retries."""
    return sweep_reminders()


def retry_later(job: Any, attempt: int, *args: Any) -> bool:
    """Enqueue the task again after 30 s, 2, 8, 32 min; False when attempts run out or the backend cannot wait."""
    if attempt + 1 >= MAX_ATTEMPTS or not job.get_backend().supports_defer:
        return False
    delay = FIRST_RETRY * 4**attempt
    job.using(run_after=timezone.now() + delay).enqueue(*args, attempt=attempt + 1)
    return True


@task()
def send_seat_opened(rsvp_id: int, attempt: int = 0) -> bool:
    """Tell a member that a seat opened up for them; skipped if they no longer have it or opted out."""
    rsvp = Rsvp.objects.select_related("occurrence__event__circle", "member").filter(pk=rsvp_id).first()
    if rsvp is None or not rsvp.has_seat or rsvp.promoted_at is None:
        return False
    row: Occurrence = rsvp.occurrence
    if row.cancelled or row.event.is_cancelled or row.starts_at <= timezone.now() or not _still_welcome(rsvp):
        return False
    context = _email_context(rsvp)
    member: User = rsvp.member
    try:
        return notifications.send(
            EmailPreference.SEAT_OPENED,
            member,
            f"A seat opened up: you're going to {context['title']}",
            "events/email/seat_opened.txt",
            "events/email/seat_opened.html",
            context,
            attachments=[_ics(rsvp)],
            message_key=f"seat-opened:{rsvp.pk}:{rsvp.promoted_at.isoformat()}",
        )
    except TRANSIENT:
        if retry_later(send_seat_opened, attempt, rsvp_id):
            logger.warning("Seat-opened email for RSVP %s failed (attempt %s); retrying later", rsvp_id, attempt + 1)
        raise
