"""A new member's first visit, on a 360 px phone: sign up, confirm by email, join, post, reply, react."""

import re

import pytest

from kinship.accounts.models import User
from kinship.browser_tests.conftest import PHONE, scroll_width
from kinship.core import factories
from kinship.discussions.models import Post, Topic

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

EMAIL = "noor@example.org"
PASSWORD = "a long walk on new crutches"  # noqa: S105 - a test account


def visit(page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.ok, f"{url} answered {response and response.status}"


def fits_phone(page) -> None:
    width = scroll_width(page)
    assert width <= PHONE, f"{page.url} scrolls sideways at {PHONE} px: scrollWidth is {width}"


def submit(page, button) -> None:
    """Click and wait for the page that the form's POST (and its redirect) leads to."""
    with page.expect_navigation() as navigation:
        button.click()
    response = navigation.value
    assert response is not None and response.ok, f"{page.url} answered {response and response.status}"


def form_with(page, field: str):
    """The form in <main> holding this field (the header has a sign-out form too)."""
    return page.locator("main form").filter(has=page.locator(f"[name={field}]")).first


def test_new_member_signs_up_verifies_joins_posts_replies_and_reacts_on_a_phone(open_page, inbox):
    circle = factories.make_circle(name="After limb salvage", slug="after-limb-salvage")
    page = open_page(PHONE)

    # Sign up.
    visit(page, "/accounts/signup/")
    fits_phone(page)
    signup = form_with(page, "email")
    signup.locator("[name=email]").fill(EMAIL)
    signup.locator("[name=display_name]").fill("Noor")
    signup.locator("[name=password]").fill(PASSWORD)
    signup.locator("input[name=role][value=patient]").check()
    signup.locator("input[name=accept_terms]").check()
    submit(page, signup.locator("button[type=submit]"))
    fits_phone(page)
    user = User.objects.get(email=EMAIL)
    assert not user.is_verified
    assert user.role == User.PATIENT

    # The verification email arrives over SMTP; its link verifies the account.
    (message,) = inbox.wait_for(1)
    assert message["To"] == EMAIL
    body = inbox.text_of(message)
    link = re.search(r"https?://[^\s]+/accounts/verify/[^/\s]+/", body)
    assert link, body
    visit(page, link.group(0))
    fits_phone(page)
    user.refresh_from_db()
    assert user.is_verified

    # Signing up does not sign in (a taken address must look the same); the link leads to sign-in.
    assert "/accounts/login/" in page.url
    signin = form_with(page, "password")
    signin.locator("[name=email]").fill(EMAIL)
    signin.locator("[name=password]").fill(PASSWORD)
    submit(page, signin.locator("button[type=submit]"))
    fits_phone(page)
    assert page.get_by_text("Please confirm your email address to join circles and post").count() == 0

    # Join the circle from its page.
    visit(page, f"/c/{circle.slug}/")
    fits_phone(page)
    submit(page, page.locator(f"main a[href='/c/{circle.slug}/join/']").first)
    assert page.url.endswith(f"/c/{circle.slug}/join/")
    fits_phone(page)
    join = form_with(page, "accept_guidelines")
    join.locator("input[name=accept_guidelines]").check()
    submit(page, join.locator("button[type=submit]"))
    assert page.url.endswith(f"/c/{circle.slug}/")
    assert circle.memberships.filter(user=user, status="active").exists()

    # Start a topic with a content note.
    submit(page, page.locator(f"main a[href='/c/{circle.slug}/new/']").first)
    assert page.url.endswith(f"/c/{circle.slug}/new/")
    fits_phone(page)
    start = form_with(page, "title")
    start.locator("[name=title]").fill("Scan results after six months")
    start.locator("[name=body]").fill("The scan was **clear**. I cried in the car park.")
    start.locator("[name=content_note]").fill("scan results")
    submit(page, start.locator("button[type=submit]"))
    fits_phone(page)
    topic = Topic.objects.get(title="Scan results after six months")
    assert re.search(rf"/t/{topic.pk}/", page.url)

    # The opening post stays folded until the reader opens it.
    opening = page.locator("article.post").first
    note = opening.locator("details")
    assert note.count() == 1
    assert "scan results" in note.locator("summary").inner_text()
    assert note.get_attribute("open") is None
    assert not opening.get_by_text("I cried in the car park").is_visible()
    note.locator("summary").click()
    assert note.get_attribute("open") is not None
    assert opening.get_by_text("I cried in the car park").is_visible()
    assert opening.locator("strong", has_text="clear").is_visible()
    fits_phone(page)

    # Reply anonymously: members see "Anonymous member", never the name.
    reply_form = form_with(page, "body")
    reply_form.locator("[name=body]").fill("Same here last spring. Sending you a hug.")
    reply_form.locator("input[name=anonymous]").check()
    submit(page, reply_form.locator("button[type=submit]"))
    assert re.search(rf"/t/{topic.pk}/", page.url)
    fits_phone(page)
    reply = Post.objects.get(topic=topic, is_opening=False)
    assert reply.anonymous
    assert reply.author == user
    reply_article = page.locator(f"#post-{reply.pk}")
    assert reply_article.get_by_text("Anonymous member").is_visible()
    assert "Noor" not in reply_article.inner_text()
    assert reply_article.get_by_text("Sending you a hug").is_visible()

    # React with "Sending strength" on the opening post: its count becomes 1.
    opening = page.locator("article.post").first
    strength = opening.locator("button", has_text="Sending strength")
    assert re.search(r"\b0\b", strength.inner_text())
    submit(page, strength)
    strength = page.locator("article.post").first.locator("button", has_text="Sending strength")
    assert re.search(r"\b1\b", strength.inner_text()), strength.inner_text()
    opening_post = Post.objects.get(topic=topic, is_opening=True)
    assert opening_post.strength_count == 1
    fits_phone(page)
    assert page.kinship_errors == []
    assert page.kinship_dialogs == []
