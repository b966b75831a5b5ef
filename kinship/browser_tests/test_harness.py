"""The harness itself: Debian's Chromium loads pages from the live server, styled, and axe-core runs."""

import pytest

from kinship.browser_tests.conftest import PHONE, run_axe, scroll_width

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_chromium_loads_the_floor_page_from_the_live_server(open_page):
    page = open_page()

    response = page.goto("/floor/")

    assert response.status == 200
    assert page.locator("h1").inner_text() == "Kinship"
    assert "HeadlessChrome" in page.evaluate("navigator.userAgent")
    assert page.kinship_errors == []


def test_the_stylesheet_is_served_and_applied(open_page):
    page = open_page()
    page.goto("/floor/")

    # kinship.css caps <main> at 46rem: proof the static files reach the browser.
    assert page.evaluate("getComputedStyle(document.querySelector('main')).maxWidth") == "736px"


def test_floor_page_fits_a_phone(open_page):
    page = open_page(PHONE)
    page.goto("/floor/")

    assert scroll_width(page) <= PHONE


def test_axe_runs_and_reports_a_real_violation(open_page, axe_script):
    page = open_page()
    page.goto("/floor/")
    assert run_axe(page, axe_script) == []

    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"/floor/\">')")

    assert [v["id"] for v in run_axe(page, axe_script)] == ["image-alt"]
