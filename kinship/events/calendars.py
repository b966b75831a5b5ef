"""iCalendar (RFC 5545) documents for events, and the secret addresses of members' private feeds.

Feeds are read by calendar apps that anyone may have subscribed to, so they carry what the
event page shows to a visitor and nothing more: never a meeting link, never an email
address, never who is coming.
"""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import icalendar
from django.db import transaction
from django.db.models import QuerySet

from kinship.accounts.models import User
from kinship.events import queries, recurrence
from kinship.events.models import CalendarToken, Event, Occurrence, Rsvp

PRODID = "-//Kinship//Events//EN"
# Issued tokens are 43 characters; anything much longer is not one of ours and is not hashed.
MAX_TOKEN_LENGTH = 100
# How far back the member's feed reaches: recent meetings stay in their calendar, old ones drop off.
MEMBER_FEED_PAST = timedelta(days=92)
# VTIMEZONE blocks list the zone's real transitions from the first event to this far past the last.
ZONE_MARGIN = timedelta(days=400)


def uid_for(event: Event) -> str:
    """One UID per event: occurrences and overrides share it and differ by RECURRENCE-ID."""
    return f"event-{event.pk}@kinship"


def _local(when: datetime, event: Event) -> datetime:
    return when.astimezone(recurrence.zone(event.timezone))


def _location(event: Event) -> str:
    # The meeting link is never in a feed: a calendar may be shared far beyond the member.
    if event.in_person and event.address:
        return event.address + (" (and online)" if event.online else "")
    return "Online" if event.online else ""


def _description(event: Event, note: str = "") -> str:
    parts = [note, event.description]
    return "\n\n".join(p for p in parts if p)


def _url(path: str, base_url: str) -> str | None:
    return base_url.rstrip("/") + path if base_url else None


def _vevent(
    event: Event,
    *,
    start: datetime,
    end: datetime,
    summary: str,
    note: str,
    sequence: int,
    cancelled: bool,
    url: str | None,
    stamp: datetime,
) -> icalendar.Event:
    vevent = icalendar.Event()
    vevent.add("uid", uid_for(event))
    vevent.add("dtstamp", stamp)
    vevent.add("dtstart", _local(start, event))
    vevent.add("dtend", _local(end, event))
    vevent.add("summary", summary)
    description = _description(event, note)
    if description:
        vevent.add("description", description)
    location = _location(event)
    if location:
        vevent.add("location", location)
    if url:
        vevent.add("url", url)
    vevent.add("sequence", sequence)
    if cancelled:
        vevent.add("status", "CANCELLED")
    return vevent


def slot_vevent(
    slot: queries.Slot, *, base_url: str = "", waitlisted: bool = False, stamp: datetime | None = None
) -> icalendar.Event:
    """One occurrence as a VEVENT of its own (with RECURRENCE-ID when the event repeats)."""
    event = slot.event
    summary = slot.title or event.title
    if waitlisted:
        summary = f"{summary} (waitlist)"
    vevent = _vevent(
        event,
        start=slot.starts_at,
        end=slot.ends_at,
        summary=summary,
        note=slot.note,
        sequence=event.sequence + (slot.row.sequence if slot.row is not None else 0),
        cancelled=slot.cancelled,
        url=_url(slot.get_absolute_url(), base_url),
        stamp=stamp or datetime.now(UTC),
    )
    if event.is_recurring:
        vevent.add("recurrence-id", _local(slot.original_start, event))
    if waitlisted and not slot.cancelled:
        vevent.add("status", "TENTATIVE")
    return vevent


def _calendar(name: str | None = None) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if name:
        cal.add("x-wr-calname", name)
    return cal


def _finish(cal: icalendar.Calendar, spans: Iterable[tuple[datetime, datetime]]) -> bytes:
    """Add one VTIMEZONE per zone used, covering the events' dates, and serialise."""
    spans = list(spans)
    now = datetime.now(UTC)
    first = min([s for s, _ in spans] + [now]) - timedelta(days=1)
    last = max([e for _, e in spans] + [now + recurrence.OPEN_ENDED_WINDOW]) + ZONE_MARGIN
    first_date = date(max(first.year, recurrence.EARLIEST_YEAR - 1), 1, 1)
    last_date = date(min(last.year + 1, recurrence.LATEST_YEAR + 1), 1, 1)
    cal.add_missing_timezones(first_date=first_date, last_date=last_date)
    # VTIMEZONEs first, as most calendar apps expect them before the events that use them.
    timezones = [c for c in cal.subcomponents if c.name == "VTIMEZONE"]
    others = [c for c in cal.subcomponents if c.name != "VTIMEZONE"]
    cal.subcomponents = timezones + others
    return cal.to_ical()


def occurrence_ics(slot: queries.Slot, *, base_url: str = "") -> bytes:
    """A whole calendar holding one occurrence: the attachment of reminder emails.

    `base_url` ("https://kinship.example") makes the URL property absolute; without it there is no URL.
    """
    cal = _calendar()
    cal.add_component(slot_vevent(slot, base_url=base_url))
    return _finish(cal, [(slot.starts_at, slot.ends_at)])


def _changed(row: Occurrence, event: Event) -> bool:
    """A stored occurrence that differs from what the rule says (rows kept only for RSVPs do not)."""
    return (
        row.starts_at != row.original_start
        or row.ends_at - row.starts_at != event.ends_at - event.starts_at
        or bool(row.title)
        or bool(row.note)
    )


def circle_ics(circle_name: str, events: Iterable[Event], rows: Iterable[Occurrence], *, base_url: str = "") -> bytes:
    """A circle's events: each series one VEVENT with RRULE, EXDATE for cancelled dates, overrides after it."""
    cal = _calendar(circle_name)
    stamp = datetime.now(UTC)
    by_event: dict[int, list[Occurrence]] = {}
    for row in rows:
        by_event.setdefault(row.event_id, []).append(row)
    spans: list[tuple[datetime, datetime]] = []
    for event in events:
        own = sorted(by_event.get(event.pk, []), key=lambda r: r.original_start)
        spans.append((event.starts_at, event.ends_at))
        spans.extend((r.starts_at, r.ends_at) for r in own)
        if not event.is_recurring:
            # A single event has no RECURRENCE-ID to hang an override on: its stored date is the event.
            stored = own[0] if own else None
            slot = (
                queries.slot_from_row(_with_event(stored, event))
                if stored is not None
                else queries.Slot(
                    event=event,
                    original_start=event.starts_at,
                    starts_at=event.starts_at,
                    ends_at=event.ends_at,
                    cancelled=event.is_cancelled,
                    title=event.title,
                )
            )
            cal.add_component(slot_vevent(slot, base_url=base_url, stamp=stamp))
            continue
        master = _vevent(
            event,
            start=event.starts_at,
            end=event.ends_at,
            summary=event.title,
            note="",
            sequence=event.sequence,
            cancelled=event.is_cancelled,
            url=_url(event.get_absolute_url(), base_url),
            stamp=stamp,
        )
        master.add("rrule", icalendar.vRecur.from_ical(event.rrule))
        exdates = [_local(r.original_start, event) for r in own if r.cancelled]
        if exdates:
            master.add("exdate", exdates)
        cal.add_component(master)
        for row in own:
            if not row.cancelled and _changed(row, event):
                slot = queries.slot_from_row(_with_event(row, event))
                cal.add_component(slot_vevent(slot, base_url=base_url, stamp=stamp))
    return _finish(cal, spans)


def _with_event(row: Occurrence, event: Event) -> Occurrence:
    row.event = event
    return row


def member_ics(rsvps: Iterable[Rsvp], *, base_url: str = "") -> bytes:
    """The member's own calendar: each date they are going to (or waiting for) as its own VEVENT."""
    cal = _calendar("My Kinship meetings")
    stamp = datetime.now(UTC)
    spans = []
    for rsvp in rsvps:
        slot = queries.slot_from_row(rsvp.occurrence)
        spans.append((slot.starts_at, slot.ends_at))
        cal.add_component(slot_vevent(slot, base_url=base_url, waitlisted=rsvp.waitlisted, stamp=stamp))
    return _finish(cal, spans)


def member_rsvps(user: User, *, now: datetime | None = None) -> QuerySet[Rsvp]:
    """The member's "going" answers (waitlist included) in circles they still belong to; one query."""
    from kinship.events import access

    now = now or datetime.now(UTC)
    return (
        Rsvp.objects.filter(member=user, answer=Rsvp.GOING, occurrence__ends_at__gt=now - MEMBER_FEED_PAST)
        .filter(occurrence__event__in=access.visible_events(user))
        .select_related("occurrence__event")
        .order_by("occurrence__starts_at", "pk")
    )


# Member feed tokens --------------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def regenerate_token(*, user: User) -> str:
    """A new secret feed address for the member; the old one stops working at once. Returns the token."""
    token = secrets.token_urlsafe(32)
    CalendarToken.objects.update_or_create(user=user, defaults={"token_hash": hash_token(token)})
    return token


def has_token(user: User) -> bool:
    return CalendarToken.objects.filter(user=user).exists()


def user_for_token(token: Any) -> User | None:
    """The active member whose feed this token opens, or None for anything else (never an error)."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    if not token.isascii() or not token.isprintable():
        return None
    found = CalendarToken.objects.select_related("user").filter(token_hash=hash_token(token)).first()
    if found is None or not found.user.is_active:
        return None
    return found.user
