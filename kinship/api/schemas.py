"""Request and response shapes, which also make the OpenAPI document.

Requests: the schemas check JSON types only (strict: no "1" for true, no 5 for a title) and refuse
unknown fields; lengths, blanks and choices are the services' rules, so they are not repeated here.
Responses: plain pydantic models filled from dicts (see shapes.py); endpoints dump them with
exclude_unset, so a key that must not reach a viewer (author_hidden, invite_code) is absent, not null.
"""

from datetime import date, datetime
from typing import Any, Generic, TypeVar

from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr

T = TypeVar("T")


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


# Requests -----------------------------------------------------------------------------------


class SignupIn(Input):
    email: StrictStr
    password: StrictStr
    display_name: StrictStr
    accept_terms: StrictBool = Field(description="Must be true: the member accepts the terms and privacy notice.")
    role: StrictStr = Field(description="patient or caregiver")


class VerifyIn(Input):
    token: StrictStr = Field(description="The token from the verification link in the email.")


class TokenIn(Input):
    email: StrictStr
    password: StrictStr
    otp: StrictStr | None = Field(default=None, description="With two-step sign-in on: the authenticator code.")


class ProfilePatch(Input):
    display_name: StrictStr | None = None
    bio: StrictStr | None = None
    diagnosis: StrictStr | None = None
    diagnosis_visibility: StrictStr | None = Field(default=None, description="only_me or circles")
    surgery_type: StrictStr | None = Field(
        default=None, description="limb_salvage, amputation, rotationplasty, other, or empty"
    )
    surgery_type_visibility: StrictStr | None = Field(default=None, description="only_me or circles")
    body_site: StrictStr | None = None
    body_site_visibility: StrictStr | None = Field(default=None, description="only_me or circles")
    surgery_date: date | None = None
    surgery_date_visibility: StrictStr | None = Field(default=None, description="only_me or circles")
    email_preferences: dict[str, Any] | None = Field(
        default=None,
        description=(
            "Switch email kinds on or off: reminder_day, reminder_hour, seat_opened, referral_suggested, "
            "referral_follow_up (booleans)"
        ),
    )


class CircleIn(Input):
    name: StrictStr
    description: StrictStr
    guidelines: StrictStr
    slug: StrictStr | None = Field(default=None, description="Made from the name when left out.")
    visibility: StrictStr | None = Field(default=None, description="public, private or hidden")
    join_policy: StrictStr | None = Field(default=None, description="open, approval or invite")


class CirclePatch(Input):
    name: StrictStr | None = None
    description: StrictStr | None = None
    guidelines: StrictStr | None = None
    visibility: StrictStr | None = Field(default=None, description="public, private or hidden")
    join_policy: StrictStr | None = Field(default=None, description="open, approval or invite")


class JoinIn(Input):
    accept_guidelines: StrictBool = Field(description="Must be true: the member accepts the circle's guidelines.")
    invite_code: StrictStr | None = Field(default=None, description="From an invitation link.")


class RoleIn(Input):
    role: StrictStr = Field(description="member or facilitator")


class TopicIn(Input):
    title: StrictStr
    body: StrictStr = Field(description="Markdown.")
    anonymous: StrictBool = False
    content_note: StrictStr = Field(default="", description="Folds the post until a reader opens it.")


class ReplyIn(Input):
    body: StrictStr = Field(description="Markdown.")
    anonymous: StrictBool = False
    content_note: StrictStr = ""


class PostPatch(Input):
    body: StrictStr | None = None
    content_note: StrictStr | None = None
    title: StrictStr | None = Field(default=None, description="Opening posts only: the topic's title.")


class TopicPatch(Input):
    pinned: StrictBool | None = None
    locked: StrictBool | None = None
    hidden: StrictBool | None = None


# Responses ----------------------------------------------------------------------------------


class UserOut(BaseModel):
    id: int
    display_name: str
    avatar_url: str | None
    badges: list[str] = Field(description="staff; facilitator where the user leads the circle in view")


class ProfileOut(UserOut):
    url: str
    email: str = Field(description="Only ever shown to its owner.")
    email_verified: bool
    role: str
    bio: str
    diagnosis: str
    diagnosis_visibility: str
    surgery_type: str
    surgery_type_visibility: str
    body_site: str
    body_site_visibility: str
    surgery_date: date | None
    surgery_date_visibility: str
    created_at: datetime
    email_preferences: dict[str, bool] = Field(description="Which optional emails the member gets.")


class SignupOut(BaseModel):
    detail: str


class VerifyOut(BaseModel):
    user: UserOut
    detail: str


class TokenOut(BaseModel):
    token: str = Field(description="Send as 'Authorization: Bearer <token>'. Shown once.")


class MyMembershipOut(BaseModel):
    role: str
    status: str


class CircleOut(BaseModel):
    id: int
    slug: str
    url: str
    name: str
    description: str
    description_html: str
    guidelines: str
    guidelines_html: str
    visibility: str
    join_policy: str
    member_count: int
    created_at: datetime
    updated_at: datetime
    my_membership: MyMembershipOut | None
    can_manage: bool
    invite_code: str | None = Field(default=None, description="Facilitators and staff only.")


class CircleRef(BaseModel):
    id: int
    slug: str
    name: str
    url: str


class MemberOut(BaseModel):
    user: UserOut
    role: str
    status: str
    joined_at: datetime


class MembershipOut(BaseModel):
    circle: CircleRef
    user: UserOut
    role: str
    status: str


class ReactionCountsOut(BaseModel):
    # The kinds are part of the contract; a test checks they match Reaction.KINDS.
    strength: int
    me_too: int
    celebrate: int


class PostOut(BaseModel):
    id: int
    url: str
    topic_id: int
    is_opening: bool
    author: UserOut | None = Field(description="null for an anonymous post")
    author_hidden: UserOut | None = Field(
        default=None, description="The writer of an anonymous post; facilitators and staff only."
    )
    anonymous: bool
    content_note: str
    body: str
    body_html: str
    hidden: bool
    deleted: bool
    edited: bool
    edited_at: datetime | None
    created_at: datetime
    reactions: ReactionCountsOut
    my_reactions: list[str] = Field(description="The kinds the caller gave, in the order of `reactions`.")
    can_edit: bool


class TopicSummaryOut(BaseModel):
    id: int
    url: str
    circle: str = Field(description="The circle's slug.")
    title: str
    pinned: bool
    locked: bool
    hidden: bool
    reply_count: int
    unread: bool
    anonymous: bool
    content_note: str
    author: UserOut | None
    author_hidden: UserOut | None = Field(default=None, description="Facilitators and staff only.")
    created_at: datetime
    last_activity_at: datetime


class TopicOut(BaseModel):
    id: int
    url: str
    circle: CircleRef
    title: str
    pinned: bool
    locked: bool
    hidden: bool
    reply_count: int
    created_at: datetime
    last_activity_at: datetime
    opening_post: PostOut | None
    can_reply: bool
    can_moderate: bool


class PageOut(BaseModel, Generic[T]):
    items: list[T]
    next: str | None = Field(description="Pass as ?cursor= for the next page; null on the last one.")
