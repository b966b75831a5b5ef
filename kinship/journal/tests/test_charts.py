"""The chart geometry: a pure function, tested on hand-made cases and by properties."""

from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from kinship.journal import charts
from kinship.journal.charts import Moment, Reading

START = date(2026, 3, 1)
END = date(2026, 5, 31)


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute)


def chart(readings: list[Reading], *, start: date = START, end: date = END, moments=(), key="distress", guide=None):
    bucket, periods = charts.aggregate(readings, start, end)
    return charts.build(
        key=key, name=key.title(), bucket=bucket, periods=periods, moments=moments, start=start, end=end, guide=guide
    )


def inside_plot(c: charts.Chart, x: float, y: float) -> bool:
    return c.left <= x <= c.right and c.top <= y <= c.bottom


def test_no_readings_gives_an_empty_chart_with_a_plain_summary() -> None:
    c = chart([])
    assert c.is_empty
    assert c.polyline == ""
    assert c.summary == "No check-ins between 1 Mar 2026 and 31 May 2026."


def test_a_few_readings_are_each_a_point_in_time_order() -> None:
    readings = [Reading(at(date(2026, 4, 2)), 7, 3), Reading(at(date(2026, 3, 2)), 2, 5)]
    c = chart(readings)
    assert c.bucket == charts.EACH
    assert [p.value for p in c.points] == [2, 7]
    assert c.points[0].x < c.points[1].x
    # Higher scores are drawn higher up (smaller y).
    assert c.points[1].y < c.points[0].y
    assert c.points[0].when == "2 Mar 2026, 09:00"
    assert c.points[0].label == "2 Mar 2026, 09:00: 2"
    assert c.summary.startswith("Distress from 2 check-ins between 1 Mar 2026 and 31 May 2026: latest 7, lowest 2")
    pain = chart(readings, key="pain")
    assert [p.value for p in pain.points] == [5, 3]


def test_scores_map_to_the_plot_edges() -> None:
    c = chart([Reading(at(START, 0, 0), 0, 0), Reading(at(END, 23, 59), 10, 10)])
    assert c.points[0].y == c.bottom
    assert c.points[1].y == c.top
    assert c.points[0].x == c.left
    assert c.right - 1 < c.points[1].x <= c.right


def test_readings_outside_the_range_are_left_out() -> None:
    c = chart([Reading(at(START - timedelta(days=1)), 5, 5), Reading(at(END + timedelta(days=1)), 5, 5)])
    assert c.is_empty


def test_many_readings_a_day_become_daily_means() -> None:
    readings = [Reading(at(START + timedelta(days=d), h), d % 11, 4) for d in range(40) for h in (8, 12, 20)]
    c = chart(readings)
    assert c.bucket == charts.DAY
    assert c.averaged
    assert len(c.points) == 40
    assert all(p.count == 3 for p in c.points)
    assert c.points[0].when == "1 Mar 2026"
    assert c.points[0].label == "1 Mar 2026: 0 (mean of 3 check-ins)"


def test_a_year_of_daily_readings_becomes_weekly_means() -> None:
    start = date(2025, 6, 1)
    end = date(2026, 5, 31)
    readings = [Reading(at(start + timedelta(days=d)), d % 2 * 3, 2) for d in range(365)]
    c = chart(readings, start=start, end=end)
    assert c.bucket == charts.WEEK
    assert len(c.points) <= charts.MAX_POINTS
    assert sum(p.count for p in c.points) == 365
    # 2025-06-01 is a Sunday: its week began on Monday 26 May, before the chart, and is still drawn on it.
    assert c.points[0].when == "Week of 26 May 2025"
    # Placed at the middle of its part inside the chart (one day, 1 June), not before the chart's edge.
    assert c.points[0].x == round(c.left + (c.right - c.left) * 0.5 / 366, 1)
    assert (c.points[5].when, c.points[5].value_text, c.points[5].count) == ("Week of 30 Jun 2025", "1.7", 7)


def test_years_of_daily_readings_become_monthly_means() -> None:
    start = date(2023, 1, 1)
    end = date(2026, 5, 31)
    readings = [Reading(at(start + timedelta(days=d)), 5, 5) for d in range((end - start).days + 1)]
    c = chart(readings, start=start, end=end)
    assert c.bucket == charts.MONTH
    assert c.points[0].when == "January 2023"
    assert len(c.points) == 41


def test_one_day_range_still_has_width() -> None:
    c = chart([Reading(at(START, 12), 3, 3)], start=START, end=START)
    assert len(c.points) == 1
    assert inside_plot(c, c.points[0].x, c.points[0].y)
    assert [t.label for t in c.x_ticks] == ["1 Mar"]


def test_milestones_are_numbered_in_date_order_and_only_inside_the_range() -> None:
    moments = [
        Moment(date(2026, 5, 1), "Prosthesis fitted", "/journal/milestones/2/"),
        Moment(date(2026, 3, 15), "First time standing", "/journal/milestones/1/"),
        Moment(date(2026, 1, 1), "Before the chart"),
        Moment(date(2026, 6, 1), "After the chart"),
    ]
    c = chart([], moments=moments)
    assert [(m.number, m.title) for m in c.markers] == [(1, "First time standing"), (2, "Prosthesis fitted")]
    assert c.markers[0].x < c.markers[1].x
    assert c.markers[1].url == "/journal/milestones/2/"


def test_distress_guide_sits_at_the_help_score() -> None:
    c = chart([], guide=4)
    assert c.guide_y == round(c.bottom - 0.4 * (c.bottom - c.top), 1)
    assert chart([]).guide_y is None


def test_month_ticks_are_labelled_and_thinned() -> None:
    c = chart([])
    assert [t.label for t in c.x_ticks] == ["Mar 2026", "Apr", "May"]
    year = chart([], start=date(2025, 6, 1), end=date(2026, 5, 31))
    assert len(year.x_ticks) <= charts.MAX_X_TICKS
    assert [t.label for t in year.x_ticks] == ["Jun 2025", "Aug", "Oct", "Dec", "Feb 2026", "Apr"]
    short = chart([], start=date(2026, 3, 3), end=date(2026, 3, 20))
    assert [t.label for t in short.x_ticks] == ["3 Mar", "20 Mar"]


def test_score_text() -> None:
    assert charts.score_text(4) == "4"
    assert charts.score_text(4.75) == "4.8"
    assert charts.score_text(3.96) == "4"
    assert charts.score_text(1 / 3) == "0.3"


days = st.integers(min_value=0, max_value=5 * 366)
readings_strategy = st.lists(
    st.builds(
        lambda d, minute, distress, pain: Reading(
            datetime(2021, 1, 1) + timedelta(days=d, minutes=minute), distress, pain
        ),
        days,
        st.integers(min_value=0, max_value=24 * 60 - 1),
        st.integers(min_value=0, max_value=10),
        st.integers(min_value=0, max_value=10),
    ),
    max_size=400,
)


@settings(max_examples=150, deadline=None)
@given(
    readings=readings_strategy,
    first=days,
    length=st.integers(min_value=0, max_value=5 * 366),
    moment_days=st.lists(days, max_size=8),
)
def test_every_chart_stays_inside_its_box_and_keeps_every_reading(readings, first, length, moment_days) -> None:
    start = date(2021, 1, 1) + timedelta(days=first)
    end = start + timedelta(days=length)
    moments = [Moment(date(2021, 1, 1) + timedelta(days=d), f"m{d}") for d in moment_days]
    bucket, periods = charts.aggregate(readings, start, end)
    inside = [r for r in readings if start <= r.at.date() <= end]
    # Nothing lost, nothing counted twice.
    assert sum(p.count for p in periods) == len(inside)
    # Few enough points for a phone, unless only monthly means are left.
    assert len(periods) <= charts.MAX_POINTS or bucket == charts.MONTH
    for key in ("distress", "pain"):
        c = charts.build(
            key=key, name=key, bucket=bucket, periods=periods, moments=moments, start=start, end=end, guide=4
        )
        assert len(c.points) == len(periods)
        for point in c.points:
            assert inside_plot(c, point.x, point.y)
            assert 0 <= point.value <= 10
        # Left to right in time.
        assert [p.x for p in c.points] == sorted(p.x for p in c.points)
        for marker in c.markers:
            assert c.left <= marker.x <= c.right
            assert start <= marker.day <= end
        assert len(c.markers) == len([m for m in moments if start <= m.day <= end])
        for tick in c.x_ticks:
            assert c.left <= tick.pos <= c.right
        assert len(c.x_ticks) <= charts.MAX_X_TICKS


@settings(max_examples=100, deadline=None)
@given(readings=readings_strategy)
def test_means_lie_between_the_lowest_and_highest_reading_they_stand_for(readings) -> None:
    start, end = date(2021, 1, 1), date(2026, 1, 1)
    bucket, periods = charts.aggregate(readings, start, end)
    for period in periods:
        members = [r for r in readings if period.first <= r.at.date() <= period.last]
        if bucket == charts.EACH:
            assert period.count == 1
            continue
        assert len(members) == period.count
        assert min(r.distress for r in members) <= period.distress <= max(r.distress for r in members)
        assert min(r.pain for r in members) <= period.pain <= max(r.pain for r in members)
