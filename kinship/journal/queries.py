"""Reads of the member's own journal for the journal home, the progress page and the timeline API.

Every read here filters on the owner: nothing in this module can return another member's rows.
Each function makes a fixed number of queries however much has been recorded.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import F
from django.utils import timezone

from kinship.core.errors import Invalid
from kinship.journal import charts
from kinship.journal.models import CheckIn, Goal, Milestone

RANGES = {"3m": "3 months", "12m": "12 months", "all": "All time"}
DEFAULT_RANGE = "3m"
# Days back from today, today included in the span.
RANGE_DAYS = {"3m": 91, "12m": 365}
RECENT = 5
# A member who has not checked in for this long is invited to, first thing on the journal home.
CHECKIN_DUE_AFTER = timedelta(days=7)


def parse_range(raw: Any) -> str:
    """The range key from a query string; absent means the default, anything unknown is refused (422)."""
    if raw is None or raw == "":
        return DEFAULT_RANGE
    if not isinstance(raw, str) or raw not in RANGES:
        raise Invalid("Choose 3 months, 12 months or all time.", errors={"range": ["Choose 3m, 12m or all."]})
    return raw


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass
class Timeline:
    """Check-ins and milestones in a range, and the two charts drawn from them."""

    range: str
    start: date
    end: date
    bucket: str
    periods: list[charts.Period]
    milestones: list[Milestone]
    distress: charts.Chart
    pain: charts.Chart

    @property
    def range_label(self) -> str:
        return RANGES[self.range]

    @property
    def checkin_count(self) -> int:
        return sum(p.count for p in self.periods)


def timeline(user: Any, range_key: str, *, today: date | None = None) -> Timeline:
    """The member's own check-ins and milestones from the range's start to today: two queries."""
    today = today or timezone.localdate()
    checkins = CheckIn.objects.filter(owner=user).order_by("created_at", "id")
    milestones = Milestone.objects.filter(owner=user, happened_on__lte=today).order_by("happened_on", "id")
    start = today
    if range_key in RANGE_DAYS:
        start = today - timedelta(days=RANGE_DAYS[range_key])
        checkins = checkins.filter(created_at__gte=_midnight(start))
        milestones = milestones.filter(happened_on__gte=start)
    # Only the scores: the chart never needs (so never loads) notes or problem lists.
    rows = list(checkins.values_list("created_at", "distress", "pain"))
    found = list(milestones.only("id", "kind", "title", "happened_on"))
    readings = [charts.Reading(at=timezone.localtime(at), distress=d, pain=p) for at, d, p in rows]
    if range_key not in RANGE_DAYS:
        firsts = [r.at.date() for r in readings[:1]] + [m.happened_on for m in found[:1]]
        start = min([*firsts, today])
    bucket, periods = charts.aggregate(readings, start, today)
    moments = [charts.Moment(day=m.happened_on, title=m.title, url=m.get_absolute_url()) for m in found]

    def chart(key: str, name: str, guide: int | None = None) -> charts.Chart:
        return charts.build(
            key=key, name=name, bucket=bucket, periods=periods, moments=moments, start=start, end=today, guide=guide
        )

    return Timeline(
        range=range_key,
        start=start,
        end=today,
        bucket=bucket,
        periods=periods,
        milestones=found,
        distress=chart("distress", "Distress", guide=CheckIn.HELP_FROM),
        pain=chart("pain", "Pain"),
    )


@dataclass
class Overview:
    """What the journal home shows: the latest check-in, recent milestones, open goals."""

    latest: CheckIn | None
    recent_checkins: int
    milestones: list[Milestone]
    goals: list[Goal]
    checkin_due: bool


def overview(user: Any, *, now: datetime | None = None) -> Overview:
    """The journal home's reads, four queries whatever the journal holds."""
    now = now or timezone.now()
    own_checkins = CheckIn.objects.filter(owner=user)
    latest = own_checkins.order_by("-created_at", "-id").only("id", "distress", "pain", "created_at").first()
    recent = own_checkins.filter(created_at__gte=now - timedelta(days=30)).count()
    milestones = list(
        Milestone.objects.filter(owner=user)
        .select_related("shared_topic__circle")
        .order_by("-happened_on", "-id")[:RECENT]
    )
    # Nearest target first; goals without a date after them, on SQLite and PostgreSQL alike.
    goals = list(
        Goal.objects.filter(owner=user, done_at__isnull=True).order_by(F("target_date").asc(nulls_last=True), "-id")[
            :RECENT
        ]
    )
    return Overview(
        latest=latest,
        recent_checkins=recent,
        milestones=milestones,
        goals=goals,
        checkin_due=latest is None or latest.created_at < now - CHECKIN_DUE_AFTER,
    )
