"""Mentoring pages: allowed, forbidden and bad input for each, and query counts that stay flat."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from kinship.core import factories
from kinship.core.testing import KinshipTestCase
from kinship.peers import mentoring
from kinship.peers.models import MentorProfile, Mentorship
from kinship.peers.tests.mentoring_support import ask, make_mentee, make_mentor, years_ago
from kinship.safety.models import AuditEntry

OVERVIEW = reverse("peers:mentoring")
APPLY = reverse("peers:mentor-apply")
FIND = reverse("peers:mentor-find")
STAFF = reverse("peers:mentoring-staff")
LOGIN = reverse("accounts:login")


def detail(m: Mentorship) -> str:
    return reverse("peers:mentorship-detail", args=[m.pk])


class SignedOutTests(KinshipTestCase):
    def test_every_page_sends_visitors_to_sign_in(self) -> None:
        for url in (OVERVIEW, APPLY, FIND, STAFF, reverse("peers:mentorship-detail", args=[1])):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302, url)
            self.assertIn(LOGIN, response["Location"])
        response = self.client.post(reverse("peers:mentor-request", args=[1]))
        self.assertEqual(response.status_code, 302)


class OverviewTests(KinshipTestCase):
    def test_member_sees_their_mentorships_only(self) -> None:
        mine = ask(self.cast.member, make_mentor(display_name="Priya"))
        theirs = ask(make_mentee(), make_mentor(display_name="Finn"))
        self.client.force_login(self.cast.member)
        response = self.client.get(OVERVIEW)
        self.assertContains(response, detail(mine))
        self.assertNotContains(response, detail(theirs))
        self.assertNotContains(response, STAFF)

    def test_unverified_is_told_to_verify(self) -> None:
        self.client.force_login(self.cast.unverified)
        self.assertContains(self.client.get(OVERVIEW), "Verify your email")


class ApplyPageTests(KinshipTestCase):
    def test_member_applies_then_pauses_and_resumes(self) -> None:
        self.client.force_login(self.cast.member)
        self.assertContains(self.client.get(APPLY), "Apply to mentor")
        data = {"capacity": "2", "languages": ["en", "es"], "topics": "School", "accept_guidelines": "on"}
        response = self.client.post(APPLY, data)
        self.assertRedirects(response, APPLY)
        profile = MentorProfile.objects.get(user=self.cast.member)
        self.assertEqual((profile.status, profile.languages), (MentorProfile.APPLIED, "en,es"))
        MentorProfile.objects.filter(pk=profile.pk).update(status=MentorProfile.APPROVED)
        self.client.post(APPLY, {"action": "pause"})
        profile.refresh_from_db()
        self.assertEqual(profile.status, MentorProfile.PAUSED)
        self.client.post(APPLY, {"action": "resume"})
        profile.refresh_from_db()
        self.assertEqual(profile.status, MentorProfile.APPROVED)

    def test_bad_input_shows_messages_and_saves_nothing(self) -> None:
        self.client.force_login(self.cast.member)
        response = self.client.post(APPLY, {"capacity": "99", "languages": ["zz"], "surgery_date": "tomorrow"})
        self.assertEqual(response.status_code, 422)
        self.assertContains(response, "Choose how many mentees", status_code=422)
        response = self.client.post(APPLY, {"capacity": "1"})
        self.assertContains(response, "accept the mentor guidelines", status_code=422)
        self.assertFalse(MentorProfile.objects.exists())
        response = self.client.post(APPLY, {"capacity": "99", "accept_guidelines": "on", "surgery_date": "\x00"})
        self.assertEqual(response.status_code, 422)
        self.assertFalse(MentorProfile.objects.exists())

    def test_applicant_cannot_pause_and_unverified_cannot_apply(self) -> None:
        self.client.force_login(self.cast.member)
        self.assertEqual(self.client.post(APPLY, {"action": "pause"}).status_code, 403)
        self.client.force_login(self.cast.unverified)
        self.assertEqual(self.client.get(APPLY).status_code, 403)


class FindPageTests(KinshipTestCase):
    def test_suggestions_with_reasons_and_no_email(self) -> None:
        priya = make_mentor(display_name="Priya", languages=["en", "es"])
        make_mentor(display_name="Paused Paula", status=MentorProfile.PAUSED)
        mentee = make_mentee()
        self.client.force_login(mentee)
        response = self.client.get(FIND)
        self.assertContains(response, "Priya")
        self.assertContains(response, "both had limb salvage of the femur")
        self.assertNotContains(response, "Paused Paula")
        self.assertNotContains(response, priya.user.email)
        response = self.client.get(FIND, {"language": "es", "language_need": "required"})
        self.assertContains(response, "both speak Spanish")
        response = self.client.get(FIND, {"language": "de", "language_need": "required"})
        self.assertContains(response, "No mentor fits")

    def test_bad_preferences_are_422_not_500(self) -> None:
        self.client.force_login(make_mentee())
        for params in (
            {"language": "klingon"},
            {"surgery_type_need": "always"},
            {"body_site_need": "required"},
            {"diagnosis": "x\x00y"},
            {"body_site": "x" * 500},
        ):
            self.assertEqual(self.client.get(FIND, params).status_code, 422, params)

    def test_unverified_may_not_look(self) -> None:
        self.client.force_login(self.cast.unverified)
        self.assertEqual(self.client.get(FIND).status_code, 403)

    def test_queries_stay_flat_with_few_or_many_mentors(self) -> None:
        mentee = make_mentee()
        make_mentor()
        self.client.force_login(mentee)
        self.client.get(FIND)
        with self.assertNumQueries(5):
            self.client.get(FIND, {"surgery_type": "limb_salvage"})
        for i in range(15):
            ask(make_mentee(), make_mentor(display_name=f"Mentor {i}", capacity=3))
        with self.assertNumQueries(5):
            response = self.client.get(FIND, {"surgery_type": "limb_salvage"})
        self.assertEqual(len(response.context["suggestions"]), 16)


class RequestPageTests(KinshipTestCase):
    def test_request_from_the_find_page_and_then_mentor_accepts(self) -> None:
        mentor = make_mentor(display_name="Priya")
        mentee = make_mentee()
        self.client.force_login(mentee)
        url = reverse("peers:mentor-request", args=[mentor.user_id])
        response = self.client.post(
            url, {"message": "Hello!", "surgery_type": "limb_salvage", "surgery_type_need": "required"}
        )
        mentorship = Mentorship.objects.get()
        self.assertRedirects(response, detail(mentorship))
        self.assertEqual(mentorship.preferences["surgery_type_need"], "required")
        self.client.force_login(mentor.user)
        self.assertContains(self.client.get(detail(mentorship)), "Hello!")
        self.client.post(detail(mentorship), {"action": "accept"})
        mentorship.refresh_from_db()
        self.assertEqual(mentorship.status, Mentorship.ACTIVE)

    def test_bad_requests_get_a_clear_4xx(self) -> None:
        mentor = make_mentor()
        mentee = make_mentee()
        self.client.force_login(mentee)
        self.assertEqual(self.client.get(reverse("peers:mentor-request", args=[mentor.user_id])).status_code, 405)
        self.assertEqual(self.client.post(reverse("peers:mentor-request", args=[mentee.pk])).status_code, 422)
        self.assertEqual(self.client.post(reverse("peers:mentor-request", args=[10**15])).status_code, 422)
        url = reverse("peers:mentor-request", args=[mentor.user_id])
        self.assertEqual(self.client.post(url, {"message": "x" * 1001}).status_code, 422)
        self.assertEqual(self.client.post(url, {"language": "es", "language_need": "required"}).status_code, 422)
        self.client.post(url)
        self.assertEqual(self.client.post(url, {"message": "again"}).status_code, 409)
        self.client.force_login(self.cast.unverified)
        self.assertEqual(self.client.post(url).status_code, 403)
        self.assertEqual(self.client.get("/mentoring/request/0/").status_code, 404)


class DetailPageTests(KinshipTestCase):
    def setUp(self) -> None:
        self.mentor = make_mentor(display_name="Finn")
        self.mentee = make_mentee()
        self.mentorship = ask(self.mentee, self.mentor, message="Private note")

    def test_others_get_404_and_staff_look_is_audited(self) -> None:
        for user in (self.cast.member, self.cast.facilitator, self.cast.outsider):
            self.client.force_login(user)
            self.assertEqual(self.client.get(detail(self.mentorship)).status_code, 404)
            self.assertEqual(self.client.post(detail(self.mentorship), {"action": "accept"}).status_code, 404)
        self.client.force_login(self.cast.staff)
        self.assertContains(self.client.get(detail(self.mentorship)), "Private note")
        self.assertTrue(AuditEntry.objects.filter(action="mentorship.viewed", target_id=self.mentorship.pk).exists())
        self.assertEqual(self.client.get("/mentorships/99999999/").status_code, 404)

    def test_mentee_cannot_accept_and_mentor_cannot_withdraw(self) -> None:
        self.client.force_login(self.mentee)
        self.assertEqual(self.client.post(detail(self.mentorship), {"action": "accept"}).status_code, 403)
        self.assertEqual(self.client.post(detail(self.mentorship), {"action": "dance"}).status_code, 422)
        self.client.force_login(self.mentor.user)
        self.assertEqual(self.client.post(detail(self.mentorship), {"action": "withdraw"}).status_code, 403)

    def test_late_answer_is_409(self) -> None:
        Mentorship.objects.filter(pk=self.mentorship.pk).update(respond_by=timezone.now() - timedelta(hours=1))
        self.client.force_login(self.mentor.user)
        self.assertEqual(self.client.post(detail(self.mentorship), {"action": "accept"}).status_code, 409)

    def test_end_with_feedback_that_only_staff_see(self) -> None:
        mentoring.answer(mentor=self.mentor.user, mentorship=self.mentorship, accept=True)
        self.client.force_login(self.mentee)
        response = self.client.post(detail(self.mentorship), {"action": "end", "feedback": "x" * 2001})
        self.assertEqual(response.status_code, 422)
        self.client.post(detail(self.mentorship), {"action": "end", "feedback": "Kind and patient."})
        self.mentorship.refresh_from_db()
        self.assertEqual(self.mentorship.status, Mentorship.ENDED)
        self.assertNotContains(self.client.get(detail(self.mentorship)), "Kind and patient.")
        self.client.force_login(self.mentor.user)
        self.assertNotContains(self.client.get(detail(self.mentorship)), "Kind and patient.")
        self.client.force_login(self.cast.staff)
        self.assertContains(self.client.get(detail(self.mentorship)), "Kind and patient.")

    def test_queries_are_the_same_for_every_mentorship(self) -> None:
        self.client.force_login(self.mentee)
        with self.assertNumQueries(4):
            self.client.get(detail(self.mentorship))
        for _ in range(10):
            ask(make_mentee(), make_mentor())
        with self.assertNumQueries(4):
            self.client.get(detail(self.mentorship))


class StaffPageTests(KinshipTestCase):
    def test_non_staff_are_refused(self) -> None:
        profile = make_mentor(status=MentorProfile.APPLIED)
        for user in (self.cast.member, self.cast.facilitator):
            self.client.force_login(user)
            self.assertEqual(self.client.get(STAFF).status_code, 403)
            self.assertEqual(self.client.post(STAFF, {"profile": profile.pk, "action": "approve"}).status_code, 403)
        profile.refresh_from_db()
        self.assertEqual(profile.status, MentorProfile.APPLIED)

    def test_staff_see_the_programme_and_decide(self) -> None:
        applicant = make_mentor(display_name="Ingrid", status=MentorProfile.APPLIED)
        mentor = make_mentor(display_name="Priya")
        waiting = ask(make_mentee(display_name="Amara"), mentor)
        Mentorship.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - timedelta(days=3))
        self.client.force_login(self.cast.staff)
        response = self.client.get(STAFF)
        self.assertContains(response, "Approve Ingrid")
        self.assertContains(response, "Amara asked Priya")
        self.assertContains(response, "waiting 3 days")
        self.assertRedirects(self.client.post(STAFF, {"profile": applicant.pk, "action": "approve"}), STAFF)
        applicant.refresh_from_db()
        self.assertEqual(applicant.status, MentorProfile.APPROVED)

    def test_bad_staff_input(self) -> None:
        profile = make_mentor()
        self.client.force_login(self.cast.staff)
        self.assertEqual(self.client.post(STAFF, {"profile": profile.pk, "action": "promote"}).status_code, 422)
        self.assertEqual(self.client.post(STAFF, {"profile": profile.pk, "action": "decline"}).status_code, 409)
        self.assertEqual(self.client.post(STAFF, {"profile": "abc", "action": "pause"}).status_code, 404)
        self.assertEqual(self.client.post(STAFF, {"action": "pause"}).status_code, 404)

    def test_queries_stay_flat_with_few_or_many_mentors(self) -> None:
        self.client.force_login(self.cast.staff)
        make_mentor()
        with self.assertNumQueries(5):
            self.client.get(STAFF)
        for i in range(10):
            m = make_mentor(display_name=f"M{i}", capacity=2)
            ask(make_mentee(), m)
            mentoring.answer(mentor=m.user, mentorship=ask(make_mentee(), m), accept=True)
            make_mentor(status=MentorProfile.APPLIED, surgery_date=years_ago(2).isoformat())
        with self.assertNumQueries(5):
            self.client.get(STAFF)


class AccountDeactivatedTests(KinshipTestCase):
    def test_inactive_mentor_is_not_suggested(self) -> None:
        profile = make_mentor(display_name="Gone Gary")
        profile.user.is_active = False
        profile.user.save()
        self.client.force_login(make_mentee())
        self.assertNotContains(self.client.get(FIND), "Gone Gary")
        self.assertTrue(factories)  # factories used for the cast
