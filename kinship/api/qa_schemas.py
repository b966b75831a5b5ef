"""Request and response shapes for an event's questions (see schemas.py for the conventions)."""

from datetime import datetime

from pydantic import BaseModel, Field, StrictBool, StrictStr

from kinship.api.event_schemas import Id
from kinship.api.schemas import Input, UserOut

STATUSES = "pending (waiting for a facilitator's approval), open, answered, dismissed or merged"


# Requests -----------------------------------------------------------------------------------


class QuestionIn(Input):
    body: StrictStr = Field(description="Plain text, at most 1,000 characters.")
    anonymous: StrictBool = Field(
        default=False,
        description="Hide the asker from members and speakers; the circle's facilitators and staff still see them.",
    )


class AnswerIn(Input):
    body: StrictStr = Field(description="Markdown, at most 20,000 characters. Answering again replaces the answer.")


class ModerateIn(Input):
    action: StrictStr = Field(
        description=(
            "approve (a waiting question), dismiss, restore (a dismissed one), merge (into another question "
            "of the same event: its asker and voters become voters of that one), pin (the one answered now; "
            "unpins any other) or unpin."
        )
    )
    into: Id | None = Field(default=None, description="With merge only: the id of the question to keep.")


# Responses ----------------------------------------------------------------------------------


class AnswererOut(UserOut):
    badges: list[str] = Field(
        description=(
            "staff; facilitator where the user leads the circle; verified_professional once staff have "
            "verified the answerer's profession"
        )
    )


class AnswerOut(BaseModel):
    body: str = Field(description="The Markdown as written.")
    body_html: str = Field(description="Rendered and sanitised.")
    answered_by: AnswererOut | None = Field(description="null if the answerer's account is gone.")
    profession: str | None = Field(description="The answerer's verified profession; null until staff verify it.")
    answered_at: datetime


class QuestionOut(BaseModel):
    id: int
    url: str = Field(description="The event's questions page, at this question.")
    event: int = Field(description="The event's id.")
    body: str = Field(description="Plain text, as asked.")
    body_html: str = Field(description="The plain text escaped for HTML, with its line breaks.")
    anonymous: bool
    status: str = Field(description=STATUSES)
    vote_count: int
    voted: bool = Field(description="The caller has voted for it.")
    can_vote: bool = Field(description="The caller may vote for it (or take their vote back) now.")
    mine: bool = Field(description="The caller asked it; the only sign of that on an anonymous question.")
    pinned: bool = Field(description="The question being answered now.")
    author: UserOut | None = Field(description="null for an anonymous question, even to its asker.")
    author_hidden: UserOut | None = Field(
        default=None,
        description="The asker of an anonymous question; present for the circle's facilitators and staff only.",
    )
    merged_into: int | None = Field(description="The id of the question it was merged into, if merged.")
    answer: AnswerOut | None = Field(description="null until answered.")
    created_at: datetime
    updated_at: datetime


class QuestionPageOut(BaseModel):
    items: list[QuestionOut]
    next: str | None = Field(
        description="Pass as ?cursor= (with the same status=) for the next page; null on the last."
    )
    version: int = Field(
        description=(
            "The event's questions version, also sent as the X-Questions-Version header. Every change to the "
            "questions raises it; when it differs from the one a client holds, refetch from the first page."
        )
    )


class VoteOut(BaseModel):
    vote_count: int
    voted: bool = Field(description="The caller's vote is counted.")
