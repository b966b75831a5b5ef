import re

from django.urls import reverse

from kinship.accounts import services
from kinship.accounts.tests.support import (
    NULL,
    RTL_OVERRIDE,
    WHEELCHAIR_EMOJI,
    ZERO_WIDTH_JOINER,
    AccountsAssertions,
    database_state,
    hold_rate_window,
)
from kinship.core import factories
from kinship.core.errors import Invalid
from kinship.core.factories import PASSWORD
from kinship.core.testing import KinshipTestCase

NO_MATCH = "Does not match."


def without_csrf(content: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", content)


class SignInTests(AccountsAssertions, KinshipTestCase):
    def sign_in(self, email: str | None = None, password: str = PASSWORD, **extra):
        data = {"email": self.cast.member.email if email is None else email, "password": password, **extra}
        return self.client.post(reverse("accounts:login"), data)

    def assertSignedOut(self):
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_visitor_sees_the_form(self):
        response = self.client.get(reverse("accounts:login"))
        self.assertContains(response, 'name="email"')
        self.assertContains(response, 'autocomplete="current-password"')

    def test_member_signs_in_and_goes_home(self):
        response = self.sign_in()
        self.assertRedirects(response, reverse("core:home"))
        self.assertEqual(self.client.session["_auth_user_id"], str(self.cast.member.pk))

    def test_email_case_and_surrounding_spaces_do_not_matter(self):
        response = self.sign_in(email=f"  {self.cast.member.email.upper()} ")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.client.session["_auth_user_id"], str(self.cast.member.pk))

    def test_unverified_member_may_sign_in_and_is_reminded_to_confirm(self):
        response = self.client.post(
            reverse("accounts:login"), {"email": self.cast.unverified.email, "password": PASSWORD}, follow=True
        )
        self.assertContains(response, "Please confirm your email address to join circles and post.")

    def test_next_on_this_site_is_followed(self):
        response = self.sign_in(next="/accounts/profile/")
        self.assertRedirects(response, "/accounts/profile/")

    def test_next_from_the_query_string_is_kept_in_the_form(self):
        response = self.client.get(reverse("accounts:login") + "?next=/accounts/profile/")
        self.assertContains(response, 'name="next" value="/accounts/profile/"')

    def test_next_pointing_elsewhere_is_ignored(self):
        for target in (
            "https://evil.example/",
            "//evil.example/",
            "javascript:alert(1)",
            "\\\\evil.example",
            "/\\evil.example",
            "http:evil.example",
            " //evil.example",
        ):
            with self.subTest(next=target):
                self.client.logout()
                response = self.sign_in(next=target)
                self.assertRedirects(response, reverse("core:home"), fetch_redirect_response=False)

    def test_next_with_control_characters_does_not_crash(self):
        for target in ("/accounts/profile/\x00", "/accounts/\r\nSet-Cookie: x=1", "/\u202e/"):
            with self.subTest(next=ascii(target)):
                self.client.logout()
                response = self.sign_in(next=target)
                self.assertEqual(response.status_code, 302)
                self.assertNotIn("\n", response["Location"])
                self.assertNotIn("\x00", response["Location"])

    def test_wrong_password_gets_the_same_answer_as_an_unknown_email(self):
        before = database_state()
        wrong = self.sign_in(password="not the password at all")
        unknown = self.sign_in(email="nobody.here@example.org")
        self.assertRefused(wrong, NO_MATCH)
        self.assertRefused(unknown, NO_MATCH)
        self.assertEqual(
            without_csrf(wrong.content),
            without_csrf(unknown.content.replace(b"nobody.here@example.org", self.cast.member.email.encode())),
        )
        self.assertSignedOut()
        self.assertNothingChanged(before)

    def test_mismatch_is_explained_in_words_not_only_marked(self):
        self.assertContains(
            self.sign_in(password="not the password at all"),
            "That email and password do not match an account.",
            status_code=422,
        )

    def test_inactive_account_cannot_sign_in(self):
        user = factories.make_user(is_active=False)
        self.assertRefused(self.sign_in(email=user.email), NO_MATCH)
        self.assertSignedOut()

    def test_empty_and_missing_fields_are_refused(self):
        before = database_state()
        self.assertRefused(self.client.post(reverse("accounts:login"), {}), NO_MATCH)
        self.assertRefused(self.sign_in(email="", password=""), NO_MATCH)
        self.assertRefused(self.client.post(reverse("accounts:login"), {"email": self.cast.member.email}), NO_MATCH)
        self.assertSignedOut()
        self.assertNothingChanged(before)

    def test_null_bytes_are_refused(self):
        before = database_state()
        for email, password in (
            (self.cast.member.email + NULL, PASSWORD),
            (self.cast.member.email, PASSWORD + NULL),
            (NULL, NULL),
        ):
            with self.subTest(email=ascii(email), password=ascii(password)):
                response = self.sign_in(email=email, password=password)
                self.assertRefused(response, "Please correct the fields marked below.")
                self.assertRefused(response, "Null characters are not allowed.")
        self.assertSignedOut()
        self.assertNothingChanged(before)

    def test_huge_password_is_refused(self):
        response = self.sign_in(password="x" * 500_000)
        self.assertRefused(response, NO_MATCH)
        self.assertSignedOut()

    def test_password_longer_than_the_limit_does_not_match_on_its_first_256_characters(self):
        long_password = "a sentence I will surely remember " * 7 + "x" * 18
        self.assertEqual(len(long_password), 256)
        user = factories.make_user(password=long_password)
        self.assertRefused(self.sign_in(email=user.email, password=long_password + "extra"), NO_MATCH)
        self.assertSignedOut()
        self.assertEqual(self.sign_in(email=user.email, password=long_password).status_code, 302)

    def test_huge_email_is_refused(self):
        self.assertRefused(self.sign_in(email="m" * 100_000 + "@example.org"), NO_MATCH)

    def test_odd_unicode_is_refused_without_error(self):
        for email in (
            f"{RTL_OVERRIDE}{self.cast.member.email}",
            f"mia{ZERO_WIDTH_JOINER}@example.org",
            f"{WHEELCHAIR_EMOJI}@example.org",
            "e\u0301@example.org",
        ):
            with self.subTest(email=ascii(email)):
                self.assertRefused(self.sign_in(email=email), NO_MATCH)
        self.assertSignedOut()

    def test_multiple_values_use_the_last_like_any_form(self):
        response = self.client.post(
            reverse("accounts:login"), {"email": ["x@example.org", self.cast.member.email], "password": PASSWORD}
        )
        self.assertEqual(response.status_code, 302)


class SignInThrottleTests(AccountsAssertions, KinshipTestCase):
    def setUp(self):
        hold_rate_window(self)

    def attempt(self, email: str, password: str = "a wrong guess", address: str = "198.51.100.1"):  # noqa: S107
        return self.client.post(reverse("accounts:login"), {"email": email, "password": password}, REMOTE_ADDR=address)

    def assertThrottled(self, response):
        self.assertEqual(response.status_code, 429)
        retry_after = int(response["Retry-After"])
        self.assertGreater(retry_after, 0)
        self.assertLessEqual(retry_after, services.SIGNIN_WINDOW + 1)
        self.assertContains(response, "Too many attempts", status_code=429)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_account_is_throttled_after_the_limit_even_from_new_addresses(self):
        email = self.cast.member.email
        for n in range(services.SIGNIN_LIMIT_PER_ACCOUNT):
            self.assertEqual(self.attempt(email, address=f"203.0.113.{n + 1}").status_code, 422)
        # The right password from a fresh address is still refused until the window passes.
        self.assertThrottled(self.attempt(email, password=PASSWORD, address="203.0.113.200"))

    def test_account_throttle_ignores_email_case_and_spaces(self):
        email = self.cast.member.email
        for n in range(services.SIGNIN_LIMIT_PER_ACCOUNT):
            variant = email.upper() if n % 2 else f" {email} "
            self.attempt(variant, address=f"203.0.113.{n + 1}")
        self.assertThrottled(self.attempt(email, password=PASSWORD, address="203.0.113.201"))

    def test_throttling_one_account_leaves_others_alone(self):
        for n in range(services.SIGNIN_LIMIT_PER_ACCOUNT + 1):
            self.attempt(self.cast.member.email, address=f"203.0.113.{n + 1}")
        response = self.attempt(self.cast.facilitator.email, password=PASSWORD, address="203.0.113.99")
        self.assertEqual(response.status_code, 302)

    def test_address_is_throttled_after_the_limit_across_accounts(self):
        for n in range(services.SIGNIN_LIMIT_PER_ADDRESS):
            self.assertEqual(self.attempt(f"guess{n}@example.org").status_code, 422)
        self.assertThrottled(self.attempt(self.cast.member.email, password=PASSWORD))

    def test_throttling_one_address_leaves_other_addresses_alone(self):
        for n in range(services.SIGNIN_LIMIT_PER_ADDRESS + 1):
            self.attempt(f"guess{n}@example.org")
        response = self.attempt(self.cast.member.email, password=PASSWORD, address="198.51.100.2")
        self.assertEqual(response.status_code, 302)

    def test_throttled_attempts_change_nothing(self):
        for n in range(services.SIGNIN_LIMIT_PER_ACCOUNT):
            self.attempt(self.cast.member.email, address=f"203.0.113.{n + 1}")
        before = database_state()
        self.assertThrottled(self.attempt(self.cast.member.email, password=PASSWORD, address="203.0.113.150"))
        self.assertNothingChanged(before)


class SignOutTests(KinshipTestCase):
    def test_sign_out_by_post_ends_the_session(self):
        self.client.force_login(self.cast.member)
        response = self.client.post(reverse("accounts:logout"), follow=True)
        self.assertRedirects(response, reverse("core:home"))
        self.assertContains(response, "You are signed out.")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_sign_out_by_get_is_refused_and_keeps_the_session(self):
        self.client.force_login(self.cast.member)
        response = self.client.get(reverse("accounts:logout"))
        self.assertEqual(response.status_code, 405)
        self.assertEqual(self.client.session["_auth_user_id"], str(self.cast.member.pk))

    def test_sign_out_needs_the_csrf_token(self):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        client.force_login(self.cast.member)
        response = client.post(reverse("accounts:logout"))
        self.assertEqual(response.status_code, 403)
        self.assertEqual(client.session["_auth_user_id"], str(self.cast.member.pk))

    def test_visitor_signing_out_is_harmless(self):
        response = self.client.post(reverse("accounts:logout"))
        self.assertRedirects(response, reverse("core:home"))

    def test_every_page_offers_sign_out_as_a_form(self):
        self.client.force_login(self.cast.member)
        response = self.client.get(reverse("accounts:profile-edit"))
        self.assertContains(response, f'<form method="post" action="{reverse("accounts:logout")}">')


class SignInServiceTests(KinshipTestCase):
    def test_wrong_types_are_refused(self):
        for email, password in (
            (None, PASSWORD),
            (42, PASSWORD),
            (["a@example.org"], PASSWORD),
            (self.cast.member.email, None),
            (self.cast.member.email, 12345678),
            (self.cast.member.email.encode(), PASSWORD.encode()),
        ):
            with self.subTest(email=email, password=password), self.assertRaises(Invalid):
                services.sign_in(request=None, email=email, password=password, address="192.0.2.1")

    def test_right_credentials_return_the_member(self):
        user = services.sign_in(request=None, email=self.cast.member.email, password=PASSWORD, address="192.0.2.1")
        self.assertEqual(user, self.cast.member)
