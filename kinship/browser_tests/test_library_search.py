"""Resources, tips and search in Chromium: a helpline open now, a tip found by searching, and axe on the new pages."""

import datetime as dt

import pytest

from kinship.browser_tests.conftest import AXE, DESKTOP, PHONE, describe_violations, run_axe, scroll_width, sign_in
from kinship.core import factories
from kinship.library import tips
from kinship.library.models import PAIN, Material, OpeningHours, Resource

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _scene() -> dict:
    circle = factories.make_circle(name="Limb salvage", slug="limb-salvage")
    member = factories.make_member(circle, display_name="Mia")
    author = factories.make_member(circle, display_name="Ravi")
    night_line = Resource.objects.create(
        kind=Resource.HELPLINE,
        name="Night Owl Sarcoma Line",
        phone="01632 960001",
        region="National",
        languages="en,es",
        always_open=True,
        is_example=True,
    )
    # Open one minute a week, long ago in the week: closed whenever the test runs (but for that minute).
    far = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).weekday()
    office_line = Resource.objects.create(kind=Resource.HELPLINE, name="Tuesday Advice Line", timezone="UTC")
    OpeningHours.objects.create(resource=office_line, weekday=far, opens=dt.time(3, 0), closes=dt.time(3, 1))
    Resource.objects.create(kind=Resource.FINANCIAL, name="Travel Costs Fund", region="Wales")
    Material.objects.create(
        kind=Material.LINK, title="Living with an endoprosthesis", theme=PAIN, url="https://example.org/endo"
    )
    tip = tips.post_tip(
        author=author, theme=PAIN, body="A folded towel under the knee at night takes the ache out of the scar."
    )
    return {"member": member, "night_line": night_line, "office_line": office_line, "tip": tip}


def test_a_visitor_finds_a_helpline_open_now(open_page):
    scene = _scene()
    page = open_page(PHONE)
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Resources").click()
    page.get_by_label("Kind").select_option(label="Helpline")
    page.get_by_label("Open now").check()
    page.get_by_role("button", name="Show resources").click()
    results = page.locator("#results")
    # htmx swaps the results in place: wait for the filtered list, not the one that was there.
    results.get_by_text("Travel Costs Fund").wait_for(state="detached")
    results.get_by_role("link", name="Night Owl Sarcoma Line").wait_for()
    assert "Tuesday Advice Line" not in results.inner_text()
    assert "Travel Costs Fund" not in results.inner_text()
    card = page.locator("article.resource", has_text="Night Owl Sarcoma Line")
    assert "Open" in card.locator(".open-status.prominent").inner_text()
    assert "Example entry" in card.inner_text()
    assert card.get_by_role("link", name="01632 960001").get_attribute("href").startswith("tel:")
    # The filters are in the address, so the list can be shared or bookmarked.
    page.wait_for_url("**open_now=on**")
    assert scroll_width(page) <= PHONE
    page.get_by_role("link", name="Night Owl Sarcoma Line").click()
    page.get_by_role("heading", level=1, name="Night Owl Sarcoma Line").wait_for()
    assert page.url.endswith(scene["night_line"].get_absolute_url())


def test_a_member_finds_a_tip_by_searching_from_any_page(open_page):
    scene = _scene()
    page = open_page(PHONE)
    sign_in(page, scene["member"])
    page.goto("/resources/")
    search = page.get_by_role("search", name="Site search")
    search.get_by_label("Search Kinship").fill("towel knee")
    search.get_by_label("Search Kinship").press("Enter")
    results = page.locator(".search-results")
    results.wait_for()
    result = results.locator(".result", has_text="Tip")
    assert result.count() == 1
    assert "<mark>" in result.locator(".snippet").inner_html()
    assert scroll_width(page) <= PHONE
    result.get_by_role("link").first.click()
    page.get_by_text("Shared experience, not medical advice.").first.wait_for()
    assert page.url.endswith(scene["tip"].get_absolute_url())
    assert "folded towel" in page.locator("main").inner_text()


def test_a_visitor_search_finds_the_directory_but_not_member_tips(open_page):
    _scene()
    page = open_page(DESKTOP)
    page.goto("/search/?q=towel")
    page.get_by_text("Sign in").first.wait_for()
    assert "folded towel" not in page.locator("main").inner_text()
    page.goto("/search/?q=sarcoma+line")
    page.locator(".search-results").get_by_role("link", name="Night Owl Sarcoma Line").wait_for()


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
@pytest.mark.parametrize("path", ["/resources/", "resource", "/library/", "/tips/", "/search/?q=sarcoma"])
def test_new_pages_have_no_serious_accessibility_violations(open_page, width, path):
    scene = _scene()
    page = open_page(width)
    sign_in(page, scene["member"])
    url = scene["night_line"].get_absolute_url() if path == "resource" else path
    response = page.goto(url)
    assert response is not None and response.ok, f"{url} answered {response and response.status}"
    violations = run_axe(page, AXE)
    assert not violations, describe_violations(violations)
    assert scroll_width(page) <= width
