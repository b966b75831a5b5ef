"""Request and response shapes for private messages (see schemas.py for the conventions)."""

from datetime import datetime

from pydantic import BaseModel, Field, StrictStr

from kinship.api.event_schemas import Id
from kinship.api.schemas import Input, UserOut

# Requests -----------------------------------------------------------------------------------


class ConversationIn(Input):
    user_id: Id = Field(
        description="The member to write to: someone who shares an active circle or an active mentorship with you."
    )
    body: StrictStr = Field(description="The first message, Markdown, 1 to 5,000 characters.")


class MessageIn(Input):
    body: StrictStr = Field(description="Markdown, 1 to 5,000 characters.")


class ReportIn(Input):
    target_type: StrictStr = Field(description='What is reported; "message" for now.')
    target_id: Id
    reason: StrictStr = Field(description="Why, in a few words (at most 200 characters).")
    detail: StrictStr = Field(default="", description="Anything else staff should know (optional).")


# Responses ----------------------------------------------------------------------------------


class MessageOut(BaseModel):
    id: int
    conversation_id: int
    sender: UserOut
    body: str = Field(description="The Markdown as written.")
    body_html: str = Field(description="Rendered and sanitised.")
    created_at: datetime
    mine: bool = Field(description="Sent by the caller.")


class ConversationOut(BaseModel):
    id: int
    url: str = Field(description="The conversation's page, which only its two people may open.")
    other: UserOut = Field(description="The other person in the conversation.")
    unread_count: int = Field(description="Messages from the other person the caller has not read.")
    last_message_at: datetime | None
    created_at: datetime
    can_send: bool = Field(description="Whether the caller may write here now.")
    closed_reason: str | None = Field(description="Why the caller may not write here now (a block, nothing shared).")


class ConversationCreatedOut(ConversationOut):
    message: MessageOut = Field(description="The message just sent.")
    created: bool = Field(description="False when the two already had a conversation and the message went there.")


class ConversationPageOut(BaseModel):
    items: list[ConversationOut]
    next: str | None


class MessagePageOut(BaseModel):
    items: list[MessageOut] = Field(description="Newest first.")
    next: str | None = Field(description="Pass as ?cursor= for older messages; null on the last page.")


class BlockOut(BaseModel):
    user: UserOut
    blocked: bool


class ReportOut(BaseModel):
    id: int
    target_type: str
    target_id: int
    status: str
    created_at: datetime
