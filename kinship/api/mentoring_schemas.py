"""Request and response shapes for peer mentoring (see schemas.py for the conventions)."""

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field, StrictBool, StrictInt, StrictStr

from kinship.api.event_schemas import Id
from kinship.api.schemas import Input, UserOut

PREFERENCES = (
    "Flat object: for each of surgery_type, body_site, diagnosis, age_band, language, gender the value wanted "
    '(`language`: an ISO 639-1 code) and `<name>_need`: "" (doesn\'t matter), preferred or required; a value '
    "without a need is preferred. `waive_further_along`: true lets a mentor be less than 12 months further along."
)

# Requests -----------------------------------------------------------------------------------


class MentorProfilePatch(Input):
    diagnosis: StrictStr | None = None
    surgery_type: StrictStr | None = Field(
        default=None, description="limb_salvage, amputation, rotationplasty, other or empty"
    )
    body_site: StrictStr | None = None
    surgery_date: date | None = None
    languages: list[StrictStr] | None = Field(default=None, description='ISO 639-1 codes, e.g. ["en", "es"].')
    age_band: StrictStr | None = Field(default=None, description="13-17, 18-24, 25-39, 40-59, 60+ or empty")
    gender: StrictStr | None = Field(default=None, description="woman, man, nonbinary or empty")
    topics: StrictStr | None = None
    availability: StrictStr | None = None
    capacity: StrictInt | None = Field(default=None, description="1 to 5 mentees at once.")
    accept_guidelines: StrictBool | None = Field(
        default=None, description="Must be true when applying (first time, or again after a decline or retirement)."
    )
    status: StrictStr | None = Field(
        default=None, description="A mentor pauses (`paused`) or resumes (`approved`) themselves; nothing else."
    )


class MentorshipIn(Input):
    mentor_id: Id
    message: StrictStr = Field(default="", description="A note to the mentor, at most 1,000 characters.")
    preferences: dict[str, Any] = Field(default_factory=dict, description=PREFERENCES)


class EndIn(Input):
    feedback: StrictStr = Field(default="", description="Optional, private to staff; at most 2,000 characters.")


# Responses ----------------------------------------------------------------------------------


class MentorProfileOut(BaseModel):
    id: int
    status: str = Field(description="applied, approved, paused, retired or declined")
    paused_by_self: bool
    diagnosis: str
    surgery_type: str
    body_site: str
    surgery_date: date | None
    languages: list[str]
    age_band: str
    gender: str
    topics: str
    availability: str
    capacity: int
    guidelines_accepted_at: datetime
    created_at: datetime
    updated_at: datetime


class MentorCardOut(BaseModel):
    """An approved mentor's matching fields, as members looking for a mentor see them."""

    user: UserOut
    diagnosis: str
    surgery_type: str
    body_site: str
    languages: list[str]
    age_band: str
    topics: str
    availability: str


class SuggestionOut(BaseModel):
    mentor: MentorCardOut
    score: int
    months_further: int | None
    reasons: list[str] = Field(description="Why this mentor fits, in plain words.")
    reason_text: str
    request_url: str = Field(description="The page form that asks this mentor.")


class SuggestionsOut(BaseModel):
    items: list[SuggestionOut]


class MentorshipOut(BaseModel):
    id: int
    url: str
    mentee: UserOut
    mentor: UserOut
    status: str = Field(description="requested, active, declined, expired, withdrawn or ended")
    status_label: str
    message: str
    preferences: dict[str, Any]
    respond_by: datetime
    responded_at: datetime | None
    ended_at: datetime | None
    created_at: datetime
    updated_at: datetime
    feedback: str | None = Field(default=None, description="Staff only; absent for everyone else.")


class MentorshipPageOut(BaseModel):
    items: list[MentorshipOut]
    next: str | None
