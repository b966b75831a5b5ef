"""Two-step sign-in over the API: set-up, confirm, switch off, and the otp at token time."""

from kinship.accounts.models import ApiToken, RecoveryCode, TwoFactorDevice
from kinship.accounts.tests.two_factor_support import clock, code
from kinship.api.tests.base import BAD_TEXT, ApiTestCase
from kinship.core.factories import PASSWORD, give_two_factor, make_user
from kinship.safety.models import AuditEntry


class SetUpTests(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.user = make_user()

    def test_member_starts_confirms_and_gets_recovery_codes(self) -> None:
        response = self.api("post", "/me/two-factor", user=self.user)
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual(set(body), {"secret", "otpauth_uri"})
        self.assertIn(f"secret={body['secret']}", body["otpauth_uri"])
        self.assertNotIn(self.user.email.split("@")[0], body["otpauth_uri"])
        device = TwoFactorDevice.objects.get(user=self.user)
        with clock():
            response = self.api("post", "/me/two-factor/confirm", user=self.user, json_body={"otp": code(device)})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(len(response.json()["recovery_codes"]), 10)
        device.refresh_from_db()
        self.assertTrue(device.is_confirmed)

    def test_visitors_get_401(self) -> None:
        self.assertProblem(self.api("post", "/me/two-factor"), 401)
        self.assertProblem(self.api("post", "/me/two-factor/confirm", json_body={"otp": "123456"}), 401)
        self.assertProblem(self.api("delete", "/me/two-factor", json_body={"password": "x", "otp": "1"}), 401)
        self.assertFalse(TwoFactorDevice.objects.filter(user=self.user).exists())

    def test_starting_when_on_is_a_conflict_and_keeps_the_secret(self) -> None:
        device = give_two_factor(self.user)
        self.assertProblem(self.api("post", "/me/two-factor", user=self.user), 409)
        self.assertEqual(TwoFactorDevice.objects.get(user=self.user).secret, device.secret)

    def test_confirm_refuses_wrong_and_odd_codes_and_changes_nothing(self) -> None:
        self.api("post", "/me/two-factor", user=self.user)
        for otp in ["000000", "", "abcdef", "x" * 100]:
            self.assertProblem(self.api("post", "/me/two-factor/confirm", user=self.user, json_body={"otp": otp}), 422)
        for value in [None, 123456, ["123456"], {"a": 1}]:
            response = self.api("post", "/me/two-factor/confirm", user=self.user, json_body={"otp": value})
            self.assertProblem(response, 422, "otp")
        self.assertProblem(self.api("post", "/me/two-factor/confirm", user=self.user, json_body={}), 422, "otp")
        self.assertProblem(self.api("post", "/me/two-factor/confirm", user=self.user, raw="{bad"), 400)
        self.assertFalse(TwoFactorDevice.objects.get(user=self.user).is_confirmed)
        self.assertFalse(RecoveryCode.objects.filter(user=self.user).exists())

    def test_confirm_before_start_is_refused(self) -> None:
        response = self.api("post", "/me/two-factor/confirm", user=self.user, json_body={"otp": "123456"})
        self.assertProblem(response, 422, "otp")


class SwitchOffTests(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.user = make_user()
        self.device = give_two_factor(self.user)

    def test_password_and_code_switch_it_off(self) -> None:
        with clock():
            response = self.api(
                "delete", "/me/two-factor", user=self.user, json_body={"password": PASSWORD, "otp": code(self.device)}
            )
        self.assertEqual(response.status_code, 204, response.content)
        self.assertFalse(TwoFactorDevice.objects.filter(user=self.user).exists())

    def test_wrong_or_odd_input_changes_nothing(self) -> None:
        with clock():
            good = code(self.device)
            body = self.assertProblem(
                self.api("delete", "/me/two-factor", user=self.user, json_body={"password": "nope", "otp": good}),
                422,
                "password",
            )
            self.assertNotIn("otp", body["errors"])
        for field in ("password", "otp"):
            for value in BAD_TEXT:
                payload = {"password": PASSWORD, "otp": "000000", field: value}
                response = self.api("delete", "/me/two-factor", user=self.user, json_body=payload)
                self.assertIn(response.status_code, (422, 429), response.content)
        self.assertTrue(TwoFactorDevice.objects.get(user=self.user).is_confirmed)

    def test_switching_off_when_off_is_a_conflict(self) -> None:
        other = make_user()
        response = self.api("delete", "/me/two-factor", user=other, json_body={"password": PASSWORD, "otp": "1"})
        self.assertProblem(response, 409)


class TokenTests(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.user = make_user()
        self.device = give_two_factor(self.user)

    def token(self, **extra):
        return self.api("post", "/auth/token", json_body={"email": self.user.email, "password": PASSWORD, **extra})

    def test_without_otp_the_answer_is_401_otp_required_and_no_token(self) -> None:
        body = self.assertProblem(self.token(), 401)
        self.assertIs(body["otp_required"], True)
        body = self.assertProblem(self.token(otp=None), 401)
        self.assertIs(body["otp_required"], True)
        self.assertFalse(ApiToken.objects.filter(user=self.user).exists())

    def test_a_wrong_or_replayed_otp_is_401_otp_required(self) -> None:
        with clock():
            self.assertIs(self.assertProblem(self.token(otp="000000"), 401)["otp_required"], True)
            self.assertEqual(self.token(otp=code(self.device)).status_code, 200)
            self.assertIs(self.assertProblem(self.token(otp=code(self.device)), 401)["otp_required"], True)
        self.assertEqual(ApiToken.objects.filter(user=self.user).count(), 1)

    def test_a_right_otp_or_recovery_code_gives_a_token(self) -> None:
        from kinship.accounts import two_factor

        with clock():
            response = self.token(otp=code(self.device))
        self.assertEqual(response.status_code, 200, response.content)
        key = response.json()["token"]
        self.assertEqual(self.api("get", "/me", headers={"Authorization": f"Bearer {key}"}).status_code, 200)
        codes = two_factor._new_recovery_codes(self.user)
        self.assertEqual(self.token(otp=codes[0]).status_code, 200)

    def test_a_wrong_password_is_422_and_never_mentions_otp(self) -> None:
        body = self.assertProblem(
            self.api("post", "/auth/token", json_body={"email": self.user.email, "password": "wrong"}), 422
        )
        self.assertNotIn("otp_required", body)

    def test_odd_otp_types_are_422(self) -> None:
        for value in (123456, ["123456"], {"a": 1}, True):
            self.assertProblem(self.token(otp=value), 422, "otp")

    def test_without_two_factor_no_otp_is_needed(self) -> None:
        self.assertEqual(
            self.api(
                "post", "/auth/token", json_body={"email": self.cast.member.email, "password": PASSWORD}
            ).status_code,
            200,
        )

    def test_a_staff_token_is_an_audited_sign_in(self) -> None:
        staff = self.cast.staff
        with clock():
            response = self.api(
                "post",
                "/auth/token",
                json_body={"email": staff.email, "password": PASSWORD, "otp": code(staff.two_factor)},
            )
        self.assertEqual(response.status_code, 200)
        entry = AuditEntry.objects.filter(action="staff_sign_in").latest("id")
        self.assertEqual((entry.actor_id, entry.detail), (staff.pk, "app"))
