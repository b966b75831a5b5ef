"""Response shapes for the resource directory (see schemas.py for the conventions)."""

from datetime import datetime

from pydantic import BaseModel, Field

from kinship.api.schemas import PageOut, UserOut
from kinship.library.models import Resource

KIND_LIST = ", ".join(Resource.KINDS)


class HoursOut(BaseModel):
    weekday: int = Field(description="0 (Monday) to 6 (Sunday).")
    opens: str = Field(description="HH:MM on the resource's own clock (see timezone).")
    closes: str = Field(description="HH:MM; not after `opens` means the period runs past midnight into the next day.")


class ResourceOut(BaseModel):
    id: int
    url: str = Field(description="The resource's page.")
    kind: str = Field(description=f"One of: {KIND_LIST}.")
    kind_label: str = Field(description="The kind as shown on the pages.")
    name: str
    description: str = Field(description="Plain text.")
    website: str = Field(description="An http(s) address, or empty.")
    phone: str = Field(description="As people dial it, or empty.")
    address: str
    region: str
    languages: list[str] = Field(description='ISO 639 codes, e.g. ["en", "es"].')
    eligibility: str = Field(description="Plain text: who may use it.")
    cost: str
    timezone: str = Field(description="IANA time zone the hours are read in, e.g. Europe/London.")
    always_open: bool = Field(description="Open 24/7; `hours` is then empty.")
    hours: list[HoursOut] = Field(description="Weekly opening periods, Monday first.")
    open_now: bool | None = Field(description="Open at the time of the request; null when the hours are not known.")
    open_status: str = Field(
        description="What the pages show, e.g. 'Open now · closes 17:00' or 'Closed now · opens Tue 09:00'."
    )
    verified_by: UserOut | None = Field(description="The curator who last verified it; null if none.")
    verified_at: datetime | None
    reviewed_at: datetime | None
    is_example: bool = Field(description="An example entry for demonstrations: not a real service.")
    active: bool | None = Field(
        default=None, description="Staff and facilitators only: false for an entry taken out of the directory."
    )
    stale: bool | None = Field(
        default=None,
        description="Staff and facilitators only: never reviewed, or not reviewed for 365 days.",
    )


class ResourcePageOut(PageOut[ResourceOut]):
    pass
