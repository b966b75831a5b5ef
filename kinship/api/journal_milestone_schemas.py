"""Request and response shapes for the journal's milestones and goals (see schemas.py for the conventions)."""

from datetime import date, datetime

from pydantic import BaseModel, Field, StrictInt, StrictStr

from kinship.api.schemas import Input
from kinship.journal.models import Milestone

KINDS = ", ".join(Milestone.TEMPLATE_KINDS)
DATE = "A date as YYYY-MM-DD."


# Requests -----------------------------------------------------------------------------------


class MilestoneIn(Input):
    kind: StrictStr = Field(default=Milestone.OWN, description=f"One of: {KINDS}.")
    title: StrictStr = Field(
        default="", description="At most 200 characters; blank takes the kind's words (own needs a title)."
    )
    happened_on: StrictStr | None = Field(default=None, description=DATE + " Today when left out; never in the future.")
    note: StrictStr = Field(default="", description="Private, always: at most 2,000 characters, never shared.")


class MilestonePatch(Input):
    kind: StrictStr | None = Field(
        default=None, description=f"One of: {KINDS} (goal_reached stays on a milestone that finished a goal)."
    )
    title: StrictStr | None = None
    happened_on: StrictStr | None = Field(default=None, description=DATE)
    note: StrictStr | None = None


class ShareIn(Input):
    circle: StrictStr = Field(description="The slug of one of the caller's circles, where they may post.")
    message: StrictStr = Field(
        default="", description="Optional, at most 500 characters, shown under the date. The note never is."
    )


class GoalIn(Input):
    title: StrictStr = Field(description='At most 200 characters, e.g. "walk 1 km without crutches".')
    target_date: StrictStr | None = Field(default=None, description=DATE + " Optional.")


class GoalPatch(Input):
    title: StrictStr | None = None
    target_date: StrictStr | None = Field(default=None, description=DATE + " null or empty clears it.")


class GoalUpdateIn(Input):
    progress: StrictInt = Field(description="0 to 100 (per cent).")
    note: StrictStr = Field(default="", description="Optional and private, at most 2,000 characters.")


class GoalDoneIn(Input):
    happened_on: StrictStr | None = Field(
        default=None, description=DATE + ' The day of the "goal reached" milestone; today when left out.'
    )


# Responses ----------------------------------------------------------------------------------


class SharedCircleOut(BaseModel):
    slug: str
    name: str


class SharedOut(BaseModel):
    circle: SharedCircleOut
    topic_url: str
    topic_id: int


class MilestoneOut(BaseModel):
    id: int
    url: str
    kind: str = Field(description=f"{KINDS}, or goal_reached.")
    kind_label: str
    title: str
    happened_on: date
    note: str = Field(description="The private note, as written.")
    shared: SharedOut | None = Field(description="The celebration topic when shared to a circle; null otherwise.")
    goal_id: int | None = Field(description="The goal it finished, for a goal_reached milestone.")
    created_at: datetime
    updated_at: datetime


class MilestonePageOut(BaseModel):
    items: list[MilestoneOut]
    next: str | None = Field(description="Pass as ?cursor= for the next page; null on the last.")


class GoalUpdateOut(BaseModel):
    id: int
    progress: int
    note: str
    created_at: datetime


class GoalOut(BaseModel):
    id: int
    url: str
    title: str
    target_date: date | None
    progress: int = Field(description="0-100: the latest update's figure, 100 once done.")
    done_at: datetime | None
    milestone_id: int | None = Field(description="The goal_reached milestone, once done (null if deleted).")
    created_at: datetime
    updated_at: datetime
    updates: list[GoalUpdateOut] | None = Field(
        default=None, description="Latest first (at most 50), on the goal's own endpoints; absent in lists."
    )


class GoalDoneOut(GoalOut):
    milestone: MilestoneOut | None = Field(description='The "goal reached" milestone.')


class GoalPageOut(BaseModel):
    items: list[GoalOut]
    next: str | None = Field(
        description="Pass as ?cursor= (with the same status=) for the next page; null on the last."
    )
