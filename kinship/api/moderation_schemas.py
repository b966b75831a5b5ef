"""Request and response shapes for reports, moderation and notices (see schemas.py for the conventions)."""

from datetime import datetime

from pydantic import BaseModel, Field, StrictInt, StrictStr

from kinship.api.event_schemas import Id
from kinship.api.schemas import Input, UserOut
from kinship.safety.models import ModerationAction, Report

REASONS = ", ".join(Report.REASONS)

# Requests -----------------------------------------------------------------------------------


class ReportIn(Input):
    target_type: StrictStr = Field(description='"post", "message" (one sent to you) or "user".')
    target_id: Id
    reason: StrictStr = Field(
        description=f"For a post or a member one of: {REASONS}. "
        "For a message, why in a few words (at most 200 characters)."
    )
    detail: StrictStr = Field(default="", description="Anything else the moderators should know (optional).")


class ActionIn(Input):
    action: StrictStr = Field(description=f"One of: {', '.join(ModerationAction.ACTIONS)}.")
    report_id: Id | None = Field(default=None, description="The report decided (its post or member is the target).")
    target_type: StrictStr | None = Field(default=None, description='"post" or "user", when no report is named.')
    target_id: Id | None = None
    circle: StrictStr | None = Field(
        default=None, description="A circle's slug: where a warning, mute or removal of a member applies."
    )
    note: StrictStr = Field(
        default="", description="Why (at most 500 characters); required to hide, edit out or warn. The member is told."
    )
    days: StrictInt | None = Field(default=None, description="Mute: 1 to 90 days. Suspend: 1 to 365 days.")
    body: StrictStr | None = Field(default=None, description="edit_out: the post as it should read from now on.")


class ReadIn(Input):
    ids: list[Id] | None = Field(default=None, description="Notice ids to mark read; leave out to mark all read.")


# Responses ----------------------------------------------------------------------------------


class ReportOut(BaseModel):
    id: int
    target_type: str
    target_id: int
    status: str
    created_at: datetime


class QueuePostOut(BaseModel):
    id: int
    url: str
    topic_id: int
    topic_title: str
    circle: str = Field(description="The circle's slug.")
    author: UserOut = Field(description="Moderators see the author of an anonymous post too.")
    anonymous: bool
    hidden: bool
    awaiting_approval: bool
    body: str
    body_html: str
    created_at: datetime


class QueueReportOut(BaseModel):
    id: int
    url: str = Field(description="The page where a moderator decides it.")
    target_type: str
    target_id: int
    circle: str | None = Field(description="The circle's slug for a post report; null for a member report.")
    reason: str
    detail: str
    reporter: UserOut | None
    subject: UserOut | None = Field(description="Whose post it is, or the member reported.")
    post: QueuePostOut | None = Field(description="The reported post (null for a member or a deleted post).")
    created_at: datetime


class QueueOut(BaseModel):
    items: list[QueueReportOut] | list[QueuePostOut] = Field(
        description="Open reports (type=reports), or posts waiting for approval (type=waiting); oldest first."
    )
    next: str | None


class ActionOut(BaseModel):
    id: int
    action: str
    target_type: str
    target_id: int
    circle: str | None
    subject: UserOut | None
    report_id: int | None
    note: str
    days: int | None
    created_at: datetime


class NoticeOut(BaseModel):
    id: int
    kind: str
    text: str
    url: str
    created_at: datetime
    read: bool


class NoticePageOut(BaseModel):
    items: list[NoticeOut]
    next: str | None
    unread_count: int


class ReadOut(BaseModel):
    marked: int = Field(description="How many notices changed from unread to read.")
