"""Event pages. Thin: access for the object, one service call, render or redirect."""

import re
from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kinship.accounts.auth import signed_in
from kinship.circles import access as circle_access
from kinship.circles.models import Circle
from kinship.core.errors import Invalid, KinshipError, NotAllowed
from kinship.core.forms import show_errors
from kinship.core.htmx import is_htmx
from kinship.events import access, queries, recurrence, services
from kinship.events.forms import EventForm, OccurrenceForm, RsvpForm, event_initial
from kinship.events.models import Event, Rsvp, occurrence_key, parse_occurrence_key
from kinship.qa import access as qa_access
from kinship.qa import queries as qa_queries

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
EVENT_PAGE_DATES = 12


def _site_zone() -> ZoneInfo:
    return recurrence.zone(settings.TIME_ZONE)


def _month(value: str | None) -> date | None:
    """`?month=2026-12` as its first day; Http404 for anything else, so odd input is never a 500."""
    if value is None:
        return None
    found = MONTH.match(value)
    if not found:
        raise Http404("Give the month as YYYY-MM, e.g. 2026-12.")
    year, month = int(found[1]), int(found[2])
    if not (recurrence.EARLIEST_YEAR <= year < recurrence.LATEST_YEAR and 1 <= month <= 12):
        raise Http404("No such month.")
    return date(year, month, 1)


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def _previous_month(first: date) -> date:
    return date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)


def _circle_for_events(request: HttpRequest, slug: str) -> Circle:
    circle = circle_access.get_circle_for(request.user, slug)
    if not access.can_see_events(request.user, circle):
        # The circle itself is listed, so saying why is no leak.
        raise NotAllowed("Meetings of this circle are for its members.")
    return circle


def _by_day(slots: list[queries.Slot]) -> list[tuple[date, list[queries.Slot]]]:
    days: dict[date, list[queries.Slot]] = defaultdict(list)
    for slot in slots:
        days[slot.starts_at.astimezone(recurrence.zone(slot.event.timezone)).date()].append(slot)
    return sorted(days.items())


def circle_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    circle = _circle_for_events(request, slug)
    month = _month(request.GET.get("month"))
    tz = _site_zone()
    now = timezone.now()
    if month is None:
        after, before = now, now + queries.UPCOMING_WINDOW
    else:
        after = datetime(month.year, month.month, 1, tzinfo=tz).astimezone(UTC)
        end = _next_month(month)
        before = datetime(end.year, end.month, 1, tzinfo=tz).astimezone(UTC)
    slots = queries.circle_calendar(request.user, circle, after=after, before=before)
    this_month = now.astimezone(tz).date().replace(day=1)
    shown = month or this_month
    ctx = {
        "circle": circle,
        "month": month,
        "days": _by_day(slots),
        "this_month": this_month,
        "previous_month": _previous_month(shown),
        "next_month": _next_month(shown),
        "can_manage": access.can_manage_events(request.user, circle),
    }
    return render(request, "events/circle_calendar.html", ctx)


def _show_event_errors(form: EventForm, error: Invalid) -> None:
    """The service names the rule `rrule`; the form asks for it as choices or as an advanced rule."""
    rule_field = "advanced_rrule" if form.cleaned_data.get("advanced_rrule") else "repeat"
    error.errors = {rule_field if name == "rrule" else name: messages for name, messages in error.errors.items()}
    show_errors(form, error)


def _managed_event(request: HttpRequest, event_id: int) -> Event:
    event = access.get_event_for(request.user, event_id)
    if not access.can_manage_events(request.user, event.circle):
        raise NotAllowed("Only the circle's facilitators can change its events.")
    return event


@login_required
def event_create(request: HttpRequest, slug: str) -> HttpResponse:
    circle = circle_access.get_circle_for(request.user, slug)
    if not access.can_manage_events(request.user, circle):
        raise NotAllowed("Only the circle's facilitators can plan its events.")
    form = EventForm(request.POST if request.method == "POST" else None)
    ctx = {"form": form, "circle": circle, "creating": True}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "events/event_form.html", ctx, status=422)
        try:
            event = services.create_event(facilitator=signed_in(request), circle=circle, **form.event_values())
        except Invalid as error:
            _show_event_errors(form, error)
            return render(request, "events/event_form.html", ctx, status=422)
        messages.success(request, "The event is planned.")
        return redirect(event)
    return render(request, "events/event_form.html", ctx)


@login_required
def event_edit(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _managed_event(request, event_id)
    form = EventForm(request.POST if request.method == "POST" else None, initial=event_initial(event))
    ctx = {"form": form, "circle": event.circle, "event": event, "creating": False}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "events/event_form.html", ctx, status=422)
        try:
            services.update_event(actor=signed_in(request), event=event, changes=form.event_values())
        except Invalid as error:
            _show_event_errors(form, error)
            return render(request, "events/event_form.html", ctx, status=422)
        messages.success(request, "Your changes are saved.")
        return redirect(event)
    return render(request, "events/event_form.html", ctx)


def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    event = access.get_event_for(request.user, event_id)
    now = timezone.now()
    slots = queries.expand([event], after=now, before=now + queries.UPCOMING_WINDOW)[:EVENT_PAGE_DATES]
    ctx = {
        "event": event,
        "circle": event.circle,
        "slots": queries.attach_rsvps(request.user, slots),
        "speakers": list(event.speakers.all()),
        "partners": list(event.partners.all()),
        "can_manage": access.can_manage_events(request.user, event.circle),
        "first_url": reverse("events:occurrence-detail", args=[event.pk, occurrence_key(event.starts_at)]),
        **_questions_context(request, event),
    }
    return render(request, "events/event_detail.html", ctx)


def _questions_context(request: HttpRequest, event: Event) -> dict[str, Any]:
    """The event page's "Questions for the speaker": a link, the open count and the archive of answers."""
    can_see = qa_access.can_see_questions(request.user, event)
    open_count, answered = qa_queries.for_event_page(request.user, event) if can_see else (0, [])
    return {
        "can_see_questions": can_see,
        "open_question_count": open_count,
        "answered_questions": answered,
        "can_invite_speakers": qa_access.can_invite_speakers(request.user, event),
    }


@login_required
def event_cancel(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _managed_event(request, event_id)
    if request.method == "POST":
        services.cancel_event(actor=signed_in(request), event=event)
        messages.success(request, "The event is cancelled. Members who answered still see it, marked cancelled.")
        return redirect(event)
    return render(request, "events/event_cancel.html", {"event": event, "circle": event.circle})


def _slot(event: Event, key: str) -> queries.Slot:
    start = parse_occurrence_key(key)
    slot = queries.slot_for(event, start) if start is not None else None
    if slot is None:
        raise Http404("No meeting on that date.")
    return slot


def _rsvp_context(request: HttpRequest, slot: queries.Slot, *, error: str = "") -> dict[str, Any]:
    """What the RSVP region shows: the member's answer, seats, waitlist and (in time) the meeting link."""
    queries.attach_rsvps(request.user, [slot])
    mine = slot.rsvp
    waiting = {"total": 0, "ahead": 0}
    if slot.row is not None:
        ahead = Q(answered_at__lt=mine.answered_at) | Q(answered_at=mine.answered_at, pk__lt=mine.pk) if mine else Q()
        waiting = Rsvp.objects.filter(occurrence=slot.row, answer=Rsvp.GOING, waitlisted=True).aggregate(
            total=Count("pk"), ahead=Count("pk", filter=ahead) if mine else Count("pk")
        )
    now = timezone.now()
    return {
        "slot": slot,
        "event": slot.event,
        "rsvp": mine,
        "waitlist_count": waiting["total"],
        "waitlist_position": waiting["ahead"] + 1 if mine and mine.waitlisted else None,
        "can_rsvp": access.can_rsvp(request.user, slot.event),
        "is_open": not slot.cancelled and slot.starts_at > now,
        "show_link": access.can_see_meeting_link(mine, starts_at=slot.starts_at, ends_at=slot.ends_at, now=now),
        "link_opens_at": slot.starts_at - access.LINK_OPENS_BEFORE,
        "error": error,
        "answers": Rsvp.ANSWER_CHOICES,
    }


def _occurrence_page(request: HttpRequest, slot: queries.Slot, *, error: str = "", status: int = 200) -> HttpResponse:
    event = slot.event
    can_manage = access.can_manage_events(request.user, event.circle)
    ctx = {
        **_rsvp_context(request, slot, error=error),
        "circle": event.circle,
        "can_manage": can_manage,
        "attendees": _numbered(queries.attendees(slot))
        if access.can_see_attendees(request.user, event.circle)
        else None,
        "has_started": slot.starts_at <= timezone.now(),
    }
    return render(request, "events/occurrence_detail.html", ctx, status=status)


def _numbered(rsvps: list[Rsvp]) -> list[Rsvp]:
    """Number the waitlist in the order it moves up (attendees() already sorts it so)."""
    place = 0
    for rsvp in rsvps:
        if rsvp.waitlisted:
            place += 1
            rsvp.waitlist_place = place  # type: ignore[attr-defined]
    return rsvps


def occurrence_detail(request: HttpRequest, event_id: int, key: str) -> HttpResponse:
    event = access.get_event_for(request.user, event_id)
    return _occurrence_page(request, _slot(event, key))


@require_POST
@login_required
def rsvp_update(request: HttpRequest, event_id: int, key: str) -> HttpResponse:
    event = access.get_event_for(request.user, event_id)
    slot = _slot(event, key)
    form = RsvpForm(request.POST)
    error, status = "", 200
    if not form.is_valid():
        error, status = "Choose going, maybe or not going.", 422
    else:
        try:
            services.rsvp(
                member=signed_in(request), event=event, original_start=slot.original_start, **form.cleaned_data
            )
        except KinshipError as refused:
            error, status = refused.detail, refused.status
        else:
            slot = _slot(event, key)
    if is_htmx(request):
        return render(
            request, "events/occurrence_detail.html#rsvp", _rsvp_context(request, slot, error=error), status=status
        )
    if error:
        return _occurrence_page(request, slot, error=error, status=status)
    messages.success(request, "Your answer is saved.")
    return redirect(slot.get_absolute_url())


def _local(moment: datetime, event: Event) -> str:
    return moment.astimezone(recurrence.zone(event.timezone)).strftime("%Y-%m-%dT%H:%M")


def _following_initial(event: Event, slot: queries.Slot) -> dict[str, Any]:
    """The series' fields as they would carry on from this date: its time, and only the dates left."""
    initial = event_initial(event)
    initial["starts_at"], initial["ends_at"] = _local(slot.starts_at, event), _local(slot.ends_at, event)
    if initial.get("repeat_count"):
        tz = recurrence.zone(event.timezone)
        done = recurrence.index_of(event.rrule, first_start=event.starts_at, tz=tz, when=slot.original_start)
        initial["repeat_count"] = max(1, int(initial["repeat_count"]) - done)
    if initial.get("advanced_rrule") and "COUNT=" in initial["advanced_rrule"]:
        initial["advanced_rrule"] = ""
        initial["repeat"] = "none"
    return initial


@login_required
def occurrence_edit(request: HttpRequest, event_id: int, key: str) -> HttpResponse:
    event = _managed_event(request, event_id)
    slot = _slot(event, key)
    posted = request.POST if request.method == "POST" else None
    scope = request.POST.get("scope", "this")
    this_initial = {
        "cancelled": slot.row is not None and slot.row.cancelled,
        "starts_at": _local(slot.starts_at, event),
        "ends_at": _local(slot.ends_at, event),
        "title": slot.row.title if slot.row else "",
        "note": slot.note,
    }
    this_form = OccurrenceForm(posted if scope != "following" else None, initial=this_initial)
    following_form = EventForm(posted if scope == "following" else None, initial=_following_initial(event, slot))
    ctx = {
        "event": event,
        "circle": event.circle,
        "slot": slot,
        "this_form": this_form,
        "following_form": following_form,
    }
    if posted is None:
        return render(request, "events/occurrence_edit.html", ctx)
    form = this_form if scope == "this" else following_form
    if scope not in ("this", "following") or not form.is_valid():
        if scope not in ("this", "following"):
            this_form.is_valid()
            this_form.add_error(None, "Choose this date only, or this date and all that follow.")
        return render(request, "events/occurrence_edit.html", ctx, status=422)
    try:
        if scope == "this":
            services.change_occurrence(
                actor=signed_in(request), event=event, original_start=slot.original_start, changes=form.cleaned_data
            )
            target = slot.get_absolute_url()
        else:
            changed = services.change_following(
                actor=signed_in(request),
                event=event,
                original_start=slot.original_start,
                changes=following_form.event_values(),
            )
            target = changed.get_absolute_url()
    except Invalid as error:
        if scope == "following":
            _show_event_errors(following_form, error)
        else:
            show_errors(form, error)
        return render(request, "events/occurrence_edit.html", ctx, status=422)
    messages.success(request, "Your changes are saved.")
    return redirect(target)


@login_required
def attendance(request: HttpRequest, event_id: int, key: str) -> HttpResponse:
    event = _managed_event(request, event_id)
    slot = _slot(event, key)
    people = [r for r in queries.attendees(slot) if r.answer != Rsvp.NOT_GOING]
    ctx = {
        "event": event,
        "circle": event.circle,
        "slot": slot,
        "people": people,
        "has_started": slot.starts_at <= timezone.now(),
        "error": "",
    }
    if request.method != "POST":
        return render(request, "events/attendance.html", ctx)
    raw = request.POST.getlist("present")
    if not all(value.isdigit() and len(value) < 19 for value in raw):
        ctx["error"] = "Tick the people who came."
        return render(request, "events/attendance.html", ctx, status=422)
    try:
        services.record_attendance(
            actor=signed_in(request), event=event, original_start=slot.original_start, present=[int(v) for v in raw]
        )
    except Invalid as error:
        ctx["error"] = error.detail
        return render(request, "events/attendance.html", ctx, status=422)
    messages.success(request, "Attendance is saved.")
    return redirect(slot.get_absolute_url())


def _circle_for_attendance(request: HttpRequest, slug: str) -> Circle:
    circle = _circle_for_events(request, slug)
    if not access.can_see_attendees(request.user, circle):
        raise NotAllowed("Attendance records are for the circle's facilitators.")
    return circle


@login_required
def circle_attendance(request: HttpRequest, slug: str) -> HttpResponse:
    circle = _circle_for_attendance(request, slug)
    records = queries.attendance_history(circle)
    return render(request, "events/circle_attendance.html", {"circle": circle, "records": records})


@login_required
def member_attendance(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    circle = _circle_for_attendance(request, slug)
    records = queries.attendance_history(circle, member_id=user_id)
    if not records:
        raise Http404("No such member in this circle.")
    return render(request, "events/member_attendance.html", {"circle": circle, "record": records[0]})
