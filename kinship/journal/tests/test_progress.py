"""The progress page: SVG charts of distress and pain with milestones, each with a table; own data only."""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from kinship.core.testing import KinshipTestCase
from kinship.journal import queries
from kinship.journal.tests.progress_support import make_checkin, make_milestone, make_weekly_checkins

PROGRESS = reverse("journal:progress")
LOGIN = reverse("accounts:login")


class ProgressPageTests(KinshipTestCase):
    def test_visitor_is_sent_to_sign_in(self) -> None:
        response = self.client.get(PROGRESS)
        self.assertEqual(response.status_code, 302)
        self.assertIn(LOGIN, response["Location"])

    def test_only_get(self) -> None:
        self.client.force_login(self.cast.member)
        self.assertEqual(self.client.post(PROGRESS).status_code, 405)

    def test_no_checkins_yet_invites_a_first_one(self) -> None:
        self.client.force_login(self.cast.member)
        response = self.client.get(PROGRESS)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "No check-ins in the last 3 months")
        self.assertContains(response, f'href="{reverse("journal:checkin-new")}"')
        self.assertNotContains(response, "<svg")
        self.assertNotContains(response, "<table")

    def test_charts_tables_and_milestones_of_the_member(self) -> None:
        member = self.cast.member
        make_checkin(member, when=timezone.now() - timedelta(days=20), distress=7, pain=5, note="Scan worries")
        make_checkin(member, when=timezone.now() - timedelta(days=2), distress=3, pain=2)
        standing = make_milestone(
            member, title="First time standing", kind="standing", happened_on=timezone.localdate() - timedelta(days=10)
        )
        make_milestone(member, title="Long ago", happened_on=timezone.localdate() - timedelta(days=200))
        self.client.force_login(member)
        response = self.client.get(PROGRESS)
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        # Two charts, each an image with a name and description, and each with its own table.
        self.assertEqual(html.count('role="img"'), 2)
        self.assertIn('aria-labelledby="distress-chart-title distress-chart-desc"', html)
        self.assertIn('aria-labelledby="pain-chart-title pain-chart-desc"', html)
        self.assertEqual(html.count("<table>"), 2)
        self.assertContains(response, "<summary>Distress as a table</summary>", html=True)
        self.assertContains(response, "<summary>Pain as a table</summary>", html=True)
        self.assertEqual(len(re.findall(r"<polyline points=\"[0-9., ]+\"", html)), 2)
        self.assertContains(response, "Distress from 2 check-ins")
        self.assertContains(response, "latest 3, lowest 3, highest 7")
        self.assertContains(response, "Pain from 2 check-ins")
        # The help guide on the distress chart only.
        self.assertContains(response, "The dashed line is at 4", count=1)
        # The milestone in range: a numbered flag on both charts and a link on the time line below.
        self.assertContains(response, "Milestone 1: First time standing", count=2)
        self.assertContains(response, f'href="{standing.get_absolute_url()}">First time standing</a>')
        self.assertNotContains(response, "Long ago")
        # Scores only: the note stays on the check-in's own page.
        self.assertNotContains(response, "Scan worries")
        self.assertContains(response, 'aria-current="page">3 months</a>')

    def test_all_time_range_reaches_back_to_the_first_entry(self) -> None:
        member = self.cast.member
        make_checkin(member, when=timezone.now() - timedelta(days=400), distress=8)
        make_milestone(member, title="Finished chemotherapy", happened_on=timezone.localdate() - timedelta(days=500))
        self.client.force_login(member)
        self.assertNotContains(self.client.get(PROGRESS + "?range=12m"), "Finished chemotherapy")
        response = self.client.get(PROGRESS + "?range=all")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Finished chemotherapy")
        self.assertContains(response, "Distress from 1 check-in between")
        self.assertContains(response, 'aria-current="page">All time</a>')
        self.assertEqual(response.context["timeline"].start, timezone.localdate() - timedelta(days=500))

    def test_many_checkins_are_charted_as_means_and_the_table_says_so(self) -> None:
        member = self.cast.member
        now = timezone.now() - timedelta(hours=1)
        for day in range(40):
            for hours in (0, 5, 10):
                make_checkin(member, when=now - timedelta(days=day, hours=hours), distress=day % 11)
        self.client.force_login(member)
        response = self.client.get(PROGRESS)
        timeline = response.context["timeline"]
        self.assertEqual(timeline.bucket, "day")
        self.assertEqual(timeline.checkin_count, 120)
        self.assertContains(response, "mean per day")
        self.assertContains(response, '<th scope="col">Check-ins</th>', count=2)

    def test_bad_range_says_so_with_422_and_shows_the_default(self) -> None:
        make_checkin(self.cast.member)
        self.client.force_login(self.cast.member)
        for bad in ("bogus", "3M", "\u0661\u0662m", "12m\x00", "x" * 5000, "-1", "99999999999999999999"):
            response = self.client.get(PROGRESS, {"range": bad})
            self.assertEqual(response.status_code, 422, bad)
            self.assertContains(response, "Choose 3 months, 12 months or all time.", status_code=422)
            self.assertEqual(response.context["timeline"].range, queries.DEFAULT_RANGE)
            self.assertNotContains(response, 'aria-current="page"', status_code=422)
        # Repeated: the last one is taken, as for any query parameter.
        response = self.client.get(PROGRESS + "?range=bogus&range=all")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.client.get(PROGRESS + "?range=").status_code, 200)

    def test_nobody_else_sees_the_members_scores_or_milestones(self) -> None:
        member = self.cast.member
        make_checkin(member, distress=9, pain=8)
        make_milestone(member, title="Clear scan, at last")
        for other in (self.cast.facilitator, self.cast.staff, self.cast.outsider):
            self.client.force_login(other)
            response = self.client.get(PROGRESS + "?range=all")
            self.assertEqual(response.status_code, 200)
            self.assertNotContains(response, "Clear scan, at last")
            self.assertNotContains(response, "<svg")
            self.assertEqual(response.context["timeline"].checkin_count, 0)

    def test_queries_stay_flat_with_a_year_of_weekly_checkins(self) -> None:
        member = self.cast.member
        make_weekly_checkins(member, weeks=3)
        make_milestone(member, happened_on=timezone.localdate() - timedelta(days=3))
        self.client.force_login(member)
        for range_key in ("3m", "12m", "all"):
            with self.assertNumQueries(4):
                self.client.get(PROGRESS, {"range": range_key})
        make_weekly_checkins(member, weeks=52, note="private")
        for weeks in range(0, 52, 4):
            make_milestone(
                member, title=f"Milestone week {weeks}", happened_on=timezone.localdate() - timedelta(weeks=weeks)
            )
        for range_key in ("3m", "12m", "all"):
            with self.assertNumQueries(4):
                response = self.client.get(PROGRESS, {"range": range_key})
        self.assertEqual(response.context["timeline"].checkin_count, 55)
        self.assertEqual(response.context["timeline"].bucket, "each")
        self.assertContains(response, "Milestone week 48")
