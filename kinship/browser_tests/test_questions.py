"""Questions for the speaker in a browser: one member asks, another votes in a second browser, and the
vote reaches the first page live (the in-memory path: the live server is one process), without a reload."""

import threading
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kinship.browser_tests.conftest import (
    DESKTOP,
    PHONE,
    describe_violations,
    run_axe,
    scroll_width,
    sign_in,
    wait_until,
)
from kinship.core import factories, live
from kinship.qa import live_views, services
from kinship.qa.models import Question, SpeakerProfile

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

QUESTION = "Can I go swimming six weeks after an endoprosthesis?"


def _scene() -> dict:
    circle = factories.make_circle(name="After limb salvage", slug="after-limb-salvage")
    facilitator = factories.make_user(display_name="Fiona")
    factories.add_member(circle, facilitator, role="facilitator")
    asker = factories.make_member(circle, display_name="Mia")
    voter = factories.make_member(circle, display_name="Noah")
    start = timezone.now() - timedelta(minutes=10)
    event = factories.make_event(
        circle=circle,
        facilitator=facilitator,
        title="Ask the physiotherapist",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )
    return {"circle": circle, "facilitator": facilitator, "asker": asker, "voter": voter, "event": event}


def _wait_for_listener(event, count: int) -> None:
    """The page's EventSource is connected when the process's hub has a listener on the event's channel."""
    deadline = time.monotonic() + 10
    while live.hub.listener_count(services.channel(event)) < count:
        assert time.monotonic() < deadline, "the questions page never opened its live stream"
        time.sleep(0.05)


def test_a_vote_in_a_second_browser_arrives_live_on_the_first(open_page):
    scene = _scene()
    event = scene["event"]
    url = reverse("qa:questions", args=[event.pk])
    other = services.ask(author=scene["voter"], event=event, body="Does cold weather make the ache worse?")

    first = open_page(PHONE)
    sign_in(first, scene["asker"])
    first.goto(url)
    assert first.get_by_text("Live", exact=True).is_visible()
    first.get_by_label("Your question").fill(QUESTION)
    first.get_by_role("button", name="Send the question").click()
    first.get_by_text("Your question is on the list.").wait_for()
    question = Question.objects.get(author=scene["asker"])
    row = first.locator(f"#question-{question.pk}")
    assert row.get_by_text("You asked this").is_visible()
    assert row.locator(".vote-count").inner_text() == "0 votes"
    _wait_for_listener(event, 1)
    first.evaluate("window.kinshipMarker = 'not reloaded'")

    second = open_page(DESKTOP)
    sign_in(second, scene["voter"])
    second.goto(url)
    second.get_by_role("button", name=f"Vote for: {QUESTION[:20]}").click()
    second.get_by_role("button", name=f"Remove vote for: {QUESTION[:20]}").wait_for()
    assert second.locator(f"#question-{question.pk} .vote-count").inner_text() == "1 vote"

    # The first page learns of the vote from its stream and redraws the board in place.
    first.locator(f"#question-{question.pk} .vote-count", has_text="1 vote").wait_for(timeout=5_000)
    assert first.evaluate("window.kinshipMarker") == "not reloaded"
    # Screen readers hear a short polite note, not the whole list again.
    wait_until(first, "document.getElementById('board-status').textContent === 'Questions updated'")
    question.refresh_from_db()
    assert question.vote_count == 1

    # The redrawn board is live too: its vote buttons still swap in place.
    first.get_by_role("button", name="Vote for: Does cold weather").click()
    first.get_by_role("button", name="Remove vote for: Does cold weather").wait_for()
    assert first.evaluate("window.kinshipMarker") == "not reloaded"
    other.refresh_from_db()
    assert other.vote_count == 1
    assert first.kinship_errors == [] and second.kinship_errors == []


def test_voting_keeps_focus_on_the_vote_button(open_page):
    scene = _scene()
    event = scene["event"]
    question = services.ask(author=scene["asker"], event=event, body=QUESTION)
    page = open_page(DESKTOP)
    sign_in(page, scene["voter"])
    page.goto(reverse("qa:questions", args=[event.pk]))
    page.get_by_role("button", name=f"Vote for: {QUESTION[:20]}").focus()
    page.keyboard.press("Enter")
    page.get_by_role("button", name=f"Remove vote for: {QUESTION[:20]}").wait_for()
    assert page.evaluate("document.activeElement.id") == f"vote-{question.pk}"
    assert page.kinship_errors == []


def test_voting_works_without_javascript(playwright_browser, live_server):
    scene = _scene()
    event = scene["event"]
    question = services.ask(author=scene["asker"], event=event, body=QUESTION)
    context = playwright_browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.kinship_base_url = live_server.url
        sign_in(page, scene["voter"])
        page.goto(reverse("qa:questions", args=[event.pk]))
        page.get_by_role("button", name=f"Vote for: {QUESTION[:20]}").click()
        page.get_by_text("Your vote is counted.").wait_for()
        question.refresh_from_db()
        assert question.vote_count == 1
    finally:
        context.close()


@pytest.mark.parametrize("who", ["member", "facilitator"])
def test_questions_page_passes_axe_and_fits_a_phone(open_page, axe_script, who):
    scene = _scene()
    event = scene["event"]
    speaker = factories.make_user(display_name="Dr Sara")
    event.speakers.add(speaker)
    SpeakerProfile.objects.create(user=speaker, profession="Physiotherapist", verified_at=timezone.now())
    pinned = services.ask(author=scene["voter"], event=event, body="When can I drive again?")
    services.ask(author=scene["voter"], event=event, body="Is a " + "very " * 60 + "long question fine?")
    services.ask(author=scene["asker"], event=event, body=QUESTION, anonymous=True)
    answered = services.ask(author=scene["asker"], event=event, body="Do scars fade?")
    services.moderate(moderator=scene["facilitator"], question=pinned, action="pin")
    services.answer(answerer=speaker, question=answered, body="Mostly, over **a year** or two.")
    dismissed = services.ask(author=scene["voter"], event=event, body="Off topic")
    services.moderate(moderator=scene["facilitator"], question=dismissed, action="dismiss")
    event.questions_moderated = True
    event.save()
    services.ask(author=scene["voter"], event=event, body="Waiting for a facilitator")

    page = open_page(PHONE)
    sign_in(page, scene["asker"] if who == "member" else scene["facilitator"])
    response = page.goto(reverse("qa:questions", args=[event.pk]))
    assert response is not None and response.ok
    assert page.get_by_text("Verified professional · Physiotherapist").is_visible()
    violations = run_axe(page, axe_script)
    assert violations == [], f"questions page for a {who} at {PHONE} px:\n{describe_violations(violations)}"
    assert scroll_width(page) <= PHONE
    assert page.kinship_errors == []


def test_when_the_stream_is_refused_the_page_polls_instead(open_page, monkeypatch):
    # No stream slot left in this process: the stream answers 503 and the page falls back to polling.
    monkeypatch.setattr(live_views, "_slots", threading.BoundedSemaphore(1))
    live_views._slots.acquire()
    scene = _scene()
    event = scene["event"]
    question = services.ask(author=scene["asker"], event=event, body=QUESTION)
    url = reverse("qa:questions", args=[event.pk])
    first = open_page(PHONE)
    refused = []
    first.on("response", lambda r: refused.append(r.status) if "/questions/stream/" in r.url else None)
    sign_in(first, scene["asker"])
    first.goto(url)
    first.evaluate("window.kinshipMarker = 'not reloaded'")

    services.vote(member=scene["voter"], question=question)

    first.locator(f"#question-{question.pk} .vote-count", has_text="1 vote").wait_for()
    assert first.evaluate("window.kinshipMarker") == "not reloaded"
    assert 503 in refused
    assert first.kinship_errors == []
