from django.core import mail
from django.test import Client

from kinship.accounts.models import ApiToken, User
from kinship.accounts.services import verification_token
from kinship.api.tests.base import BAD_TEXT, ApiTestCase
from kinship.core.factories import PASSWORD

SIGNUP = {
    "email": "new.person@example.org",
    "password": "a long and unusual passphrase 42",
    "display_name": "New Person",
    "accept_terms": True,
    "role": "caregiver",
}


class SignupTests(ApiTestCase):
    def test_visitor_signs_up_unverified_and_gets_the_link(self):
        with self.captureOnCommitCallbacks(execute=True):
            response = self.api("post", "/auth/signup", json_body=SIGNUP)
        self.assertEqual(response.status_code, 201, response.content)
        user = User.objects.get(email="new.person@example.org")
        self.assertFalse(user.is_verified)
        self.assertEqual(user.role, "caregiver")
        self.assertNotIn(b"new.person@example.org", response.content)
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["new.person@example.org"])

    def test_taken_email_gets_the_same_answer_creates_nothing_and_tells_the_owner(self):
        before = User.objects.count()
        with self.captureOnCommitCallbacks(execute=True):
            fresh = self.api("post", "/auth/signup", json_body=SIGNUP)
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            taken = self.api("post", "/auth/signup", json_body={**SIGNUP, "email": self.cast.member.email.upper()})
        self.assertEqual(taken.status_code, 201)
        self.assertEqual(taken.json(), fresh.json())
        self.assertEqual(User.objects.count(), before + 1)
        self.assertEqual([m.to for m in mail.outbox], [[self.cast.member.email]])

    def test_terms_must_be_accepted_as_true(self):
        for value in (False, "true", 1, None):
            response = self.api("post", "/auth/signup", json_body={**SIGNUP, "accept_terms": value})
            self.assertProblem(response, 422, "accept_terms")
        self.assertFalse(User.objects.filter(email=SIGNUP["email"]).exists())

    def test_bad_fields_are_refused_and_nothing_is_created(self):
        before = User.objects.count()
        for field in ("email", "password", "display_name", "role"):
            for value in BAD_TEXT:
                response = self.api("post", "/auth/signup", json_body={**SIGNUP, field: value})
                self.assertProblem(response, 422, field)
        self.assertEqual(User.objects.count(), before)

    def test_empty_and_malformed_bodies_are_refused(self):
        self.assertProblem(self.api("post", "/auth/signup", raw=""), 422, "__all__")
        self.assertProblem(self.api("post", "/auth/signup"), 400)  # an empty multipart form is not JSON
        self.assertProblem(self.api("post", "/auth/signup", raw="{not json"), 400)
        self.assertProblem(self.api("post", "/auth/signup", json_body=[SIGNUP]), 422, "__all__")
        self.assertProblem(self.api("post", "/auth/signup", json_body={**SIGNUP, "is_staff": True}), 422, "is_staff")
        self.assertFalse(User.objects.filter(email=SIGNUP["email"]).exists())


class VerifyTests(ApiTestCase):
    def test_link_token_verifies_the_address(self):
        user = self.cast.unverified
        response = self.api("post", "/auth/verify", json_body={"token": verification_token(user)})
        self.assertEqual(response.status_code, 200, response.content)
        user.refresh_from_db()
        self.assertTrue(user.is_verified)
        self.assertNotIn(user.email.encode(), response.content)

    def test_forged_or_odd_tokens_are_refused(self):
        for token in ["forged", "", "\x00", "é" * 5000, 5, None, ["x"]]:
            response = self.api("post", "/auth/verify", json_body={"token": token})
            self.assertProblem(response, 422, "token")
        self.cast.unverified.refresh_from_db()
        self.assertFalse(self.cast.unverified.is_verified)


class TokenTests(ApiTestCase):
    def test_verified_member_gets_a_working_token_stored_only_as_a_hash(self):
        response = self.api("post", "/auth/token", json_body={"email": self.cast.member.email, "password": PASSWORD})
        self.assertEqual(response.status_code, 200, response.content)
        key = response.json()["token"]
        self.assertFalse(ApiToken.objects.filter(key_hash=key).exists())
        self.assertTrue(ApiToken.objects.filter(key_hash=ApiToken.hash(key), user=self.cast.member).exists())
        me = self.client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"})
        self.assertEqual(me.json()["id"], self.cast.member.pk)

    def test_unverified_member_gets_403(self):
        response = self.api(
            "post", "/auth/token", json_body={"email": self.cast.unverified.email, "password": PASSWORD}
        )
        self.assertProblem(response, 403)
        self.assertFalse(ApiToken.objects.filter(user=self.cast.unverified).exists())

    def test_wrong_password_is_refused(self):
        response = self.api("post", "/auth/token", json_body={"email": self.cast.member.email, "password": "nope"})
        self.assertProblem(response, 422, "password")
        self.assertFalse(ApiToken.objects.exists())

    def test_odd_credentials_are_refused(self):
        for email, password in [
            ("a\x00b@example.org", PASSWORD),
            (self.cast.member.email, "x\x00"),
            (5, PASSWORD),
            ("x" * 100_000, "y" * 100_000),
            ("", ""),
        ]:
            response = self.api("post", "/auth/token", json_body={"email": email, "password": password})
            self.assertIn(response.status_code, (422,), response.content)
        self.assertFalse(ApiToken.objects.exists())

    def test_guessing_is_throttled_with_retry_after(self):
        body = {"email": self.cast.member.email, "password": "wrong guess"}
        for _ in range(10):
            self.assertEqual(self.api("post", "/auth/token", json_body=body).status_code, 422)
        response = self.api("post", "/auth/token", json_body={**body, "password": PASSWORD})
        self.assertProblem(response, 429)
        self.assertGreaterEqual(int(response["Retry-After"]), 1)
        self.assertFalse(ApiToken.objects.exists())


class BearerTests(ApiTestCase):
    def test_logout_revokes_only_the_current_token(self):
        _, other_key = ApiToken.issue(self.cast.member)
        self.assertEqual(self.api("post", "/auth/logout", user=self.cast.member).status_code, 204)
        self.assertProblem(self.api("get", "/me", user=self.cast.member), 401)
        other = self.client.get("/api/v1/me", headers={"Authorization": f"Bearer {other_key}"})
        self.assertEqual(other.status_code, 200)

    def test_logout_needs_a_token(self):
        self.assertProblem(self.api("post", "/auth/logout"), 401)

    def test_bad_authorization_headers_get_401(self):
        for header in ["Bearer", "Bearer ", "Bearer nope", "Basic abc", "Bearer " + "x" * 10_000, "Bearer é\x7f"]:
            response = self.api("get", "/me", headers={"Authorization": header})
            self.assertProblem(response, 401)
            self.assertEqual(response["WWW-Authenticate"], 'Bearer realm="kinship"')

    def test_a_bad_token_is_401_even_where_visitors_may_read(self):
        self.assertProblem(self.api("get", "/circles", headers={"Authorization": "Bearer nope"}), 401)

    def test_inactive_users_token_stops_working(self):
        self.key_for(self.cast.member)
        User.objects.filter(pk=self.cast.member.pk).update(is_active=False)
        self.assertProblem(self.api("get", "/me", user=self.cast.member), 401)

    def test_session_cookie_does_not_authenticate_the_api(self):
        self.client.force_login(self.cast.member)
        self.assertProblem(self.api("get", "/me"), 401)

    def test_bearer_requests_need_no_csrf_token(self):
        strict = Client(enforce_csrf_checks=True)
        response = self.api(
            "post",
            f"/circles/{self.cast.circle.slug}/topics",
            user=self.cast.member,
            client=strict,
            json_body={"title": "No CSRF here", "body": "Bearer only."},
        )
        self.assertEqual(response.status_code, 201, response.content)
