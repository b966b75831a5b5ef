"""Events, their occurrences, RSVPs and attendance.

The meeting link never appears in event JSON: only an occurrence carries it, and only to a
member with a seat from 30 minutes before the start (access.can_see_meeting_link).
"""

from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from typing import Any

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from ninja import Router, Status

from kinship.api import shapes
from kinship.api.event_schemas import (
    AttendanceIn,
    AttendeePageOut,
    EventIn,
    EventOut,
    EventPatch,
    OccurrenceOut,
    OccurrencePageOut,
    OccurrencePatch,
    RsvpIn,
    RsvpOut,
)
from kinship.api.idempotency import idempotent
from kinship.api.schemas import PageOut
from kinship.api.security import bearer, optional_bearer
from kinship.circles import access as circle_access
from kinship.core.errors import Invalid, NotAllowed
from kinship.core.pagination import decode_cursor, encode_cursor, paginate, parse_limit
from kinship.events import access, queries, recurrence, services
from kinship.events.models import Event, Organisation, Rsvp, occurrence_key, parse_occurrence_key
from kinship.events.queries import Slot

router = Router(tags=["events"])

EVENT_ORDER = ["starts_at", "id"]
# A window of occurrences is read in one go; a year of daily meetings is the most it holds.
MAX_WINDOW = timedelta(days=366)
OCCURRENCE_FIELDS = {"cancelled", "starts_at", "ends_at", "title", "note"}
SCOPES = ("this", "following")


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


# Shapes -------------------------------------------------------------------------------------


def _partner_out(partner: Organisation) -> dict[str, Any]:
    return {
        "id": partner.pk,
        "name": partner.name,
        "kind": partner.kind,
        "website": partner.website,
        "logo_url": partner.logo.url if partner.logo else None,
    }


def _event_out(event: Event, *, facilitators: Collection[int], can_manage: bool) -> dict[str, Any]:
    """An event as anyone who may see it sees it; speakers and partners must be prefetched."""
    return {
        "id": event.pk,
        "url": event.get_absolute_url(),
        "circle": event.circle.slug,
        "kind": event.kind,
        "title": event.title,
        "description": event.description,
        "description_html": event.description_html,
        "facilitator": shapes.user_out(event.facilitator, facilitators=facilitators) if event.facilitator else None,
        "speakers": [shapes.user_out(s, facilitators=facilitators) for s in event.speakers.all()],
        "partners": [_partner_out(p) for p in event.partners.all()],
        "timezone": event.timezone,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "rrule": event.rrule,
        "place": {
            "in_person": event.in_person,
            "address": event.address,
            "step_free": event.step_free,
            "accessible_toilet": event.accessible_toilet,
            "parking": event.parking,
            "accessibility_notes": event.accessibility_notes,
            "online": event.online,
        },
        "capacity": event.capacity,
        "cancelled": event.is_cancelled,
        "questions_moderated": event.questions_moderated,
        "questions_url": reverse("qa:questions", args=[event.pk]),
        "can_manage": can_manage,
        "created_at": event.created_at,
        "updated_at": event.updated_at,
    }


def _one_event_out(user: Any, event: Event) -> dict[str, Any]:
    event = queries.circle_events(event.circle).prefetch_related("speakers", "partners").get(pk=event.pk)
    return _event_out(
        event,
        facilitators=shapes.facilitator_ids(event.circle),
        can_manage=access.can_manage_events(user, event.circle),
    )


def _waitlist_positions(slots: list[Slot]) -> dict[int, int]:
    """Rsvp id -> place in its waitlist (1 is next), for the caller's waitlisted answers; one query at most."""
    rows = [s.row.pk for s in slots if s.row is not None and s.rsvp is not None and s.rsvp.waitlisted]
    if not rows:
        return {}
    queue = Rsvp.objects.filter(occurrence_id__in=rows, answer=Rsvp.GOING, waitlisted=True).order_by(
        "occurrence_id", "answered_at", "pk"
    )
    positions: dict[int, int] = {}
    place: dict[int, int] = {}
    for rsvp_id, occurrence_id in queue.values_list("pk", "occurrence_id"):
        place[occurrence_id] = place.get(occurrence_id, 0) + 1
        positions[rsvp_id] = place[occurrence_id]
    return positions


def _my_rsvp_out(rsvp: Rsvp | None, positions: dict[int, int]) -> dict[str, Any] | None:
    if rsvp is None:
        return None
    data: dict[str, Any] = {
        "status": rsvp.answer,
        "waitlisted": rsvp.waitlisted,
        "promoted": rsvp.promoted_at is not None and rsvp.has_seat,
    }
    if rsvp.waitlisted and rsvp.pk in positions:
        data["waitlist_position"] = positions[rsvp.pk]
    return data


def _occurrence_out(slot: Slot, *, positions: dict[int, int], now: datetime) -> dict[str, Any]:
    event = slot.event
    data: dict[str, Any] = {
        "key": slot.key,
        "event": event.pk,
        "url": slot.get_absolute_url(),
        "original_start": slot.original_start,
        "starts_at": slot.starts_at,
        "ends_at": slot.ends_at,
        "cancelled": slot.cancelled,
        "moved": slot.moved,
        "title": slot.title,
        "note": slot.note,
        "capacity": event.capacity,
        "going_count": slot.going_count,
        "seats_left": slot.seats_left,
        "my_rsvp": _my_rsvp_out(slot.rsvp, positions),
    }
    if (
        event.online
        and event.meeting_link
        and not slot.cancelled
        and access.can_see_meeting_link(slot.rsvp, starts_at=slot.starts_at, ends_at=slot.ends_at, now=now)
    ):
        data["meeting_link"] = event.meeting_link
    return data


def _occurrences_out(user: Any, slots: list[Slot]) -> list[dict[str, Any]]:
    slots = queries.attach_rsvps(user, slots)
    positions = _waitlist_positions(slots)
    now = timezone.now()
    return [_occurrence_out(s, positions=positions, now=now) for s in slots]


# Input helpers ------------------------------------------------------------------------------


def _changes(payload: EventPatch | OccurrencePatch, *, nullable: Collection[str] = ("capacity",)) -> dict[str, Any]:
    """The fields the client sent; null only where it means something (capacity: no limit)."""
    changes = payload.model_dump(exclude_unset=True)
    nulls = sorted(name for name, value in changes.items() if value is None and name not in nullable)
    if nulls:
        raise Invalid("Please correct the highlighted fields.", errors={name: ["May not be null."] for name in nulls})
    if not changes:
        raise Invalid("Send at least one field to change.")
    return changes


def _in_range(value: datetime | None) -> datetime | None:
    """Dates the calendar can hold: year 1 or 9999 overflow when the rule converts them to local time."""
    if value is None or not recurrence.EARLIEST_YEAR <= value.year <= recurrence.LATEST_YEAR:
        return None
    return value


def _slot_for(event: Event, key: str) -> Slot:
    """The occurrence named by its key in the path, or 404."""
    original_start = _in_range(parse_occurrence_key(key) if len(key) < 40 else None)
    slot = queries.slot_for(event, original_start) if original_start is not None else None
    if slot is None:
        raise Http404("No such occurrence.")
    return slot


def _original_start(value: str) -> datetime:
    """An occurrence named in a body: its key, or the ISO 8601 time of its original start."""
    found = parse_occurrence_key(value) if len(value) < 40 else None
    if found is None and len(value) <= 40 and "\x00" not in value:
        try:
            parsed = parse_datetime(value.strip())
            if parsed is not None and parsed.tzinfo is not None:
                found = parsed.astimezone(UTC)
        except (ValueError, OverflowError):
            found = None
    found = _in_range(found)
    if found is None:
        raise Invalid(
            "Name the occurrence by its key, such as 20261201T180000Z.",
            errors={"occurrence": ["Not an occurrence key or a time with an offset."]},
        )
    return found


def _window(after: str | None, before: str | None, cursor: str | None) -> tuple[datetime, datetime, str | None]:
    """[start, end) of the dates asked for, and the key of the last one already sent (from the cursor)."""
    start = services.when(after, tz=UTC, field="after") if after else timezone.now()
    last_key = None
    if cursor:
        start, last_key = _cursor(cursor)
    end = services.when(before, tz=UTC, field="before") if before else start + queries.UPCOMING_WINDOW
    if end <= start:
        raise Invalid("before must come after after.", errors={"before": ["Must come after 'after'."]})
    if end - start > MAX_WINDOW:
        raise Invalid("Ask for at most 366 days at a time.", errors={"before": ["At most 366 days after 'after'."]})
    return start, end, last_key


def _cursor(cursor: str) -> tuple[datetime, str]:
    """The start and key of the last date sent, encoded like every other cursor in the API."""
    broken = Invalid("That page link is broken.", errors={"cursor": ["Not a valid cursor."]})
    values = decode_cursor(cursor, 2)
    if not all(isinstance(v, str) for v in values):
        raise broken
    if parse_occurrence_key(values[1]) is None:
        raise broken
    try:
        return services.when(values[0], tz=UTC, field="cursor"), values[1]
    except Invalid:
        raise broken from None


# Events -------------------------------------------------------------------------------------


@router.get("/circles/{slug}/events", response=PageOut[EventOut], auth=optional_bearer, exclude_unset=True)
def event_list(request: HttpRequest, slug: str, cursor: str | None = None, limit: str | None = None) -> dict[str, Any]:
    """The circle's events by first start. Public circles' events are open to visitors; others 404 to non-members."""
    user = _user(request)
    circle = circle_access.get_circle_for(user, slug)
    if not access.can_see_events(user, circle):
        raise Http404("No such circle.")
    events = queries.circle_events(circle).prefetch_related("speakers", "partners")
    page = paginate(events, EVENT_ORDER, cursor=cursor, limit=parse_limit(limit))
    facilitators = shapes.facilitator_ids(circle)
    can_manage = access.can_manage_events(user, circle)
    return {
        "items": [_event_out(e, facilitators=facilitators, can_manage=can_manage) for e in page.items],
        "next": page.next,
    }


@router.post("/circles/{slug}/events", response={201: EventOut}, auth=bearer, exclude_unset=True)
def event_create(request: HttpRequest, slug: str, payload: EventIn) -> Status[Any]:
    """The circle's facilitators and staff plan an event, single or recurring. Honours Idempotency-Key."""
    user = _user(request)

    def create() -> Status[Any]:
        circle = circle_access.get_circle_for(user, slug)
        if not access.can_see_events(user, circle):
            raise Http404("No such circle.")
        event = services.create_event(facilitator=user, circle=circle, **payload.model_dump(exclude_unset=True))
        return Status(201, _one_event_out(user, event))

    return idempotent(request, create)


@router.get("/events/{event_id}", response=EventOut, auth=optional_bearer, exclude_unset=True)
def event_detail(request: HttpRequest, event_id: int) -> dict[str, Any]:
    user = _user(request)
    return _one_event_out(user, access.get_event_for(user, event_id))


@router.patch("/events/{event_id}", response=EventOut, auth=bearer, exclude_unset=True)
def event_update(request: HttpRequest, event_id: int, payload: EventPatch) -> dict[str, Any]:
    """Change the whole series (facilitators and staff). Dates with their own changes keep them."""
    user = _user(request)
    event = access.get_event_for(user, event_id)
    event = services.update_event(actor=user, event=event, changes=_changes(payload))
    return _one_event_out(user, event)


@router.post("/events/{event_id}/cancel", response=EventOut, auth=bearer, exclude_unset=True)
def event_cancel(request: HttpRequest, event_id: int) -> dict[str, Any]:
    """Cancel the whole series (facilitators and staff); RSVPs stay so members can be told."""
    user = _user(request)
    event = services.cancel_event(actor=user, event=access.get_event_for(user, event_id))
    return _one_event_out(user, event)


# Occurrences --------------------------------------------------------------------------------


@router.get("/events/{event_id}/occurrences", response=OccurrencePageOut, auth=optional_bearer, exclude_unset=True)
def occurrence_list(
    request: HttpRequest,
    event_id: int,
    after: str | None = None,
    before: str | None = None,
    cursor: str | None = None,
    limit: str | None = None,
) -> dict[str, Any]:
    """Occurrences starting in [after, before) with their state and the caller's RSVP.

    after defaults to now, before to 92 days after it; at most 366 days at a time.
    """
    user = _user(request)
    event = access.get_event_for(user, event_id)
    size = parse_limit(limit)
    start, end, last_key = _window(after, before, cursor)
    slots = sorted(queries.expand([event], after=start, before=end), key=lambda s: (s.starts_at, s.key))
    if last_key is not None:
        # A date moved onto another's start shares it; the key keeps their order across pages.
        slots = [s for s in slots if (s.starts_at, s.key) > (start, last_key)]
    more = len(slots) > size
    slots = slots[:size]
    following = encode_cursor([slots[-1].starts_at.isoformat(), slots[-1].key]) if more else None
    return {"items": _occurrences_out(user, slots), "next": following}


@router.get("/events/{event_id}/occurrences/{key}", response=OccurrenceOut, auth=optional_bearer, exclude_unset=True)
def occurrence_detail(request: HttpRequest, event_id: int, key: str) -> dict[str, Any]:
    """One date, by its key: the original start in UTC, as 20261201T180000Z."""
    user = _user(request)
    slot = _slot_for(access.get_event_for(user, event_id), key)
    return _occurrences_out(user, [slot])[0]


@router.patch("/events/{event_id}/occurrences/{key}", response=OccurrenceOut, auth=bearer, exclude_unset=True)
def occurrence_update(request: HttpRequest, event_id: int, key: str, payload: OccurrencePatch) -> dict[str, Any]:
    """Facilitators cancel, restore, move, retitle or annotate one date (scope this), or change it and
    every later one (scope following: a new series carries on from it; the answer is its first date)."""
    user = _user(request)
    event = access.get_event_for(user, event_id)
    slot = _slot_for(event, key)
    changes = _changes(payload)
    scope = changes.pop("scope", "this")
    if scope not in SCOPES:
        raise Invalid("scope is this or following.", errors={"scope": ["Choose this or following."]})
    if not changes:
        raise Invalid("Send at least one field to change.")
    if scope == "this":
        row = services.change_occurrence(actor=user, event=event, original_start=slot.original_start, changes=changes)
        changed = queries.slot_from_row(row)
    else:
        tail = services.change_following(actor=user, event=event, original_start=slot.original_start, changes=changes)
        found = queries.slot_for(tail, tail.starts_at)
        if found is None:  # the new series always starts with the date it was cut at
            raise Http404("No such occurrence.")
        changed = found
    return _occurrences_out(user, [changed])[0]


@router.put("/events/{event_id}/rsvp", response=RsvpOut, auth=bearer, exclude_unset=True)
def rsvp_update(request: HttpRequest, event_id: int, payload: RsvpIn) -> dict[str, Any]:
    """Verified active members answer for one date. Past capacity, going joins the waitlist and moves
    up by itself when a seat opens. The same answer twice changes nothing."""
    user = _user(request)
    event = access.get_event_for(user, event_id)
    original_start = _original_start(payload.occurrence)
    record = services.rsvp(member=user, event=event, original_start=original_start, answer=payload.status)
    return {"status": record.answer, "waitlisted": record.waitlisted, "occurrence": occurrence_key(original_start)}


# Attendance ---------------------------------------------------------------------------------


def _attendees_out(slot: Slot) -> dict[str, Any]:
    rows = queries.attendees(slot)
    facilitators = shapes.facilitator_ids(slot.event.circle)
    place = 0
    items = []
    for rsvp in rows:
        data: dict[str, Any] = {
            "user": shapes.user_out(rsvp.member, facilitators=facilitators),
            "status": rsvp.answer,
            "waitlisted": rsvp.waitlisted,
            "promoted": rsvp.promoted_at is not None and rsvp.has_seat,
            "attended": rsvp.attended,
        }
        if rsvp.waitlisted:
            # attendees() lists the waitlist in its order.
            place += 1
            data["waitlist_position"] = place
        items.append(data)
    return {"items": items, "next": None}


def _managed_slot(request: HttpRequest, event_id: int, key: str, message: str) -> tuple[Any, Event, Slot]:
    user = _user(request)
    event = access.get_event_for(user, event_id)
    slot = _slot_for(event, key)
    if not access.can_see_attendees(user, event.circle):
        raise NotAllowed(message)
    return user, event, slot


@router.get("/events/{event_id}/occurrences/{key}/attendees", response=AttendeePageOut, auth=bearer, exclude_unset=True)
def attendee_list(request: HttpRequest, event_id: int, key: str) -> dict[str, Any]:
    """Everyone who answered (seats, then the waitlist in order, then maybe and not going): facilitators and staff."""
    _, _, slot = _managed_slot(request, event_id, key, "Only the circle's facilitators see who is coming.")
    return _attendees_out(slot)


@router.put(
    "/events/{event_id}/occurrences/{key}/attendance", response=AttendeePageOut, auth=bearer, exclude_unset=True
)
def attendance_update(request: HttpRequest, event_id: int, key: str, payload: AttendanceIn) -> dict[str, Any]:
    """After the start, facilitators record who came; everyone else who answered going or maybe did not."""
    user, event, slot = _managed_slot(request, event_id, key, "Only the circle's facilitators take attendance.")
    services.record_attendance(actor=user, event=event, original_start=slot.original_start, present=payload.present)
    return _attendees_out(_slot_for(event, key))
