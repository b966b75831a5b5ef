"""Two-step sign-in: the services (codes, replay, recovery codes) and the settings pages."""

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from kinship.accounts import two_factor
from kinship.accounts.models import RecoveryCode, TwoFactorDevice
from kinship.accounts.tests.two_factor_support import NOW, clock, code
from kinship.core.errors import Conflict, Invalid, RateLimited
from kinship.core.factories import PASSWORD, give_two_factor, make_user
from kinship.core.testing import KinshipTestCase

HOME = reverse("accounts:two-factor")
START = reverse("accounts:two-factor-start")
SETUP = reverse("accounts:two-factor-setup")
CODES = reverse("accounts:two-factor-codes")
RENEW = reverse("accounts:two-factor-renew")
OFF = reverse("accounts:two-factor-off")

NOW_DT = timezone.now()
ODD_CODES = [
    None,
    "",
    "   ",
    123456,
    ["123456"],
    {"otp": "1"},
    "12345\x00",
    "\uff11\uff12\uff13\uff14\uff15\uff16",
    "x" * 10_000,
    "٣٤٥٦٧٨",
]


def state(user) -> dict:
    return {
        "devices": list(TwoFactorDevice.objects.filter(user=user).values()),
        "codes": list(RecoveryCode.objects.filter(user=user).order_by("pk").values()),
    }


class ServiceTests(KinshipTestCase):
    def setUp(self) -> None:
        self.user = make_user()

    def switch_on(self) -> tuple[TwoFactorDevice, list[str]]:
        device = two_factor.start(user=self.user)
        with clock():
            codes = two_factor.confirm(user=self.user, code=code(device))
        device.refresh_from_db()
        return device, codes

    def test_start_makes_an_unconfirmed_device_which_is_not_yet_two_factor(self) -> None:
        device = two_factor.start(user=self.user)
        self.assertFalse(device.is_confirmed)
        self.assertEqual(len(device.secret), 32)
        self.assertFalse(two_factor.has_two_factor(self.user))
        uri = two_factor.provisioning_uri(user=self.user, device=device)
        self.assertTrue(uri.startswith("otpauth://totp/"))
        self.assertIn(f"secret={device.secret}", uri)
        self.assertNotIn(self.user.email.split("@")[0], uri)

    def test_starting_again_before_confirming_replaces_the_secret(self) -> None:
        first = two_factor.start(user=self.user).secret
        second = two_factor.start(user=self.user).secret
        self.assertNotEqual(first, second)
        self.assertEqual(TwoFactorDevice.objects.filter(user=self.user).count(), 1)

    def test_confirm_switches_on_and_returns_ten_codes_stored_only_as_hashes(self) -> None:
        device, codes = self.switch_on()
        self.assertTrue(device.is_confirmed)
        self.assertTrue(two_factor.has_two_factor(self.user))
        self.assertEqual(len(codes), 10)
        self.assertEqual(len(set(codes)), 10)
        stored = set(RecoveryCode.objects.filter(user=self.user).values_list("code_hash", flat=True))
        self.assertEqual(len(stored), 10)
        for plain in codes:
            self.assertNotIn(plain, stored)
            self.assertNotIn(plain.replace("-", ""), stored)

    def test_confirm_with_a_wrong_code_changes_nothing(self) -> None:
        device = two_factor.start(user=self.user)
        before = state(self.user)
        wrong = str((int(code(device)) + 1) % 1_000_000).zfill(6)
        for bad in [wrong, *ODD_CODES]:
            cache.clear()  # each try counts towards the guessing limit
            with clock(), self.assertRaises(Invalid) as caught:
                two_factor.confirm(user=self.user, code=bad)
            self.assertIn("otp", caught.exception.errors)
        self.assertEqual(state(self.user), before)

    def test_confirm_without_start_or_twice_is_refused(self) -> None:
        with self.assertRaises(Invalid):
            two_factor.confirm(user=self.user, code="123456")
        device, _ = self.switch_on()
        with clock(), self.assertRaises(Conflict):
            two_factor.confirm(user=self.user, code=code(device, steps=1))
        with self.assertRaises(Conflict):
            two_factor.start(user=self.user)

    def test_codes_one_step_either_side_are_accepted_two_steps_are_not(self) -> None:
        device = give_two_factor(self.user)
        with clock():
            self.assertEqual(two_factor.verify(user=self.user, code=code(device, steps=-1)), "totp")
        with clock(NOW + 600):
            self.assertEqual(two_factor.verify(user=self.user, code=code(device, at=NOW + 600, steps=1)), "totp")
        for steps in (-2, 2):
            with clock(NOW + 1200), self.assertRaises(Invalid):
                two_factor.verify(user=self.user, code=code(device, at=NOW + 1200, steps=steps))

    def test_a_code_is_never_accepted_twice_nor_an_older_one_after_it(self) -> None:
        device = give_two_factor(self.user)
        with clock():
            two_factor.verify(user=self.user, code=code(device))
            with self.assertRaises(Invalid):
                two_factor.verify(user=self.user, code=code(device))
            with self.assertRaises(Invalid):
                two_factor.verify(user=self.user, code=code(device, steps=-1))
            self.assertEqual(two_factor.verify(user=self.user, code=code(device, steps=1)), "totp")

    def test_copied_codes_with_spaces_and_dashes_are_accepted(self) -> None:
        device = give_two_factor(self.user)
        typed = code(device)
        with clock():
            self.assertEqual(two_factor.verify(user=self.user, code=f" {typed[:3]} {typed[3:]} "), "totp")

    def test_a_recovery_code_works_once_in_any_case_and_with_or_without_its_dash(self) -> None:
        _, codes = self.switch_on()
        self.assertEqual(two_factor.verify(user=self.user, code=codes[0].upper()), "recovery")
        with self.assertRaises(Invalid):
            two_factor.verify(user=self.user, code=codes[0])
        self.assertEqual(two_factor.verify(user=self.user, code=codes[1].replace("-", "")), "recovery")
        self.assertEqual(two_factor.recovery_codes_left(self.user), 8)

    def test_someone_elses_recovery_code_does_not_work(self) -> None:
        _, codes = self.switch_on()
        other = make_user()
        give_two_factor(other)
        with self.assertRaises(Invalid):
            two_factor.verify(user=other, code=codes[0])

    def test_odd_codes_are_refused_without_error(self) -> None:
        give_two_factor(self.user)
        for bad in ODD_CODES:
            with self.assertRaises(Invalid):
                two_factor.verify(user=self.user, code=bad)

    def test_guessing_is_limited_per_account(self) -> None:
        give_two_factor(self.user)
        for _ in range(two_factor.ATTEMPT_LIMIT):
            with self.assertRaises(Invalid):
                two_factor.verify(user=self.user, code="000000")
        with self.assertRaises(RateLimited):
            two_factor.verify(user=self.user, code="000000")

    def test_new_recovery_codes_replace_the_old(self) -> None:
        device, old = self.switch_on()
        with clock():
            new = two_factor.regenerate_recovery_codes(user=self.user, code=code(device, steps=1))
        self.assertEqual(len(new), 10)
        with self.assertRaises(Invalid):
            two_factor.verify(user=self.user, code=old[2])
        self.assertEqual(two_factor.verify(user=self.user, code=new[2]), "recovery")

    def test_disable_needs_the_password_and_a_code(self) -> None:
        device, _ = self.switch_on()
        before = state(self.user)
        with clock():
            for password, otp, fields in [
                ("wrong", code(device, steps=1), {"password"}),
                (PASSWORD, "000000", {"otp"}),
                (None, None, {"password", "otp"}),
                (["x"], 5, {"password", "otp"}),
                ("nul\x00", "", {"password", "otp"}),
            ]:
                with self.assertRaises(Invalid) as caught:
                    two_factor.disable(user=self.user, password=password, code=otp)
                self.assertEqual(set(caught.exception.errors), fields)
        self.assertEqual(state(self.user)["devices"][0]["confirmed_at"], before["devices"][0]["confirmed_at"])
        self.assertEqual(len(state(self.user)["codes"]), 10)
        with clock():
            two_factor.disable(user=self.user, password=PASSWORD, code=code(device, steps=1))
        self.assertFalse(two_factor.has_two_factor(self.user))
        self.assertEqual(state(self.user), {"devices": [], "codes": []})
        with self.assertRaises(Conflict):
            two_factor.disable(user=self.user, password=PASSWORD, code="000000")

    def test_powers_waiting_names_the_tools_of_staff_and_facilitators_without_two_factor(self) -> None:
        self.assertEqual(two_factor.powers_waiting(self.cast.member), [])
        self.assertEqual(two_factor.powers_waiting(self.cast.facilitator), [])
        self.assertEqual(two_factor.powers_waiting(self.cast.staff), [])
        staff = make_user(is_staff=True, two_factor=False)
        self.assertEqual(two_factor.powers_waiting(staff), ["staff tools"])
        from kinship.core.factories import add_member

        add_member(self.cast.circle, staff, role="facilitator", two_factor=False)
        self.assertEqual(two_factor.powers_waiting(staff), ["staff tools", "facilitator tools"])


class PageTests(KinshipTestCase):
    def setUp(self) -> None:
        self.user = make_user()
        self.client.force_login(self.user)

    def set_up_device(self) -> TwoFactorDevice:
        self.assertRedirects(self.client.post(START), SETUP)
        return TwoFactorDevice.objects.get(user=self.user)

    def test_visitor_is_sent_to_sign_in(self) -> None:
        self.client.logout()
        for url in (HOME, SETUP, CODES):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302)
            self.assertIn(reverse("accounts:login"), response["Location"])
        for url in (START, RENEW, OFF):
            self.assertEqual(self.client.post(url).status_code, 302)
        self.assertFalse(TwoFactorDevice.objects.exists() and TwoFactorDevice.objects.filter(user=self.user).exists())

    def test_settings_page_links_to_two_step_sign_in(self) -> None:
        self.assertContains(self.client.get(reverse("accounts:profile-edit")), f'href="{HOME}"')

    def test_member_sets_up_with_the_qr_code_and_secret_then_sees_codes_once(self) -> None:
        response = self.client.get(HOME)
        self.assertContains(response, "Set up two-step sign-in")
        device = self.set_up_device()
        page = self.client.get(SETUP)
        self.assertContains(page, "<svg")
        self.assertContains(page, device.secret)
        svg = page.content.decode().split("<svg", 1)[1].split("</svg>", 1)[0]
        self.assertNotIn("script", svg)
        self.assertNotIn("style=", svg)
        self.assertContains(page, 'autocomplete="one-time-code"')
        with clock():
            response = self.client.post(SETUP, {"otp": code(device)})
        self.assertRedirects(response, CODES, fetch_redirect_response=False)
        shown = self.client.get(CODES)
        self.assertEqual(shown["Cache-Control"], "no-store")
        self.assertEqual(shown.content.decode().count("<li><code>"), 10)
        self.assertRedirects(self.client.get(CODES), HOME)
        self.assertContains(self.client.get(HOME), "Two-step sign-in is on")

    def test_a_wrong_code_re_renders_the_set_up_with_a_message_and_changes_nothing(self) -> None:
        device = self.set_up_device()
        before = state(self.user)
        for bad in ("000000", "", "abc", "x" * 500, "12\x003456"):
            with clock():
                response = self.client.post(SETUP, {"otp": bad})
            self.assertEqual(response.status_code, 422)
            self.assertContains(response, "<svg", status_code=422)
        self.assertContains(response, "not right", status_code=422)
        self.assertEqual(state(self.user), before)
        self.assertFalse(TwoFactorDevice.objects.get(pk=device.pk).is_confirmed)

    def test_set_up_page_without_a_started_device_goes_back_home(self) -> None:
        self.assertRedirects(self.client.get(SETUP), HOME)
        give_two_factor(self.user)
        self.assertRedirects(self.client.get(SETUP), HOME)

    def test_starting_when_already_on_is_refused_with_a_message(self) -> None:
        device = give_two_factor(self.user)
        response = self.client.post(START, follow=True)
        self.assertContains(response, "already on")
        self.assertEqual(TwoFactorDevice.objects.get(user=self.user).secret, device.secret)

    def test_renewing_codes_needs_a_right_code(self) -> None:
        device = give_two_factor(self.user)
        response = self.client.post(RENEW, {"renew-otp": "000000"})
        self.assertContains(response, "not right", status_code=422)
        self.assertFalse(RecoveryCode.objects.filter(user=self.user).exists())
        with clock():
            response = self.client.post(RENEW, {"renew-otp": code(device)})
        self.assertRedirects(response, CODES, fetch_redirect_response=False)
        self.assertEqual(RecoveryCode.objects.filter(user=self.user).count(), 10)

    def test_switching_off_needs_password_and_code(self) -> None:
        device = give_two_factor(self.user)
        with clock():
            response = self.client.post(OFF, {"off-password": "wrong", "off-otp": code(device)})
            self.assertContains(response, "password is not right", status_code=422)
            self.assertTrue(TwoFactorDevice.objects.filter(user=self.user).exists())
            response = self.client.post(OFF, {"off-password": PASSWORD, "off-otp": code(device, steps=1)})
        self.assertRedirects(response, HOME)
        self.assertFalse(TwoFactorDevice.objects.filter(user=self.user).exists())
        self.assertContains(self.client.post(OFF, {"off-password": PASSWORD}, follow=True), "not on")

    def test_staff_without_two_factor_are_told_what_it_unlocks(self) -> None:
        staff = make_user(is_staff=True, two_factor=False)
        self.client.force_login(staff)
        self.assertContains(self.client.get(HOME), "Set up two-step sign-in to use staff tools")

    def test_home_page_queries_stay_flat(self) -> None:
        give_two_factor(self.user)
        two_factor._new_recovery_codes(self.user)
        RecoveryCode.objects.filter(pk__in=RecoveryCode.objects.filter(user=self.user).values("pk")[:9]).update(
            used_at=NOW_DT
        )
        with self.assertNumQueries(3):
            self.assertContains(self.client.get(HOME), "1 unused recovery code.")
        RecoveryCode.objects.filter(user=self.user).update(used_at=None)
        with self.assertNumQueries(3):
            self.assertContains(self.client.get(HOME), "10 unused recovery codes.")
