"""Response shapes for search (see schemas.py for the conventions)."""

from datetime import datetime

from pydantic import BaseModel, Field


class SearchCircleOut(BaseModel):
    slug: str
    name: str


class SearchItemOut(BaseModel):
    type: str = Field(description="topic, reply, tip, resource, material, event or question")
    id: int
    url: str = Field(description="The page of the item (a question's is its event's questions page)")
    title: str = Field(description="Plain text: a reply carries its topic's title, a tip and a question their opening")
    snippet_html: str = Field(
        description="Where the words matched: escaped text whose only markup is <mark>…</mark> around the matches"
    )
    circle: SearchCircleOut | None = Field(description="The circle of a topic, reply, event or question; else null")
    created_at: datetime


class SearchPageOut(BaseModel):
    items: list[SearchItemOut]
    next: str | None = Field(description="Pass as ?cursor= for the next page; null on the last one.")
