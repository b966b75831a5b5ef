"""Peer mentoring in Chromium: a mentee finds a suggested mentor, asks, the mentor accepts, and they talk."""

import pytest

from kinship.browser_tests.conftest import AXE, DESKTOP, PHONE, describe_violations, run_axe, scroll_width, sign_in
from kinship.peers.tests.mentoring_support import make_mentee, make_mentor

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_mentee_finds_asks_mentor_accepts_and_they_exchange_messages(open_page):
    mentor = make_mentor(display_name="Priya", languages=["en", "es"]).user
    mentee = make_mentee(display_name="Maya")

    page = open_page(PHONE)
    sign_in(page, mentee)
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Mentoring").click()
    page.get_by_role("link", name="Find a mentor").first.click()
    page.get_by_role("button", name="Show mentors").click()
    suggestions = page.locator("section[aria-labelledby='suggestions-heading']")
    suggestions.get_by_text("Priya").first.wait_for()
    # Each suggestion says in plain words why it fits.
    assert "further along" in suggestions.inner_text()
    assert scroll_width(page) <= PHONE
    suggestions.locator("li.mentor-card", has_text="Priya").locator("textarea").fill(
        "Hello! I am three months after my knee surgery."
    )
    suggestions.get_by_role("button", name="Ask Priya to mentor me").click()
    page.get_by_role("heading", level=1, name="Mentored by Priya").wait_for()
    request_url = page.url

    mentor_page = open_page(DESKTOP)
    sign_in(mentor_page, mentor)
    mentor_page.goto(request_url)
    assert "three months after my knee surgery" in mentor_page.locator("main").inner_text()
    mentor_page.get_by_role("button", name="Accept").click()
    mentor_page.get_by_role("link", name="Send a message").click()
    mentor_page.get_by_label("Your message").fill("Welcome, Maya. **Ask me anything** about the first year.")
    mentor_page.get_by_role("button", name="Send").click()
    mentor_page.get_by_role("heading", level=1, name="Conversation with Maya").wait_for()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Messages").click()
    page.get_by_role("link", name="Priya").first.click()
    thread = page.locator("main")
    thread.get_by_text("Ask me anything").wait_for()
    assert thread.locator("strong", has_text="Ask me anything").count() == 1
    page.get_by_label("Reply to Priya").fill("Thank you! How long until you walked without crutches?")
    page.get_by_role("button", name="Send").click()
    page.get_by_text("How long until you walked without crutches?").wait_for()

    mentor_page.reload()
    mentor_page.get_by_text("How long until you walked without crutches?").wait_for()
    for screen in (page, mentor_page):
        violations = run_axe(screen, AXE)
        assert not violations, describe_violations(violations)
