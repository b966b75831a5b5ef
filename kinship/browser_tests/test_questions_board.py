"""The questions board in a browser around the member's own actions: expired sessions, stale forms, focus."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.urls import reverse

from kinship.browser_tests.conftest import DESKTOP, sign_in, wait_until
from kinship.core import factories
from kinship.qa import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTION = "Can I go swimming six weeks after an endoprosthesis?"


def _scene(*, moderated: bool = False) -> dict:
    circle = factories.make_circle(name="After limb salvage")
    facilitator = factories.make_user(display_name="Fiona")
    factories.add_member(circle, facilitator, role="facilitator")
    asker = factories.make_member(circle, display_name="Mia")
    voter = factories.make_member(circle, display_name="Noah")
    event = factories.make_event(circle=circle, facilitator=facilitator, questions_moderated=moderated)
    question = services.ask(author=asker, event=event, body=QUESTION)
    return {"facilitator": facilitator, "voter": voter, "event": event, "question": question}


def test_a_vote_after_the_session_ended_leads_to_sign_in_instead_of_nesting_a_page(open_page):
    scene = _scene()
    url = reverse("qa:questions", args=[scene["event"].pk])
    page = open_page(DESKTOP)
    sign_in(page, scene["voter"])
    page.goto(url)
    # The session ends (expired, or signed out in another tab); the page is still open.
    page.context.clear_cookies(name=settings.SESSION_COOKIE_NAME)
    page.get_by_role("button", name=f"Vote for: {QUESTION[:20]}").click()
    page.wait_for_url("**/login/**")
    assert parse_qs(urlsplit(page.url).query)["next"] == [url]
    assert page.locator("h1").count() == 1
    scene["question"].refresh_from_db()
    assert scene["question"].vote_count == 0
    assert page.kinship_errors == []


def test_a_stale_form_token_reloads_the_page_instead_of_nesting_the_error_page(open_page):
    scene = _scene()
    url = reverse("qa:questions", args=[scene["event"].pk])
    page = open_page(DESKTOP)
    sign_in(page, scene["voter"])
    page.goto(url)
    page.context.clear_cookies(name=settings.CSRF_COOKIE_NAME)
    page.evaluate("window.kinshipMarker = 'before'")
    page.get_by_role("button", name=f"Vote for: {QUESTION[:20]}").click()
    wait_until(page, "window.kinshipMarker === undefined")
    page.get_by_role("button", name=f"Vote for: {QUESTION[:20]}").wait_for()
    assert page.locator("h1").count() == 1
    assert page.locator("#board").count() == 1
    # The fresh page works: the vote goes through now.
    page.get_by_role("button", name=f"Vote for: {QUESTION[:20]}").click()
    page.get_by_role("button", name=f"Remove vote for: {QUESTION[:20]}").wait_for()
    assert page.kinship_errors == []


def test_approving_keeps_focus_in_the_question_and_says_what_happened(open_page):
    scene = _scene(moderated=True)
    question = scene["question"]
    page = open_page(DESKTOP)
    sign_in(page, scene["facilitator"])
    page.goto(reverse("qa:questions", args=[scene["event"].pk]))
    page.locator(f"#approve-{question.pk}").focus()
    page.keyboard.press("Enter")
    page.locator(f"#pin-{question.pk}").wait_for()
    wait_until(page, f"document.activeElement && document.activeElement.closest('#question-{question.pk}') !== null")
    wait_until(page, "document.getElementById('board-status').textContent.startsWith('Approved')")
    # Pinning moves the question to the top: focus follows it there.
    page.locator(f"#pin-{question.pk}").focus()
    page.keyboard.press("Enter")
    page.locator(f"#unpin-{question.pk}").wait_for()
    wait_until(page, f"document.activeElement && document.activeElement.closest('#question-{question.pk}') !== null")
    wait_until(page, "document.getElementById('board-status').textContent.startsWith('Pinned')")
    assert page.kinship_errors == []
