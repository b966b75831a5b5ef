"""Request and response shapes for events, occurrences and RSVPs (see schemas.py for the conventions)."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StrictBool, StrictInt, StrictStr

from kinship.api.schemas import Input, UserOut

# Ids beyond a 64-bit integer would overflow the database driver rather than simply match nothing.
Id = Annotated[StrictInt, Field(ge=1, le=2**63 - 1)]

WHEN = "ISO 8601, e.g. 2026-12-01T18:00:00+00:00; without an offset it is read in the event's time zone."
MODERATED = "Questions for the speakers wait for a facilitator's approval before members see them."
RULE = "An RFC 5545 RRULE such as FREQ=WEEKLY;BYDAY=TU (at most daily); empty for a single event."


class EventIn(Input):
    title: StrictStr
    starts_at: StrictStr = Field(description=WHEN + " The first occurrence.")
    ends_at: StrictStr = Field(description=WHEN)
    kind: StrictStr = Field(
        default="support_meeting", description="support_meeting, workshop, seminar, social or outing"
    )
    description: StrictStr = Field(default="", description="Markdown.")
    timezone: StrictStr = Field(default="UTC", description="IANA name, e.g. Europe/London: the rule repeats in it.")
    rrule: StrictStr = Field(default="", description=RULE)
    in_person: StrictBool = True
    address: StrictStr = ""
    step_free: StrictBool = False
    accessible_toilet: StrictBool = False
    parking: StrictBool = False
    accessibility_notes: StrictStr = ""
    online: StrictBool = False
    meeting_link: StrictStr = Field(default="", description="Shown only to members with a seat, from 30 min before.")
    capacity: StrictInt | None = Field(default=None, description="Seats per occurrence; null for no limit.")
    questions_moderated: StrictBool = Field(default=False, description=MODERATED)
    speakers: list[Id] = Field(default_factory=list, description="User ids of members of the circle.")
    partners: list[Id] = Field(default_factory=list, description="Organisation ids.")


class EventPatch(Input):
    """Every field optional; a field left out keeps its value. null is accepted for capacity (no limit) only."""

    title: StrictStr | None = None
    starts_at: StrictStr | None = Field(default=None, description=WHEN)
    ends_at: StrictStr | None = Field(default=None, description=WHEN)
    kind: StrictStr | None = None
    description: StrictStr | None = Field(default=None, description="Markdown.")
    timezone: StrictStr | None = None
    rrule: StrictStr | None = Field(default=None, description=RULE)
    in_person: StrictBool | None = None
    address: StrictStr | None = None
    step_free: StrictBool | None = None
    accessible_toilet: StrictBool | None = None
    parking: StrictBool | None = None
    accessibility_notes: StrictStr | None = None
    online: StrictBool | None = None
    meeting_link: StrictStr | None = None
    capacity: StrictInt | None = None
    questions_moderated: StrictBool | None = Field(default=None, description=MODERATED)
    speakers: list[Id] | None = None
    partners: list[Id] | None = None


class OccurrencePatch(EventPatch):
    """One date's own fields, or with scope following the fields of PATCH /events/{id}."""

    scope: StrictStr = Field(
        default="this",
        description=(
            "this: change this date only (cancelled, starts_at, ends_at, title, note). "
            "following: this date and every later one become a new series (the fields of PATCH /events/{id})."
        ),
    )
    cancelled: StrictBool | None = None
    note: StrictStr | None = None


class RsvpIn(Input):
    status: StrictStr = Field(description="going, maybe or not_going")
    occurrence: StrictStr = Field(
        description="The occurrence key (20261201T180000Z) or the ISO 8601 time of its original start."
    )


class AttendanceIn(Input):
    present: list[Id] = Field(description="User ids of those who came; everyone else who answered did not.")


# Responses ----------------------------------------------------------------------------------


class PartnerOut(BaseModel):
    id: int
    name: str
    kind: str
    website: str
    logo_url: str | None


class PlaceOut(BaseModel):
    in_person: bool
    address: str
    step_free: bool
    accessible_toilet: bool
    parking: bool
    accessibility_notes: str
    online: bool


class EventOut(BaseModel):
    id: int
    url: str
    circle: str = Field(description="The circle's slug.")
    kind: str
    title: str
    description: str
    description_html: str
    facilitator: UserOut | None
    speakers: list[UserOut]
    partners: list[PartnerOut]
    timezone: str
    starts_at: datetime = Field(description="The first occurrence.")
    ends_at: datetime
    rrule: str
    place: PlaceOut
    capacity: int | None
    cancelled: bool
    questions_moderated: bool = Field(description=MODERATED)
    questions_url: str = Field(description="The event's questions page (GET /events/{id}/questions for the API).")
    can_manage: bool
    created_at: datetime
    updated_at: datetime


class MyRsvpOut(BaseModel):
    status: str
    waitlisted: bool
    waitlist_position: int | None = Field(default=None, description="1 is next in line; only while waitlisted.")
    promoted: bool = Field(description="A seat opened up and was given to the caller from the waitlist.")


class OccurrenceOut(BaseModel):
    key: str
    event: int
    url: str
    original_start: datetime
    starts_at: datetime
    ends_at: datetime
    cancelled: bool
    moved: bool
    title: str
    note: str
    capacity: int | None
    going_count: int
    seats_left: int | None
    my_rsvp: MyRsvpOut | None = Field(description="null when the caller has not answered.")
    meeting_link: str | None = Field(
        default=None, description="Only for members with a seat, from 30 minutes before the start until the end."
    )


class OccurrencePageOut(BaseModel):
    items: list[OccurrenceOut]
    next: str | None = Field(description="Pass as ?cursor= (with the same before=) for the next page.")


class RsvpOut(BaseModel):
    status: str
    waitlisted: bool
    occurrence: str = Field(description="The occurrence key.")


class AttendeeOut(BaseModel):
    user: UserOut
    status: str
    waitlisted: bool
    waitlist_position: int | None = None
    promoted: bool
    attended: bool | None = Field(description="null until attendance is taken.")


class AttendeePageOut(BaseModel):
    items: list[AttendeeOut]
    next: str | None = Field(description="Always null: an occurrence's answers come in one page.")
