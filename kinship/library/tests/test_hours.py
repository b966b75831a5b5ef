"""Opening hours: open now, across midnight and both daylight-saving changes; the written form."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kinship.library import hours
from kinship.library.hours import Period

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


def p(weekday: int, opens: str, closes: str) -> Period:
    return Period(weekday=weekday, opens=hours.parse_time(opens), closes=hours.parse_time(closes))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def status(periods, at, tz="Europe/London", always_open=False):
    return hours.status(periods, always_open=always_open, tz=tz, at=at)


def is_open(periods, at, tz="Europe/London"):
    return hours.is_open(periods, always_open=False, tz=tz, at=at)


WEEKDAYS_9_TO_5 = [p(d, "09:00", "17:00") for d in range(5)]


# Ordinary days ------------------------------------------------------------------------------


def test_open_during_the_day_closed_before_and_at_closing_time():
    # Wednesday 15 January 2025, London is on GMT (= UTC).
    assert is_open(WEEKDAYS_9_TO_5, utc("2025-01-15 08:59")) is False
    assert is_open(WEEKDAYS_9_TO_5, utc("2025-01-15 09:00")) is True
    assert is_open(WEEKDAYS_9_TO_5, utc("2025-01-15 16:59")) is True
    assert is_open(WEEKDAYS_9_TO_5, utc("2025-01-15 17:00")) is False


def test_status_texts_name_the_next_change():
    assert status(WEEKDAYS_9_TO_5, utc("2025-01-15 10:00")).text == "Open now · closes 17:00"
    assert status(WEEKDAYS_9_TO_5, utc("2025-01-15 07:00")).text == "Closed now · opens 09:00"
    assert status(WEEKDAYS_9_TO_5, utc("2025-01-15 18:00")).text == "Closed now · opens tomorrow 09:00"
    # Friday evening: next opening is Monday.
    assert status(WEEKDAYS_9_TO_5, utc("2025-01-17 18:00")).text == "Closed now · opens Mon 09:00"


def test_a_weekly_slot_just_missed_opens_next_week():
    weekly = [p(1, "09:00", "10:00")]  # Tuesdays
    found = status(weekly, utc("2025-01-14 11:00"))  # a Tuesday, after the slot
    assert found.text == "Closed now · opens next Tue 09:00"
    assert found.changes_at == datetime(2025, 1, 21, 9, 0, tzinfo=LONDON)


def test_the_time_is_read_in_the_resources_zone():
    # 14:30 UTC is 09:30 in New York in January.
    assert is_open(WEEKDAYS_9_TO_5, utc("2025-01-15 14:30"), tz="America/New_York") is True
    assert is_open(WEEKDAYS_9_TO_5, utc("2025-01-15 13:30"), tz="America/New_York") is False
    assert is_open(WEEKDAYS_9_TO_5, utc("2025-01-15 22:30"), tz="America/New_York") is False


def test_closes_tomorrow_is_spelt_out():
    late = [p(4, "22:00", "02:00")]  # Friday night into Saturday
    assert status(late, utc("2025-01-17 23:00")).text == "Open now · closes tomorrow 02:00"


# Past midnight ------------------------------------------------------------------------------


def test_a_period_past_midnight_runs_into_the_next_day():
    late = [p(4, "22:00", "02:00")]
    assert is_open(late, utc("2025-01-17 21:59")) is False
    assert is_open(late, utc("2025-01-17 22:00")) is True
    assert is_open(late, utc("2025-01-18 01:59")) is True  # Saturday, still Friday's period
    assert is_open(late, utc("2025-01-18 02:00")) is False
    # Saturday night itself has no period.
    assert is_open(late, utc("2025-01-18 23:00")) is False


def test_sunday_night_wraps_into_monday():
    late = [p(6, "20:00", "03:00")]
    assert is_open(late, utc("2025-01-20 02:30")) is True  # Monday morning
    assert is_open(late, utc("2025-01-20 03:00")) is False


def test_same_opening_and_closing_time_is_a_whole_day():
    day = [p(0, "09:00", "09:00")]
    assert is_open(day, utc("2025-01-13 09:00")) is True
    assert is_open(day, utc("2025-01-14 08:59")) is True
    assert is_open(day, utc("2025-01-14 09:00")) is False


def test_touching_periods_merge_so_closing_time_is_the_real_one():
    split = [p(0, "09:00", "12:00"), p(0, "12:00", "17:00")]
    assert status(split, utc("2025-01-13 10:00")).text == "Open now · closes 17:00"


def test_every_hour_of_the_week_reads_as_24_7():
    allweek = [p(d, "00:00", "00:00") for d in range(7)]
    found = status(allweek, utc("2025-01-13 10:00"))
    assert found.open is True
    assert found.label == "Open 24/7"


# 24/7 and unknown ---------------------------------------------------------------------------


def test_always_open_is_open_at_any_instant():
    found = status([], utc("2025-03-30 01:30"), always_open=True)
    assert found.open is True
    assert found.text == "Open 24/7"


def test_always_open_wins_over_leftover_hours():
    assert hours.is_open([p(0, "09:00", "10:00")], always_open=True, tz="UTC", at=utc("2025-01-18 12:00")) is True


def test_no_hours_is_unknown_not_closed():
    found = status([], utc("2025-01-15 10:00"))
    assert found.open is None
    assert found.text == "Opening hours not known"


def test_a_naive_instant_is_refused():
    with pytest.raises(ValueError):
        status(WEEKDAYS_9_TO_5, datetime(2025, 1, 15, 10, 0))


# Spring forward (London: Sunday 30 March 2025, 01:00 GMT -> 02:00 BST) ------------------------


def test_london_spring_forward_weekday_hours_move_with_the_clock():
    # Friday before: 09:00 GMT is 09:00 UTC. Monday after: 09:00 BST is 08:00 UTC.
    assert is_open(WEEKDAYS_9_TO_5, utc("2025-03-28 09:00")) is True
    assert is_open(WEEKDAYS_9_TO_5, utc("2025-03-31 07:59")) is False
    assert is_open(WEEKDAYS_9_TO_5, utc("2025-03-31 08:00")) is True
    assert is_open(WEEKDAYS_9_TO_5, utc("2025-03-31 16:00")) is False  # 17:00 BST


def test_london_spring_forward_closing_time_in_the_gap_closes_at_the_jump():
    night = [p(5, "22:00", "01:30")]  # Saturday night; 01:30 never shows on Sunday 30 March
    assert is_open(night, utc("2025-03-30 00:59")) is True  # 00:59 GMT
    assert is_open(night, utc("2025-03-30 01:00")) is False  # clocks now show 02:00 BST


def test_london_spring_forward_opening_time_in_the_gap_opens_at_the_jump():
    early = [p(6, "01:30", "03:00")]
    assert is_open(early, utc("2025-03-30 00:59")) is False
    found = status(early, utc("2025-03-30 00:59"))
    assert found.changes_at == datetime(2025, 3, 30, 2, 0, tzinfo=LONDON)
    assert is_open(early, utc("2025-03-30 01:00")) is True
    assert is_open(early, utc("2025-03-30 01:59")) is True  # 02:59 BST
    assert is_open(early, utc("2025-03-30 02:00")) is False  # 03:00 BST


def test_london_spring_forward_night_shift_is_an_hour_shorter():
    night = [p(5, "22:00", "06:00")]
    assert is_open(night, utc("2025-03-29 22:00")) is True
    assert is_open(night, utc("2025-03-30 04:59")) is True  # 05:59 BST
    assert is_open(night, utc("2025-03-30 05:00")) is False  # 06:00 BST


# Autumn back (London: Sunday 26 October 2025, 02:00 BST -> 01:00 GMT) -------------------------


def test_london_autumn_back_weekday_hours_move_with_the_clock():
    assert is_open(WEEKDAYS_9_TO_5, utc("2025-10-24 08:00")) is True  # 09:00 BST
    assert is_open(WEEKDAYS_9_TO_5, utc("2025-10-27 08:30")) is False  # 08:30 GMT
    assert is_open(WEEKDAYS_9_TO_5, utc("2025-10-27 09:00")) is True


def test_london_autumn_back_closing_time_in_the_repeated_hour_is_its_first_showing():
    night = [p(5, "22:00", "01:30")]
    assert is_open(night, utc("2025-10-26 00:29")) is True  # 01:29 BST
    assert is_open(night, utc("2025-10-26 00:30")) is False  # 01:30 BST
    # The clock shows 01:15 again (GMT): closed stays closed, no second opening.
    assert is_open(night, utc("2025-10-26 01:15")) is False


def test_london_autumn_back_a_period_over_the_repeated_hour_lasts_it_twice():
    hour = [p(6, "01:00", "02:00")]
    assert is_open(hour, utc("2025-10-25 23:59")) is False  # 00:59 BST
    assert is_open(hour, utc("2025-10-26 00:00")) is True  # 01:00 BST
    assert is_open(hour, utc("2025-10-26 01:30")) is True  # 01:30 GMT, second showing
    assert is_open(hour, utc("2025-10-26 02:00")) is False  # 02:00 GMT


def test_london_autumn_back_night_shift_is_an_hour_longer():
    night = [p(5, "22:00", "06:00")]
    assert is_open(night, utc("2025-10-25 21:00")) is True  # 22:00 BST
    assert is_open(night, utc("2025-10-26 05:59")) is True  # 05:59 GMT
    assert is_open(night, utc("2025-10-26 06:00")) is False


# New York (spring: Sunday 9 March 2025 02:00 -> 03:00; autumn: Sunday 2 November 2025 02:00 -> 01:00)


def test_new_york_spring_forward():
    night = [p(5, "23:00", "03:00")]  # Saturday 8 March 23:00 EST = 04:00 UTC Sunday
    assert is_open(night, utc("2025-03-09 03:59"), tz="America/New_York") is False
    assert is_open(night, utc("2025-03-09 04:00"), tz="America/New_York") is True
    assert is_open(night, utc("2025-03-09 06:59"), tz="America/New_York") is True  # 01:59 EST
    assert is_open(night, utc("2025-03-09 07:00"), tz="America/New_York") is False  # 03:00 EDT
    # Monday: 09:00 EDT is 13:00 UTC.
    assert is_open(WEEKDAYS_9_TO_5, utc("2025-03-10 12:59"), tz="America/New_York") is False
    assert is_open(WEEKDAYS_9_TO_5, utc("2025-03-10 13:00"), tz="America/New_York") is True


def test_new_york_spring_forward_time_in_the_gap():
    gap = [p(6, "02:30", "04:00")]  # 02:30 never shows on 9 March
    found = status(gap, utc("2025-03-09 06:00"), tz="America/New_York")  # 01:00 EST
    assert found.open is False
    assert found.changes_at == datetime(2025, 3, 9, 3, 0, tzinfo=NEW_YORK)
    assert found.text == "Closed now · opens 03:00"
    assert is_open(gap, utc("2025-03-09 07:00"), tz="America/New_York") is True  # 03:00 EDT


def test_new_york_autumn_back():
    night = [p(5, "22:00", "01:30")]  # Saturday 1 November
    assert is_open(night, utc("2025-11-02 05:29"), tz="America/New_York") is True  # 01:29 EDT
    assert is_open(night, utc("2025-11-02 05:30"), tz="America/New_York") is False  # 01:30 EDT
    assert is_open(night, utc("2025-11-02 06:15"), tz="America/New_York") is False  # 01:15 EST, again
    # Monday: 09:00 EST is 14:00 UTC.
    assert is_open(WEEKDAYS_9_TO_5, utc("2025-11-03 13:59"), tz="America/New_York") is False
    assert is_open(WEEKDAYS_9_TO_5, utc("2025-11-03 14:00"), tz="America/New_York") is True


def test_first_instant():
    assert hours.first_instant(datetime(2025, 3, 30, 1, 30), LONDON) == utc("2025-03-30 01:00")
    assert hours.first_instant(datetime(2025, 10, 26, 1, 30), LONDON) == utc("2025-10-26 00:30")
    assert hours.first_instant(datetime(2025, 10, 26, 2, 0), LONDON) == utc("2025-10-26 02:00")
    assert hours.first_instant(datetime(2025, 7, 1, 12, 0), LONDON) == utc("2025-07-01 11:00")
    # Lord Howe Island moves its clocks by half an hour.
    lord_howe = ZoneInfo("Australia/Lord_Howe")
    assert hours.first_instant(datetime(2025, 10, 5, 2, 15), lord_howe) == datetime(
        2025, 10, 5, 2, 30, tzinfo=lord_howe
    ).astimezone(UTC)


# Property: the answer agrees with the wall clock, and the announced change really happens ---------

ZONES = ["Europe/London", "America/New_York", "Australia/Sydney", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]
minutes = st.integers(min_value=0, max_value=24 * 60 - 1).map(lambda m: time(m // 60, m % 60))
periods_st = st.lists(
    st.builds(Period, weekday=st.integers(0, 6), opens=minutes, closes=minutes), min_size=1, max_size=6
)
instants = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 31)).map(
    lambda d: d.replace(second=0, microsecond=0, tzinfo=UTC)
)


def wall_clock_open(periods, at, zone):
    """The naive reading: open when the local wall clock falls in a period. Right away from DST changes."""
    wall = at.astimezone(zone).replace(tzinfo=None)
    for period in periods:
        for day in (wall.date() - timedelta(days=1), wall.date()):
            if day.weekday() != period.weekday:
                continue
            start = datetime.combine(day, period.opens)
            end = datetime.combine(day + timedelta(days=1) if period.crosses_midnight else day, period.closes)
            if start <= wall < end:
                return True
    return False


def near_a_change(at, zone):
    offsets = {(at + timedelta(hours=h)).astimezone(zone).utcoffset() for h in range(-50, 51)}
    return len(offsets) > 1


@settings(max_examples=300, deadline=None)
@given(periods=periods_st, at=instants, zone_name=st.sampled_from(ZONES))
def test_property_agrees_with_the_wall_clock_away_from_dst_changes(periods, at, zone_name):
    zone = ZoneInfo(zone_name)
    if near_a_change(at, zone):
        return
    assert hours.is_open(periods, always_open=False, tz=zone, at=at) is wall_clock_open(periods, at, zone)


@settings(max_examples=300, deadline=None)
@given(periods=periods_st, at=instants, zone_name=st.sampled_from(ZONES))
def test_property_the_announced_change_happens_then(periods, at, zone_name):
    found = hours.status(periods, always_open=False, tz=zone_name, at=at)
    assert found.open in (True, False)
    if found.changes_at is None:
        return
    assert found.changes_at > at
    assert hours.is_open(periods, always_open=False, tz=zone_name, at=found.changes_at) is (not found.open)
    # In UTC: arithmetic on an aware local time is wall-clock arithmetic, wrong across a DST change.
    just_before = found.changes_at.astimezone(UTC) - timedelta(seconds=1)
    assert hours.is_open(periods, always_open=False, tz=zone_name, at=just_before) is found.open


def test_a_whole_day_ending_in_the_new_york_spring_gap():
    # Found by the property above: Sat 02:00-02:00 ends at Sunday 02:00, which never shows on 10 March 2024.
    day = [p(5, "02:00", "02:00")]
    found = status(day, utc("2024-03-10 06:00"), tz="America/New_York")  # 01:00 EST
    assert found.changes_at == datetime(2024, 3, 10, 3, 0, tzinfo=NEW_YORK)
    assert is_open(day, utc("2024-03-10 06:59:59"), tz="America/New_York") is True
    assert is_open(day, utc("2024-03-10 07:00"), tz="America/New_York") is False


# The written form ---------------------------------------------------------------------------


def test_parse_and_format_round_trip():
    text = "Mon 09:00-17:00; Tue 09:00-17:00; Sat 22:00-02:00"
    always, periods = hours.parse(text)
    assert always is False
    assert hours.format_hours(periods, always_open=False) == text


def test_parse_reads_ranges_24_7_and_empty():
    assert hours.parse("Mon-Fri 9:00-17:00") == (False, [p(d, "09:00", "17:00") for d in range(5)])
    assert hours.parse(" 24/7 ") == (True, [])
    assert hours.parse("") == (False, [])
    assert hours.parse("sun 20:00-24:00") == (False, [p(6, "20:00", "00:00")])


@pytest.mark.parametrize(
    "text",
    ["Monday 09:00-17:00", "Mon 9-17", "Mon 25:00-26:00", "Fri-Mon 09:00-10:00", "Mon 09:60-10:00", "x" * 500],
)
def test_parse_refuses_what_it_cannot_read(text):
    with pytest.raises(hours.HoursSyntaxError):
        hours.parse(text)


@pytest.mark.parametrize(
    "text", ["²:00", "09:²0", "0²:00", "\u0661\u0662:\u0660\u0660", "\U0001d7d7:00", "09:\u0663\u0660"]
)
def test_parse_time_refuses_digits_that_are_not_ascii(text):
    # "²".isdigit() is true but int("²") fails: such a time is a clear message, never a crash.
    with pytest.raises(hours.HoursSyntaxError):
        hours.parse_time(text)
    with pytest.raises(hours.HoursSyntaxError):
        hours.parse(f"Mon {text}-23:00")


def test_parse_refuses_too_many_periods():
    with pytest.raises(hours.HoursSyntaxError):
        hours.parse("; ".join(["Mon-Sun 09:00-10:00"] * 5))


def test_overlaps_within_a_day_and_across_the_week_end():
    assert hours.overlaps([p(0, "09:00", "12:00"), p(0, "11:00", "13:00")])
    assert not hours.overlaps([p(0, "09:00", "12:00"), p(0, "12:00", "13:00")])
    assert hours.overlaps([p(6, "22:00", "02:00"), p(0, "01:00", "03:00")])
    assert hours.overlaps([p(4, "22:00", "02:00"), p(5, "01:00", "03:00")])
    assert not hours.overlaps([p(4, "22:00", "02:00"), p(5, "02:00", "03:00")])


def test_weekly_table_has_seven_days_monday_first():
    table = hours.weekly_table([p(2, "09:00", "12:00"), p(2, "13:00", "17:00")])
    assert table[0]["day"] == "Monday"
    assert len(table) == 7
    assert len(table[2]["periods"]) == 2
    assert table[0]["periods"] == []


def test_when_formats_relative_days():
    now = datetime(2025, 1, 15, 10, 0, tzinfo=LONDON)  # Wednesday
    assert hours.when(now.replace(hour=17), now) == "17:00"
    assert hours.when(now + timedelta(days=1), now) == "tomorrow 10:00"
    assert hours.when(now + timedelta(days=2), now) == "Fri 10:00"
    assert hours.when(now + timedelta(days=7), now) == "next Wed 10:00"
    assert date(2025, 1, 15).weekday() == 2
