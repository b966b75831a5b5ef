"""Markup of the milestone, goal and check-in pages: real labels, fieldsets with legends for radio groups
and the problem list, headings in order, nothing the strict CSP would block, nothing too wide for 360 px."""

import itertools
import re
from html.parser import HTMLParser
from typing import Any

from django.test import Client
from django.urls import reverse

from kinship.core.testing import KinshipTestCase
from kinship.journal import checkins, goals, milestones, summaries, support

FIELDS = ("input", "select", "textarea")


class Markup(HTMLParser):
    """What these checks need of a page, gathered in one pass."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.ids: set[str] = set()
        self.label_for: set[str] = set()
        self.fields: list[dict[str, Any]] = []
        self.headings: list[int] = []
        self.open: list[tuple[str, dict[str, Any]]] = []
        self.legend_seen: list[bool] = []
        self.in_main = False
        self.title = ""
        self.in_title = False

    def inside(self, tag: str) -> bool:
        return any(t == tag for t, _ in self.open)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if "style" in a:
            self.problems.append(f"style attribute on <{tag}>")
        if any(name.startswith("on") for name in a):
            self.problems.append(f"inline event handler on <{tag}>")
        if tag == "title":
            self.in_title = True
        if tag == "main":
            self.in_main = True
        if self.in_main and tag in ("style", "script"):
            self.problems.append(f"<{tag}> in the page content")
        if "id" in a:
            if a["id"] in self.ids:
                self.problems.append(f"duplicate id {a['id']!r}")
            self.ids.add(str(a["id"]))
        if tag == "label" and a.get("for"):
            self.label_for.add(str(a["for"]))
        if tag == "div" and ("aria-labelledby" in a or "aria-label" in a) and "role" not in a:
            self.problems.append("aria-label(ledby) on a <div> without a role")
        if tag == "table" and not any("table-wrap" in (o.get("class") or "") for _, o in self.open):
            self.problems.append("a table outside .table-wrap (too wide at 360 px)")
        if tag in FIELDS and a.get("type") not in ("hidden", "submit", "button"):
            self.fields.append(
                {
                    **a,
                    "tag": tag,
                    "wrapped": self.inside("label"),
                    "in_fieldset_with_legend": bool(self.legend_seen) and self.legend_seen[-1],
                }
            )
        if tag == "fieldset":
            self.legend_seen.append(False)
        if tag == "legend" and self.legend_seen:
            self.legend_seen[-1] = True
        if self.in_main and re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag not in ("input", "br", "img", "meta", "link", "hr"):
            self.open.append((tag, a))

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag == "main":
            self.in_main = False
        if tag == "fieldset" and self.legend_seen:
            self.legend_seen.pop()
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i][0] == tag:
                del self.open[i:]
                break

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title += data


def check(html: str) -> list[str]:
    page = Markup()
    page.feed(html)
    found = list(page.problems)
    raw_title = re.search(r"<title>(.*?)</title>", html, re.S)
    if raw_title is None or "<" in raw_title.group(1) or "\n" in raw_title.group(1).strip():
        found.append(f"the <title> holds markup: {raw_title.group(1)[:60] if raw_title else None!r}")
    for field in page.fields:
        labelled = field["wrapped"] or field.get("id") in page.label_for or field.get("aria-label")
        if not labelled:
            found.append(f"<{field['tag']} name={field.get('name')!r}> has no label")
        grouped = field.get("type") in ("radio", "checkbox") and field.get("name") in ("distress", "pain", "problems")
        if grouped and not field["in_fieldset_with_legend"]:
            found.append(f"{field.get('name')} choices are not in a fieldset with a legend")
    levels = page.headings
    if not levels or levels[0] != 1 or levels.count(1) != 1:
        found.append(f"one <h1> first, not {levels}")
    for before, after in itertools.pairwise(levels):
        if after > before + 1:
            found.append(f"heading jumps from h{before} to h{after}")
    return found


class JournalMarkupTests(KinshipTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        owner = cls.cast.member
        cls.milestone = milestones.add_milestone(owner=owner, title="Stood up", note="A *good* day")
        cls.shared = milestones.add_milestone(owner=owner, kind="one_crutch")
        milestones.share_milestone(owner=owner, milestone=cls.shared, circle=cls.cast.circle, message="Yay")
        cls.goal = goals.add_goal(owner=owner, title="Walk 1 km", target_date="2027-01-01")
        goals.record_progress(owner=owner, goal=cls.goal, progress=30, note="Halfway to the shop")
        cls.done = goals.add_goal(owner=owner, title="Stand for a minute")
        goals.mark_done(owner=owner, goal=cls.done)
        cls.high = checkins.record_checkin(member=owner, distress=8, pain=5, problems=["pain", "worry"], note="Rough")
        cls.low = checkins.record_checkin(member=owner, distress=1, pain=0)
        support.request_support(member=owner, checkin=cls.high, circle=cls.cast.circle)
        summaries.share_summary(member=owner, circle=cls.cast.circle)

    def pages(self) -> list[tuple[str, Any, str, dict[str, Any] | None]]:
        """(what, who, path, form data to post or None)."""
        owner, lead = self.cast.member, self.cast.facilitator
        return [
            ("milestone list", owner, reverse("journal:milestones"), None),
            ("milestone list, refused", owner, reverse("journal:milestones"), {"kind": "own", "title": ""}),
            ("milestone", owner, self.milestone.get_absolute_url(), None),
            ("shared milestone", owner, self.shared.get_absolute_url(), None),
            (
                "milestone share, refused",
                owner,
                reverse("journal:milestone-share", args=[self.milestone.pk]),
                {"circle": "nope"},
            ),
            ("goal list", owner, reverse("journal:goals"), None),
            ("goal list, refused", owner, reverse("journal:goals"), {"title": ""}),
            ("goal", owner, self.goal.get_absolute_url(), None),
            ("goal update, refused", owner, reverse("journal:goal-update", args=[self.goal.pk]), {"progress": "x"}),
            ("reached goal", owner, self.done.get_absolute_url(), None),
            ("check-in list", owner, reverse("journal:checkins"), None),
            ("check in", owner, reverse("journal:checkin-new"), None),
            ("check in, refused", owner, reverse("journal:checkin-new"), {"distress": "x", "problems": ["nope"]}),
            ("check-in with help", owner, self.high.get_absolute_url(), None),
            ("check-in", owner, self.low.get_absolute_url(), None),
            ("sharing", owner, reverse("journal:sharing"), None),
            ("sharing, refused", owner, reverse("journal:sharing"), {"circle": "nope"}),
            ("sharing, as a facilitator", lead, reverse("journal:sharing"), None),
            ("wellbeing", lead, reverse("journal:circle-wellbeing", args=[self.cast.circle.slug]), None),
        ]

    def test_pages_are_labelled_ordered_and_csp_clean(self) -> None:
        for what, user, path, data in self.pages():
            with self.subTest(page=what):
                client = Client()
                client.force_login(user)
                response = client.get(path) if data is None else client.post(path, data)
                self.assertEqual(response.status_code, 200 if data is None else 422, what)
                self.assertEqual(check(response.content.decode()), [], what)

    def test_the_checks_catch_what_they_look_for(self) -> None:
        # Each check can fail: a page with every fault trips every one.
        broken = (
            "<html><head><title>A <section>x</section></title></head><body><main><h2>Late</h2>"
            '<div aria-labelledby="x" style="color:red"></div><input name="distress" type="radio" id="a">'
            '<input name="note" id="a"><table></table><script></script></main></body></html>'
        )
        found = " | ".join(check(broken))
        for expected in (
            "style attribute",
            "<script>",
            "duplicate id",
            "<div> without a role",
            "table outside",
            "no label",
            "fieldset with a legend",
            "one <h1> first",
            "<title> holds markup",
        ):
            self.assertIn(expected, found)
