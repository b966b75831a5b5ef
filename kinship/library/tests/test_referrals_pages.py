"""Referral pages: the member's list, the follow-up dashboard, the form and the detail with its status form."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from kinship.circles.models import Membership
from kinship.core import factories
from kinship.library.models import Referral, ReferralUpdate
from kinship.library.tests.referrals_support import NOTE, ReferralTestCase, make_referral, make_resource
from kinship.safety.models import AuditEntry

LIST = reverse("library:referral-list")
DASHBOARD = reverse("library:referral-dashboard")
NEW = reverse("library:referral-new")
LOGIN = reverse("accounts:login")


class ListPageTests(ReferralTestCase):
    def test_visitor_is_sent_to_sign_in(self) -> None:
        response = self.client.get(LIST)
        self.assertEqual(response.status_code, 302)
        self.assertIn(LOGIN, response["Location"])

    def test_member_sees_only_their_own_referrals_and_no_email(self) -> None:
        mine = self.refer()
        theirs = self.refer(member=self.peer, resource=make_resource(name="Peer-only counselling (example)"))
        self.client.force_login(self.cast.member)
        response = self.client.get(LIST)
        self.assertContains(response, mine.resource.name)
        self.assertContains(response, mine.get_absolute_url())
        self.assertNotContains(response, theirs.resource.name)
        self.assertNotContains(response, theirs.get_absolute_url())
        self.assertNotContains(response, self.cast.member.email)
        self.assertNotContains(response, NOTE)  # the note is on the detail page only
        self.assertIn("no-store", response["Cache-Control"])

    def test_facilitator_list_shows_what_was_made_for_them_not_what_they_made(self) -> None:
        made = self.refer()
        self.client.force_login(self.cast.facilitator)
        response = self.client.get(LIST)
        self.assertNotContains(response, made.get_absolute_url())
        self.assertContains(response, DASHBOARD)

    def test_list_pages_by_cursor_and_a_broken_cursor_is_not_a_500(self) -> None:
        for i in range(25):
            make_referral(
                referrer=self.cast.facilitator,
                member=self.cast.member,
                circle=self.cast.circle,
                resource=make_resource(name=f"Resource {i:02d}"),
            )
        self.client.force_login(self.cast.member)
        first = self.client.get(LIST)
        self.assertEqual(len(first.context["page"].items), 20)
        second = self.client.get(LIST, {"cursor": first.context["page"].next})
        self.assertEqual(len(second.context["page"].items), 5)
        for cursor in ("%%%", "W10", "x" * 3000, "WyJ4IiwgMV0"):
            self.assertEqual(self.client.get(LIST, {"cursor": cursor}).status_code, 422)

    def test_queries_stay_flat_with_3_or_30_referrals(self) -> None:
        def add(count: int) -> None:
            for i in range(count):
                make_referral(
                    referrer=factories.make_user(),
                    member=self.cast.member,
                    circle=factories.make_circle(),
                    resource=make_resource(name=f"R{i}"),
                )

        self.client.force_login(self.cast.member)
        add(3)
        with self.assertNumQueries(4):
            self.client.get(LIST)
        add(27)
        with self.assertNumQueries(4):
            self.client.get(LIST)


class DashboardTests(ReferralTestCase):
    def test_visitor_is_sent_to_sign_in_and_member_is_refused(self) -> None:
        self.assertIn(LOGIN, self.client.get(DASHBOARD)["Location"])
        self.client.force_login(self.cast.member)
        self.assertEqual(self.client.get(DASHBOARD).status_code, 403)

    def test_facilitator_sees_their_open_referrals_overdue_first(self) -> None:
        now = timezone.now()
        later = make_referral(
            referrer=self.cast.facilitator,
            member=self.cast.member,
            circle=self.cast.circle,
            resource=make_resource(name="Due later"),
            follow_up_at=now + timedelta(days=5),
        )
        overdue = make_referral(
            referrer=self.cast.facilitator,
            member=self.peer,
            circle=self.cast.circle,
            resource=make_resource(name="Overdue one"),
            follow_up_at=now - timedelta(days=2),
        )
        closed = make_referral(
            referrer=self.cast.facilitator,
            member=self.cast.member,
            circle=self.cast.circle,
            resource=make_resource(name="Closed one"),
            status=Referral.DONE,
            closed_at=now,
        )
        cofacilitators = make_referral(
            referrer=self.co_facilitator,
            member=self.cast.member,
            circle=self.cast.circle,
            resource=make_resource(name="Cora's referral"),
        )
        self.client.force_login(self.cast.facilitator)
        response = self.client.get(DASHBOARD)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(list(response.context["page"].items), [overdue, later])
        self.assertContains(response, "Follow-up due", count=1)
        self.assertNotContains(response, closed.resource.name)
        self.assertNotContains(response, cofacilitators.resource.name)
        self.assertNotContains(response, NOTE)
        self.assertNotContains(response, self.cast.member.email)

    def test_referrals_in_a_circle_they_no_longer_lead_leave_the_dashboard(self) -> None:
        referral = self.refer()
        Membership.objects.filter(user=self.co_facilitator).update(role=Membership.MEMBER)
        self.client.force_login(self.cast.facilitator)
        self.assertContains(self.client.get(DASHBOARD), referral.get_absolute_url())
        Membership.objects.filter(user=self.cast.facilitator, circle=self.cast.circle).update(role=Membership.MEMBER)
        self.client.force_login(self.other_facilitator)
        self.assertNotContains(self.client.get(DASHBOARD), referral.get_absolute_url())

    def test_staff_see_every_open_referral(self) -> None:
        a = self.refer()
        b = self.refer(referrer=self.co_facilitator, member=self.peer)
        self.client.force_login(self.cast.staff)
        response = self.client.get(DASHBOARD)
        self.assertEqual(set(response.context["page"].items), {a, b})
        self.assertContains(response, "referred by")

    def test_other_facilitators_see_none_of_them(self) -> None:
        referral = self.refer()
        for user in (self.co_facilitator, self.other_facilitator):
            self.client.force_login(user)
            response = self.client.get(DASHBOARD)
            self.assertEqual(response.status_code, 200)
            self.assertNotContains(response, referral.get_absolute_url())

    def test_queries_stay_flat_with_3_or_30_referrals(self) -> None:
        def add(count: int) -> None:
            for i in range(count):
                make_referral(
                    referrer=self.cast.facilitator,
                    member=factories.make_member(self.cast.circle),
                    circle=self.cast.circle,
                    resource=make_resource(name=f"R{i}"),
                )

        self.client.force_login(self.cast.facilitator)
        add(3)
        with self.assertNumQueries(4):
            self.client.get(DASHBOARD)
        add(27)
        with self.assertNumQueries(4):
            self.client.get(DASHBOARD)

    def test_bad_cursor_is_422(self) -> None:
        self.client.force_login(self.cast.facilitator)
        self.assertEqual(self.client.get(DASHBOARD, {"cursor": "bad"}).status_code, 422)


class NewReferralPageTests(ReferralTestCase):
    def post(self, **overrides: object):
        data = {
            "circle": self.cast.circle.slug,
            "member": str(self.cast.member.pk),
            "resource": str(self.resource.pk),
            "note": NOTE,
            "follow_up_days": "14",
        }
        data.update({k: str(v) for k, v in overrides.items()})
        return self.client.post(NEW, data)

    def test_visitor_is_sent_to_sign_in_and_members_are_refused(self) -> None:
        self.assertIn(LOGIN, self.client.get(NEW)["Location"])
        self.assertIn(LOGIN, self.client.post(NEW, {})["Location"])
        for user in (self.cast.member, self.cast.outsider):
            self.client.force_login(user)
            self.assertEqual(self.client.get(NEW).status_code, 403)
            self.assertEqual(self.post(member=self.peer.pk).status_code, 403)
        self.assertFalse(Referral.objects.exists())

    def test_facilitator_of_one_circle_gets_the_form_prefilled_from_the_query(self) -> None:
        self.client.force_login(self.cast.facilitator)
        response = self.client.get(NEW, {"resource": self.resource.pk, "member": self.cast.member.pk})
        self.assertEqual(response.status_code, 200)
        form = response.context["form"]
        self.assertEqual(form.initial, {"member": str(self.cast.member.pk), "resource": str(self.resource.pk)})
        self.assertContains(response, f'<option value="{self.resource.pk}" selected>', html=False)
        self.assertContains(response, f'<option value="{self.cast.member.pk}" selected>', html=False)
        self.assertContains(response, '<label for="id_note">', html=False)
        # Pending members, the referrer and outsiders are not offered; no email is shown.
        self.assertNotContains(response, self.cast.pending.display_name)
        offered = {value for value, _ in form.fields["member"].widget.choices}
        self.assertNotIn(str(self.cast.facilitator.pk), offered)
        self.assertNotIn(str(self.cast.outsider.pk), offered)
        self.assertIn(str(self.peer.pk), offered)
        self.assertNotContains(response, self.cast.member.email)

    def test_resource_link_works_for_a_facilitator_of_several_circles(self) -> None:
        factories.add_member(self.other_circle, self.cast.facilitator, role="facilitator")
        self.client.force_login(self.cast.facilitator)
        response = self.client.get(NEW, {"resource": self.resource.pk})
        self.assertIsNotNone(response.context["step"])
        self.assertContains(response, f'name="resource" value="{self.resource.pk}"')
        response = self.client.get(NEW, {"resource": self.resource.pk, "circle": self.other_circle.slug})
        self.assertEqual(response.context["circle"], self.other_circle)
        self.assertEqual(response.context["form"].initial["resource"], str(self.resource.pk))

    def test_odd_prefill_values_are_ignored(self) -> None:
        self.client.force_login(self.cast.facilitator)
        for params in ({"resource": "x<script>"}, {"member": "\x00"}, {"resource": "9" * 40}, {"circle": "a\x00"}):
            response = self.client.get(NEW, params)
            self.assertEqual(response.status_code, 200, params)
            self.assertNotContains(response, "<script>")

    def test_circle_they_do_not_lead_is_refused_as_a_choice(self) -> None:
        self.client.force_login(self.cast.facilitator)
        response = self.client.get(NEW, {"circle": self.other_circle.slug})
        self.assertContains(response, "Choose a circle you facilitate.")
        self.assertNotContains(response, self.other_circle.name)
        response = self.post(circle=self.other_circle.slug)
        self.assertEqual(response.status_code, 422)
        self.assertFalse(Referral.objects.exists())

    def test_facilitator_makes_a_referral_and_lands_on_it(self) -> None:
        self.client.force_login(self.cast.facilitator)
        response = self.post()
        referral = Referral.objects.get()
        self.assertRedirects(response, referral.get_absolute_url())
        self.assertEqual((referral.member, referral.note, referral.follow_up_days), (self.cast.member, NOTE, 14))

    def test_staff_refers_in_any_circle(self) -> None:
        member = factories.make_member(self.other_circle)
        self.client.force_login(self.cast.staff)
        response = self.client.get(NEW)
        self.assertContains(response, self.other_circle.name)
        response = self.post(circle=self.other_circle.slug, member=member.pk)
        self.assertRedirects(response, Referral.objects.get().get_absolute_url())

    def test_bad_input_is_422_with_messages_and_saves_nothing(self) -> None:
        self.client.force_login(self.cast.facilitator)
        cases = [
            ({"member": self.cast.facilitator.pk}, "member"),
            ({"member": self.cast.pending.pk}, "member"),
            ({"member": "abc"}, "member"),
            ({"resource": "999999"}, "resource"),
            ({"resource": ""}, "resource"),
            ({"note": "x" * 2001}, "note"),
            ({"follow_up_days": "0"}, "follow_up_days"),
            ({"follow_up_days": "91"}, "follow_up_days"),
            ({"follow_up_days": "soon"}, "follow_up_days"),
        ]
        for data, field in cases:
            response = self.post(**data)
            self.assertEqual(response.status_code, 422, data)
            self.assertIn(field, response.context["form"].errors, data)
        response = self.post(note="nul \x00 byte")
        self.assertEqual(response.status_code, 422)
        self.assertFalse(Referral.objects.exists())

    def test_same_referral_with_another_note_is_409(self) -> None:
        self.client.force_login(self.cast.facilitator)
        self.post()
        response = self.post(note="A different note")
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "still open", status_code=409)
        self.assertEqual(Referral.objects.count(), 1)


class DetailPageTests(ReferralTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.referral = self.refer()
        self.url = self.referral.get_absolute_url()

    def test_member_referrer_and_staff_read_it_with_the_note(self) -> None:
        for user in (self.cast.member, self.cast.facilitator, self.cast.staff):
            self.client.force_login(user)
            response = self.client.get(self.url)
            self.assertContains(response, NOTE)
            self.assertContains(response, self.resource.name)
            self.assertContains(response, '<label for="id_status">', html=False)
            self.assertNotContains(response, self.cast.member.email)
            self.assertIn("no-store", response["Cache-Control"])

    def test_a_staff_look_is_audited_and_the_member_and_referrer_looks_are_not(self) -> None:
        for user in (self.cast.member, self.cast.facilitator):
            self.client.force_login(user)
            self.client.get(self.url)
        self.assertFalse(AuditEntry.objects.exists())
        self.client.force_login(self.cast.staff)
        self.client.get(self.url)
        entry = AuditEntry.objects.get()
        self.assertEqual((entry.actor, entry.action), (self.cast.staff, "referral.viewed"))
        self.assertEqual((entry.target_type, entry.target_id), ("library.referral", self.referral.pk))

    def test_everyone_else_gets_404_for_reading_and_updating(self) -> None:
        for user in self.outsiders():
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url).status_code, 404, user)
            self.assertEqual(self.client.post(self.url, {"status": Referral.DONE}).status_code, 404, user)
            self.assertEqual(
                self.client.post(self.url, {"status": Referral.DONE}, headers={"HX-Request": "true"}).status_code,
                404,
            )
        self.referral.refresh_from_db()
        self.assertEqual(self.referral.status, Referral.SUGGESTED)
        self.assertEqual(ReferralUpdate.objects.count(), 1)

    def test_visitor_is_sent_to_sign_in_for_reading_and_updating(self) -> None:
        self.assertIn(LOGIN, self.client.get(self.url)["Location"])
        self.assertIn(LOGIN, self.client.post(self.url, {"status": Referral.DONE})["Location"])
        self.referral.refresh_from_db()
        self.assertEqual(self.referral.status, Referral.SUGGESTED)

    def test_missing_referral_is_404(self) -> None:
        self.client.force_login(self.cast.staff)
        self.assertEqual(self.client.get(f"/referrals/{self.referral.pk + 100}/").status_code, 404)
        self.assertEqual(self.client.get("/referrals/99999999999999999999/").status_code, 404)

    def test_member_updates_the_status_and_the_history_shows_it(self) -> None:
        self.client.force_login(self.cast.member)
        response = self.client.post(self.url, {"status": Referral.CONTACTED})
        self.assertRedirects(response, self.url, fetch_redirect_response=False)
        self.referral.refresh_from_db()
        self.assertEqual(self.referral.status, Referral.CONTACTED)
        page = self.client.get(self.url)
        self.assertEqual([u.status for u in page.context["history"]], [Referral.SUGGESTED, Referral.CONTACTED])
        self.assertContains(page, "Status saved: contacted.")

    def test_referrer_closes_it_with_htmx_and_gets_the_region(self) -> None:
        self.client.force_login(self.cast.facilitator)
        response = self.client.post(self.url, {"status": Referral.DONE}, headers={"HX-Request": "true"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'id="referral-status"')
        self.assertNotContains(response, "<html")
        self.assertContains(response, "The referral is closed.")
        self.referral.refresh_from_db()
        self.assertIsNotNone(self.referral.closed_at)

    def test_bad_status_is_422_and_changes_nothing(self) -> None:
        self.client.force_login(self.cast.member)
        for data in ({"status": "closed"}, {}, {"status": "x\x00"}):
            self.assertEqual(self.client.post(self.url, data).status_code, 422)
            response = self.client.post(self.url, data, headers={"HX-Request": "true"})
            self.assertEqual(response.status_code, 422)
            self.assertContains(response, "Choose suggested", status_code=422)
        self.referral.refresh_from_db()
        self.assertEqual(self.referral.status, Referral.SUGGESTED)

    def test_queries_stay_flat_with_3_or_30_referrals_and_history_rows(self) -> None:
        def add(count: int) -> None:
            for i in range(count):
                ReferralUpdate.objects.create(
                    referral=self.referral, by=factories.make_user(), status=Referral.OPEN_STATUSES[i % 3]
                )
                make_referral(
                    referrer=self.cast.facilitator,
                    member=self.cast.member,
                    circle=self.cast.circle,
                    resource=make_resource(name=f"R{i}"),
                )

        self.client.force_login(self.cast.member)
        add(2)
        with self.assertNumQueries(4):
            self.client.get(self.url)
        add(27)
        with self.assertNumQueries(4):
            self.client.get(self.url)
