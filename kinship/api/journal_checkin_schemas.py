"""Request and response shapes for check-ins, shared summaries, requests for support and the weekly
reminder (see schemas.py for the conventions)."""

from datetime import datetime

from pydantic import BaseModel, Field, StrictBool, StrictInt, StrictStr

from kinship.api.schemas import Input, UserOut

# Requests -----------------------------------------------------------------------------------


class CheckInIn(Input):
    distress: StrictInt = Field(description="The distress thermometer, 0 (none) to 10 (extreme).")
    pain: StrictInt = Field(description="Pain, 0 (none) to 10 (worst imaginable).")
    problems: list[StrictStr] = Field(
        default_factory=list,
        description="Item codes of the problem list (practical, family, emotional, spiritual or religious, "
        "physical concerns); see the check-in page for the list.",
    )
    note: StrictStr = Field(default="", description="Private note, at most 2,000 characters. Never shared.")


class SupportIn(Input):
    circle: StrictStr = Field(description="The slug of a circle the caller actively belongs to.")


class ReminderPatch(Input):
    weekly: StrictBool = Field(description="Email a reminder when the member has not checked in for a week.")


# Responses ----------------------------------------------------------------------------------


class CircleRefOut(BaseModel):
    slug: str
    name: str


class ProblemOut(BaseModel):
    code: str
    label: str
    group: str = Field(description="practical, family, emotional, spiritual or physical")


class HelplineOut(BaseModel):
    id: int | None = Field(description="The directory entry; null for the built-in list shown when it has none.")
    url: str | None
    name: str
    phone: str
    tel_url: str
    open_now: bool | None = Field(description="null when the opening hours are not known.")
    hours: str
    description: str
    is_example: bool


class HelpResourceOut(BaseModel):
    id: int
    url: str
    name: str
    kind: str
    kind_label: str
    phone: str
    tel_url: str
    website: str
    is_example: bool


class HelpOut(BaseModel):
    helplines: list[HelplineOut] = Field(description="Open now first.")
    resources: list[HelpResourceOut] = Field(description="Directory entries matched to the concerns ticked.")
    circles: list[CircleRefOut] = Field(
        description='Circles whose facilitators the member may ask to reach out ("let my facilitator know").'
    )


class MySupportRequestOut(BaseModel):
    id: int
    circle: CircleRefOut
    created_at: datetime
    acknowledged_at: datetime | None


class CheckInOut(BaseModel):
    id: int
    url: str
    created_at: datetime
    distress: int
    pain: int
    problems: list[ProblemOut]
    note: str
    offers_help: bool = Field(description="Distress of 4 or more.")
    help: HelpOut | None = Field(default=None, description="With distress of 4 or more; null below.")
    support_requests: list[MySupportRequestOut] = Field(default_factory=list)


class CheckInPageOut(BaseModel):
    items: list[CheckInOut]
    next: str | None


class SummaryOut(BaseModel):
    distress: int | None = Field(description="The latest check-in's; null with no check-in yet.")
    pain: int | None
    latest_at: datetime | None
    distress_trend: str | None = Field(description="better, about the same or worse; null with one check-in.")
    pain_trend: str | None
    compared_with: str | None = Field(description="What the trend compares with, in words.")
    checkins_last_30_days: int


class SummaryShareOut(BaseModel):
    circle: CircleRefOut
    created_at: datetime
    summary: SummaryOut = Field(description="Exactly what the circle's facilitators see.")


class SummarySharePageOut(BaseModel):
    items: list[SummaryShareOut]
    next: str | None = Field(description="Always null: a member shares with a few circles at most.")


class SupportRequestOut(BaseModel):
    """As the circle's facilitators see it: who, when, that check-in's distress score; nothing else."""

    id: int
    circle: CircleRefOut
    member: UserOut
    distress: int
    created_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: UserOut | None


class SharedSummaryOut(BaseModel):
    member: UserOut
    shared_at: datetime
    summary: SummaryOut


class WellbeingOut(BaseModel):
    circle: CircleRefOut
    support_requests: list[SupportRequestOut] = Field(description="Waiting ones first, then recently acknowledged.")
    summaries: list[SharedSummaryOut]


class ReminderOut(BaseModel):
    weekly: bool
    last_sent_at: datetime | None
