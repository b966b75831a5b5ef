"""Staff and facilitator powers wait for two-step sign-in; ordinary member abilities do not."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kinship.accounts.models import TwoFactorDevice
from kinship.api.tests.base import ApiTestCase
from kinship.circles import access as circle_access
from kinship.circles.models import Circle
from kinship.core.factories import add_member, give_two_factor, make_circle, make_user
from kinship.core.testing import KinshipTestCase
from kinship.journal import access as journal_access
from kinship.library import access as library_access
from kinship.library import referrals
from kinship.peers import mentoring, messaging
from kinship.qa import speakers
from kinship.safety import access as safety_access
from kinship.search import queries as search_queries

NEEDS = "Set up two-step sign-in to use facilitator tools"


class FacilitatorGateTests(KinshipTestCase):
    def setUp(self) -> None:
        self.lead = make_user(display_name="Lee Lead")
        add_member(self.cast.circle, self.lead, role="facilitator", two_factor=False)
        self.target = self.cast.circle.memberships.get(user=self.cast.member)

    def test_without_two_factor_facilitator_powers_are_off_and_member_abilities_stay(self) -> None:
        circle = self.cast.circle
        self.assertFalse(circle_access.can_moderate(self.lead, circle))
        self.assertFalse(circle_access.can_manage_circle(self.lead, circle))
        self.assertFalse(circle_access.can_manage_member(self.lead, self.target))
        self.assertEqual(circle_access.led_circle_ids(self.lead), set())
        self.assertFalse(library_access.is_curator(self.lead))
        self.assertFalse(referrals.can_refer_in(self.lead, circle))
        self.assertFalse(journal_access.can_see_shared_wellbeing(self.lead, circle))
        self.assertTrue(circle_access.can_post(self.lead, circle))
        self.assertTrue(circle_access.can_read(self.lead, circle))
        self.assertTrue(circle_access.needs_two_factor_to_lead(self.lead, circle))

    def test_with_two_factor_the_same_facilitator_has_the_powers(self) -> None:
        give_two_factor(self.lead)
        circle = self.cast.circle
        self.assertTrue(circle_access.can_moderate(self.lead, circle))
        self.assertTrue(circle_access.can_manage_member(self.lead, self.target))
        self.assertEqual(circle_access.led_circle_ids(self.lead), {circle.pk})
        self.assertTrue(library_access.is_curator(self.lead))
        self.assertTrue(journal_access.can_see_shared_wellbeing(self.lead, circle))
        self.assertFalse(circle_access.needs_two_factor_to_lead(self.lead, circle))

    def test_an_unconfirmed_device_is_not_enough(self) -> None:
        TwoFactorDevice.objects.create(user=self.lead, secret="JBSWY3DPEHPK3PXP")
        self.assertFalse(circle_access.can_moderate(self.lead, self.cast.circle))

    def test_the_circle_page_says_how_to_get_the_tools_instead_of_showing_them(self) -> None:
        self.client.force_login(self.lead)
        response = self.client.get(self.cast.circle.get_absolute_url())
        self.assertContains(response, NEEDS)
        self.assertContains(response, reverse("accounts:two-factor"))
        self.assertNotContains(response, reverse("circles:circle-edit", args=[self.cast.circle.slug]))
        self.client.force_login(self.cast.facilitator)
        response = self.client.get(self.cast.circle.get_absolute_url())
        self.assertNotContains(response, NEEDS)
        self.assertContains(response, reverse("circles:circle-edit", args=[self.cast.circle.slug]))

    def test_facilitator_pages_are_refused_without_two_factor(self) -> None:
        self.client.force_login(self.lead)
        edit = self.client.get(reverse("circles:circle-edit", args=[self.cast.circle.slug]))
        self.assertIn(edit.status_code, (403, 404))
        self.client.force_login(self.cast.facilitator)
        self.assertEqual(self.client.get(reverse("circles:circle-edit", args=[self.cast.circle.slug])).status_code, 200)

    def test_members_never_see_the_two_factor_note(self) -> None:
        self.client.force_login(self.cast.member)
        self.assertNotContains(self.client.get(self.cast.circle.get_absolute_url()), NEEDS)


class StaffGateTests(KinshipTestCase):
    def setUp(self) -> None:
        self.staff = make_user(is_staff=True, two_factor=False)
        self.hidden = make_circle(visibility=Circle.HIDDEN)

    def test_without_two_factor_staff_act_as_any_member(self) -> None:
        self.assertFalse(circle_access.can_see_circle(self.staff, self.hidden))
        self.assertFalse(circle_access.can_moderate(self.staff, self.cast.circle))
        self.assertFalse(circle_access.can_create_circle(self.staff))
        self.assertFalse(library_access.is_curator(self.staff))
        self.assertFalse(referrals._is_staff(self.staff))
        self.assertFalse(messaging._is_staff(self.staff))
        self.assertFalse(mentoring.is_staff(self.staff))
        self.assertFalse(search_queries._is_staff(self.staff))
        self.assertFalse(speakers.can_verify(self.staff))

    def test_with_two_factor_staff_have_their_powers(self) -> None:
        give_two_factor(self.staff)
        self.assertTrue(circle_access.can_see_circle(self.staff, self.hidden))
        self.assertTrue(circle_access.can_moderate(self.staff, self.cast.circle))
        self.assertTrue(library_access.is_curator(self.staff))
        self.assertTrue(messaging._is_staff(self.staff))
        self.assertTrue(speakers.can_verify(self.staff))

    def test_site_moderation_and_any_profile_wait_for_two_factor(self) -> None:
        self.assertFalse(safety_access.is_site_moderator(self.staff))
        self.client.force_login(self.staff)
        self.assertEqual(self.client.get(self.cast.outsider.get_absolute_url()).status_code, 404)
        give_two_factor(self.staff)
        self.assertTrue(safety_access.is_site_moderator(self.staff))
        self.client.force_login(self.staff)
        self.assertEqual(self.client.get(self.cast.outsider.get_absolute_url()).status_code, 200)

    def test_a_hidden_circle_is_404_for_staff_without_two_factor(self) -> None:
        self.client.force_login(self.staff)
        self.assertEqual(self.client.get(self.hidden.get_absolute_url()).status_code, 404)
        self.client.force_login(self.cast.staff)
        self.assertEqual(self.client.get(self.hidden.get_absolute_url()).status_code, 200)

    def test_the_gate_costs_no_query_for_a_signed_in_browser(self) -> None:
        self.client.force_login(self.cast.staff)
        with CaptureQueriesContext(connection) as queries:
            self.client.get(self.hidden.get_absolute_url())
        self.assertFalse([q for q in queries if "accounts_twofactordevice" in q["sql"] and "JOIN" not in q["sql"]])


class ApiGateTests(ApiTestCase):
    def test_a_staff_token_without_two_factor_does_not_see_a_hidden_circle(self) -> None:
        staff = make_user(is_staff=True, two_factor=False)
        hidden = make_circle(visibility=Circle.HIDDEN)
        self.assertProblem(self.api("get", f"/circles/{hidden.slug}", user=staff), 404)
        self.assertEqual(self.api("get", f"/circles/{hidden.slug}", user=self.cast.staff).status_code, 200)

    def test_the_gate_costs_no_query_for_a_token(self) -> None:
        with CaptureQueriesContext(connection) as queries:
            self.api("get", f"/circles/{self.cast.circle.slug}", user=self.cast.facilitator)
        self.assertFalse([q for q in queries if "accounts_twofactordevice" in q["sql"] and "JOIN" not in q["sql"]])
