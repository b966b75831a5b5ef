"""API: the member's own time line (/journal/timeline): check-in scores and milestones over a range.

The same read as the progress page (kinship.journal.queries.timeline): only the caller's own rows,
scores only (notes and problem lists stay in /journal/checkins/{id}), averaged per day, week or
month when the range holds more check-ins than a chart can show.
"""

from datetime import UTC, date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router
from pydantic import BaseModel, Field

from kinship.api.security import bearer
from kinship.journal import queries
from kinship.journal.charts import Period

router = Router(tags=["journal"], auth=bearer)


class TimelinePointOut(BaseModel):
    starts_on: date
    ends_on: date
    at: datetime | None = Field(description="When the check-in was recorded; null when the point is a mean.")
    distress: float
    pain: float
    checkins: int = Field(description="How many check-ins this point stands for.")


class TimelineMilestoneOut(BaseModel):
    id: int
    url: str
    kind: str
    kind_label: str
    title: str
    happened_on: date


class TimelineOut(BaseModel):
    range: str = Field(description="3m, 12m or all")
    start: date
    end: date
    bucket: str = Field(description="each (one point per check-in), or the mean per day, week or month")
    checkin_count: int
    points: list[TimelinePointOut]
    milestones: list[TimelineMilestoneOut]


def _point(period: Period) -> dict[str, Any]:
    return {
        "starts_on": period.first,
        "ends_on": period.last,
        "at": period.at.astimezone(UTC) if period.at is not None else None,
        "distress": round(period.distress, 1),
        "pain": round(period.pain, 1),
        "checkins": period.count,
    }


@router.get("/journal/timeline", response=TimelineOut)
def timeline(request: HttpRequest, range: str | None = None) -> dict[str, Any]:
    """The caller's check-in scores and milestones over `range` (3m, the default; 12m; all), oldest first."""
    found = queries.timeline(request.auth, queries.parse_range(range))  # type: ignore[attr-defined]
    return {
        "range": found.range,
        "start": found.start,
        "end": found.end,
        "bucket": found.bucket,
        "checkin_count": found.checkin_count,
        "points": [_point(p) for p in found.periods],
        "milestones": [
            {
                "id": m.pk,
                "url": m.get_absolute_url(),
                "kind": m.kind,
                "kind_label": m.get_kind_display(),
                "title": m.title,
                "happened_on": m.happened_on,
            }
            for m in found.milestones
        ],
    }
