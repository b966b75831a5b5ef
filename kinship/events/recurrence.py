"""Recurrence rules (RFC 5545 RRULE) and their expansion: pure functions, no database.

Occurrences are computed in the event's own time zone, so a meeting at 18:00 in London stays
at 18:00 local time on both sides of a daylight-saving change (its UTC time moves by an hour).

Only the parts of RRULE that support groups need are accepted. The rest is refused, not
because it is wrong but because some combinations describe dates that never come (the 31st
of February) and a rule engine would search for them for thousands of years.
"""

from datetime import UTC, datetime, timedelta
from itertools import islice
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from dateutil.rrule import rrule, rrulestr

from kinship.core.errors import Invalid

MAX_OCCURRENCES = 500
# How far ahead a rule without an end is expanded: lists, feeds and reminders look no further.
OPEN_ENDED_WINDOW = timedelta(days=366)
FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
SUB_DAILY = {"HOURLY", "MINUTELY", "SECONDLY"}
WEEKDAYS = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"}
ALLOWED_PARTS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "WKST"}
MAX_INTERVAL = 12
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


def _refuse(message: str) -> Invalid:
    return Invalid(message, errors={"rrule": [message]})


def zone(name: object) -> ZoneInfo:
    """The named IANA time zone, or Invalid."""
    if not isinstance(name, str) or not name or len(name) > 64 or name not in _zone_names():
        raise Invalid("Choose a time zone such as Europe/London.", errors={"timezone": ["Unknown time zone."]})
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(
            "Choose a time zone such as Europe/London.", errors={"timezone": ["Unknown time zone."]}
        ) from None


_ZONES: frozenset[str] | None = None


def _zone_names() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    return _ZONES


def zone_choices() -> list[str]:
    return sorted(_zone_names())


def _check_byday(value: str, freq: str) -> None:
    for day in value.split(","):
        weekday, ordinal = day[-2:], day[:-2]
        if weekday not in WEEKDAYS:
            raise _refuse(f"BYDAY: '{day}' is not a day (MO, TU, WE, TH, FR, SA, SU).")
        # "1TU" is the first Tuesday of the month; "-1FR" the last Friday.
        if ordinal and (freq != "MONTHLY" or ordinal not in {"1", "2", "3", "4", "-1", "+1", "+2", "+3", "+4"}):
            raise _refuse("Numbered days (1TU, -1FR) work with FREQ=MONTHLY, from the 1st to the 4th or the last.")


def normalise_rule(text: object, *, first_start: datetime, tz: ZoneInfo) -> str:
    """The rule in canonical form ('' for none), or Invalid with a message a facilitator can act on."""
    if text is None or text == "":
        return ""
    if not isinstance(text, str):
        raise _refuse("The repeat rule must be text such as FREQ=WEEKLY;BYDAY=TU.")
    rule = text.strip().upper()
    if rule.startswith("RRULE:"):
        rule = rule[len("RRULE:") :]
    if not rule:
        return ""
    if len(rule) > 300 or any(not (c.isalnum() or c in "=;,+-") for c in rule):
        raise _refuse("The repeat rule may only use letters, digits and = ; , + -.")
    parts: dict[str, str] = {}
    for piece in rule.split(";"):
        name, sep, value = piece.partition("=")
        if not sep or not value:
            raise _refuse(f"'{piece}' is not NAME=VALUE.")
        if name in parts:
            raise _refuse(f"{name} appears twice.")
        if name not in ALLOWED_PARTS:
            raise _refuse(f"{name} is not supported here; use FREQ, INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY.")
        parts[name] = value
    freq = parts.get("FREQ")
    if freq in SUB_DAILY:
        raise _refuse("Meetings repeat at most daily.")
    if freq not in FREQUENCIES:
        raise _refuse("FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY.")
    if "INTERVAL" in parts and not (parts["INTERVAL"].isdigit() and 1 <= int(parts["INTERVAL"]) <= MAX_INTERVAL):
        raise _refuse(f"INTERVAL must be a whole number from 1 to {MAX_INTERVAL}.")
    if "COUNT" in parts and "UNTIL" in parts:
        raise _refuse("Give COUNT or UNTIL, not both.")
    if "COUNT" in parts and not (parts["COUNT"].isdigit() and 1 <= int(parts["COUNT"]) <= MAX_OCCURRENCES):
        raise _refuse(f"COUNT must be from 1 to {MAX_OCCURRENCES}.")
    if "BYDAY" in parts:
        if freq == "YEARLY":
            raise _refuse("BYDAY does not go with FREQ=YEARLY.")
        _check_byday(parts["BYDAY"], freq)
    if "BYMONTHDAY" in parts:
        if freq != "MONTHLY" or "BYDAY" in parts:
            raise _refuse("BYMONTHDAY goes with FREQ=MONTHLY and without BYDAY.")
        for day in parts["BYMONTHDAY"].split(","):
            # Up to the 28th (or counted from the end) so that every month has the day.
            if not day.lstrip("+-").isdigit() or not (1 <= abs(int(day)) <= 28):
                raise _refuse("BYMONTHDAY must be from 1 to 28, or -1 for the last day.")
    if "WKST" in parts and parts["WKST"] not in WEEKDAYS:
        raise _refuse("WKST must be a day (MO ... SU).")
    if "UNTIL" in parts:
        parts["UNTIL"] = _until_utc(parts["UNTIL"], tz)
    canonical = ";".join(f"{k}={v}" for k, v in parts.items())
    rule_set = _build(canonical, first_start, tz)
    if "UNTIL" in parts and len(list(islice(rule_set, MAX_OCCURRENCES + 1))) > MAX_OCCURRENCES:
        raise _refuse(f"That rule makes more than {MAX_OCCURRENCES} meetings; end it sooner.")
    if rule_set.after(first_start.astimezone(tz), inc=True) is None:
        raise _refuse("That rule makes no meetings: check the end date.")
    return canonical


def _until_utc(value: str, tz: ZoneInfo) -> str:
    """UNTIL as RFC 5545 wants it with a zoned start: UTC. A bare date means the end of that local day."""
    try:
        if len(value) == 8:
            day = datetime.strptime(value, "%Y%m%d")
            end = day.replace(hour=23, minute=59, second=59, tzinfo=tz).astimezone(UTC)
        else:
            end = datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise _refuse("UNTIL must be a date (20270131) or a UTC time (20270131T180000Z).") from None
    if not EARLIEST_YEAR <= end.year <= LATEST_YEAR:
        raise _refuse(f"UNTIL must fall between {EARLIEST_YEAR} and {LATEST_YEAR}.")
    return end.strftime("%Y%m%dT%H%M%SZ")


def _build(rule: str, first_start: datetime, tz: ZoneInfo) -> rrule:
    try:
        built = rrulestr(rule, dtstart=first_start.astimezone(tz))
    except (ValueError, TypeError) as error:
        raise _refuse(f"The repeat rule could not be read: {error}.") from None
    assert isinstance(built, rrule)
    return built


def starts_between(
    rule: str, *, first_start: datetime, tz: ZoneInfo, after: datetime, before: datetime
) -> list[datetime]:
    """Original starts (UTC) in [after, before), as the rule places them in local time."""
    if not rule:
        return [first_start] if after <= first_start < before else []
    # A rule without an end is expanded only within the window.
    before = (
        min(before, datetime.now(UTC) + OPEN_ENDED_WINDOW) if "COUNT" not in rule and "UNTIL" not in rule else before
    )
    if before <= after:
        return []
    local = _build(rule, first_start, tz).between(after.astimezone(tz), before.astimezone(tz), inc=True)
    return [dt.astimezone(UTC) for dt in local if dt < before.astimezone(tz)]


def is_start(rule: str, *, first_start: datetime, tz: ZoneInfo, when: datetime) -> bool:
    """Does the rule place an occurrence exactly at `when`?"""
    return when in starts_between(rule, first_start=first_start, tz=tz, after=when, before=when + timedelta(seconds=1))


def index_of(rule: str, *, first_start: datetime, tz: ZoneInfo, when: datetime) -> int:
    """How many occurrences come before `when`: its 0-based place in the series."""
    if not rule:
        return 0
    local = _build(rule, first_start, tz).between(first_start.astimezone(tz), when.astimezone(tz), inc=True)
    return sum(1 for dt in local if dt < when)


def check_start(value: datetime, field: str = "starts_at") -> None:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise Invalid(
            f"Dates must fall between {EARLIEST_YEAR} and {LATEST_YEAR}.",
            errors={field: [f"Choose a date between {EARLIEST_YEAR} and {LATEST_YEAR}."]},
        )
