"""Request and response shapes for referrals (see schemas.py for the conventions)."""

from datetime import datetime

from pydantic import BaseModel, Field, StrictInt, StrictStr

from kinship.api.event_schemas import Id
from kinship.api.schemas import Input, UserOut

STATUSES = "suggested, contacted, appointment (appointment made), done or not_needed"


# Requests -----------------------------------------------------------------------------------


class ReferralIn(Input):
    circle: StrictStr = Field(
        description="The slug of the circle in which the member is referred: one the caller facilitates (staff: any)."
    )
    member: Id = Field(description="The user id of an active member of that circle, not the caller.")
    resource: Id = Field(description="The id of an active resource of the directory.")
    note: StrictStr = Field(
        default="",
        description="Private note for the member, at most 2,000 characters. Only the member, the "
        "referrer and staff see it.",
    )
    follow_up_days: StrictInt = Field(
        default=14, description="1 to 90: if still open then, the referrer gets a follow-up reminder by email."
    )


class ReferralPatch(Input):
    status: StrictStr = Field(
        description=STATUSES + ". done and not_needed close the referral; an open status reopens it and "
        "restarts the follow-up clock."
    )


# Responses ----------------------------------------------------------------------------------


class ReferralResourceOut(BaseModel):
    id: int
    name: str
    url: str
    kind: str


class ReferralCircleOut(BaseModel):
    slug: str
    name: str


class ReferralUpdateOut(BaseModel):
    status: str = Field(description=STATUSES)
    by: UserOut | None = Field(description="Who made the change; null if their account is gone.")
    created_at: datetime


class ReferralOut(BaseModel):
    id: int
    url: str = Field(description="The referral's page, which only its member, its referrer and staff may open.")
    resource: ReferralResourceOut
    member: UserOut
    referred_by: UserOut | None = Field(description="The facilitator who made it; null if their account is gone.")
    circle: ReferralCircleOut
    note: str = Field(description="The private note, plain text.")
    status: str = Field(description=STATUSES)
    status_label: str
    follow_up_days: int
    follow_up_at: datetime = Field(
        description="When the referrer is reminded if the referral is still open (moved on by each open status)."
    )
    closed_at: datetime | None = Field(description="When it was marked done or not needed; null while open.")
    created_at: datetime
    updated_at: datetime
    updates: list[ReferralUpdateOut] = Field(description="The status history, oldest first.")


class ReferralPageOut(BaseModel):
    items: list[ReferralOut]
    next: str | None = Field(description="Pass as ?cursor= (with the same role=) for the next page; null on the last.")
