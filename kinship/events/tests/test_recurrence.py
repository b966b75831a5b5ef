from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kinship.core.errors import Invalid
from kinship.events import recurrence

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


def expand(rule: str, first_local: datetime, *, days: int = 120) -> list[datetime]:
    first = first_local.astimezone(UTC)
    return recurrence.starts_between(
        rule, first_start=first, tz=first_local.tzinfo, after=first, before=first + timedelta(days=days)
    )  # type: ignore[arg-type]


def local_times(starts: list[datetime], tz: ZoneInfo) -> set[str]:
    return {s.astimezone(tz).strftime("%H:%M") for s in starts}


@pytest.mark.parametrize(
    ("tz", "first", "change_utc"),
    [
        # UK clocks go forward on 28 March 2027 and back on 31 October 2027.
        (LONDON, datetime(2027, 3, 9, 18, 0), datetime(2027, 3, 28, 1, 0, tzinfo=UTC)),
        (LONDON, datetime(2027, 10, 12, 18, 0), datetime(2027, 10, 31, 1, 0, tzinfo=UTC)),
        # US clocks go forward on 14 March 2027 and back on 7 November 2027.
        (NEW_YORK, datetime(2027, 2, 23, 18, 0), datetime(2027, 3, 14, 7, 0, tzinfo=UTC)),
        (NEW_YORK, datetime(2027, 10, 19, 18, 0), datetime(2027, 11, 7, 6, 0, tzinfo=UTC)),
    ],
)
def test_weekly_meeting_keeps_local_time_across_daylight_saving(
    tz: ZoneInfo, first: datetime, change_utc: datetime
) -> None:
    starts = expand("FREQ=WEEKLY;COUNT=6", first.replace(tzinfo=tz))
    assert len(starts) == 6
    assert local_times(starts, tz) == {"18:00"}
    before = [s for s in starts if s < change_utc]
    after = [s for s in starts if s > change_utc]
    assert before and after
    # The same local time is a different UTC time on each side of the change.
    assert {s.strftime("%H:%M") for s in before}.isdisjoint({s.strftime("%H:%M") for s in after})
    assert all(b.utcoffset() == timedelta(0) for b in starts)


def test_every_two_weeks() -> None:
    starts = expand("FREQ=WEEKLY;INTERVAL=2;COUNT=4", datetime(2027, 1, 5, 10, 30, tzinfo=LONDON))
    assert [s.date().isoformat() for s in starts] == ["2027-01-05", "2027-01-19", "2027-02-02", "2027-02-16"]


def test_monthly_on_the_first_tuesday_across_the_spring_change() -> None:
    starts = expand("FREQ=MONTHLY;BYDAY=1TU;COUNT=4", datetime(2027, 2, 2, 19, 0, tzinfo=LONDON), days=200)
    local = [s.astimezone(LONDON) for s in starts]
    assert [d.date().isoformat() for d in local] == ["2027-02-02", "2027-03-02", "2027-04-06", "2027-05-04"]
    assert {d.strftime("%H:%M") for d in local} == {"19:00"}
    assert starts[1].hour == 19 and starts[2].hour == 18  # GMT, then BST


def test_until_is_inclusive_of_that_local_day() -> None:
    first = datetime(2027, 1, 4, 18, 0, tzinfo=NEW_YORK)
    rule = recurrence.normalise_rule("FREQ=WEEKLY;UNTIL=20270125", first_start=first.astimezone(UTC), tz=NEW_YORK)
    assert rule.startswith("FREQ=WEEKLY;UNTIL=20270126T")  # 23:59:59 in New York is the next day in UTC
    assert len(expand(rule, first)) == 4


def test_open_ended_rule_is_expanded_only_within_the_window() -> None:
    first = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    starts = recurrence.starts_between(
        "FREQ=DAILY", first_start=first, tz=LONDON, after=first, before=first + timedelta(days=5000)
    )
    assert (
        first + recurrence.OPEN_ENDED_WINDOW - timedelta(days=2) <= starts[-1] <= first + recurrence.OPEN_ENDED_WINDOW
    )
    assert len(starts) <= recurrence.OPEN_ENDED_WINDOW.days + 1


def test_single_event_is_its_own_only_occurrence() -> None:
    first = datetime(2027, 5, 1, 9, 0, tzinfo=UTC)
    assert recurrence.starts_between("", first_start=first, tz=LONDON, after=first, before=first + timedelta(1)) == [
        first
    ]
    assert (
        recurrence.starts_between(
            "", first_start=first, tz=LONDON, after=first + timedelta(1), before=first + timedelta(2)
        )
        == []
    )


def test_index_and_membership_of_a_start() -> None:
    first = datetime(2027, 1, 5, 10, 0, tzinfo=LONDON).astimezone(UTC)
    third = datetime(2027, 1, 19, 10, 0, tzinfo=LONDON).astimezone(UTC)
    assert recurrence.index_of("FREQ=WEEKLY;COUNT=5", first_start=first, tz=LONDON, when=third) == 2
    assert recurrence.is_start("FREQ=WEEKLY;COUNT=5", first_start=first, tz=LONDON, when=third)
    assert not recurrence.is_start("FREQ=WEEKLY;COUNT=5", first_start=first, tz=LONDON, when=third + timedelta(hours=1))


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        ("FREQ=HOURLY", "at most daily"),
        ("FREQ=MINUTELY;COUNT=3", "at most daily"),
        ("FREQ=SECONDLY", "at most daily"),
        ("FREQ=WEEKLY;COUNT=501", "COUNT must be"),
        ("FREQ=DAILY;UNTIL=20300101", "more than 500"),
        ("FREQ=WEEKLY;COUNT=0", "COUNT must be"),
        ("FREQ=WEEKLY;COUNT=3;UNTIL=20280101", "not both"),
        ("FREQ=FORTNIGHTLY", "FREQ must be"),
        ("COUNT=3", "FREQ must be"),
        ("FREQ=WEEKLY;BYHOUR=9,10", "not supported"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31", "not supported"),
        ("FREQ=MONTHLY;BYMONTHDAY=31", "1 to 28"),
        ("FREQ=YEARLY;BYMONTHDAY=30", "goes with FREQ=MONTHLY"),
        ("FREQ=MONTHLY;BYDAY=5TU", "1st to the 4th"),
        ("FREQ=WEEKLY;BYDAY=1TU", "FREQ=MONTHLY"),
        ("FREQ=WEEKLY;BYDAY=XX", "not a day"),
        ("FREQ=WEEKLY;INTERVAL=0", "INTERVAL"),
        ("FREQ=WEEKLY;INTERVAL=99", "INTERVAL"),
        ("FREQ=WEEKLY;FREQ=DAILY", "twice"),
        ("FREQ=WEEKLY;COUNT", "NAME=VALUE"),
        ("FREQ=WEEKLY;UNTIL=tomorrow", "UNTIL must be"),
        ("FREQ=WEEKLY;UNTIL=20260101", "no meetings"),
        ("FREQ=WEEKLY;UNTIL=99991231", "between"),
        ("FREQ=WEEKLY\x00", "may only use"),
        ("FREQ=WEEKLY;" + "BYDAY=MO;" * 60, "may only use"),
        ("DTSTART:20270101T000000Z", "may only use"),
    ],
)
def test_abusive_or_broken_rules_are_refused_with_a_reason(rule: str, says: str) -> None:
    first = datetime(2027, 1, 5, 10, 0, tzinfo=LONDON).astimezone(UTC)
    with pytest.raises(Invalid) as refused:
        recurrence.normalise_rule(rule, first_start=first, tz=LONDON)
    assert says in refused.value.errors["rrule"][0]


@pytest.mark.parametrize("value", [123, ["FREQ=WEEKLY"], {"FREQ": "WEEKLY"}])
def test_rule_of_the_wrong_type_is_refused(value: object) -> None:
    with pytest.raises(Invalid):
        recurrence.normalise_rule(value, first_start=datetime(2027, 1, 5, tzinfo=UTC), tz=LONDON)


def test_rule_is_normalised() -> None:
    first = datetime(2027, 1, 5, 10, 0, tzinfo=UTC)
    assert (
        recurrence.normalise_rule(" rrule:freq=weekly;byday=tu ", first_start=first, tz=LONDON)
        == "FREQ=WEEKLY;BYDAY=TU"
    )
    assert recurrence.normalise_rule("", first_start=first, tz=LONDON) == ""
    assert recurrence.normalise_rule(None, first_start=first, tz=LONDON) == ""


@pytest.mark.parametrize("name", ["", "Mars/Olympus", "../../etc/passwd", "Europe/London\x00", 5, None, "x" * 100])
def test_unknown_time_zones_are_refused(name: object) -> None:
    with pytest.raises(Invalid) as refused:
        recurrence.zone(name)
    assert "timezone" in refused.value.errors


def test_known_time_zone() -> None:
    assert recurrence.zone("America/New_York").key == "America/New_York"
