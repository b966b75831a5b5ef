"""Signing in with two-step sign-in on: the password, then the code, and only then a session."""

from django.urls import reverse

from kinship.accounts import two_factor
from kinship.accounts.tests.two_factor_support import NOW, clock, code
from kinship.accounts.two_factor_views import PENDING
from kinship.core.factories import PASSWORD, give_two_factor, make_user
from kinship.core.testing import KinshipTestCase
from kinship.safety.models import AuditEntry

LOGIN = reverse("accounts:login")
CODE = reverse("accounts:login-code")


class SecondStepTests(KinshipTestCase):
    def setUp(self) -> None:
        self.user = make_user()
        self.device = give_two_factor(self.user)

    def password(self, user=None, **extra):
        user = user or self.user
        return self.client.post(LOGIN, {"email": user.email, "password": PASSWORD, **extra})

    def signed_in(self) -> bool:
        return "_auth_user_id" in self.client.session

    def test_without_two_factor_the_password_signs_in_at_once(self) -> None:
        other = make_user()
        self.assertRedirects(self.password(other), reverse("core:home"), fetch_redirect_response=False)
        self.assertTrue(self.signed_in())

    def test_the_password_alone_leads_to_the_code_page_not_a_session(self) -> None:
        with clock():
            response = self.password()
        self.assertRedirects(response, CODE, fetch_redirect_response=False)
        self.assertFalse(self.signed_in())
        with clock():
            page = self.client.get(CODE)
        self.assertContains(page, 'autocomplete="one-time-code"')
        self.assertEqual(self.client.get(reverse("accounts:profile-edit")).status_code, 302)

    def test_a_right_code_signs_in_and_goes_where_the_member_was_going(self) -> None:
        target = reverse("accounts:sessions")
        with clock():
            self.password(next=target)
            response = self.client.post(CODE, {"otp": code(self.device)})
        self.assertRedirects(response, target, fetch_redirect_response=False)
        self.assertTrue(self.signed_in())
        self.assertEqual(int(self.client.session["_auth_user_id"]), self.user.pk)
        self.assertNotIn(PENDING, self.client.session)

    def test_a_wrong_code_re_renders_with_a_message_and_signs_nobody_in(self) -> None:
        with clock():
            self.password()
            for bad in ("000000", "", "x" * 1000, "\uff11\uff12\uff13\uff14\uff15\uff16", "12\x003456"):
                response = self.client.post(CODE, {"otp": bad})
                self.assertEqual(response.status_code, 422)
            self.assertContains(response, "not right", status_code=422)
            self.assertFalse(self.signed_in())
            # The code is still asked for the same sign-in.
            self.client.post(CODE, {"otp": code(self.device)})
        self.assertTrue(self.signed_in())

    def test_a_used_code_does_not_sign_in_a_second_time(self) -> None:
        with clock():
            self.password()
            self.client.post(CODE, {"otp": code(self.device)})
            self.client.post(reverse("accounts:logout"))
            self.password()
            response = self.client.post(CODE, {"otp": code(self.device)})
        self.assertEqual(response.status_code, 422)
        self.assertFalse(self.signed_in())

    def test_a_recovery_code_signs_in_once_and_says_how_many_are_left(self) -> None:
        codes = two_factor._new_recovery_codes(self.user)
        self.password()
        response = self.client.post(CODE, {"otp": codes[0]}, follow=True)
        self.assertTrue(self.signed_in())
        self.assertContains(response, "9 left")
        self.client.post(reverse("accounts:logout"))
        self.password()
        self.assertEqual(self.client.post(CODE, {"otp": codes[0]}).status_code, 422)

    def test_a_wrong_password_never_reaches_the_code_page(self) -> None:
        response = self.client.post(LOGIN, {"email": self.user.email, "password": "wrong"})
        self.assertEqual(response.status_code, 422)
        self.assertNotIn(PENDING, self.client.session)
        self.assertRedirects(self.client.get(CODE), LOGIN, fetch_redirect_response=False)

    def test_guessing_codes_is_stopped_with_429_and_retry_after(self) -> None:
        self.password()
        for _ in range(two_factor.ATTEMPT_LIMIT):
            self.assertEqual(self.client.post(CODE, {"otp": "000000"}).status_code, 422)
        response = self.client.post(CODE, {"otp": "000000"})
        self.assertEqual(response.status_code, 429)
        self.assertIn("Retry-After", response)
        self.assertFalse(self.signed_in())

    def test_the_code_page_without_a_password_first_sends_back_to_sign_in(self) -> None:
        self.assertRedirects(self.client.get(CODE), LOGIN, fetch_redirect_response=False)
        self.assertRedirects(self.client.post(CODE, {"otp": "123456"}), LOGIN, fetch_redirect_response=False)
        self.assertFalse(self.signed_in())

    def test_the_code_must_come_within_five_minutes(self) -> None:
        with clock():
            self.password()
        with clock(NOW + 6 * 60):
            response = self.client.post(CODE, {"otp": code(self.device, at=NOW + 6 * 60)})
        self.assertRedirects(response, LOGIN, fetch_redirect_response=False)
        self.assertFalse(self.signed_in())

    def test_an_unsafe_next_is_dropped(self) -> None:
        with clock():
            self.password(next="https://evil.example/")
            response = self.client.post(CODE, {"otp": code(self.device)})
        self.assertRedirects(response, reverse("core:home"), fetch_redirect_response=False)

    def test_a_signed_in_member_on_the_code_page_goes_home(self) -> None:
        self.client.force_login(self.user)
        self.assertRedirects(self.client.get(CODE), reverse("core:home"), fetch_redirect_response=False)


class StaffSignInAuditTests(KinshipTestCase):
    def test_a_staff_sign_in_is_audited_after_the_code(self) -> None:
        staff = self.cast.staff
        before = AuditEntry.objects.filter(action="staff_sign_in").count()
        with clock():
            self.client.post(LOGIN, {"email": staff.email, "password": PASSWORD})
            self.assertEqual(AuditEntry.objects.filter(action="staff_sign_in").count(), before)
            self.client.post(CODE, {"otp": code(staff.two_factor)})
        entry = AuditEntry.objects.filter(action="staff_sign_in").latest("id")
        self.assertEqual((entry.actor_id, entry.target_id, entry.detail), (staff.pk, staff.pk, "browser"))

    def test_member_sign_ins_are_not_audited(self) -> None:
        self.client.post(LOGIN, {"email": self.cast.outsider.email, "password": PASSWORD})
        self.assertFalse(AuditEntry.objects.filter(action="staff_sign_in", actor=self.cast.outsider).exists())


class AdminGateTests(KinshipTestCase):
    def test_the_admin_sign_in_form_is_the_sites_own(self) -> None:
        response = self.client.get(reverse("admin:login") + "?next=/admin/")
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(LOGIN))
        self.assertEqual(self.client.post(reverse("admin:login"), {"username": "x", "password": "y"}).status_code, 302)

    def test_staff_with_two_factor_use_the_admin(self) -> None:
        self.client.force_login(self.cast.staff)
        self.assertEqual(self.client.get(reverse("admin:index")).status_code, 200)

    def test_staff_without_two_factor_are_sent_to_set_it_up(self) -> None:
        staff = make_user(is_staff=True, two_factor=False)
        self.client.force_login(staff)
        response = self.client.get(reverse("admin:index"), follow=True)
        self.assertRedirects(response, reverse("accounts:two-factor"))
        self.assertContains(response, "Set up two-step sign-in to use staff tools")
        self.assertEqual(self.client.get(reverse("admin:accounts_user_changelist")).status_code, 302)

    def test_members_find_no_admin(self) -> None:
        self.client.force_login(self.cast.member)
        self.assertEqual(self.client.get(reverse("admin:index"), follow=True).status_code, 404)
