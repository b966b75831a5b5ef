"""Referral pages in a real browser: axe finds nothing serious, nothing scrolls sideways on a phone,
and the status form works with htmx (only its region is redrawn)."""

import pytest

from kinship.browser_tests.conftest import DESKTOP, PHONE, describe_violations, run_axe, scroll_width, sign_in
from kinship.core import factories
from kinship.library import referrals
from kinship.library.models import Referral, Resource

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PAGES = ["list", "detail", "dashboard", "new"]


def _scene() -> dict:
    circle = factories.make_circle(name="Limb salvage", slug="limb-salvage")
    facilitator = factories.make_user(display_name="Ingrid")
    factories.add_member(circle, facilitator, role="facilitator")
    member = factories.make_member(circle, display_name="Daniel")
    resource = Resource.objects.create(
        kind=Resource.COUNSELLING, name="Evening counselling line with a rather long name (example)", is_example=True
    )
    referral = referrals.refer(
        referrer=facilitator,
        circle=circle,
        member=member,
        resource=resource,
        note="They offer free sessions by phone in the evening.\nNo referral letter needed.",
    )
    return {"member": member, "facilitator": facilitator, "referral": referral, "resource": resource}


def _open(open_page, width: int, name: str):
    scene = _scene()
    page = open_page(width)
    viewer = scene["member"] if name in ("list", "detail") else scene["facilitator"]
    sign_in(page, viewer)
    url = {
        "list": "/referrals/",
        "detail": scene["referral"].get_absolute_url(),
        "dashboard": "/referrals/dashboard/",
        "new": f"/referrals/new/?resource={scene['resource'].pk}",
    }[name]
    response = page.goto(url)
    assert response is not None and response.ok, f"{url} answered {response and response.status}"
    return page, scene


@pytest.mark.parametrize("width", [PHONE, DESKTOP], ids=["360px", "1280px"])
@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_serious_or_critical_violations(open_page, axe_script, name, width):
    page, _ = _open(open_page, width, name)

    violations = run_axe(page, axe_script)

    assert violations == [], f"{name} at {width} px ({page.url}):\n{describe_violations(violations)}"


@pytest.mark.parametrize("name", PAGES)
def test_page_does_not_scroll_sideways_on_a_phone(open_page, name):
    page, _ = _open(open_page, PHONE, name)

    assert scroll_width(page) <= PHONE


def test_member_updates_the_status_and_only_the_region_is_redrawn(open_page):
    page, scene = _open(open_page, PHONE, "detail")
    page.evaluate("document.querySelector('h1').dataset.marker = 'kept'")
    page.select_option("#id_status", Referral.CONTACTED)
    page.get_by_role("button", name="Save status").click()
    page.get_by_text("Status saved: contacted.").wait_for()
    # The heading outside the region was not reloaded: htmx swapped the status section only.
    assert page.evaluate("document.querySelector('h1').dataset.marker") == "kept"
    assert page.locator(".referral-history li").count() == 2
    scene["referral"].refresh_from_db()
    assert scene["referral"].status == Referral.CONTACTED
