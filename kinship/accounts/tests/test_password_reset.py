import re

from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from kinship.accounts import services
from kinship.accounts.tests.support import (
    NULL,
    RTL_OVERRIDE,
    STRONG_PASSWORD,
    AccountsAssertions,
    database_state,
    hold_rate_window,
    link_in,
    path_of,
)
from kinship.core import factories
from kinship.core.factories import PASSWORD
from kinship.core.testing import KinshipTestCase

NEW_PASSWORD = "walking again by the spring"


def without_csrf(content: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", content)


class PasswordResetRequestTests(AccountsAssertions, KinshipTestCase):
    def setUp(self):
        hold_rate_window(self)

    def ask(self, email, address: str = "198.51.100.10"):
        return self.client.post(reverse("accounts:password-reset"), {"email": email}, REMOTE_ADDR=address)

    def test_visitor_sees_the_form(self):
        response = self.client.get(reverse("accounts:password-reset"))
        self.assertContains(response, "Reset your password")
        self.assertContains(response, 'name="email"')

    def test_known_address_receives_a_link(self):
        response = self.ask(self.cast.member.email)
        self.assertRedirects(response, reverse("accounts:password-reset-done"))
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, [self.cast.member.email])
        self.assertIn("/accounts/password-reset/", link_in(mail.outbox[0]))

    def test_address_in_other_case_still_reaches_the_account(self):
        self.ask(f"  {self.cast.member.email.upper()}  ")
        self.assertEqual([m.to for m in mail.outbox], [[self.cast.member.email]])

    def test_unknown_address_gets_the_same_answer_and_no_mail(self):
        known = self.client.post(reverse("accounts:password-reset"), {"email": self.cast.member.email}, follow=True)
        unknown = self.client.post(
            reverse("accounts:password-reset"), {"email": "nobody.here@example.org"}, follow=True
        )
        self.assertEqual(known.redirect_chain, unknown.redirect_chain)
        self.assertEqual(known.status_code, unknown.status_code)
        self.assertEqual(without_csrf(known.content), without_csrf(unknown.content))
        self.assertContains(unknown, "If an account uses that address")
        self.assertEqual(len(mail.outbox), 1)

    def test_inactive_account_gets_the_same_answer_and_no_mail(self):
        user = factories.make_user(is_active=False)
        response = self.ask(user.email)
        self.assertRedirects(response, reverse("accounts:password-reset-done"))
        self.assertEqual(mail.outbox, [])

    def test_bad_input_is_refused_with_a_message_and_no_mail(self):
        before = database_state()
        cases = {
            "empty": ("", "This field is required."),
            "not an email": ("not-an-email", "Enter a valid email address."),
            "null byte": (self.cast.member.email + NULL, "Null characters are not allowed."),
            "oversized": ("r" * 300 + "@example.org", "Ensure this value has at most 254 characters"),
            "huge": ("r" * 200_000, "Ensure this value has at most 254 characters"),
            "rtl override": (RTL_OVERRIDE + self.cast.member.email, "Enter a valid email address."),
        }
        for label, (email, message) in cases.items():
            with self.subTest(label):
                self.assertRefused(self.ask(email, address=f"198.51.100.{len(label)}"), message)
        self.assertRefused(self.client.post(reverse("accounts:password-reset"), {}), "This field is required.")
        self.assertEqual(mail.outbox, [])
        self.assertNothingChanged(before)

    def test_list_of_addresses_uses_one(self):
        response = self.client.post(
            reverse("accounts:password-reset"), {"email": ["nobody.here@example.org", self.cast.member.email]}
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual([m.to for m in mail.outbox], [[self.cast.member.email]])

    def test_requests_for_one_account_are_throttled(self):
        for n in range(services.RESET_LIMIT):
            self.assertEqual(self.ask(self.cast.member.email, address=f"203.0.113.{n + 1}").status_code, 302)
        response = self.ask(self.cast.member.email.upper(), address="203.0.113.100")
        self.assertEqual(response.status_code, 429)
        self.assertGreater(int(response["Retry-After"]), 0)
        self.assertContains(response, "Too many attempts", status_code=429)
        self.assertEqual(len(mail.outbox), services.RESET_LIMIT)

    def test_throttle_answers_alike_for_unknown_addresses(self):
        for n in range(services.RESET_LIMIT):
            self.ask("nobody.here@example.org", address=f"203.0.113.{n + 1}")
            self.ask(self.cast.member.email, address=f"203.0.113.{n + 1}")
        known = self.ask(self.cast.member.email, address="203.0.113.100")
        unknown = self.ask("nobody.here@example.org", address="203.0.113.100")
        self.assertEqual((known.status_code, unknown.status_code), (429, 429))
        self.assertGreater(int(known["Retry-After"]), 0)
        self.assertGreater(int(unknown["Retry-After"]), 0)
        self.assertEqual(without_csrf(known.content), without_csrf(unknown.content))

    def test_requests_from_one_address_are_throttled(self):
        for n in range(services.RESET_LIMIT * 4):
            self.assertEqual(self.ask(f"someone{n}@example.org").status_code, 302)
        response = self.ask(self.cast.member.email)
        self.assertEqual(response.status_code, 429)
        self.assertGreater(int(response["Retry-After"]), 0)
        self.assertEqual(mail.outbox, [])
        self.assertEqual(self.ask(self.cast.member.email, address="198.51.100.99").status_code, 302)


class PasswordResetConfirmTests(AccountsAssertions, KinshipTestCase):
    def setUp(self):
        self.user = self.cast.member

    def confirm_url(self, user=None, token=None) -> str:
        user = user or self.user
        return reverse(
            "accounts:password-reset-confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": token or default_token_generator.make_token(user),
            },
        )

    def open_link(self, url: str | None = None):
        """Follow the emailed link: Django swaps the token into the session and redirects."""
        response = self.client.get(url or self.confirm_url())
        self.assertEqual(response.status_code, 302)
        return response.url

    def choose(self, form_url: str, password1: str, password2: str | None = None):
        return self.client.post(
            form_url, {"new_password1": password1, "new_password2": password1 if password2 is None else password2}
        )

    def test_emailed_link_lets_the_member_choose_a_new_password(self):
        self.client.post(reverse("accounts:password-reset"), {"email": self.user.email})
        form_url = self.open_link(path_of(link_in(mail.outbox[0])))
        self.assertContains(self.client.get(form_url), 'name="new_password1"')
        response = self.choose(form_url, NEW_PASSWORD)
        self.assertRedirects(response, reverse("accounts:password-reset-complete"))
        self.user.refresh_from_db()
        self.assertTrue(self.user.check_password(NEW_PASSWORD))
        self.assertFalse(self.user.check_password(PASSWORD))
        signed_in = self.client.post(reverse("accounts:login"), {"email": self.user.email, "password": NEW_PASSWORD})
        self.assertEqual(signed_in.status_code, 302)

    def test_link_works_only_once(self):
        url = self.confirm_url()
        self.choose(self.open_link(url), NEW_PASSWORD)
        self.client.logout()
        response = self.client.get(url, follow=True)
        self.assertContains(response, "This link has been used or has expired.")
        self.assertNotContains(response, 'name="new_password1"')

    def test_tampered_token_shows_the_expired_link_page(self):
        before = database_state()
        token = default_token_generator.make_token(self.user)
        for bad in (token[:-1] + ("0" if token[-1] != "0" else "1"), "x-y", "a" * 500, "set-password"):
            with self.subTest(token=bad[:20]):
                response = self.client.get(self.confirm_url(token=bad), follow=True)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "This link has been used or has expired.")
        self.assertNothingChanged(before)

    def test_unknown_garbage_and_huge_user_ids_show_the_expired_link_page(self):
        token = default_token_generator.make_token(self.user)
        for uid in (
            "MA",
            "OTk5OTk5",
            urlsafe_base64_encode(b"99999999999999999999999999"),
            urlsafe_base64_encode(b"-1"),
            urlsafe_base64_encode(b"\x00"),
            "!!!!",
            "A" * 400,
        ):
            with self.subTest(uid=uid[:20]):
                url = reverse("accounts:password-reset-confirm", kwargs={"uidb64": uid, "token": token})
                response = self.client.get(url, follow=True)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "This link has been used or has expired.")

    def test_posting_straight_to_a_bad_link_changes_nothing(self):
        before = database_state()
        url = self.confirm_url(token="x-y")
        response = self.client.post(url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "This link has been used or has expired.")
        self.assertNothingChanged(before)

    def test_bad_new_passwords_are_refused_and_nothing_changes(self):
        form_url = self.open_link()
        before = database_state()
        cases = {
            "mismatch": (NEW_PASSWORD, NEW_PASSWORD + "!", "The two password fields didn"),
            "empty": ("", "", "This field is required."),
            "short": ("short", None, "This password is too short."),
            "common": ("password123", None, "This password is too common."),
            "numeric": ("9081726354", None, "This password is entirely numeric."),
            "null byte": (NEW_PASSWORD + NULL, None, "Null characters are not allowed."),
            "oversized": ("p" * 257, None, "at most 256 characters"),
            "huge": ("walk " * 100_000, None, "at most 256 characters"),
        }
        for label, (password1, password2, message) in cases.items():
            with self.subTest(label):
                self.assertRefused(self.choose(form_url, password1, password2), message)
        self.assertNothingChanged(before)
        # The link still works after refused attempts.
        self.assertRedirects(self.choose(form_url, STRONG_PASSWORD), reverse("accounts:password-reset-complete"))

    def test_a_password_of_256_characters_is_accepted_and_signs_in(self):
        password = ("knee brace and stubborn hope " * 9)[:256]
        self.assertRedirects(self.choose(self.open_link(), password), reverse("accounts:password-reset-complete"))
        self.client.logout()
        response = self.client.post(reverse("accounts:login"), {"email": self.user.email, "password": password})
        self.assertEqual(response.status_code, 302)
