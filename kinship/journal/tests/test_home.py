"""The journal home: the member's own latest check-in, milestones and goals; nobody else's, ever."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from kinship.core import factories
from kinship.core.testing import KinshipTestCase
from kinship.journal.tests.progress_support import make_checkin, make_goal, make_milestone, make_weekly_checkins

HOME = reverse("journal:home")
LOGIN = reverse("accounts:login")


class JournalHomeTests(KinshipTestCase):
    def test_visitor_is_sent_to_sign_in(self) -> None:
        response = self.client.get(HOME)
        self.assertEqual(response.status_code, 302)
        self.assertIn(LOGIN, response["Location"])

    def test_only_get(self) -> None:
        self.client.force_login(self.cast.member)
        self.assertEqual(self.client.post(HOME).status_code, 405)

    def test_new_member_is_invited_to_check_in(self) -> None:
        self.client.force_login(self.cast.member)
        response = self.client.get(HOME)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "You have not checked in yet")
        self.assertContains(response, f'href="{reverse("journal:checkin-new")}"')
        self.assertContains(response, f'href="{reverse("journal:progress")}"')
        self.assertContains(response, "No milestones yet")
        self.assertContains(response, "No open goals")
        self.assertEqual(response["Cache-Control"].count("no-store"), 1)

    def test_member_sees_their_latest_checkin_milestones_and_open_goals(self) -> None:
        member = self.cast.member
        make_checkin(member, when=timezone.now() - timedelta(days=3), distress=2, pain=1, note="older")
        latest = make_checkin(member, when=timezone.now() - timedelta(hours=2), distress=6, pain=4, note="Hard day")
        topic = factories.make_topic(circle=self.cast.circle, author=member, title="Celebrating: Standing")
        make_milestone(member, title="First time standing", kind="standing", shared_topic=topic)
        make_goal(member, title="Walk to the corner shop", progress=40, target_date=timezone.localdate())
        make_goal(member, title="Finished goal", done_at=timezone.now())
        self.client.force_login(member)
        response = self.client.get(HOME)
        self.assertContains(response, "distress 6 of 10, pain 4 of 10")
        self.assertContains(response, f'href="{latest.get_absolute_url()}"')
        self.assertContains(response, "2 check-ins in the last 30 days")
        self.assertContains(response, "First time standing")
        self.assertContains(response, f"shared with {self.cast.circle.name}")
        self.assertContains(response, "Walk to the corner shop")
        self.assertContains(response, "40% done")
        self.assertNotContains(response, "Finished goal")
        # The home shows scores, never the private note.
        self.assertNotContains(response, "Hard day")

    def test_checking_in_is_the_main_call_only_when_a_week_has_passed(self) -> None:
        member = self.cast.member
        make_checkin(member, when=timezone.now() - timedelta(days=8))
        self.client.force_login(member)
        new = reverse("journal:checkin-new")
        self.assertContains(self.client.get(HOME), f'class="button" href="{new}"')
        make_checkin(member)
        self.assertContains(self.client.get(HOME), f'class="button secondary" href="{new}"')

    def test_nobody_else_sees_the_members_journal(self) -> None:
        member = self.cast.member
        make_checkin(member, distress=9, pain=8)
        make_milestone(member, title="Prosthesis fitted at last")
        make_goal(member, title="Drive to the coast")
        for other in (self.cast.facilitator, self.cast.staff, self.cast.outsider):
            self.client.force_login(other)
            response = self.client.get(HOME)
            self.assertEqual(response.status_code, 200)
            for text in ("distress 9 of 10", "Prosthesis fitted at last", "Drive to the coast"):
                self.assertNotContains(response, text)
            self.assertContains(response, "You have not checked in yet")

    def test_nav_links_to_the_journal_when_signed_in_only(self) -> None:
        link = f'<a href="{HOME}">Journal</a>'
        self.assertNotContains(self.client.get(reverse("core:home")), link, html=True)
        self.client.force_login(self.cast.member)
        self.assertContains(self.client.get(reverse("core:home")), link, html=True)

    def test_queries_stay_flat_with_a_year_of_weekly_checkins(self) -> None:
        member = self.cast.member
        make_weekly_checkins(member, weeks=3)
        make_milestone(member)
        make_goal(member)
        self.client.force_login(member)
        self.client.get(HOME)
        with self.assertNumQueries(6):
            self.client.get(HOME)
        make_weekly_checkins(member, weeks=52)
        topic = factories.make_topic(circle=self.cast.circle, author=member)
        for i in range(8):
            make_milestone(member, title=f"Milestone {i}", shared_topic=topic if i == 0 else None)
            make_goal(member, title=f"Goal {i}")
        with self.assertNumQueries(6):
            response = self.client.get(HOME)
        self.assertContains(response, "Milestone 7")
