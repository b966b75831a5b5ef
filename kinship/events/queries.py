"""Reads shared by pages, API and feeds: occurrences already expanded, a fixed number of queries each."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from kinship.accounts.models import User
from kinship.circles.models import Circle, Membership
from kinship.events import access, recurrence
from kinship.events.models import Event, Occurrence, Rsvp, occurrence_key

UPCOMING_WINDOW = timedelta(days=92)


@dataclass
class Slot:
    """One occurrence as shown: from the rule, with its stored exception applied if it has one."""

    event: Event
    original_start: datetime
    starts_at: datetime
    ends_at: datetime
    cancelled: bool = False
    title: str = ""
    note: str = ""
    going_count: int = 0
    row: Occurrence | None = None
    rsvp: Rsvp | None = field(default=None, repr=False)

    @property
    def key(self) -> str:
        return occurrence_key(self.original_start)

    @property
    def moved(self) -> bool:
        return self.starts_at != self.original_start

    @property
    def is_full(self) -> bool:
        return self.event.capacity is not None and self.going_count >= self.event.capacity

    @property
    def seats_left(self) -> int | None:
        return None if self.event.capacity is None else max(0, self.event.capacity - self.going_count)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("events:occurrence-detail", args=[self.event.pk, self.key])


def _duration(event: Event) -> timedelta:
    return event.ends_at - event.starts_at


def _computed_slot(event: Event, start: datetime) -> Slot:
    """A date the rule places and nothing has changed: no stored row."""
    return Slot(
        event=event,
        original_start=start,
        starts_at=start,
        ends_at=start + _duration(event),
        cancelled=event.is_cancelled,
        title=event.title,
    )


def slot_from_row(row: Occurrence) -> Slot:
    return Slot(
        event=row.event,
        original_start=row.original_start,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        cancelled=row.cancelled or row.event.is_cancelled,
        title=row.title or row.event.title,
        note=row.note,
        going_count=row.going_count,
        row=row,
    )


def expand(events: Iterable[Event], *, after: datetime, before: datetime) -> list[Slot]:
    """Every occurrence of these events that starts in [after, before), exceptions applied; one query."""
    events = list(events)
    if not events:
        return []
    by_id = {e.pk: e for e in events}
    rows = Occurrence.objects.filter(event_id__in=list(by_id)).filter(
        Q(original_start__gte=after, original_start__lt=before) | Q(starts_at__gte=after, starts_at__lt=before)
    )
    stored: dict[tuple[int, datetime], Occurrence | None] = {}
    for row in rows:
        row.event = by_id[row.event_id]
        stored[(row.event_id, row.original_start)] = row
    slots: list[Slot] = []
    for event in events:
        tz = recurrence.zone(event.timezone)
        for start in recurrence.starts_between(
            event.rrule, first_start=event.starts_at, tz=tz, after=after, before=before
        ):
            found = stored.pop((event.pk, start), None)
            if found is not None:
                slots.append(slot_from_row(found))
            else:
                slots.append(_computed_slot(event, start))
    # Moved into the window from a date outside it.
    slots.extend(slot_from_row(row) for row in stored.values() if row is not None and after <= row.starts_at < before)
    slots = [s for s in slots if after <= s.starts_at < before]
    slots.sort(key=lambda s: (s.starts_at, s.event.pk))
    return slots


def attach_rsvps(user: Any, slots: list[Slot]) -> list[Slot]:
    """Put the user's own answer on each slot; one query."""
    rows = [s.row.pk for s in slots if s.row is not None]
    if not getattr(user, "is_authenticated", False) or not rows:
        return slots
    mine = {r.occurrence_id: r for r in Rsvp.objects.filter(member=user, occurrence_id__in=rows)}
    for slot in slots:
        if slot.row is not None:
            slot.rsvp = mine.get(slot.row.pk)
    return slots


def circle_events(circle: Circle) -> QuerySet[Event]:
    return Event.objects.filter(circle=circle).select_related("circle", "facilitator")


def circle_calendar(user: Any, circle: Circle, *, after: datetime, before: datetime) -> list[Slot]:
    """The circle's occurrences in a window, with the user's answers."""
    return attach_rsvps(user, expand(circle_events(circle), after=after, before=before))


def slot_for(event: Event, original_start: datetime) -> Slot | None:
    """One occurrence of the event by its original start, or None if the rule has no such date."""
    if not recurrence.EARLIEST_YEAR <= original_start.year <= recurrence.LATEST_YEAR:
        return None  # also keeps time-zone arithmetic away from the ends of the calendar
    row = Occurrence.objects.filter(event=event, original_start=original_start).first()
    if row is not None:
        row.event = event
        return slot_from_row(row)
    tz = recurrence.zone(event.timezone)
    if not recurrence.is_start(event.rrule, first_start=event.starts_at, tz=tz, when=original_start):
        return None
    return _computed_slot(event, original_start)


def next_slot(event: Event, *, now: datetime | None = None) -> Slot | None:
    """The next occurrence that has not ended (cancelled ones included, marked), else the last one."""
    now = now or datetime.now(UTC)
    ahead = expand([event], after=now - _duration(event), before=now + recurrence.OPEN_ENDED_WINDOW)
    if ahead:
        return ahead[0]
    if not event.rrule:
        return slot_for(event, event.starts_at)
    return None


def member_upcoming(user: Any, *, now: datetime | None = None, limit: int = 10) -> list[Slot]:
    """Occurrences the member is going to (or waitlisted for), soonest first; two queries."""
    if not getattr(user, "is_authenticated", False):
        return []
    now = now or datetime.now(UTC)
    rsvps = (
        Rsvp.objects.filter(member=user, answer=Rsvp.GOING, occurrence__ends_at__gt=now, occurrence__cancelled=False)
        .filter(occurrence__event__cancelled_at__isnull=True)
        .filter(occurrence__event__in=access.visible_events(user))
        .select_related("occurrence__event__circle")
        .order_by("occurrence__starts_at", "pk")[:limit]
    )
    slots = []
    for rsvp in rsvps:
        slot = slot_from_row(rsvp.occurrence)
        slot.rsvp = rsvp
        slots.append(slot)
    return slots


def attendees(slot: Slot) -> list[Rsvp]:
    """Everyone who answered, seats first, then the waitlist in order, then maybe and not going."""
    if slot.row is None:
        return []
    order = {Rsvp.GOING: 0, Rsvp.MAYBE: 1, Rsvp.NOT_GOING: 2}
    rows = list(Rsvp.objects.filter(occurrence=slot.row).select_related("member"))
    rows.sort(key=lambda r: (order[r.answer], r.waitlisted, r.answered_at, r.pk))
    return rows


@dataclass
class AttendanceRecord:
    """One member's record in a circle: meetings they said they'd come to, came to, and missed."""

    member: Any
    answered_going: int
    attended: int
    missed: int
    last_attended: datetime | None
    history: list[Rsvp] = field(default_factory=list)


def attendance_history(circle: Circle, *, member_id: int | None = None) -> list[AttendanceRecord]:
    """Past meetings of the circle per member, from attendance taken; one query (two with a member's detail)."""
    past = Q(
        rsvps__occurrence__event__circle=circle,
        rsvps__occurrence__starts_at__lt=timezone.now(),
        rsvps__answer=Rsvp.GOING,
        rsvps__waitlisted=False,
    )
    members = (
        User.objects.filter(memberships__circle=circle, memberships__status=Membership.ACTIVE)
        .annotate(
            answered_going=Count("rsvps", filter=past),
            attended=Count("rsvps", filter=past & Q(rsvps__attended=True)),
            missed=Count("rsvps", filter=past & Q(rsvps__attended=False)),
            last_attended=Max("rsvps__occurrence__starts_at", filter=past & Q(rsvps__attended=True)),
        )
        .only("id", "display_name", "avatar")
        .order_by("display_name", "id")
    )
    if member_id is not None:
        members = members.filter(pk=member_id)
    records = [
        AttendanceRecord(
            member=m,
            answered_going=m.answered_going,  # type: ignore[attr-defined]
            attended=m.attended,  # type: ignore[attr-defined]
            missed=m.missed,  # type: ignore[attr-defined]
            last_attended=m.last_attended,  # type: ignore[attr-defined]
        )
        for m in members
    ]
    if member_id is not None and records:
        records[0].history = list(
            Rsvp.objects.filter(
                member_id=member_id,
                occurrence__event__circle=circle,
                occurrence__starts_at__lt=timezone.now(),
                answer=Rsvp.GOING,
                waitlisted=False,
            )
            .select_related("occurrence__event")
            .order_by("-occurrence__starts_at", "-pk")[:100]
        )
    return records
