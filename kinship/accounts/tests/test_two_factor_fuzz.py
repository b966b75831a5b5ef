"""Odd input to every two-step sign-in page and endpoint: a clear 4xx, and nothing switches on or off."""

from django.core.cache import cache
from django.urls import reverse

from kinship.accounts import two_factor
from kinship.accounts.models import ApiToken, RecoveryCode, TwoFactorDevice
from kinship.accounts.tests.two_factor_support import clock, code
from kinship.api.tests.base import ApiTestCase
from kinship.core.factories import PASSWORD, give_two_factor, make_user

HUGE = 10**30
ODD = [
    None,
    "",
    "\u0663\u0663\u0663\u0663\u0663\u0663",  # six Arabic-Indic threes
    "\uff11\uff12\uff13\uff14\uff15\uff16",  # full-width 123456
    "12\x003456",
    "x" * 100_000,
    "1" * 100_000,
    HUGE,
    123456,
    1.5,
    True,
    ["123456"],
    {"otp": "123456"},
]
BAD_JSON = ["{", "null", "[]", '"123456"', "123456", '{"otp": }', "\xff\xfe"]


class TwoFactorFuzzCase(ApiTestCase):
    def setUp(self):
        super().setUp()
        cache.clear()  # the guessing limit must not answer for the validation under test
        self.user = make_user()
        self.device = give_two_factor(self.user)

    def state(self, user=None):
        user = user or self.user
        device = TwoFactorDevice.objects.filter(user=user).values_list("secret", "confirmed_at", "last_step").first()
        codes = sorted(RecoveryCode.objects.filter(user=user).values_list("code_hash", "used_at"))
        return device, codes, ApiToken.objects.filter(user=user).count()


class TwoFactorApiFuzzTests(TwoFactorFuzzCase):
    def test_confirm_with_odd_codes_is_4xx_and_stays_off(self):
        other = make_user()
        with clock():
            self.api("POST", "/me/two-factor", user=other)
            before = self.state(other)
            for value in ODD:
                cache.clear()
                response = self.api("POST", "/me/two-factor/confirm", user=other, json_body={"otp": value})
                self.assertIn(response.status_code, (400, 422), value if not isinstance(value, str) else value[:20])
            for raw in BAD_JSON:
                self.assertIn(self.api("POST", "/me/two-factor/confirm", user=other, raw=raw).status_code, (400, 422))
        self.assertEqual(self.state(other), before)
        self.assertFalse(two_factor.has_two_factor(other))

    def test_start_when_on_is_409_and_keeps_the_secret(self):
        before = self.state()
        response = self.api("POST", "/me/two-factor", user=self.user, json_body={"otp": ["x"]})
        self.assertProblem(response, 409)
        self.assertEqual(self.state()[0], before[0])

    def test_switching_off_with_odd_input_is_4xx_and_stays_on(self):
        before = self.state()
        with clock():
            for field in ("password", "otp"):
                for value in ODD:
                    cache.clear()
                    body = {"password": PASSWORD, "otp": code(self.device), field: value}
                    if field == "password":
                        body["otp"] = "000000"  # so a fair code is never spent while the password is fuzzed
                    response = self.api("DELETE", "/me/two-factor", user=self.user, json_body=body)
                    self.assertIn(response.status_code, (400, 422), (field, str(value)[:20]))
            for raw in BAD_JSON:
                self.assertIn(self.api("DELETE", "/me/two-factor", user=self.user, raw=raw).status_code, (400, 422))
        self.assertEqual(self.state()[0][:2], before[0][:2])
        self.assertEqual(self.state()[1], before[1])

    def test_token_with_odd_otp_is_401_otp_required_or_422_and_no_token_is_made(self):
        before = self.state()
        with clock():
            for value in ODD:
                cache.clear()
                body = {"email": self.user.email, "password": PASSWORD, "otp": value}
                response = self.api("POST", "/auth/token", json_body=body)
                self.assertIn(response.status_code, (400, 401, 422), str(value)[:20])
                if response.status_code == 401:
                    self.assertIs(response.json()["otp_required"], True)
            for raw in BAD_JSON:
                self.assertIn(self.api("POST", "/auth/token", raw=raw).status_code, (400, 422))
        self.assertEqual(self.state()[2], before[2])


class TwoFactorPageFuzzTests(TwoFactorFuzzCase):
    PAGE_ODD = [
        "",
        "\u0663" * 6,
        "\uff11\uff12\uff13\uff14\uff15\uff16",
        "12\x003456",
        "x" * 100_000,
        "1" * 100_000,
        str(HUGE),
        "123 456 789",
    ]

    def test_the_sign_in_code_step_refuses_odd_codes_and_signs_nobody_in(self):
        with clock():
            self.client.post(reverse("accounts:login"), {"email": self.user.email, "password": PASSWORD})
            for value in [*self.PAGE_ODD, ["123456", "654321"]]:
                cache.clear()
                response = self.client.post(reverse("accounts:login-code"), {"otp": value})
                self.assertEqual(response.status_code, 422, str(value)[:20])
                self.assertContains(response, "errorlist", status_code=422)
            self.assertEqual(self.client.post(reverse("accounts:login-code"), {}).status_code, 422)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_the_code_step_without_a_password_first_sends_back_to_sign_in(self):
        response = self.client.post(reverse("accounts:login-code"), {"otp": "123456"})
        self.assertRedirects(response, reverse("accounts:login"), fetch_redirect_response=False)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_set_up_renew_and_off_refuse_odd_input_and_change_nothing(self):
        other = make_user()
        self.client.force_login(other)
        with clock():
            self.client.post(reverse("accounts:two-factor-start"))
            before = self.state(other)
            for value in self.PAGE_ODD:
                cache.clear()
                response = self.client.post(reverse("accounts:two-factor-setup"), {"otp": value})
                self.assertEqual(response.status_code, 422, value[:20])
            self.assertEqual(self.state(other), before)

            self.client.force_login(self.user)
            before = self.state()
            for value in self.PAGE_ODD:
                cache.clear()
                renew = self.client.post(reverse("accounts:two-factor-renew"), {"renew-otp": value})
                self.assertEqual(renew.status_code, 422, value[:20])
                off = self.client.post(
                    reverse("accounts:two-factor-off"), {"off-password": value or "wrong", "off-otp": value}
                )
                self.assertEqual(off.status_code, 422, value[:20])
                self.assertContains(off, "errorlist", status_code=422)
            self.assertEqual(self.state(), before)

    def test_repeated_start_while_on_changes_nothing(self):
        self.client.force_login(self.user)
        before = self.state()
        response = self.client.post(reverse("accounts:two-factor-start"), {"otp": "x"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.state(), before)
