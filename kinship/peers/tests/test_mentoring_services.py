"""Mentoring services: applying, pausing, staff decisions, requests and their answers, ending, expiry."""

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from kinship.core import factories
from kinship.core.errors import Conflict, Invalid, NotAllowed, RateLimited
from kinship.core.testing import KinshipTestCase
from kinship.notifications.models import EmailPreference
from kinship.peers import mentoring, tasks_mentoring
from kinship.peers.models import MentorProfile, Mentorship
from kinship.peers.tests.mentoring_support import ask, make_mentee, make_mentor
from kinship.safety.models import AuditEntry


class ApplicationTests(KinshipTestCase):
    def test_member_applies_with_their_profile_context_as_default(self) -> None:
        user = make_mentee(diagnosis="Osteosarcoma")
        profile = mentoring.save_application(user=user, data={"capacity": "2", "accept_guidelines": "on"})
        self.assertEqual(profile.status, MentorProfile.APPLIED)
        self.assertEqual(
            (profile.diagnosis, profile.surgery_type, profile.capacity), ("Osteosarcoma", "limb_salvage", 2)
        )

    def test_guidelines_must_be_accepted_and_nothing_is_saved(self) -> None:
        with self.assertRaises(Invalid) as caught:
            mentoring.save_application(user=self.cast.member, data={"capacity": 1})
        self.assertIn("accept_guidelines", caught.exception.errors)
        self.assertFalse(MentorProfile.objects.exists())

    def test_bad_fields_are_all_named(self) -> None:
        data = {
            "capacity": 9,
            "languages": ["xx"],
            "surgery_type": "magic",
            "surgery_date": "2999-01-01",
            "topics": "x" * 1001,
            "age_band": 5,
            "accept_guidelines": True,
        }
        with self.assertRaises(Invalid) as caught:
            mentoring.save_application(user=self.cast.member, data=data)
        self.assertEqual(
            set(caught.exception.errors),
            {"capacity", "languages", "surgery_type", "surgery_date", "topics", "age_band"},
        )

    def test_unverified_cannot_apply(self) -> None:
        with self.assertRaises(NotAllowed):
            mentoring.save_application(user=self.cast.unverified, data={"accept_guidelines": True})

    def test_approved_mentor_edits_keep_status_and_declined_reapplies(self) -> None:
        profile = make_mentor()
        mentoring.save_application(user=profile.user, data={"availability": "Mornings"})
        profile.refresh_from_db()
        self.assertEqual((profile.status, profile.availability), (MentorProfile.APPROVED, "Mornings"))
        MentorProfile.objects.filter(pk=profile.pk).update(status=MentorProfile.DECLINED)
        with self.assertRaises(Invalid):
            mentoring.save_application(user=profile.user, data={"availability": "Noon"})
        again = mentoring.save_application(user=profile.user, data={"accept_guidelines": True})
        self.assertEqual(again.status, MentorProfile.APPLIED)


class PauseAndDecisionTests(KinshipTestCase):
    def test_mentor_pauses_and_resumes_themselves(self) -> None:
        profile = make_mentor()
        self.assertEqual(mentoring.set_own_pause(user=profile.user, paused=True).status, MentorProfile.PAUSED)
        self.assertEqual(mentoring.set_own_pause(user=profile.user, paused=False).status, MentorProfile.APPROVED)

    def test_staff_pause_is_lifted_by_staff_only(self) -> None:
        profile = make_mentor()
        mentoring.decide(staff=self.cast.staff, profile=profile, action="pause")
        with self.assertRaises(Conflict):
            mentoring.set_own_pause(user=profile.user, paused=False)
        self.assertEqual(
            mentoring.decide(staff=self.cast.staff, profile=profile, action="resume").status, MentorProfile.APPROVED
        )

    def test_applicant_cannot_pause(self) -> None:
        profile = make_mentor(status=MentorProfile.APPLIED)
        with self.assertRaises(NotAllowed):
            mentoring.set_own_pause(user=profile.user, paused=True)

    def test_staff_decisions_are_audited_and_checked(self) -> None:
        profile = make_mentor(status=MentorProfile.APPLIED)
        mentoring.decide(staff=self.cast.staff, profile=profile, action="approve")
        self.assertTrue(AuditEntry.objects.filter(action="mentor.approve", target_id=profile.pk).exists())
        with self.assertRaises(Conflict):
            mentoring.decide(staff=self.cast.staff, profile=profile, action="decline")
        with self.assertRaises(Invalid):
            mentoring.decide(staff=self.cast.staff, profile=profile, action="promote")
        with self.assertRaises(NotAllowed):
            mentoring.decide(staff=self.cast.facilitator, profile=profile, action="retire")

    def test_retiring_declines_waiting_requests_and_tells_the_mentee(self) -> None:
        profile = make_mentor()
        mentee = make_mentee()
        request = ask(mentee, profile)
        with self.captureOnCommitCallbacks(execute=True):
            mentoring.decide(staff=self.cast.staff, profile=profile, action="retire")
        request.refresh_from_db()
        self.assertEqual(request.status, Mentorship.DECLINED)
        self.assertEqual([m.to for m in mail.outbox], [[mentee.email]])


class RequestTests(KinshipTestCase):
    def setUp(self) -> None:
        self.mentor = make_mentor(display_name="Priya", capacity=1)
        self.mentee = make_mentee()

    def test_request_holds_a_place_and_emails_the_mentor_without_the_message(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            request = ask(self.mentee, self.mentor, message="Scared of the stairs at school.")
        self.assertEqual(request.status, Mentorship.REQUESTED)
        self.assertAlmostEqual(request.respond_by, timezone.now() + timedelta(days=7), delta=timedelta(minutes=1))
        self.assertEqual(len(mail.outbox), 1)
        email = mail.outbox[0]
        self.assertEqual(email.to, [self.mentor.user.email])
        self.assertNotIn("stairs", email.body)
        self.assertNotIn(self.mentee.email, email.body)
        # Full now: another mentee is refused.
        with self.assertRaises(Conflict):
            ask(make_mentee(), self.mentor)

    def test_double_tap_returns_the_first_and_a_second_mentor_is_refused(self) -> None:
        first = ask(self.mentee, self.mentor, message="Hi")
        self.assertEqual(ask(self.mentee, self.mentor, message="Hi").pk, first.pk)
        with self.assertRaises(Conflict):
            ask(self.mentee, make_mentor())

    def test_not_a_suggestion_is_refused(self) -> None:
        for target in (self.mentee, make_mentor(status=MentorProfile.PAUSED).user, self.cast.outsider, 10**12, "x"):
            with self.assertRaises(Invalid):
                mentoring.request_mentor(mentee=self.mentee, mentor=target)
        close = make_mentor(surgery_date=(timezone.localdate() - timedelta(days=100)).isoformat())
        with self.assertRaises(Invalid):
            ask(self.mentee, close)
        self.assertEqual(ask(self.mentee, close, preferences={"waive_further_along": True}).status, "requested")

    def test_required_preference_is_rechecked(self) -> None:
        with self.assertRaises(Invalid):
            ask(self.mentee, self.mentor, preferences={"language": "es", "language_need": "required"})
        with self.assertRaises(Invalid):
            ask(self.mentee, self.mentor, preferences={"language": "klingon"})
        with self.assertRaises(Invalid):
            ask(self.mentee, self.mentor, preferences=["not", "a", "dict"])
        with self.assertRaises(Invalid):
            ask(self.mentee, self.mentor, message="x" * 1001)
        self.assertFalse(Mentorship.objects.exists())

    def test_unverified_may_not_ask(self) -> None:
        with self.assertRaises(NotAllowed):
            ask(self.cast.unverified, self.mentor)

    def test_rate_limit(self) -> None:
        mentors = [make_mentor() for _ in range(11)]
        for m in mentors[:10]:
            mentoring.withdraw(mentee=self.mentee, mentorship=ask(self.mentee, m))
        with self.assertRaises(RateLimited):
            ask(self.mentee, mentors[10])


class AnswerTests(KinshipTestCase):
    def setUp(self) -> None:
        self.mentor = make_mentor(display_name="Finn")
        self.mentee = make_mentee()
        self.request = ask(self.mentee, self.mentor)
        mail.outbox.clear()

    def test_mentor_accepts_and_mentee_is_told(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            mentoring.answer(mentor=self.mentor.user, mentorship=self.request, accept=True)
        self.assertEqual(self.request.status, Mentorship.ACTIVE)
        self.assertEqual(mail.outbox[0].to, [self.mentee.email])
        self.assertIn("accepted", mail.outbox[0].subject)

    def test_only_the_mentor_answers_and_only_once_and_in_time(self) -> None:
        for other in (self.mentee, self.cast.staff):
            with self.assertRaises(NotAllowed):
                mentoring.answer(mentor=other, mentorship=self.request, accept=True)
        Mentorship.objects.filter(pk=self.request.pk).update(respond_by=timezone.now() - timedelta(seconds=1))
        with self.assertRaises(Conflict):
            mentoring.answer(mentor=self.mentor.user, mentorship=self.request, accept=True)

    def test_decline_tells_the_mentee_they_may_choose_another(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            mentoring.answer(mentor=self.mentor.user, mentorship=self.request, accept=False)
        self.assertIn("choose another", mail.outbox[0].body.lower())
        with self.assertRaises(Conflict):
            mentoring.answer(mentor=self.mentor.user, mentorship=self.request, accept=True)

    def test_withdraw_by_mentee_only(self) -> None:
        with self.assertRaises(NotAllowed):
            mentoring.withdraw(mentee=self.mentor.user, mentorship=self.request)
        mentoring.withdraw(mentee=self.mentee, mentorship=self.request)
        self.assertEqual(self.request.status, Mentorship.WITHDRAWN)

    def test_end_with_private_feedback(self) -> None:
        mentoring.answer(mentor=self.mentor.user, mentorship=self.request, accept=True)
        with self.assertRaises(NotAllowed):
            mentoring.end(actor=self.cast.outsider, mentorship=self.request)
        with self.assertRaises(Invalid):
            mentoring.end(actor=self.mentee, mentorship=self.request, feedback="x" * 2001)
        mentoring.end(actor=self.mentee, mentorship=self.request, feedback="Really helped.")
        self.request.refresh_from_db()
        self.assertEqual((self.request.status, self.request.feedback), (Mentorship.ENDED, "Really helped."))
        with self.assertRaises(Conflict):
            mentoring.end(actor=self.mentor.user, mentorship=self.request)


class ExpiryTests(KinshipTestCase):
    def test_sweep_expires_overdue_requests_once_and_emails_the_mentee(self) -> None:
        mentor = make_mentor()
        mentee = make_mentee()
        overdue = ask(mentee, mentor)
        fresh = ask(make_mentee(), mentor)
        Mentorship.objects.filter(pk=overdue.pk).update(respond_by=timezone.now() - timedelta(minutes=1))
        mail.outbox.clear()
        self.assertEqual(tasks_mentoring.sweep_expired_requests(), 1)
        self.assertEqual(tasks_mentoring.sweep_expired_requests(), 0)
        overdue.refresh_from_db()
        fresh.refresh_from_db()
        self.assertEqual((overdue.status, fresh.status), (Mentorship.EXPIRED, Mentorship.REQUESTED))
        self.assertEqual([m.to for m in mail.outbox], [[mentee.email]])
        self.assertIn("choose another", mail.outbox[0].body.lower())
        # The place is free again and the mentee may ask again.
        self.assertEqual(ask(mentee, mentor).status, Mentorship.REQUESTED)

    def test_opted_out_mentee_still_expires_silently(self) -> None:
        mentor = make_mentor()
        mentee = make_mentee()
        EmailPreference.objects.create(user=mentee, mentorship_update=False)
        overdue = ask(mentee, mentor)
        Mentorship.objects.filter(pk=overdue.pk).update(respond_by=timezone.now() - timedelta(minutes=1))
        mail.outbox.clear()
        self.assertEqual(tasks_mentoring.expire_due_requests.enqueue().return_value, 1)
        self.assertEqual(mail.outbox, [])


class VisibilityTests(KinshipTestCase):
    def test_mentorship_is_for_its_two_people_and_staff(self) -> None:
        request = ask(make_mentee(), make_mentor())
        for user in (request.mentee, request.mentor, self.cast.staff):
            self.assertEqual(mentoring.get_mentorship_for(user, request.pk), request)
        for user in (self.cast.member, self.cast.facilitator, self.cast.outsider, factories.make_user(is_active=False)):
            with self.assertRaises(Exception) as caught:
                mentoring.get_mentorship_for(user, request.pk)
            self.assertEqual(type(caught.exception).__name__, "Http404")
