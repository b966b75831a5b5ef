"""'Let my facilitator know' (kinship.journal.support): the request, the emails, the page, acknowledging."""

import pytest
from django.core import mail
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from kinship.circles.models import Membership
from kinship.core import factories, worker_testing
from kinship.core.errors import Conflict, Invalid, NotAllowed
from kinship.core.testing import KinshipTestCase
from kinship.core.worker_testing import run_worker
from kinship.journal import support, tasks
from kinship.journal.models import SupportRequest
from kinship.journal.tests.test_checkins import NOTE, make_checkin
from kinship.notifications import services as notifications

inbox = worker_testing.inbox
keep_signal_handlers = worker_testing.keep_signal_handlers


class SupportTestCase(KinshipTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.co_lead = factories.make_user(display_name="Cora Colead")
        factories.add_member(self.cast.circle, self.co_lead, role="facilitator")
        self.checkin = make_checkin(self.cast.member, distress=8, pain=6, note=NOTE, problems=["depression"])


class RequestSupportTests(SupportTestCase):
    def test_each_active_facilitator_is_emailed_with_no_score_note_or_concern(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            made = support.request_support(member=self.cast.member, checkin=self.checkin, circle=self.cast.circle.slug)
        self.assertEqual((made.owner, made.circle, made.checkin), (self.cast.member, self.cast.circle, self.checkin))
        self.assertEqual(
            sorted(m.to[0] for m in mail.outbox), sorted([self.cast.facilitator.email, self.co_lead.email])
        )
        for message in mail.outbox:
            html = message.alternatives[0][0]
            for part in (message.subject, message.body, html):
                self.assertNotIn("knee throbbed", part)
                self.assertNotIn("Depression", part)
                self.assertNotIn(self.cast.member.email, part)
            self.assertIn("Mia Member", message.subject)
            self.assertIn(f"/c/{self.cast.circle.slug}/wellbeing/", message.body)

    def test_asking_again_returns_the_first_and_sends_nothing_more(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            first = support.request_support(member=self.cast.member, checkin=self.checkin, circle=self.cast.circle)
            again = support.request_support(member=self.cast.member, checkin=self.checkin, circle=self.cast.circle)
        self.assertEqual(first.pk, again.pk)
        self.assertEqual(len(mail.outbox), 2)

    def test_a_facilitator_who_switched_these_emails_off_gets_none(self) -> None:
        notifications.update_preferences(user=self.co_lead, changes={"support_request": False})
        with self.captureOnCommitCallbacks(execute=True):
            support.request_support(member=self.cast.member, checkin=self.checkin, circle=self.cast.circle)
        self.assertEqual([m.to for m in mail.outbox], [[self.cast.facilitator.email]])

    def test_below_four_is_a_conflict(self) -> None:
        low = make_checkin(self.cast.member, distress=3)
        with self.assertRaises(Conflict):
            support.request_support(member=self.cast.member, checkin=low, circle=self.cast.circle)
        self.assertFalse(SupportRequest.objects.exists())

    def test_someone_elses_check_in_is_refused(self) -> None:
        with self.assertRaises(NotAllowed):
            support.request_support(member=self.cast.facilitator, checkin=self.checkin, circle=self.cast.circle)

    def test_only_ones_own_circles_with_a_facilitator(self) -> None:
        leaderless = factories.make_circle()
        factories.add_member(leaderless, self.cast.member)
        elsewhere = factories.make_circle()
        for circle in (leaderless, elsewhere, "no-such", "\x00", None, 7, ["x"]):
            with self.subTest(circle=str(circle)[:20]), self.assertRaises(Invalid) as caught:
                support.request_support(member=self.cast.member, checkin=self.checkin, circle=circle)
            self.assertIn("circle", caught.exception.errors)
        self.assertFalse(SupportRequest.objects.exists())
        self.assertEqual(mail.outbox, [])


class AcknowledgeTests(SupportTestCase):
    def test_facilitator_acknowledges_once(self) -> None:
        made = support.request_support(member=self.cast.member, checkin=self.checkin, circle=self.cast.circle)
        support.acknowledge(facilitator=self.co_lead, request=made)
        support.acknowledge(facilitator=self.cast.facilitator, request=made)
        made.refresh_from_db()
        self.assertEqual(made.acknowledged_by, self.co_lead)

    def test_only_the_circles_facilitators(self) -> None:
        made = support.request_support(member=self.cast.member, checkin=self.checkin, circle=self.cast.circle)
        for person in (self.cast.member, self.cast.staff, self.cast.outsider):
            with self.assertRaises(NotAllowed):
                support.acknowledge(facilitator=person, request=made)
        self.assertIsNone(SupportRequest.objects.get().acknowledged_at)


class SupportPageTests(SupportTestCase):
    def url(self) -> str:
        return reverse("journal:support-request", args=[self.checkin.pk])

    def test_member_lets_their_facilitator_know(self) -> None:
        self.client.force_login(self.cast.member)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url(), {"circle": self.cast.circle.slug})
        self.assertRedirects(response, self.checkin.get_absolute_url())
        self.assertEqual(SupportRequest.objects.count(), 1)
        self.assertEqual(len(mail.outbox), 2)
        page = self.client.get(self.checkin.get_absolute_url())
        self.assertContains(page, f"You told the facilitators of {self.cast.circle.name}")

    def test_bad_circle_re_renders_the_check_in_with_a_message(self) -> None:
        self.client.force_login(self.cast.member)
        for data in ({"circle": factories.make_circle().slug}, {}, {"circle": "\x00" * 3}, {"circle": "é" * 9000}):
            with self.subTest(data=str(data)[:30]):
                response = self.client.post(self.url(), data)
                self.assertContains(response, "Choose one of the circles you belong to.", status_code=422)
        self.assertFalse(SupportRequest.objects.exists())

    def test_below_four_is_409_on_the_page(self) -> None:
        low = make_checkin(self.cast.member, distress=2)
        self.client.force_login(self.cast.member)
        response = self.client.post(
            reverse("journal:support-request", args=[low.pk]), {"circle": self.cast.circle.slug}
        )
        self.assertEqual(response.status_code, 409)
        self.assertFalse(SupportRequest.objects.exists())

    def test_others_get_404_and_visitors_sign_in(self) -> None:
        for person in (self.cast.facilitator, self.cast.staff):
            self.client.force_login(person)
            self.assertEqual(self.client.post(self.url(), {"circle": self.cast.circle.slug}).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.post(self.url(), {"circle": self.cast.circle.slug}).status_code, 302)
        self.assertFalse(SupportRequest.objects.exists())


class WellbeingRequestsPageTests(SupportTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.made = support.request_support(member=self.cast.member, checkin=self.checkin, circle=self.cast.circle)
        self.page = reverse("journal:circle-wellbeing", args=[self.cast.circle.slug])
        self.ack = reverse("journal:support-acknowledge", args=[self.made.pk])

    def test_facilitator_sees_who_when_and_the_distress_score_only(self) -> None:
        self.client.force_login(self.cast.facilitator)
        response = self.client.get(self.page)
        self.assertContains(response, "<strong>Mia Member</strong> asked on")
        self.assertContains(response, "distress 8 of 10")
        self.assertNotContains(response, "6 of 10")  # the pain score is not part of a request
        self.assertNotContains(response, "knee throbbed")
        self.assertNotContains(response, "Depression")

    def test_facilitator_acknowledges_from_the_page(self) -> None:
        self.client.force_login(self.co_lead)
        self.assertRedirects(self.client.post(self.ack), self.page)
        self.assertContains(self.client.get(self.page), "Taken up by you")
        self.client.force_login(self.cast.facilitator)
        self.assertContains(self.client.get(self.page), "Taken up by Cora Colead")

    def test_acknowledge_is_404_for_everyone_else_and_odd_ids(self) -> None:
        for person in (self.cast.member, self.cast.staff, self.cast.outsider):
            self.client.force_login(person)
            self.assertEqual(self.client.post(self.ack).status_code, 404)
        self.client.force_login(self.cast.facilitator)
        for raw in ("0", "9" * 19, "\u0661"):
            self.assertEqual(self.client.post(f"/journal/support/{raw}/acknowledge/").status_code, 404)
        self.assertEqual(self.client.get(self.ack).status_code, 405)
        self.assertIsNone(SupportRequest.objects.get().acknowledged_at)

    def test_a_request_from_someone_who_left_is_hidden(self) -> None:
        Membership.objects.filter(user=self.cast.member, circle=self.cast.circle).update(status=Membership.REMOVED)
        self.client.force_login(self.cast.facilitator)
        self.assertNotContains(self.client.get(self.page), "Mia Member")
        self.assertEqual(self.client.post(self.ack).status_code, 404)

    def test_deleting_the_check_in_withdraws_the_request(self) -> None:
        self.client.force_login(self.cast.member)
        self.client.post(reverse("journal:checkin-delete", args=[self.checkin.pk]))
        self.assertFalse(SupportRequest.objects.exists())


@pytest.mark.django_db(transaction=True)
def test_worker_emails_each_facilitator_after_the_request_commits(inbox, keep_signal_handlers) -> None:  # type: ignore[no-untyped-def]
    circle = factories.make_circle()
    lead = factories.make_user()
    factories.add_member(circle, lead, role="facilitator")
    member = factories.make_member(circle)
    checkin = make_checkin(member, distress=9, note=NOTE)
    support.request_support(member=member, checkin=checkin, circle=circle)
    (stored,) = DBTaskResult.objects.filter(task_path=tasks.send_support_request.module_path)
    run_worker()
    stored.refresh_from_db()
    assert stored.status == "SUCCESSFUL", stored.traceback
    (message,) = inbox.wait_for(1)
    assert message["To"] == lead.email
    text = message.as_string()
    assert "knee throbbed" not in text
    assert member.email not in text
