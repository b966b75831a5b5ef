"""Every write to events, occurrences and RSVPs. Pages and API call these; nothing else writes."""

import functools
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from kinship.accounts.models import User
from kinship.circles.models import Circle, Membership
from kinship.core.errors import Invalid, NotAllowed
from kinship.core.markdown import render_markdown
from kinship.core.text import clean_line, clean_text
from kinship.events import access, queries, recurrence
from kinship.events.models import DESCRIPTION_MAX, TITLE_MAX, Event, Occurrence, Organisation, Rsvp

MAX_DURATION = timedelta(days=14)
MAX_CAPACITY = 10_000
MAX_SPEAKERS = 10
MAX_PARTNERS = 10
EVENT_FIELDS = [
    "kind", "title", "description", "timezone", "starts_at", "ends_at", "rrule", "in_person", "address",
    "step_free", "accessible_toilet", "parking", "accessibility_notes", "online", "meeting_link", "capacity",
    "questions_moderated",
]  # fmt: skip
BOOLEAN_FIELDS = {"in_person", "step_free", "accessible_toilet", "parking", "online", "questions_moderated"}


def _bool(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("on", "true", "1", 1):
        return True
    if value in ("", "false", "0", 0, None, "off"):
        return False
    raise Invalid("Please correct the highlighted fields.", errors={field: ["Must be true or false."]})


def when(value: Any, *, tz: Any, field: str) -> datetime:
    """A time from a form (local, no offset: read in the event's zone) or the API (ISO 8601), as UTC."""
    if isinstance(value, datetime):
        parsed: datetime | None = value
    elif isinstance(value, str) and len(value) <= 40 and "\x00" not in value:
        try:
            parsed = parse_datetime(value.strip())
        except ValueError:
            parsed = None
    else:
        parsed = None
    if parsed is None:
        raise Invalid("Please correct the highlighted fields.", errors={field: ["Enter a date and time."]})
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    recurrence.check_start(parsed, field)
    # Whole seconds: an occurrence is named by its start to the second (20261201T180000Z).
    return parsed.astimezone(UTC).replace(microsecond=0)


def _capacity(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if (
        isinstance(value, bool)
        or (isinstance(value, float) and not value.is_integer())
        or not 1 <= number <= MAX_CAPACITY
    ):
        raise Invalid(
            "Please correct the highlighted fields.",
            errors={"capacity": [f"Leave it empty for no limit, or give a number from 1 to {MAX_CAPACITY:,}."]},
        )
    return number


def _link(value: Any) -> str:
    link = clean_line(value, field="meeting_link", label="Meeting link", max_length=500)
    if link:
        parts = urlsplit(link)
        if parts.scheme not in ("https", "http") or not parts.netloc:
            raise Invalid(
                "Please correct the highlighted fields.", errors={"meeting_link": ["Give the full https:// address."]}
            )
    return link


def _clean(values: dict[str, Any], current: Event | None) -> dict[str, Any]:
    """Every event field checked together, so one response names every problem."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}

    def take(field: str, check: Callable[[Any], Any]) -> None:
        if field not in values:
            if current is not None:
                out[field] = getattr(current, field)
            return
        try:
            out[field] = check(values[field])
        except Invalid as error:
            errors.update(error.errors or {field: [error.detail]})

    take("title", lambda v: clean_line(v, field="title", label="Title", max_length=TITLE_MAX, required=True))
    take(
        "description",
        lambda v: clean_text(v, field="description", label="Description", max_length=DESCRIPTION_MAX),
    )
    take("kind", _kind)
    take("timezone", lambda v: recurrence.zone(v).key)
    for field in sorted(BOOLEAN_FIELDS):
        take(field, functools.partial(_flag, field))
    take("address", lambda v: clean_line(v, field="address", label="Address", max_length=500))
    take(
        "accessibility_notes",
        lambda v: clean_line(v, field="accessibility_notes", label="Accessibility notes", max_length=1000),
    )
    take("meeting_link", _link)
    take("capacity", _capacity)
    if errors:
        raise Invalid("Please correct the highlighted fields.", errors=errors)

    tz = recurrence.zone(out.get("timezone") or "UTC")
    take("starts_at", lambda v: when(v, tz=tz, field="starts_at"))
    take("ends_at", lambda v: when(v, tz=tz, field="ends_at"))
    if errors:
        raise Invalid("Please correct the highlighted fields.", errors=errors)
    if "starts_at" not in out or "ends_at" not in out:
        raise Invalid(
            "Please correct the highlighted fields.",
            errors={f: ["Enter a date and time."] for f in ("starts_at", "ends_at") if f not in out},
        )
    if out["ends_at"] <= out["starts_at"]:
        errors["ends_at"] = ["The end must come after the start."]
    elif out["ends_at"] - out["starts_at"] > MAX_DURATION:
        errors["ends_at"] = ["An event lasts at most 14 days."]
    if not out.get("in_person") and not out.get("online"):
        errors["in_person"] = ["Say where it happens: in person, online, or both."]
    if out.get("in_person") and not out.get("address"):
        errors["address"] = ["Give the address for people coming in person."]
    if out.get("online") and not out.get("meeting_link"):
        errors["meeting_link"] = ["Give the meeting link for people joining online."]
    if errors:
        raise Invalid("Please correct the highlighted fields.", errors=errors)
    if "rrule" in values or current is None or "starts_at" in values or "timezone" in values:
        rule = values.get("rrule", current.rrule if current else "")
        out["rrule"] = recurrence.normalise_rule(rule, first_start=out["starts_at"], tz=tz)
    else:
        out["rrule"] = current.rrule
    return out


def _flag(field: str, value: Any) -> bool:
    return _bool(value, field)


def _kind(value: Any) -> str:
    if value not in Event.KINDS:
        _refuse("kind", "Choose a kind of event.")
    return str(value)


def _refuse(field: str, message: str) -> Any:
    raise Invalid("Please correct the highlighted fields.", errors={field: [message]})


def _speakers(circle: Circle, ids: Any, event: Event | None = None) -> list[User]:
    """Speakers are members of the circle, or people already speaking at the event.

    Invited speakers from outside the circle join through qa.speakers.accept; keeping them here
    means an edit that sends the current list back neither drops nor refuses them.
    """
    if (
        not isinstance(ids, list | tuple)
        or len(ids) > MAX_SPEAKERS
        or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids)
    ):
        _refuse("speakers", f"Give up to {MAX_SPEAKERS} member ids.")
    allowed = Q(memberships__circle=circle, memberships__status=Membership.ACTIVE)
    if event is not None and event.pk is not None:
        allowed |= Q(pk__in=event.speakers.values("pk"))
    found = list(User.objects.filter(allowed, pk__in=ids).distinct())
    if len(found) != len(set(ids)):
        _refuse("speakers", "Speakers must be members of this circle or already speak at this event.")
    return found


def _partners(ids: Any) -> list[Organisation]:
    if not isinstance(ids, list | tuple) or len(ids) > MAX_PARTNERS or not all(isinstance(i, int) for i in ids):
        _refuse("partners", f"Give up to {MAX_PARTNERS} organisation ids.")
    found = list(Organisation.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        _refuse("partners", "Unknown organisation.")
    return found


@transaction.atomic
def create_event(*, facilitator: User, circle: Circle, **values: Any) -> Event:
    """A new event in the circle; facilitators and staff only."""
    if not access.can_manage_events(facilitator, circle):
        raise NotAllowed("Only the circle's facilitators can plan its events.")
    speakers = _speakers(circle, values.pop("speakers")) if "speakers" in values else []
    partners = _partners(values.pop("partners")) if "partners" in values else []
    unknown = set(values) - set(EVENT_FIELDS)
    if unknown:
        raise Invalid(f"Unknown fields: {', '.join(sorted(unknown))}.")
    values.setdefault("timezone", "UTC")
    for name in EVENT_FIELDS:
        if name not in values and name not in ("title", "starts_at", "ends_at"):
            values[name] = Event._meta.get_field(name).get_default()  # type: ignore[union-attr]
    fields = _clean(values, None)
    event = Event.objects.create(
        circle=circle, facilitator=facilitator, description_html=render_markdown(fields["description"]), **fields
    )
    event.speakers.set(speakers)
    event.partners.set(partners)
    return event


@transaction.atomic
def update_event(*, actor: User, event: Event, changes: dict[str, Any]) -> Event:
    """Change the whole series. Stored occurrences keep their exceptions; a new time of day moves them all."""
    if not access.can_manage_events(actor, event.circle):
        raise NotAllowed("Only the circle's facilitators can change its events.")
    changes = dict(changes)
    speakers = _speakers(event.circle, changes.pop("speakers"), event) if "speakers" in changes else None
    partners = _partners(changes.pop("partners")) if "partners" in changes else None
    unknown = set(changes) - set(EVENT_FIELDS)
    if unknown:
        raise Invalid(f"Unknown fields: {', '.join(sorted(unknown))}.")
    event = Event.objects.select_for_update().get(pk=event.pk)
    before = (event.starts_at, event.ends_at, event.rrule, event.timezone)
    old_capacity = event.capacity
    fields = _clean(changes, event)
    for name, value in fields.items():
        setattr(event, name, value)
    event.description_html = render_markdown(event.description or "")
    event.sequence = F("sequence") + 1
    event.save()
    event.refresh_from_db()
    if (event.starts_at, event.ends_at, event.rrule, event.timezone) != before:
        _carry_occurrences(event, old_first=before[0], old_rule=before[2], old_tz=before[3])
    if speakers is not None:
        event.speakers.set(speakers)
    if partners is not None:
        event.partners.set(partners)
    if _more_seats(old_capacity, event.capacity):
        _fill_seats_for_event(event)
    return event


def _carry_occurrences(event: Event, *, old_first: datetime, old_rule: str, old_tz: str) -> None:
    """After the series moved, each stored occurrence takes the place of the same number in the new series.

    An occurrence that was moved by itself keeps its own time; one the new rule no longer has is
    cancelled, so its RSVPs are not silently lost.
    """
    duration = event.ends_at - event.starts_at
    new_tz = recurrence.zone(event.timezone)
    horizon = datetime.now(UTC) + recurrence.OPEN_ENDED_WINDOW + timedelta(days=31)
    new_starts = recurrence.starts_between(
        event.rrule, first_start=event.starts_at, tz=new_tz, after=event.starts_at, before=horizon
    )
    rows = list(Occurrence.objects.select_for_update().filter(event=event).order_by("original_start"))
    for row in rows:
        index = recurrence.index_of(
            old_rule, first_start=old_first, tz=recurrence.zone(old_tz), when=row.original_start
        )
        moved_alone = row.starts_at != row.original_start
        if index < len(new_starts):
            start = new_starts[index]
            if not moved_alone:
                row.starts_at, row.ends_at = start, start + duration
            row.original_start = start
        else:
            row.cancelled = True
        row.sequence += 1
    # Two passes keep the unique (event, original_start) constraint true at every step: first every
    # stored date steps far out of the way, then each takes its new place.
    Occurrence.objects.filter(event=event).update(original_start=F("original_start") - timedelta(days=365 * 200))
    Occurrence.objects.bulk_update(rows, ["original_start", "starts_at", "ends_at", "cancelled", "sequence"])


@transaction.atomic
def cancel_event(*, actor: User, event: Event) -> Event:
    """Cancel the whole series; RSVPs stay so members can be told."""
    if not access.can_manage_events(actor, event.circle):
        raise NotAllowed("Only the circle's facilitators can cancel its events.")
    Event.objects.filter(pk=event.pk).update(cancelled_at=timezone.now(), sequence=F("sequence") + 1)
    event.refresh_from_db()
    return event


def _occurrence_row(event: Event, original_start: datetime, *, lock: bool) -> Occurrence:
    """The stored occurrence, created on first need; locked for the rest of the transaction if asked."""
    slot = queries.slot_for(event, original_start)
    if slot is None:
        raise Invalid("That date is not one of this event's meetings.", errors={"occurrence": ["No meeting then."]})
    if slot.row is None:
        Occurrence.objects.get_or_create(
            event=event,
            original_start=original_start,
            defaults={"starts_at": slot.starts_at, "ends_at": slot.ends_at},
        )
    rows = Occurrence.objects.filter(event=event, original_start=original_start)
    row = (rows.select_for_update() if lock else rows).get()
    row.event = event
    return row


@transaction.atomic
def change_occurrence(*, actor: User, event: Event, original_start: datetime, changes: dict[str, Any]) -> Occurrence:
    """Edit one date only: cancel or restore it, move it, retitle it or add a note."""
    if not access.can_manage_events(actor, event.circle):
        raise NotAllowed("Only the circle's facilitators can change its events.")
    unknown = set(changes) - {"cancelled", "starts_at", "ends_at", "title", "note"}
    if unknown:
        raise Invalid(f"Unknown fields: {', '.join(sorted(unknown))}.")
    row = _occurrence_row(event, original_start, lock=True)
    tz = recurrence.zone(event.timezone)
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for field, check in (
        ("cancelled", lambda v: _bool(v, "cancelled")),
        ("starts_at", lambda v: when(v, tz=tz, field="starts_at")),
        ("ends_at", lambda v: when(v, tz=tz, field="ends_at")),
        ("title", lambda v: clean_line(v, field="title", label="Title", max_length=TITLE_MAX)),
        ("note", lambda v: clean_line(v, field="note", label="Note", max_length=1000)),
    ):
        if field in changes:
            try:
                values[field] = check(changes[field])
            except Invalid as error:
                errors.update(error.errors)
    if errors:
        raise Invalid("Please correct the highlighted fields.", errors=errors)
    starts = values.get("starts_at", row.starts_at)
    if "starts_at" in values and "ends_at" not in values:
        values["ends_at"] = starts + (row.ends_at - row.starts_at)
    ends = values.get("ends_at", row.ends_at)
    if ends <= starts:
        raise Invalid(
            "Please correct the highlighted fields.", errors={"ends_at": ["The end must come after the start."]}
        )
    if ends - starts > MAX_DURATION:
        raise Invalid("Please correct the highlighted fields.", errors={"ends_at": ["An event lasts at most 14 days."]})
    for field, value in values.items():
        setattr(row, field, value)
    row.sequence += 1
    row.save()
    return row


@transaction.atomic
def change_following(*, actor: User, event: Event, original_start: datetime, changes: dict[str, Any]) -> Event:
    """Edit this date and every later one: the series ends before it and a new series carries on.

    Later dates already stored (with their RSVPs) move to the new series, each to the same place
    in it. Editing from the first date changes the whole series.
    """
    if not access.can_manage_events(actor, event.circle):
        raise NotAllowed("Only the circle's facilitators can change its events.")
    if queries.slot_for(event, original_start) is None:
        raise Invalid("That date is not one of this event's meetings.", errors={"occurrence": ["No meeting then."]})
    if original_start == event.starts_at or not event.rrule:
        return update_event(actor=actor, event=event, changes=changes)
    event = Event.objects.select_for_update().get(pk=event.pk)
    tz = recurrence.zone(event.timezone)
    done = recurrence.index_of(event.rrule, first_start=event.starts_at, tz=tz, when=original_start)
    parts = dict(p.split("=", 1) for p in event.rrule.split(";"))
    tail_parts = dict(parts)
    if "COUNT" in parts:
        tail_parts["COUNT"] = str(int(parts["COUNT"]) - done)
        parts["COUNT"] = str(done)
    else:
        parts.pop("UNTIL", None)
        parts["UNTIL"] = (original_start - timedelta(seconds=1)).strftime("%Y%m%dT%H%M%SZ")
    tail = Event.objects.get(pk=event.pk)
    tail.pk = None
    tail.id = None
    tail.sequence = 0
    tail.starts_at = original_start
    tail.ends_at = original_start + (event.ends_at - event.starts_at)
    tail.rrule = ";".join(f"{k}={v}" for k, v in tail_parts.items())
    tail.save()
    tail.speakers.set(event.speakers.all())
    tail.partners.set(event.partners.all())
    Occurrence.objects.filter(event=event, original_start__gte=original_start).update(event=tail)
    event.rrule = ";".join(f"{k}={v}" for k, v in parts.items())
    event.sequence += 1
    event.save(update_fields=["rrule", "sequence", "updated_at"])
    return update_event(actor=actor, event=tail, changes=changes)


def _promote(row: Occurrence, seats: int) -> list[Rsvp]:
    """Give up to `seats` freed seats to the waitlist, first come first served; caller holds the row lock."""
    if seats <= 0:
        return []
    waiting = list(
        Rsvp.objects.filter(occurrence=row, answer=Rsvp.GOING, waitlisted=True).order_by("answered_at", "pk")[:seats]
    )
    now = timezone.now()
    for rsvp in waiting:
        rsvp.waitlisted = False
        rsvp.promoted_at = now
        rsvp.save(update_fields=["waitlisted", "promoted_at", "updated_at"])
    if waiting:
        Occurrence.objects.filter(pk=row.pk).update(going_count=F("going_count") + len(waiting))
        row.going_count += len(waiting)
        ids = [r.pk for r in waiting]
        transaction.on_commit(lambda: _tell_promoted(ids))
    return waiting


def _tell_promoted(rsvp_ids: Iterable[int]) -> None:
    from kinship.events import tasks

    for rsvp_id in rsvp_ids:
        tasks.send_seat_opened.enqueue(rsvp_id)


def _more_seats(before: int | None, after: int | None) -> bool:
    """None is no limit."""
    if before is None:
        return False
    return after is None or after > before


def _fill_seats_for_event(event: Event) -> None:
    """After the capacity grew (or went), the waitlists of upcoming dates move up."""
    rows = Occurrence.objects.select_for_update().filter(event=event, starts_at__gt=timezone.now())
    for row in rows:
        free = (row.going_count + 10**9) if event.capacity is None else event.capacity - row.going_count
        _promote(row, free)


@transaction.atomic
def rsvp(*, member: User, event: Event, original_start: datetime, answer: str) -> Rsvp:
    """Record the member's answer for one date; past capacity "going" joins the waitlist."""
    if answer not in Rsvp.ANSWERS:
        raise Invalid("Answer going, maybe or not going.", errors={"status": ["Choose going, maybe or not going."]})
    if not access.can_rsvp(member, event):
        raise NotAllowed(_why_cannot_rsvp(member, event.circle))
    # Lock the occurrence so two people taking the last seat cannot both get it, and the
    # waitlist keeps the order in which answers arrived.
    row = _occurrence_row(event, original_start, lock=True)
    # Capacity and cancellation as they are now, under the lock: the caller's copy may be stale.
    event.capacity, event.cancelled_at = Event.objects.values_list("capacity", "cancelled_at").get(pk=event.pk)
    if row.cancelled or event.is_cancelled:
        raise Invalid("This meeting is cancelled.", errors={"occurrence": ["Cancelled."]})
    if row.starts_at <= timezone.now():
        raise Invalid("This meeting has already started; RSVPs are closed.", errors={"occurrence": ["In the past."]})
    now = timezone.now()
    record = Rsvp.objects.filter(occurrence=row, member=member).first()
    had_seat = record is not None and record.has_seat
    if record is not None and record.answer == answer:
        return record  # the same answer again changes nothing, the waitlist place included
    if record is None:
        record = Rsvp(occurrence=row, member=member, answered_at=now)
    record.answer = answer
    record.promoted_at = None
    if answer == Rsvp.GOING:
        record.answered_at = now
        record.waitlisted = event.capacity is not None and row.going_count >= event.capacity
    else:
        record.waitlisted = False
    record.save()
    if record.has_seat and not had_seat:
        Occurrence.objects.filter(pk=row.pk).update(going_count=F("going_count") + 1)
        row.going_count += 1
    elif had_seat and not record.has_seat:
        Occurrence.objects.filter(pk=row.pk).update(going_count=F("going_count") - 1)
        row.going_count -= 1
        _promote(row, 1)
    return record


def _why_cannot_rsvp(user: User, circle: Circle) -> str:
    if not getattr(user, "is_verified", False):
        return "Confirm your email address to RSVP."
    return "Only members of this circle can RSVP. Join the circle first."


@transaction.atomic
def record_attendance(*, actor: User, event: Event, original_start: datetime, present: Iterable[int]) -> int:
    """After the meeting: who came. Everyone who said going and is not in `present` did not."""
    if not access.can_manage_events(actor, event.circle):
        raise NotAllowed("Only the circle's facilitators take attendance.")
    row = _occurrence_row(event, original_start, lock=True)
    if row.starts_at > timezone.now():
        raise Invalid("Attendance is taken once the meeting has started.", errors={"occurrence": ["Not yet."]})
    ids = set(present)
    answered = Rsvp.objects.filter(occurrence=row).exclude(answer=Rsvp.NOT_GOING)
    unknown = ids - set(answered.values_list("member_id", flat=True))
    if unknown:
        raise Invalid(
            "Attendance lists only people who answered going or maybe.", errors={"present": ["Unknown member."]}
        )
    answered.filter(member_id__in=ids).update(attended=True)
    answered.exclude(member_id__in=ids).update(attended=False)
    return len(ids)
