"""Who may see and do what with events: builds on the circle rules, adds nothing looser."""

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from kinship.accounts.two_factor import has_two_factor
from kinship.circles import access as circle_access
from kinship.circles.models import Circle, Membership
from kinship.core.converters import id_or_404
from kinship.events.models import Event, Rsvp

# The online meeting link appears this long before the start, to members with a seat.
LINK_OPENS_BEFORE = timedelta(minutes=30)


def can_see_events(user: Any, circle: Circle) -> bool:
    """Public circles' events are open to anyone, signed out too; the others to active members and staff."""
    if not circle_access.can_see_circle(user, circle):
        return False
    if circle.visibility == Circle.PUBLIC:
        return True
    return circle_access.can_read(user, circle)


def visible_events(user: Any) -> QuerySet[Event]:
    """Events of circles whose events this user may see (hidden circles' never leak)."""
    events = Event.objects.all()
    if getattr(user, "is_staff", False) and has_two_factor(user):
        return events
    member_of = [cid for cid, m in circle_access.memberships_of(user).items() if m.status == Membership.ACTIVE]
    return events.filter(Q(circle__visibility=Circle.PUBLIC) | Q(circle_id__in=member_of))


def get_event_for(user: Any, event_id: Any) -> Event:
    """The event, or Http404 when missing or not visible to this user (no existence leak)."""
    event = Event.objects.select_related("circle", "facilitator").filter(pk=id_or_404(event_id)).first()
    if event is None or not (can_see_events(user, event.circle) or is_speaker(user, event)):
        raise Http404("No such event.")
    return event


def is_speaker(user: Any, event: Event) -> bool:
    """Invited speakers see the event they speak at, whatever the circle's visibility."""
    if not getattr(user, "is_authenticated", False):
        return False
    if not hasattr(event, "_speaker_ids"):
        event._speaker_ids = set(event.speakers.values_list("pk", flat=True))  # type: ignore[attr-defined]
    return user.pk in event._speaker_ids  # type: ignore[attr-defined]


def can_manage_events(user: Any, circle: Circle) -> bool:
    """Create, edit, cancel and take attendance: the circle's facilitators and staff."""
    return circle_access.can_moderate(user, circle)


def can_rsvp(user: Any, event: Event) -> bool:
    """Verified active members; for a public circle's events any verified person not removed from it;
    and the event's own speakers, who need a seat (and the meeting link) like everyone else."""
    circle = event.circle
    if circle_access.can_post(user, circle):
        return True
    if not getattr(user, "is_verified", False):
        return False
    if is_speaker(user, event):
        return True
    return (
        circle.visibility == Circle.PUBLIC
        and circle_access.can_see_circle(user, circle)
        and not circle_access.was_removed(user, circle)
    )


def can_see_attendees(user: Any, circle: Circle) -> bool:
    return circle_access.can_moderate(user, circle)


def can_see_meeting_link(rsvp: Rsvp | None, *, starts_at: datetime, ends_at: datetime, now: datetime) -> bool:
    """Members with a seat, from 30 minutes before the start until the end: the link never spreads further."""
    if rsvp is None or not rsvp.has_seat:
        return False
    return starts_at - LINK_OPENS_BEFORE <= now <= ends_at
