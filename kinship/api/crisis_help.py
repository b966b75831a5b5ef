"""`crisis_help` in the answers to writes: crisis helplines at once when the words saved suggest a crisis.

Posts, replies and edits, messages, questions and check-ins answer with `crisis_help`: null, or
`{"helplines": [...]}` when kinship.core.crisis found crisis words in what was just written. The write
itself always succeeds as it would have; facilitators are alerted separately (safety.crisis_alerts).
"""

from typing import Any

from pydantic import BaseModel, Field

from kinship.api.journal_checkin_schemas import CheckInOut
from kinship.api.message_schemas import ConversationCreatedOut, MessageOut
from kinship.api.qa_schemas import QuestionOut
from kinship.api.schemas import PostOut, TopicOut
from kinship.core import crisis
from kinship.library.helplines import Helpline, crisis_helplines


class CrisisHelplineOut(BaseModel):
    id: int | None = Field(description="The directory entry; null for the built-in list shown when it has none.")
    url: str | None
    name: str
    phone: str
    tel_url: str
    open_now: bool | None = Field(description="null when the opening hours are not known.")
    hours: str
    description: str
    website: str
    is_example: bool


class CrisisHelpOut(BaseModel):
    helplines: list[CrisisHelplineOut] = Field(
        description="Those speaking the language written in first, then nationwide, then open now."
    )


CRISIS_HELP = Field(
    default=None,
    description="Crisis helplines to show at once when the words saved suggest a crisis (self-harm, suicidal "
    "thoughts); null otherwise. Nothing is ever blocked.",
)


class TopicWrittenOut(TopicOut):
    crisis_help: CrisisHelpOut | None = CRISIS_HELP


class PostWrittenOut(PostOut):
    crisis_help: CrisisHelpOut | None = CRISIS_HELP


class ConversationWrittenOut(ConversationCreatedOut):
    crisis_help: CrisisHelpOut | None = CRISIS_HELP


class MessageWrittenOut(MessageOut):
    crisis_help: CrisisHelpOut | None = CRISIS_HELP


class QuestionWrittenOut(QuestionOut):
    crisis_help: CrisisHelpOut | None = CRISIS_HELP


class CheckInWrittenOut(CheckInOut):
    crisis_help: CrisisHelpOut | None = CRISIS_HELP


def _line_out(line: Helpline) -> dict[str, Any]:
    return {
        "id": line.id,
        "url": line.url,
        "name": line.name,
        "phone": line.phone,
        "tel_url": line.tel_url,
        "open_now": line.open_now,
        "hours": line.hours,
        "description": line.description,
        "website": line.website,
        "is_example": line.is_example,
    }


def crisis_help_out(user: Any, *texts: Any) -> dict[str, Any] | None:
    """The `crisis_help` value for what was just written: None, or the helplines for this member."""
    found = crisis.detect("\n".join(text for text in texts if isinstance(text, str)))
    if found is None:
        return None
    return {"helplines": [_line_out(line) for line in crisis_helplines(user, language=found.language)]}
