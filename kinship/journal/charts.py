"""Geometry of the progress charts: server-rendered SVG line charts of distress or pain over time.

Pure (no models, no requests): the template only draws what this module measured. Many readings
are averaged per day, week or month so a chart never carries more points than a phone can show;
the table alternative lists the same (averaged) points, so the chart and its table always agree.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

SCORE_MAX = 10
# Past this many points on one chart, readings are averaged per day, then week, then month.
MAX_POINTS = 92
EACH, DAY, WEEK, MONTH = "each", "day", "week", "month"
BUCKETS = (EACH, DAY, WEEK, MONTH)
BUCKET_WORDS = {EACH: "each check-in", DAY: "mean per day", WEEK: "mean per week", MONTH: "mean per month"}

# The drawing box (SVG viewBox units); the plot sits inside the margins.
WIDTH = 400
HEIGHT = 220
LEFT = 30
RIGHT = 10
# Room above the plot for milestone numbers.
TOP = 24
BOTTOM = 26
MAX_X_TICKS = 6


@dataclass(frozen=True)
class Reading:
    """One check-in's scores at a local (wall clock) time."""

    at: datetime
    distress: int
    pain: int


@dataclass(frozen=True)
class Moment:
    """A milestone on the time line."""

    day: date
    title: str
    url: str = ""


@dataclass(frozen=True)
class Period:
    """Readings taken together: one check-in, or a day, week or month of them, with their means."""

    first: date
    last: date
    # Where on the time line, in days since the chart's start (fractional).
    offset: float
    count: int
    distress: float
    pain: float
    at: datetime | None = None


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: float
    when: str
    count: int

    @property
    def value_text(self) -> str:
        return score_text(self.value)

    @property
    def label(self) -> str:
        mean = f" (mean of {self.count} check-ins)" if self.count > 1 else ""
        return f"{self.when}: {self.value_text}{mean}"


@dataclass(frozen=True)
class Tick:
    pos: float
    label: str


@dataclass(frozen=True)
class Marker:
    number: int
    x: float
    day: date
    title: str
    url: str


@dataclass(frozen=True)
class Chart:
    """One measure's chart: everything the SVG and its table need, already placed."""

    key: str
    name: str
    bucket: str
    start: date
    end: date
    points: tuple[Point, ...]
    markers: tuple[Marker, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    # A dashed guide at the score from which help is offered (distress only).
    guide_y: float | None
    summary: str
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM

    @property
    def is_empty(self) -> bool:
        return not self.points

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x},{p.y}" for p in self.points)

    @property
    def averaged(self) -> bool:
        return self.bucket != EACH

    @property
    def bucket_words(self) -> str:
        return BUCKET_WORDS[self.bucket]

    # Where the template writes labels, so it does no arithmetic.
    @property
    def marker_y(self) -> int:
        return self.top - 12

    @property
    def x_label_y(self) -> int:
        return self.bottom + 18

    @property
    def y_label_x(self) -> int:
        return self.left - 6


def day_text(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def score_text(value: float) -> str:
    """4 -> "4", 4.25 -> "4.3": one decimal at most, none when whole."""
    rounded = round(value, 1)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.1f}"


def period_label(period: Period, bucket: str) -> str:
    if bucket == EACH and period.at is not None:
        return f"{day_text(period.first)}, {period.at:%H:%M}"
    if bucket == DAY:
        return day_text(period.first)
    if bucket == WEEK:
        return f"Week of {day_text(period.first)}"
    if bucket == MONTH:
        return f"{period.first:%B %Y}"
    return day_text(period.first)


def _span(start: date, end: date) -> int:
    """Days on the time line, the end day included; never zero, so a one-day chart still has width."""
    return max(1, (end - start).days + 1)


def _offset(at: datetime, start: date) -> float:
    seconds = at.hour * 3600 + at.minute * 60 + at.second
    return (at.date() - start).days + seconds / 86400


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


KEYS: dict[str, Callable[[date], date]] = {DAY: lambda d: d, WEEK: _week_start, MONTH: _month_start}
ENDS: dict[str, Callable[[date], date]] = {
    DAY: lambda d: d,
    WEEK: lambda d: d + timedelta(days=6),
    MONTH: _month_end,
}


def _group(readings: Sequence[Reading], bucket: str, start: date, end: date) -> list[Period]:
    if bucket == EACH:
        return [
            Period(
                first=r.at.date(),
                last=r.at.date(),
                offset=_offset(r.at, start),
                count=1,
                distress=float(r.distress),
                pain=float(r.pain),
                at=r.at,
            )
            for r in readings
        ]
    groups: dict[date, list[Reading]] = {}
    for reading in readings:
        groups.setdefault(KEYS[bucket](reading.at.date()), []).append(reading)
    periods = []
    for key in sorted(groups):
        members = groups[key]
        # The part of the period inside the chart, so a week that began before the start stays on it.
        first, last = max(key, start), min(ENDS[bucket](key), end)
        middle = ((first - start).days + (last - start).days + 1) / 2
        periods.append(
            Period(
                first=key,
                last=ENDS[bucket](key),
                offset=middle,
                count=len(members),
                distress=sum(r.distress for r in members) / len(members),
                pain=sum(r.pain for r in members) / len(members),
            )
        )
    return periods


def aggregate(readings: Iterable[Reading], start: date, end: date) -> tuple[str, list[Period]]:
    """The finest grouping (each, day, week, month) that fits MAX_POINTS; readings outside the range are left out."""
    inside = sorted((r for r in readings if start <= r.at.date() <= end), key=lambda r: r.at)
    for bucket in BUCKETS:
        periods = _group(inside, bucket, start, end)
        if len(periods) <= MAX_POINTS:
            return bucket, periods
    return MONTH, periods


def _x(offset: float, span: int) -> float:
    share = min(max(offset / span, 0.0), 1.0)
    # One decimal is finer than a pixel on any screen, and keeps the SVG short.
    return round(LEFT + share * (WIDTH - RIGHT - LEFT), 1)


def _y(value: float) -> float:
    share = min(max(value / SCORE_MAX, 0.0), 1.0)
    return round((HEIGHT - BOTTOM) - share * (HEIGHT - BOTTOM - TOP), 1)


def _x_ticks(start: date, end: date) -> tuple[Tick, ...]:
    """Month starts inside the range (thinned to MAX_X_TICKS); a short range gets its two ends."""
    span = _span(start, end)
    months = []
    day = _month_start(start)
    if day < start:
        day = _month_start(day + timedelta(days=32))
    while day <= end:
        months.append(day)
        day = _month_start(day + timedelta(days=32))
    if len(months) < 2:
        ends = [start] if start == end else [start, end]
        return tuple(Tick(pos=_x((d - start).days + 0.5, span), label=f"{d.day} {d:%b}") for d in ends)
    step = -(-len(months) // MAX_X_TICKS)
    shown = months[::step]
    ticks = []
    for i, d in enumerate(shown):
        # The year on the first tick and wherever it changes, so a thinned year still reads right.
        label = f"{d:%b %Y}" if i == 0 or d.year != shown[i - 1].year else f"{d:%b}"
        ticks.append(Tick(pos=_x((d - start).days, span), label=label))
    return tuple(ticks)


def _summary(name: str, periods: Sequence[Period], values: Sequence[float], start: date, end: date) -> str:
    if not periods:
        return f"No check-ins between {day_text(start)} and {day_text(end)}."
    count = sum(p.count for p in periods)
    noun = "check-in" if count == 1 else "check-ins"
    return (
        f"{name} from {count} {noun} between {day_text(start)} and {day_text(end)}: "
        f"latest {score_text(values[-1])}, lowest {score_text(min(values))}, highest {score_text(max(values))} "
        f"(0 is none, {SCORE_MAX} the worst)."
    )


def build(
    *,
    key: str,
    name: str,
    bucket: str,
    periods: Sequence[Period],
    moments: Iterable[Moment],
    start: date,
    end: date,
    guide: int | None = None,
) -> Chart:
    """One chart of `key` ("distress" or "pain") from aggregated periods, with the milestones in range numbered."""
    span = _span(start, end)
    values = [getattr(p, key) for p in periods]
    points = tuple(
        Point(
            x=_x(p.offset, span),
            y=_y(v),
            value=round(v, 1),
            when=period_label(p, bucket),
            count=p.count,
        )
        for p, v in zip(periods, values, strict=True)
    )
    inside = sorted((m for m in moments if start <= m.day <= end), key=lambda m: m.day)
    markers = tuple(
        Marker(number=i, x=_x((m.day - start).days + 0.5, span), day=m.day, title=m.title, url=m.url)
        for i, m in enumerate(inside, start=1)
    )
    y_ticks = tuple(Tick(pos=_y(v), label=str(v)) for v in range(0, SCORE_MAX + 1, 2))
    return Chart(
        key=key,
        name=name,
        bucket=bucket,
        start=start,
        end=end,
        points=points,
        markers=markers,
        x_ticks=_x_ticks(start, end),
        y_ticks=y_ticks,
        guide_y=_y(guide) if guide is not None else None,
        summary=_summary(name, periods, values, start, end),
    )
