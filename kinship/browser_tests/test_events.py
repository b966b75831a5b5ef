"""Events in a browser: a facilitator plans a weekly meeting, a member RSVPs in place, axe finds nothing serious."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from kinship.browser_tests.conftest import DESKTOP, PHONE, describe_violations, run_axe, scroll_width, sign_in
from kinship.core import factories
from kinship.events.models import Event, Rsvp, occurrence_key

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _scene() -> dict:
    circle = factories.make_circle(name="After amputation", slug="after-amputation")
    facilitator = factories.make_user(display_name="Fiona")
    factories.add_member(circle, facilitator, role="facilitator")
    member = factories.make_member(circle, display_name="Mia")
    return {"circle": circle, "facilitator": facilitator, "member": member}


def _plan_weekly_meeting(open_page, scene: dict) -> Event:
    page = open_page(DESKTOP)
    sign_in(page, scene["facilitator"])
    page.goto(reverse("events:event-create", args=[scene["circle"].slug]))
    start = (timezone.now() + timedelta(days=3)).astimezone(ZoneInfo("Europe/London")).replace(hour=18, minute=0)
    page.get_by_label("Title").fill("Thursday evening circle")
    page.get_by_label("Description").fill("Tea, biscuits and **honest talk**.")
    page.get_by_label("Time zone").select_option("Europe/London")
    page.get_by_label("Starts").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Ends").fill((start + timedelta(hours=1, minutes=30)).strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_repeat").select_option("weekly")
    page.get_by_label("After a number of meetings").check()
    page.get_by_role("spinbutton", name="Number of meetings").fill("6")
    page.get_by_label("Address").fill("Community room, 12 Hope Street")
    page.get_by_label("Step-free access").check()
    page.get_by_role("button", name="Plan the event").click()
    page.wait_for_url("**/events/*/")
    assert page.kinship_errors == []
    event = Event.objects.get(title="Thursday evening circle")
    assert event.rrule == "FREQ=WEEKLY;COUNT=6"
    assert event.step_free and event.timezone == "Europe/London"
    assert page.get_by_role("heading", name="Thursday evening circle").is_visible()
    return event


def test_facilitator_plans_a_weekly_meeting_and_a_member_rsvps_in_place(open_page):
    scene = _scene()
    event = _plan_weekly_meeting(open_page, scene)
    page = open_page(PHONE)
    sign_in(page, scene["member"])
    url = reverse("events:occurrence-detail", args=[event.pk, occurrence_key(event.starts_at + timedelta(weeks=1))])
    page.goto(url)
    page.evaluate("window.kinshipMarker = 'still here'")
    page.locator("#rsvp").get_by_role("button", name="Going", exact=True).click()
    page.locator("#rsvp").get_by_text("You're going.").wait_for()
    # Swapped in place: no navigation happened, so the page's own state survives.
    assert page.evaluate("window.kinshipMarker") == "still here"
    assert page.url.endswith(url)
    assert Rsvp.objects.get(member=scene["member"]).has_seat
    assert page.locator("#rsvp button[aria-pressed=true]").inner_text() == "Going"
    assert page.kinship_errors == []


def test_rsvp_works_without_javascript(playwright_browser, live_server):
    scene = _scene()
    start = (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    event = Event.objects.create(
        circle=scene["circle"],
        title="Coffee morning",
        timezone="Europe/London",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        address="Cafe",
    )
    context = playwright_browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.kinship_base_url = live_server.url
        sign_in(page, scene["member"])
        page.goto(reverse("events:occurrence-detail", args=[event.pk, occurrence_key(event.starts_at)]))
        page.get_by_role("button", name="Maybe").click()
        page.get_by_text("You said maybe.").wait_for()
        assert Rsvp.objects.get(member=scene["member"]).answer == Rsvp.MAYBE
    finally:
        context.close()


@pytest.mark.parametrize("which", ["calendar", "event", "occurrence", "event form"])
def test_event_pages_pass_axe_on_a_phone(open_page, axe_script, which):
    scene = _scene()
    start = (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    event = Event.objects.create(
        circle=scene["circle"],
        title="Physiotherapy Q&A",
        kind=Event.SEMINAR,
        description_html="<p>Bring your questions.</p>",
        facilitator=scene["facilitator"],
        timezone="Europe/London",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        rrule="FREQ=WEEKLY;COUNT=4",
        address="Hospital lecture theatre",
        step_free=True,
        online=True,
        meeting_link="https://meet.example.org/physio",
        capacity=10,
    )
    url = {
        "calendar": reverse("events:circle-calendar", args=[scene["circle"].slug]),
        "event": event.get_absolute_url(),
        "occurrence": reverse("events:occurrence-detail", args=[event.pk, occurrence_key(event.starts_at)]),
        "event form": reverse("events:event-create", args=[scene["circle"].slug]),
    }[which]
    page = open_page(PHONE)
    sign_in(page, scene["facilitator"] if which == "event form" else scene["member"])
    response = page.goto(url)
    assert response is not None and response.ok, f"{url} answered {response and response.status}"
    violations = run_axe(page, axe_script)
    assert violations == [], f"{which} at {PHONE} px ({page.url}):\n{describe_violations(violations)}"
    assert scroll_width(page) <= PHONE
