"""Opening hours: is a resource open at a given instant, and when does that change. Pure functions, no database.

A resource's hours are weekly periods (weekday, opens, closes) read on the wall clock of the resource's
own IANA time zone. A period whose `closes` is not after its `opens` runs past midnight into the next
day: Fri 22:00-02:00 ends on Saturday at 02:00, and Mon 09:00-09:00 lasts a whole day.

Daylight-saving changes. Each end of a period becomes one instant: the *first* moment the wall clock
shows that time. So
- in the spring-forward gap (London, last Sunday of March, 01:00 jumps to 02:00) a time that never
  shows, such as 01:30, is the moment the clocks jump: a period 22:00-01:30 closes at 02:00 BST
  (01:00 UTC), and one opening at 01:30 opens then;
- in the autumn-back fold (02:00 BST goes back to 01:00 GMT, so 01:00-01:59 shows twice) a time in
  the repeated hour is its first showing: a period 22:00-01:30 closes at 01:30 BST and does not open
  again when the clock shows 01:30 the second time.
Every period is then one unbroken stretch of real time (never open, closed, open again in one night),
and periods that meet on the wall clock (Mon 00:00-00:00, Tue 00:00-00:00) still meet with no gap.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

DAY_ABBR = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
ALWAYS = "24/7"
# How far ahead "opens next" looks: a week and a day covers every weekly pattern, DST included.
LOOK_AHEAD_DAYS = 8


class HoursRow(Protocol):
    weekday: int
    opens: time
    closes: time


@dataclass(frozen=True, order=True)
class Period:
    """One weekly opening period: `weekday` 0 (Monday) to 6, wall-clock times in the resource's zone."""

    weekday: int
    opens: time
    closes: time

    @property
    def crosses_midnight(self) -> bool:
        return self.closes <= self.opens

    def __str__(self) -> str:
        return f"{DAY_ABBR[self.weekday]} {self.opens:%H:%M}-{self.closes:%H:%M}"


@dataclass(frozen=True)
class Status:
    """Whether the resource is open at an instant, and when that next changes (in the resource's zone)."""

    open: bool | None
    # When it closes (open) or next opens (closed); None for 24/7, no hours, or no change within a week.
    changes_at: datetime | None
    label: str
    detail: str

    @property
    def text(self) -> str:
        return f"{self.label} · {self.detail}" if self.detail else self.label


def periods_of(rows: Iterable[HoursRow | Period]) -> list[Period]:
    return sorted(Period(weekday=int(r.weekday), opens=r.opens, closes=r.closes) for r in rows)


def _zone(tz: ZoneInfo | str) -> ZoneInfo:
    return tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)


def first_instant(wall: datetime, tz: ZoneInfo) -> datetime:
    """The first instant (UTC) at which the wall clock in `tz` shows `wall` (naive) or a later time.

    An ordinary time has one instant. A time shown twice (autumn fold) gets its first showing. A time
    never shown (spring gap) gets the moment the clocks jump past it.
    """
    as_fold0 = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    as_fold1 = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    if as_fold0 == as_fold1:
        return as_fold0
    first, second = sorted([as_fold0, as_fold1])
    if first.astimezone(tz).replace(tzinfo=None) == wall:
        return first  # the fold: shown twice, the first showing wins
    # The gap: the wall time never shows. Read with the old offset it falls after the jump, with the
    # new one before it, so the jump lies in (first, second]: find it by bisection, to the second.
    before = first.astimezone(tz).utcoffset()
    lo, hi = first, second
    while hi - lo > timedelta(seconds=1):
        mid = (lo + (hi - lo) / 2).replace(microsecond=0)
        if mid.astimezone(tz).utcoffset() == before:
            lo = mid
        else:
            hi = mid
    return hi


def intervals(periods: Sequence[Period], tz: ZoneInfo | str, start: date, end: date) -> list[tuple[datetime, datetime]]:
    """The periods as instants (UTC), for the periods starting on local dates start..end inclusive,
    merged where they touch or overlap, in time order."""
    zone = _zone(tz)
    spans: list[tuple[datetime, datetime]] = []
    day = start
    while day <= end:
        for p in periods:
            if p.weekday != day.weekday():
                continue
            opens = datetime.combine(day, p.opens)
            closes = datetime.combine(day + timedelta(days=1) if p.crosses_midnight else day, p.closes)
            a, b = first_instant(opens, zone), first_instant(closes, zone)
            if a < b:
                spans.append((a, b))
        day += timedelta(days=1)
    spans.sort()
    merged: list[tuple[datetime, datetime]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def is_open(
    periods: Iterable[HoursRow | Period], *, always_open: bool, tz: ZoneInfo | str, at: datetime
) -> bool | None:
    """True or False at the instant `at` (aware); None when the hours are not known (no rows, not 24/7)."""
    return status(periods, always_open=always_open, tz=tz, at=at).open


def status(periods: Iterable[HoursRow | Period], *, always_open: bool, tz: ZoneInfo | str, at: datetime) -> Status:
    """Open or closed at `at`, and the text a page shows: "Open now · closes 17:00", "Closed now · opens Tue 09:00"."""
    if at.tzinfo is None:
        raise ValueError("`at` must be an aware datetime.")
    if always_open:
        return Status(open=True, changes_at=None, label="Open 24/7", detail="")
    rows = periods_of(periods)
    if not rows:
        return Status(open=None, changes_at=None, label="Opening hours not known", detail="")
    zone = _zone(tz)
    now = at.astimezone(UTC)
    local = now.astimezone(zone)
    # Two days back catch a period begun yesterday (or, across a fold at midnight, the day before).
    spans = intervals(rows, zone, local.date() - timedelta(days=2), local.date() + timedelta(days=LOOK_AHEAD_DAYS))
    for a, b in spans:
        if a <= now < b:
            closes = b.astimezone(zone)
            if b - now >= timedelta(days=7):
                # Hours that cover the whole week never close: 24/7 in all but name.
                return Status(open=True, changes_at=None, label="Open 24/7", detail="")
            return Status(open=True, changes_at=closes, label="Open now", detail=f"closes {when(closes, local)}")
        if a > now:
            opens = a.astimezone(zone)
            return Status(open=False, changes_at=opens, label="Closed now", detail=f"opens {when(opens, local)}")
    return Status(open=False, changes_at=None, label="Closed now", detail="")


def when(moment: datetime, now: datetime) -> str:
    """'17:00' later today, 'tomorrow 09:00', 'Tue 09:00' this week, 'next Tue 09:00' a week on (local times)."""
    days = (moment.date() - now.date()).days
    clock = f"{moment:%H:%M}"
    if days == 0:
        return clock
    if days == 1:
        return f"tomorrow {clock}"
    if days >= 7:
        return f"next {DAY_ABBR[moment.weekday()]} {clock}"
    return f"{DAY_ABBR[moment.weekday()]} {clock}"


# The written form: "Mon 09:00-17:00; Tue 09:00-17:00", "Mon-Fri 09:00-17:00", or "24/7" --------------

_ENTRY = re.compile(
    r"^(?P<first>[A-Za-z]{3})(?:\s*-\s*(?P<last>[A-Za-z]{3}))?\s+"
    r"(?P<opens>\d{1,2}:\d{2})\s*-\s*(?P<closes>\d{1,2}:\d{2})$"
)
MAX_PERIODS = 28


class HoursSyntaxError(ValueError):
    """The written hours cannot be read; the message says what to write instead."""


def parse_time(text: str) -> time:
    """'9:00', '09:00', '24:00' (midnight at the end of a day, written as 00:00 here)."""
    hour_text, _, minute_text = text.partition(":")
    # ASCII digits only: "²".isdigit() is true, yet int("²") fails.
    if not (
        text.isascii()
        and hour_text.isdigit()
        and minute_text.isdigit()
        and len(minute_text) == 2
        and len(hour_text) <= 2
    ):
        raise HoursSyntaxError(f"'{text}' is not a time; write it as HH:MM, e.g. 09:00.")
    hour, minute = int(hour_text), int(minute_text)
    if hour == 24 and minute == 0:
        return time(0, 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise HoursSyntaxError(f"'{text}' is not a time of day; use 00:00 to 23:59.")
    return time(hour, minute)


def _day(text: str) -> int:
    key = text[:1].upper() + text[1:].lower()
    if key not in DAY_ABBR:
        raise HoursSyntaxError(f"'{text}' is not a day; use Mon, Tue, Wed, Thu, Fri, Sat or Sun.")
    return DAY_ABBR.index(key)


def parse(text: str) -> tuple[bool, list[Period]]:
    """(always_open, periods) from the written form; '' is no hours, '24/7' is always open.

    Entries are separated by ';'. Each is a day or a range of days and a time range:
    "Mon 09:00-17:00", "Mon-Fri 09:00-17:00", "Sat 22:00-02:00" (past midnight into Sunday).
    """
    text = text.strip()
    if not text:
        return False, []
    if text.replace(" ", "").lower() in {"24/7", "24x7"}:
        return True, []
    periods: list[Period] = []
    for raw in text.split(";"):
        entry = " ".join(raw.split())
        if not entry:
            continue
        found = _ENTRY.match(entry)
        if found is None:
            raise HoursSyntaxError(
                f"'{entry[:40]}' is not an opening period; write it like 'Mon 09:00-17:00' or 'Mon-Fri 09:00-17:00'."
            )
        first = _day(found["first"])
        last = _day(found["last"]) if found["last"] else first
        if last < first:
            raise HoursSyntaxError(f"'{entry[:40]}': a range of days runs from Mon towards Sun, e.g. Mon-Fri.")
        opens, closes = parse_time(found["opens"]), parse_time(found["closes"])
        periods.extend(Period(weekday=d, opens=opens, closes=closes) for d in range(first, last + 1))
        if len(periods) > MAX_PERIODS:
            raise HoursSyntaxError(f"At most {MAX_PERIODS} opening periods a week.")
    return False, sorted(periods)


def format_hours(periods: Iterable[HoursRow | Period], *, always_open: bool) -> str:
    """The written form parse() reads back: '24/7', '' or 'Mon 09:00-17:00; Tue 09:00-17:00'."""
    if always_open:
        return ALWAYS
    return "; ".join(str(p) for p in periods_of(periods))


def overlaps(periods: Sequence[Period]) -> list[tuple[Period, Period]]:
    """Pairs of periods that overlap in the week (a period past Sunday midnight wraps to Monday)."""
    week = 7 * 24 * 60

    def span(p: Period) -> tuple[int, int]:
        start = p.weekday * 1440 + p.opens.hour * 60 + p.opens.minute
        length = (p.closes.hour * 60 + p.closes.minute) - (p.opens.hour * 60 + p.opens.minute)
        if length <= 0:
            length += 1440
        return start, start + length

    found = []
    ordered = sorted(periods)
    for i, p in enumerate(ordered):
        a1, b1 = span(p)
        for q in ordered[i + 1 :]:
            a2, b2 = span(q)
            # Compare q shifted by a week either way too, so Sun 22:00-02:00 meets Mon 01:00-03:00.
            if any(a1 < b2 + shift and a2 + shift < b1 for shift in (-week, 0, week)):
                found.append((p, q))
    return found


def weekly_table(periods: Iterable[HoursRow | Period]) -> list[dict[str, Any]]:
    """Seven rows, Monday first: {'day': 'Monday', 'periods': [Period, ...]} for a page's hours table."""
    rows = periods_of(periods)
    return [{"day": DAY_NAMES[d], "weekday": d, "periods": [p for p in rows if p.weekday == d]} for d in range(7)]
