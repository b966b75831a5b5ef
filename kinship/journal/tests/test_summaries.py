"""Shared summaries (kinship.journal.summaries): what they hold, sharing and revoking, and the pages."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from kinship.circles.models import Circle, Membership
from kinship.core import factories
from kinship.core.errors import Invalid
from kinship.core.testing import KinshipTestCase
from kinship.journal import summaries
from kinship.journal.models import SummaryShare
from kinship.journal.tests.test_checkins import NOTE, make_checkin, weekly_checkins

SHARING = reverse("journal:sharing")
REVOKE = reverse("journal:sharing-revoke")


class SummariseTests(KinshipTestCase):
    def test_no_check_in_is_an_empty_summary(self) -> None:
        summary = summaries.summary_of(self.cast.member)
        self.assertFalse(summary.has_checkins)
        self.assertEqual(summary, summaries.EMPTY)

    def test_one_check_in_has_scores_but_no_trend(self) -> None:
        make_checkin(self.cast.member, distress=6, pain=2)
        summary = summaries.summary_of(self.cast.member)
        self.assertEqual((summary.distress, summary.pain, summary.recent_count), (6, 2, 1))
        self.assertIsNone(summary.distress_trend)

    def test_trend_compares_with_the_four_weeks_before(self) -> None:
        now = timezone.now()
        make_checkin(self.cast.member, at=now - timedelta(days=40), distress=0, pain=0)  # outside the weeks
        make_checkin(self.cast.member, at=now - timedelta(days=20), distress=8, pain=2)
        make_checkin(self.cast.member, at=now - timedelta(days=10), distress=6, pain=2)
        make_checkin(self.cast.member, at=now, distress=4, pain=3)
        summary = summaries.summary_of(self.cast.member, now=now)
        self.assertEqual(summary.distress_trend, summaries.BETTER)  # 4 against a mean of 7
        self.assertEqual(summary.pain_trend, summaries.WORSE)  # 3 against 2
        self.assertEqual(summary.compared_with, "the four weeks before")
        self.assertEqual(summary.recent_count, 3)

    def test_without_check_ins_in_those_weeks_the_previous_one_is_the_comparison(self) -> None:
        now = timezone.now()
        make_checkin(self.cast.member, at=now - timedelta(days=200), distress=9, pain=5)
        make_checkin(self.cast.member, at=now - timedelta(days=90), distress=5, pain=5)
        make_checkin(self.cast.member, at=now, distress=5, pain=4)
        summary = summaries.summary_of(self.cast.member, now=now)
        self.assertEqual((summary.distress_trend, summary.pain_trend), (summaries.SAME, summaries.BETTER))
        self.assertEqual(summary.compared_with, "the check-in before")
        self.assertEqual(summary.recent_count, 1)

    def test_trend_words(self) -> None:
        self.assertEqual(summaries.trend(3, 3.5), summaries.SAME)
        self.assertEqual(summaries.trend(3, 4), summaries.BETTER)
        self.assertEqual(summaries.trend(5, 4), summaries.WORSE)

    def test_summaries_of_many_members_take_two_queries(self) -> None:
        people = [factories.make_member(self.cast.circle) for _ in range(5)]
        for person in people:
            weekly_checkins(person, 10)
        with self.assertNumQueries(2):
            found = summaries.summaries_for([p.pk for p in people] + [self.cast.outsider.pk])
        self.assertEqual(found[self.cast.outsider.pk], summaries.EMPTY)
        self.assertEqual(found[people[0].pk].distress, 0)


class ShareServiceTests(KinshipTestCase):
    def test_member_shares_with_their_circle_once_and_revokes(self) -> None:
        first = summaries.share_summary(member=self.cast.member, circle=self.cast.circle.slug)
        again = summaries.share_summary(member=self.cast.member, circle=self.cast.circle)
        self.assertEqual(first.pk, again.pk)
        self.assertTrue(summaries.revoke_summary(member=self.cast.member, circle=self.cast.circle.slug))
        self.assertFalse(summaries.revoke_summary(member=self.cast.member, circle=self.cast.circle.slug))
        self.assertFalse(SummaryShare.objects.exists())

    def test_only_circles_one_actively_belongs_to_and_hidden_ones_read_the_same_as_missing(self) -> None:
        hidden = factories.make_circle(visibility=Circle.HIDDEN)
        for person, circle in [
            (self.cast.outsider, self.cast.circle),
            (self.cast.pending, self.cast.circle),
            (self.cast.member, hidden),
            (self.cast.member, "no-such-circle"),
            (self.cast.member, "nul\x00"),
            (self.cast.member, "x" * 5000),
            (self.cast.member, None),
            (self.cast.member, 5),
        ]:
            with (
                self.subTest(person=person.display_name, circle=str(circle)[:20]),
                self.assertRaises(Invalid) as caught,
            ):
                summaries.share_summary(member=person, circle=circle)
            self.assertEqual(caught.exception.detail, "Choose one of the circles you belong to.")
        self.assertFalse(SummaryShare.objects.exists())


class SharingPageTests(KinshipTestCase):
    def test_member_sees_their_circles_and_what_facilitators_would_see(self) -> None:
        make_checkin(self.cast.member, distress=5, pain=3, note=NOTE, problems=["worry"])
        self.client.force_login(self.cast.member)
        response = self.client.get(SHARING)
        self.assertContains(response, f"Share with the facilitators of {self.cast.circle.name}")
        self.assertContains(response, "5 of 10")
        self.assertNotContains(response, "the knee throbbed")
        self.assertNotContains(response, "Worry")

    def test_share_and_revoke_by_post(self) -> None:
        self.client.force_login(self.cast.member)
        self.assertRedirects(self.client.post(SHARING, {"circle": self.cast.circle.slug}), SHARING)
        self.assertTrue(SummaryShare.objects.filter(owner=self.cast.member, circle=self.cast.circle).exists())
        self.assertContains(self.client.get(SHARING), f"Stop sharing with {self.cast.circle.name}")
        self.assertRedirects(self.client.post(REVOKE, {"circle": self.cast.circle.slug}), SHARING)
        self.assertFalse(SummaryShare.objects.exists())
        self.assertRedirects(self.client.post(REVOKE, {"circle": "nul\x00"}), SHARING)

    def test_a_circle_not_ones_own_is_422_and_nothing_changes(self) -> None:
        other = factories.make_circle()
        self.client.force_login(self.cast.member)
        for slug in (other.slug, "", "x" * 3000, "\x00"):
            with self.subTest(slug=slug[:10]):
                response = self.client.post(SHARING, {"circle": slug})
                self.assertContains(response, "Choose one of the circles you belong to.", status_code=422)
        self.assertFalse(SummaryShare.objects.exists())

    def test_reminder_choice_on_the_sharing_page(self) -> None:
        self.client.force_login(self.cast.member)
        self.client.post(SHARING, {"action": "reminder", "weekly": "on"})
        self.assertContains(self.client.get(SHARING), 'id="id_weekly" checked')
        self.client.post(SHARING, {"action": "reminder"})
        self.assertNotContains(self.client.get(SHARING), 'id="id_weekly" checked')
        response = self.client.post(SHARING, {"action": "reminder", "weekly": "perhaps"})
        self.assertEqual(response.status_code, 422)

    def test_facilitators_find_their_circles_wellbeing_pages_here(self) -> None:
        wellbeing = reverse("journal:circle-wellbeing", args=[self.cast.circle.slug])
        self.client.force_login(self.cast.facilitator)
        self.assertContains(self.client.get(SHARING), f'href="{wellbeing}"')
        self.client.force_login(self.cast.member)
        self.assertNotContains(self.client.get(SHARING), f'href="{wellbeing}"')

    def test_sharing_page_queries_stay_flat(self) -> None:
        self.client.force_login(self.cast.member)
        weekly_checkins(self.cast.member, 2)
        with self.assertNumQueries(8):
            self.client.get(SHARING)
        for _ in range(10):
            circle = factories.make_circle()
            factories.add_member(circle, self.cast.member)
            SummaryShare.objects.create(owner=self.cast.member, circle=circle)
        weekly_checkins(self.cast.member, 50)
        with self.assertNumQueries(8):
            self.client.get(SHARING)

    def test_visitor_is_sent_to_sign_in(self) -> None:
        self.assertEqual(self.client.get(SHARING).status_code, 302)
        self.assertEqual(self.client.post(REVOKE).status_code, 302)


class WellbeingPageTests(KinshipTestCase):
    def url(self, circle: Circle | None = None) -> str:
        return reverse("journal:circle-wellbeing", args=[(circle or self.cast.circle).slug])

    def test_facilitator_sees_shared_summaries_never_notes_or_concerns(self) -> None:
        make_checkin(self.cast.member, distress=7, pain=4, note=NOTE, problems=["depression"])
        summaries.share_summary(member=self.cast.member, circle=self.cast.circle)
        quiet = factories.make_member(self.cast.circle, display_name="Quinn Quiet")
        make_checkin(quiet, distress=9)
        self.client.force_login(self.cast.facilitator)
        response = self.client.get(self.url())
        self.assertContains(response, "Mia Member")
        self.assertContains(response, "7 of 10")
        self.assertNotContains(response, "Quinn Quiet")
        self.assertNotContains(response, "the knee throbbed")
        self.assertNotContains(response, "Depression")

    def test_everyone_but_the_circles_facilitators_gets_404_staff_included(self) -> None:
        other = factories.make_circle()
        other_lead = factories.make_user()
        factories.add_member(other, other_lead, role="facilitator")
        for person in (self.cast.member, self.cast.staff, self.cast.outsider, self.cast.pending, other_lead):
            self.client.force_login(person)
            with self.subTest(person=person.display_name):
                self.assertEqual(self.client.get(self.url()).status_code, 404)
        self.client.force_login(self.cast.facilitator)
        self.assertEqual(self.client.get("/c/no-such-circle/wellbeing/").status_code, 404)
        Membership.objects.filter(user=self.cast.facilitator).update(status=Membership.REMOVED)
        self.assertEqual(self.client.get(self.url()).status_code, 404)

    def test_a_member_who_left_is_no_longer_shown(self) -> None:
        summaries.share_summary(member=self.cast.member, circle=self.cast.circle)
        Membership.objects.filter(user=self.cast.member, circle=self.cast.circle).delete()
        self.client.force_login(self.cast.facilitator)
        self.assertNotContains(self.client.get(self.url()), "Mia Member")

    def test_wellbeing_queries_stay_flat(self) -> None:
        self.client.force_login(self.cast.facilitator)

        def add(count: int) -> None:
            for _ in range(count):
                person = factories.make_member(self.cast.circle)
                weekly_checkins(person, 8)
                summaries.share_summary(member=person, circle=self.cast.circle)

        add(1)
        with self.assertNumQueries(9):
            self.client.get(self.url())
        add(12)
        with self.assertNumQueries(9):
            self.client.get(self.url())
