"""Response shapes for the library of vetted material (see schemas.py for the conventions)."""

from datetime import datetime

from pydantic import BaseModel, Field

from kinship.api.schemas import PageOut
from kinship.library.models import THEMES

THEME_LIST = ", ".join(THEMES)


class MaterialOut(BaseModel):
    id: int
    url: str = Field(description="The material's page.")
    kind: str = Field(description="link or pdf.")
    title: str
    description: str = Field(description="Plain text.")
    theme: str = Field(description=f"One of: {THEME_LIST}.")
    theme_label: str = Field(description="The theme as shown on the pages.")
    source: str = Field(description="Who published it; may be empty.")
    link: str | None = Field(description="The address of a link; null for a PDF.")
    file_url: str | None = Field(
        description="The path that downloads a PDF (as an attachment, application/pdf); null for a link."
    )
    file_name: str | None = Field(description="The PDF's name as uploaded (cleaned), for display; null for a link.")
    file_size: int = Field(description="The PDF's size in bytes; 0 for a link.")
    published: bool = Field(
        description="Always true for most callers; staff and facilitators also see unpublished material."
    )
    created_at: datetime
    updated_at: datetime


class MaterialPageOut(PageOut[MaterialOut]):
    pass
