"""axe-core finds nothing serious or critical on the pages members use most, on a phone and a desktop."""

import pytest

from kinship.browser_tests.conftest import DESKTOP, PHONE, describe_violations, run_axe, scroll_width, sign_in
from kinship.core import factories
from kinship.discussions import services as discussions

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PAGES = ["home (visitor)", "home (member)", "circle", "topic", "sign-up"]


def _scene() -> dict:
    """A circle with a conversation in it: a folded opening post, a named and an anonymous reply, reactions."""
    circle = factories.make_circle(name="After amputation", slug="after-amputation")
    factories.make_circle(name="Caregivers", slug="caregivers")
    member = factories.make_member(circle, display_name="Mia")
    author = factories.make_member(circle, display_name="Ravi")
    topic = factories.make_topic(
        circle=circle,
        author=author,
        title="Phantom pain at night",
        body="It wakes me at 3am. **Mirror therapy** helped a bit:\n\n- ten minutes\n- twice a day",
        content_note="phantom pain",
    )
    factories.make_topic(circle=circle, author=member, title="First day back at school")
    reply = discussions.post_reply(author=member, topic=topic, body="Same here. Warm socks help me.")
    discussions.post_reply(author=author, topic=topic, body="Thank you, both.", anonymous=True)
    discussions.react(member=author, post=reply, kind="strength")
    return {"member": member, "circle": circle, "topic": topic}


def _open(open_page, width: int, name: str):
    scene = _scene()
    page = open_page(width)
    url = {
        "home (visitor)": "/",
        "home (member)": "/",
        "circle": scene["circle"].get_absolute_url(),
        "topic": scene["topic"].get_absolute_url(),
        "sign-up": "/accounts/signup/",
    }[name]
    if name not in ("home (visitor)", "sign-up"):
        sign_in(page, scene["member"])
    response = page.goto(url)
    assert response is not None and response.ok, f"{url} answered {response and response.status}"
    return page


@pytest.mark.parametrize("width", [PHONE, DESKTOP], ids=["360px", "1280px"])
@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_serious_or_critical_violations(open_page, axe_script, name, width):
    page = _open(open_page, width, name)

    violations = run_axe(page, axe_script)

    assert violations == [], f"{name} at {width} px ({page.url}):\n{describe_violations(violations)}"


@pytest.mark.parametrize("width", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_axe_finds_nothing_serious_with_a_content_note_opened(open_page, axe_script, width):
    page = _open(open_page, width, "topic")
    page.locator("details summary").first.click()

    violations = run_axe(page, axe_script)

    assert violations == [], f"topic, content note open, at {width} px:\n{describe_violations(violations)}"


@pytest.mark.parametrize("name", PAGES)
def test_page_does_not_scroll_sideways_on_a_phone(open_page, name):
    page = _open(open_page, PHONE, name)

    assert scroll_width(page) <= PHONE
