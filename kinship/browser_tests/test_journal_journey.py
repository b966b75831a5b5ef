"""The recovery journal in Chromium: a member checks in, sees the chart and its table, adds a milestone and
shares it to their circle, where another member celebrates it. axe runs on the journal pages at 360 and 1280 px."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kinship.browser_tests.conftest import AXE, DESKTOP, PHONE, describe_violations, run_axe, scroll_width, sign_in
from kinship.core import factories
from kinship.discussions.models import Reaction, Topic
from kinship.journal.models import CheckIn, Milestone
from kinship.journal.tests.progress_support import make_checkin

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def submit(page, button) -> None:
    """Click and wait for the page that the form's POST (and its redirect) leads to."""
    with page.expect_navigation() as navigation:
        button.click()
    response = navigation.value
    assert response is not None and response.ok, f"{page.url} answered {response and response.status}"


def fits(page, width: int) -> None:
    scrolled = scroll_width(page)
    assert scrolled <= width, f"{page.url} scrolls sideways at {width} px: scrollWidth is {scrolled}"


def check_in(page, *, distress: int, pain: int, problems: list[str], note: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Journal").click()
    page.get_by_role("heading", level=1, name="My journal").wait_for()
    page.locator("main").get_by_role("link", name="Check in now").first.click()
    page.get_by_role("heading", level=1, name="Check in").wait_for()
    form = page.locator("main form.checkin-form")
    form.locator(f"input[name=distress][value='{distress}']").check()
    form.locator(f"input[name=pain][value='{pain}']").check()
    for code in problems:
        form.locator(f"input[name=problems][value='{code}']").check()
    form.locator("textarea[name=note]").fill(note)
    submit(page, form.get_by_role("button", name="Save check-in"))


def test_member_checks_in_sees_the_chart_and_shares_a_milestone_another_member_celebrates(open_page):
    circle = factories.make_circle(name="After limb salvage", slug="after-limb-salvage")
    member = factories.make_member(circle, display_name="Noor")
    friend = factories.make_member(circle, display_name="Sam")
    # Earlier weeks, so the chart has a line to draw before today's check-ins join it.
    for weeks, distress, pain in ((6, 7, 6), (4, 6, 5), (2, 5, 4)):
        make_checkin(member, when=timezone.now() - timedelta(weeks=weeks), distress=distress, pain=pain)

    page = open_page(PHONE)
    sign_in(page, member)
    page.goto("/")

    # Two check-ins through the form; the second one's distress of 6 offers help at once.
    check_in(page, distress=3, pain=2, problems=["sleep"], note="Slept badly, knee ached.")
    page.get_by_text("Distress").first.wait_for()
    check_in(page, distress=6, pain=5, problems=["worry", "getting_around"], note="Scan next week.")
    page.get_by_role("heading", name="Help is here").wait_for()
    assert CheckIn.objects.filter(owner=member).count() == 5
    fits(page, PHONE)

    # The progress page: two SVG charts, each with a table alternative holding the same figures.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Journal").click()
    page.locator("main").get_by_role("link", name="See my progress").click()
    page.get_by_role("heading", level=1, name="My progress").wait_for()
    distress_chart = page.get_by_role("img", name="Distress over 3 months, 0 to 10")
    distress_chart.wait_for()
    assert distress_chart.is_visible()
    assert page.get_by_role("img", name="Pain over 3 months, 0 to 10").is_visible()
    assert distress_chart.locator("circle").count() >= 5
    fits(page, PHONE)
    distress_section = page.locator("section[aria-labelledby='distress-heading']")
    table = distress_section.locator("table")
    assert not table.is_visible()
    distress_section.get_by_text("Distress as a table").click()
    assert table.is_visible()
    rows = table.locator("tbody tr")
    assert rows.count() == 5
    assert [rows.nth(i).locator("td").first.inner_text() for i in range(5)] == ["7", "6", "5", "3", "6"]
    fits(page, PHONE)

    # A milestone from a template, with a private note; then shared to the circle with a message.
    page.locator("main").get_by_role("link", name="Add a milestone").click()
    page.get_by_role("heading", level=1, name="My milestones").wait_for()
    add = page.locator("main form").filter(has=page.locator("[name=kind]")).first
    add.locator("select[name=kind]").select_option("standing")
    add.locator("textarea[name=note]").fill("Only for me: I cried a little.")
    submit(page, add.get_by_role("button", name="Save the milestone"))
    page.get_by_role("heading", level=1, name="First time standing").wait_for()
    milestone = Milestone.objects.get(owner=member)
    share = page.locator("main form").filter(has=page.locator("[name=circle]")).first
    share.locator("select[name=circle]").select_option(circle.slug)
    share.locator("textarea[name=message]").fill("Stood up by myself this morning!")
    submit(page, share.get_by_role("button", name="Share with the circle"))
    page.get_by_text("Shared with After limb salvage").first.wait_for()
    milestone.refresh_from_db()
    topic = milestone.shared_topic
    assert topic is not None and topic.is_celebration

    # The milestone is on the chart's time line too.
    page.goto("/journal/progress/")
    milestones = page.locator("section[aria-labelledby='milestones-heading']")
    assert milestones.get_by_role("link", name="First time standing").is_visible()
    assert page.locator("svg title", has_text="Milestone 1: First time standing").count() == 2

    # Another member opens the circle, sees the celebration, and celebrates it.
    other = open_page(DESKTOP)
    sign_in(other, friend)
    other.goto(f"/c/{circle.slug}/")
    row = other.locator("main li", has_text="Celebrating: First time standing").first
    assert row.get_by_text("Celebration").first.is_visible()
    row.get_by_role("link", name="Celebrating: First time standing").click()
    other.get_by_role("heading", level=1, name="Celebrating: First time standing").wait_for()
    thread = other.locator("main")
    assert "Stood up by myself this morning!" in thread.inner_text()
    # The private note never leaves the journal.
    assert "I cried a little" not in thread.inner_text()
    celebrate = other.locator("article.post").first.locator("button", has_text="Celebrate")
    submit(other, celebrate)
    other.locator("article.post").first.locator("button[aria-pressed=true]", has_text="Celebrate").wait_for()
    assert Reaction.objects.filter(post__topic=topic, user=friend, kind=Reaction.CELEBRATE).count() == 1
    assert Topic.objects.filter(pk=topic.pk, is_celebration=True).exists()

    # Nothing of the journal is reachable by the other member.
    response = other.goto(f"/journal/milestones/{milestone.pk}/")
    assert response is not None and response.status == 404

    # axe on each journal page, on a phone and on a desktop.
    checkin = CheckIn.objects.filter(owner=member).order_by("-created_at").first()
    assert checkin is not None
    paths = [
        "/journal/",
        "/journal/progress/",
        "/journal/progress/?range=12m",
        "/journal/checkins/new/",
        checkin.get_absolute_url(),
        "/journal/milestones/",
        milestone.get_absolute_url(),
    ]
    for width in (PHONE, DESKTOP):
        screen = open_page(width)
        sign_in(screen, member)
        for path in paths:
            response = screen.goto(path)
            assert response is not None and response.ok, path
            for details in screen.locator("main details").all():
                details.locator("summary").click()
            violations = run_axe(screen, AXE)
            assert not violations, f"{path} at {width} px:\n{describe_violations(violations)}"
            fits(screen, width)
        assert not screen.kinship_errors
    assert not page.kinship_errors and not other.kinship_errors
