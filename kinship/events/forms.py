"""Event forms. They collect input and turn the repeat choices into an RRULE; services check the rest."""

from datetime import UTC, date, datetime
from typing import Any

from django import forms
from django.conf import settings
from django.utils.dateparse import parse_datetime

from kinship.events import recurrence
from kinship.events.models import Event, Rsvp

DATETIME_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
DAY_NAMES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]

NO_REPEAT, DAILY, WEEKLY, FORTNIGHTLY, MONTHLY_WEEKDAY = "none", "daily", "weekly", "fortnightly", "monthly"
REPEAT_CHOICES = [
    (NO_REPEAT, "Does not repeat"),
    (WEEKLY, "Every week"),
    (FORTNIGHTLY, "Every two weeks"),
    (MONTHLY_WEEKDAY, "Every month on the same weekday (e.g. the first Tuesday)"),
    (DAILY, "Every day"),
]
NEVER, AFTER, ON_DATE = "never", "count", "until"
END_CHOICES = [(NEVER, "No end"), (AFTER, "After a number of meetings"), (ON_DATE, "On a date")]
SERVICE_FIELDS = [
    "title", "kind", "description", "timezone", "starts_at", "ends_at", "in_person", "address", "step_free",
    "accessible_toilet", "parking", "accessibility_notes", "online", "meeting_link", "capacity", "questions_moderated",
]  # fmt: skip


def _local_start(value: Any, zone_name: Any) -> datetime | None:
    """The start as typed, in the chosen zone; None when it cannot be read (the service will say so)."""
    if not isinstance(value, str) or len(value) > 40 or "\x00" in value:
        return None
    try:
        parsed = parse_datetime(value.strip())
        tz = recurrence.zone(zone_name)
    except Exception:
        return None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def weekday_rule(start: datetime) -> str:
    """'1TU' for the first Tuesday; a fifth weekday counts as the last, which every month has."""
    number = (start.day - 1) // 7 + 1
    return f"{-1 if number == 5 else number}{DAY_NAMES[start.weekday()]}"


class EventForm(forms.Form):
    title = forms.CharField(required=False, help_text="At most 200 characters.")
    kind = forms.ChoiceField(choices=Event.KIND_CHOICES, initial=Event.SUPPORT_MEETING)
    description = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Markdown works: **bold**, *italic*, lists and links.",
    )
    timezone = forms.ChoiceField(label="Time zone", help_text="Start and end are read in this time zone.")
    starts_at = forms.CharField(label="Starts", widget=DATETIME_LOCAL)
    ends_at = forms.CharField(label="Ends", widget=DATETIME_LOCAL)
    repeat = forms.ChoiceField(choices=REPEAT_CHOICES, initial=NO_REPEAT)
    repeat_end = forms.ChoiceField(
        label="The repeats end", choices=END_CHOICES, initial=NEVER, widget=forms.RadioSelect
    )
    repeat_count = forms.IntegerField(
        label="Number of meetings",
        required=False,
        min_value=1,
        max_value=recurrence.MAX_OCCURRENCES,
        help_text=f"When the repeats end after a number of meetings: 1 to {recurrence.MAX_OCCURRENCES}.",
    )
    repeat_until = forms.DateField(
        label="Last date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="When the repeats end on a date.",
    )
    advanced_rrule = forms.CharField(
        label="Advanced repeat rule (optional)",
        required=False,
        max_length=300,
        help_text="An iCalendar RRULE such as FREQ=MONTHLY;BYDAY=-1FR. When given, it replaces the choices above.",
    )
    in_person = forms.BooleanField(label="In person", required=False, initial=True)
    address = forms.CharField(required=False)
    step_free = forms.BooleanField(label="Step-free access", required=False)
    accessible_toilet = forms.BooleanField(label="Accessible toilet", required=False)
    parking = forms.BooleanField(label="Parking nearby", required=False)
    accessibility_notes = forms.CharField(
        label="Accessibility notes",
        required=False,
        help_text="Lifts, seating, distance from the bus stop: whatever helps people with crutches or a wheelchair.",
    )
    online = forms.BooleanField(label="Online", required=False)
    meeting_link = forms.CharField(
        label="Meeting link",
        required=False,
        widget=forms.URLInput,
        help_text="Shown only to people with a seat, from 30 minutes before the start.",
    )
    capacity = forms.CharField(
        label="Seats (optional)",
        required=False,
        widget=forms.NumberInput(attrs={"min": 1}),
        help_text="Leave it empty for no limit. Past the limit, people join a waitlist.",
    )
    questions_moderated = forms.BooleanField(
        label="Questions wait for a facilitator's approval",
        required=False,
        help_text="Members' questions for the speaker show to others only once a facilitator has approved them.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zones = recurrence.zone_choices()
        zone_field = self.fields["timezone"]
        assert isinstance(zone_field, forms.ChoiceField)
        zone_field.choices = [(z, z.replace("_", " ")) for z in zones]
        zone_field.initial = settings.TIME_ZONE if settings.TIME_ZONE in zones else "UTC"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("repeat", NO_REPEAT) != NO_REPEAT and not data.get("advanced_rrule"):
            if data.get("repeat_end") == AFTER and not data.get("repeat_count") and "repeat_count" not in self.errors:
                self.add_error("repeat_count", "Say how many meetings there will be.")
            if data.get("repeat_end") == ON_DATE and not data.get("repeat_until") and "repeat_until" not in self.errors:
                self.add_error("repeat_until", "Give the date of the last meeting.")
        return data

    def rrule(self) -> str:
        """The repeat choices as an RRULE value ('' for a single event); call after is_valid()."""
        data = self.cleaned_data
        if data.get("advanced_rrule"):
            return str(data["advanced_rrule"])
        repeat = data.get("repeat", NO_REPEAT)
        if repeat == NO_REPEAT:
            return ""
        parts = {
            DAILY: ["FREQ=DAILY"],
            WEEKLY: ["FREQ=WEEKLY"],
            FORTNIGHTLY: ["FREQ=WEEKLY", "INTERVAL=2"],
            MONTHLY_WEEKDAY: ["FREQ=MONTHLY"],
        }[repeat]
        if repeat == MONTHLY_WEEKDAY:
            start = _local_start(data.get("starts_at"), data.get("timezone"))
            if start is not None:
                parts.append(f"BYDAY={weekday_rule(start)}")
        if data.get("repeat_end") == AFTER and data.get("repeat_count"):
            parts.append(f"COUNT={data['repeat_count']}")
        elif data.get("repeat_end") == ON_DATE and data.get("repeat_until"):
            parts.append(f"UNTIL={data['repeat_until']:%Y%m%d}")
        return ";".join(parts)

    def event_values(self) -> dict[str, Any]:
        """What services.create_event and update_event take; call after is_valid()."""
        values = {name: self.cleaned_data.get(name) for name in SERVICE_FIELDS}
        values["capacity"] = values["capacity"] or None
        values["rrule"] = self.rrule()
        return values


def event_initial(event: Event) -> dict[str, Any]:
    """The edit form's starting values, the stored rule mapped back onto the simple choices when it fits."""
    tz = recurrence.zone(event.timezone)
    initial: dict[str, Any] = {name: getattr(event, name) for name in SERVICE_FIELDS}
    initial["starts_at"] = event.starts_at.astimezone(tz).strftime("%Y-%m-%dT%H:%M")
    initial["ends_at"] = event.ends_at.astimezone(tz).strftime("%Y-%m-%dT%H:%M")
    initial["capacity"] = "" if event.capacity is None else str(event.capacity)
    initial.update(_repeat_initial(event.rrule, event.starts_at.astimezone(tz)))
    return initial


def _repeat_initial(rule: str, start: datetime) -> dict[str, Any]:
    if not rule:
        return {"repeat": NO_REPEAT, "repeat_end": NEVER}
    parts = dict(p.split("=", 1) for p in rule.split(";") if "=" in p)
    end: dict[str, Any] = {"repeat_end": NEVER}
    if "COUNT" in parts:
        end = {"repeat_end": AFTER, "repeat_count": parts.pop("COUNT")}
    elif "UNTIL" in parts:
        until = _until_date(parts.pop("UNTIL"), start)
        if until is None:
            return {"repeat": NO_REPEAT, "repeat_end": NEVER, "advanced_rrule": rule}
        end = {"repeat_end": ON_DATE, "repeat_until": until}
    simple = {
        frozenset({("FREQ", "DAILY")}): DAILY,
        frozenset({("FREQ", "WEEKLY")}): WEEKLY,
        frozenset({("FREQ", "WEEKLY"), ("INTERVAL", "2")}): FORTNIGHTLY,
        frozenset({("FREQ", "MONTHLY"), ("BYDAY", weekday_rule(start))}): MONTHLY_WEEKDAY,
    }
    repeat = simple.get(frozenset(parts.items()))
    if repeat is None:
        return {"repeat": NO_REPEAT, "repeat_end": NEVER, "advanced_rrule": rule}
    return {"repeat": repeat, **end}


def _until_date(value: str, start: datetime) -> date | None:
    try:
        moment = datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None
    return moment.astimezone(start.tzinfo).date()


class OccurrenceForm(forms.Form):
    """One date of a series: cancel or restore it, move it, retitle it, add a note."""

    cancelled = forms.BooleanField(label="Cancel this date", required=False)
    starts_at = forms.CharField(label="Starts", widget=DATETIME_LOCAL)
    ends_at = forms.CharField(label="Ends", widget=DATETIME_LOCAL)
    title = forms.CharField(required=False, help_text="Leave empty to keep the event's title.")
    note = forms.CharField(required=False, help_text="Shown on this date only, e.g. 'We meet in room 2 this week'.")


class RsvpForm(forms.Form):
    answer = forms.ChoiceField(choices=Rsvp.ANSWER_CHOICES)
