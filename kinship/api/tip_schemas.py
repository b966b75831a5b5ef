"""Request and response shapes for member tips (see schemas.py for the conventions)."""

from datetime import datetime

from pydantic import BaseModel, Field, StrictBool, StrictStr

from kinship.api.schemas import Input, UserOut
from kinship.library.models import THEMES

THEME = "One of: " + ", ".join(THEMES) + "."


# Requests -----------------------------------------------------------------------------------


class TipIn(Input):
    theme: StrictStr = Field(description=THEME)
    body: StrictStr = Field(description="Markdown, at most 1,000 characters.")


class TipPatch(Input):
    """Every field optional; a field left out keeps its value."""

    theme: StrictStr | None = Field(default=None, description="The author only. " + THEME)
    body: StrictStr | None = Field(default=None, description="The author only. Markdown, at most 1,000 characters.")
    featured: StrictBool | None = Field(default=None, description="Facilitators and staff only.")
    hidden: StrictBool | None = Field(
        default=None, description="Facilitators and staff only: a hidden tip is seen by them alone."
    )


# Responses ----------------------------------------------------------------------------------


class TipOut(BaseModel):
    id: int
    url: str
    theme: str = Field(description=THEME)
    theme_label: str = Field(description='The theme as shown, e.g. "Pain management".')
    body: str = Field(description="The Markdown as written.")
    body_html: str = Field(description="Rendered and sanitised.")
    author: UserOut
    helpful_count: int
    helped: bool = Field(description="The caller marked it helpful.")
    can_mark_helpful: bool = Field(description="The caller may mark it helpful (or take that back): not their own.")
    mine: bool = Field(description="The caller wrote it, so may edit and delete it.")
    featured: bool = Field(description="Featured by a facilitator or staff.")
    hidden: bool | None = Field(
        default=None, description="Facilitators and staff only (others never see a hidden tip)."
    )
    created_at: datetime
    updated_at: datetime


class TipPageOut(BaseModel):
    items: list[TipOut]
    next: str | None = Field(description="Pass as ?cursor= (with the same theme, featured and sort) for the next page.")
    note: str = Field(description='"Shared experience, not medical advice.": show it with the tips.')


class HelpfulOut(BaseModel):
    helpful_count: int
    helped: bool = Field(description="The caller's mark is counted.")
