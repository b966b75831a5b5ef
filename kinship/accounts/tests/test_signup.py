from datetime import timedelta

from django.conf import settings
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from kinship.accounts import services
from kinship.accounts.models import User
from kinship.accounts.tests.support import (
    COMBINING_ACUTE,
    NULL,
    RTL_OVERRIDE,
    STRONG_PASSWORD,
    WHEELCHAIR_EMOJI,
    ZERO_WIDTH_JOINER,
    ZERO_WIDTH_SPACE,
    AccountsAssertions,
    database_state,
    hold_rate_window,
    link_in,
    path_of,
)
from kinship.core.errors import Invalid
from kinship.core.testing import KinshipTestCase


def form(**overrides: str | None) -> dict[str, str]:
    data: dict[str, str | None] = {
        "email": "noor@example.org",
        "display_name": "Noor",
        "password": STRONG_PASSWORD,
        "role": User.CAREGIVER,
        "accept_terms": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


class SignUpPageTests(AccountsAssertions, KinshipTestCase):
    def setUp(self):
        hold_rate_window(self)

    def sign_up(self, **overrides: str | None):
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(reverse("accounts:signup"), form(**overrides))

    def test_visitor_sees_the_form_with_terms_checkbox(self):
        response = self.client.get(reverse("accounts:signup"))
        self.assertContains(response, 'name="accept_terms"')
        self.assertContains(response, reverse("core:terms"))

    def test_signed_in_member_is_sent_home_instead(self):
        self.client.force_login(self.cast.member)
        response = self.client.get(reverse("accounts:signup"))
        self.assertRedirects(response, reverse("core:home"), fetch_redirect_response=False)

    def test_signed_in_member_posting_creates_nobody(self):
        self.client.force_login(self.cast.member)
        before = database_state()
        response = self.sign_up()
        self.assertRedirects(response, reverse("core:home"), fetch_redirect_response=False)
        self.assertNothingChanged(before)
        self.assertEqual(mail.outbox, [])

    def test_visitor_signs_up_unverified_and_is_asked_to_check_email(self):
        response = self.sign_up()
        self.assertRedirects(response, reverse("accounts:verify-sent"))
        user = User.objects.get(email="noor@example.org")
        self.assertFalse(user.is_verified)
        # Not signed in: otherwise a taken address would look different from a new one.
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertTrue(user.check_password(STRONG_PASSWORD))

    def test_a_local_next_rides_through_the_confirmation_link_to_sign_in(self):
        target = "/speak/some-invitation/"
        self.assertContains(self.client.get(reverse("accounts:signup") + f"?next={target}"), f'value="{target}"')
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("accounts:signup"), {**form(), "next": target})
        link = path_of(link_in(mail.outbox[-1]))
        response = self.client.get(link)
        self.assertRedirects(response, reverse("accounts:login") + "?next=%2Fspeak%2Fsome-invitation%2F")
        self.assertTrue(User.objects.get(email="noor@example.org").is_verified)

    def test_a_next_to_another_site_is_dropped(self):
        for target in ("https://evil.example.com/", "//evil.example.com/", "javascript:alert(1)"):
            mail.outbox.clear()
            User.objects.filter(email="noor@example.org").delete()
            with self.subTest(target=target), self.captureOnCommitCallbacks(execute=True):
                self.client.post(reverse("accounts:signup"), {**form(), "next": target})
            self.assertNotIn("next=", link_in(mail.outbox[-1]))
            self.assertNotIn("evil", mail.outbox[-1].body)

    def test_sign_up_stores_terms_acceptance_time_version_and_role(self):
        started = timezone.now()
        self.sign_up()
        user = User.objects.get(email="noor@example.org")
        self.assertEqual(user.terms_version, settings.TERMS_VERSION)
        self.assertIsNotNone(user.terms_accepted_at)
        self.assertLessEqual(started, user.terms_accepted_at)
        self.assertLess(user.terms_accepted_at - started, timedelta(minutes=1))
        self.assertEqual(user.role, User.CAREGIVER)
        self.assertEqual(user.display_name, "Noor")

    @override_settings(TERMS_VERSION="2031-01")
    def test_sign_up_records_the_terms_version_in_force(self):
        self.sign_up()
        self.assertEqual(User.objects.get(email="noor@example.org").terms_version, "2031-01")

    def test_patient_role_is_stored(self):
        self.sign_up(role=User.PATIENT)
        self.assertEqual(User.objects.get(email="noor@example.org").role, User.PATIENT)

    def test_sign_up_emails_a_verification_link_to_the_new_address_only(self):
        self.sign_up()
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["noor@example.org"])
        self.assertIn("/accounts/verify/", link_in(mail.outbox[0]))

    def test_email_is_stored_trimmed_and_lower_case(self):
        self.sign_up(email="  Noor.Haddad@Example.ORG ")
        self.assertTrue(User.objects.filter(email="noor.haddad@example.org").exists())

    def test_page_never_echoes_the_password(self):
        response = self.sign_up(accept_terms=None, password="a secret nobody should see")
        self.assertEqual(response.status_code, 422)
        self.assertNotContains(response, "a secret nobody should see", status_code=422)

    def test_without_accepting_terms_is_refused_and_nothing_saved(self):
        before = database_state()
        response = self.sign_up(accept_terms=None)
        self.assertRefused(response, "Please accept the terms and privacy notice to join.")
        self.assertNothingChanged(before)
        self.assertEqual(mail.outbox, [])
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_terms_value_other_than_a_ticked_box_is_refused(self):
        before = database_state()
        for value in ("", "off", "0", "false"):
            with self.subTest(value=value):
                self.assertRefused(self.sign_up(accept_terms=value), "Please accept the terms")
        self.assertNothingChanged(before)

    def test_taken_email_in_any_case_looks_like_a_new_one_and_its_owner_is_told(self):
        User.objects.filter(pk=self.cast.member.pk).update(email="mia@example.org")
        before = database_state()
        fresh = self.sign_up(email="someone.new@example.org")
        for email in ("mia@example.org", "MIA@Example.Org", "  mia@EXAMPLE.org  "):
            with self.subTest(email=email):
                mail.outbox.clear()
                taken = self.sign_up(email=email)
                self.assertEqual((taken.status_code, taken["Location"]), (fresh.status_code, fresh["Location"]))
                self.assertNotIn("_auth_user_id", self.client.session)
                self.assertEqual([m.to for m in mail.outbox], [["mia@example.org"]])
                self.assertIn("already has one", mail.outbox[0].body)
        User.objects.filter(email="someone.new@example.org").delete()
        self.assertNothingChanged(before)

    def test_unknown_role_is_refused(self):
        before = database_state()
        for role in ("", "staff", "facilitator", "PATIENT", "patient "):
            with self.subTest(role=role):
                self.assertRefused(self.sign_up(role=role), "Choose patient or caregiver.")
        self.assertRefused(self.sign_up(role=None), "Choose patient or caregiver.")
        self.assertNothingChanged(before)

    def test_extra_fields_cannot_grant_staff_or_verification(self):
        self.sign_up(is_staff="on", is_superuser="on", email_verified_at="2020-01-01T00:00:00Z", terms_version="0")
        user = User.objects.get(email="noor@example.org")
        self.assertFalse(user.is_staff)
        self.assertFalse(user.is_superuser)
        self.assertFalse(user.is_verified)
        self.assertEqual(user.terms_version, settings.TERMS_VERSION)

    def test_empty_post_is_refused_with_messages(self):
        before = database_state()
        response = self.client.post(reverse("accounts:signup"), {})
        self.assertRefused(response, "Please accept the terms and privacy notice to join.")
        self.assertContains(response, "Enter a valid email address.", status_code=422)
        self.assertNothingChanged(before)

    def test_blank_fields_are_refused(self):
        before = database_state()
        response = self.sign_up(email="", display_name="   ", password="")
        self.assertRefused(response, "Enter a valid email address.")
        self.assertContains(response, "Enter a display name.", status_code=422)
        self.assertNothingChanged(before)

    def test_display_name_of_61_characters_is_refused(self):
        before = database_state()
        self.assertRefused(self.sign_up(display_name="N" * 61), "At most 60 characters (this is 61).")
        self.assertNothingChanged(before)

    def test_display_name_of_60_characters_is_accepted(self):
        self.sign_up(display_name="N" * 60)
        self.assertEqual(User.objects.get(email="noor@example.org").display_name, "N" * 60)

    def test_oversized_email_is_refused(self):
        before = database_state()
        # Valid in shape and under the validator's 320 limit, but longer than the 254 the column holds.
        email = "n" * 64 + "@" + ".".join(["d" * 50] * 4) + ".org"
        self.assertGreater(len(email), 254)
        self.assertRefused(self.sign_up(email=email), "Enter a valid email address.")
        self.assertRefused(self.sign_up(email="n" * 100_000 + "@example.org"), "Enter a valid email address.")
        self.assertNothingChanged(before)

    def test_huge_password_is_refused(self):
        before = database_state()
        for password in ("p" * 257, "correct horse " * 10_000):
            with self.subTest(length=len(password)):
                self.assertRefused(self.sign_up(password=password), "At most 256 characters.")
        self.assertNothingChanged(before)

    def test_weak_passwords_are_refused(self):
        before = database_state()
        self.assertRefused(self.sign_up(password="short"), "This password is too short.")
        self.assertRefused(self.sign_up(password="password123"), "This password is too common.")
        self.assertRefused(self.sign_up(password="9081726354"), "This password is entirely numeric.")
        self.assertRefused(self.sign_up(password="noor@example.org"), "too similar")
        self.assertNothingChanged(before)

    def test_malformed_emails_are_refused(self):
        before = database_state()
        for email in ("noor", "noor@", "@example.org", "noor@@example.org", "noor @example.org", "<noor@example.org>"):
            with self.subTest(email=email):
                self.assertRefused(self.sign_up(email=email), "Enter a valid email address.")
        self.assertNothingChanged(before)

    def test_null_byte_in_every_text_field_is_refused(self):
        before = database_state()
        cases = {
            "email": "no\x00or@example.org",
            "display_name": "No\x00or",
            "password": STRONG_PASSWORD + NULL,
            "role": User.PATIENT + NULL,
        }
        for field, value in cases.items():
            with self.subTest(field=field):
                response = self.sign_up(**{field: value})
                self.assertEqual(response.status_code, 422)
                self.assertContains(response, "Please correct", status_code=422)
        self.assertNothingChanged(before)
        self.assertEqual(mail.outbox, [])

    def test_odd_unicode_in_email_is_refused(self):
        before = database_state()
        for email in (
            f"noor{RTL_OVERRIDE}@example.org",
            f"no{ZERO_WIDTH_JOINER}or@example.org",
            f"{WHEELCHAIR_EMOJI}@example.org",
        ):
            with self.subTest(email=email):
                self.assertRefused(self.sign_up(email=email), "Enter a valid email address.")
        self.assertNothingChanged(before)

    def test_text_direction_override_in_display_name_is_refused(self):
        # A right-to-left override lets a name pose as another ("Mia" + RLO + "nimda" shows "Miaadmin")
        # and reverses whatever follows it on the line, such as a "Facilitator" badge.
        before = database_state()
        self.assertRefused(self.sign_up(display_name=f"Mia{RTL_OVERRIDE}nimda"), "text direction")
        self.assertNothingChanged(before)

    def test_display_name_of_only_invisible_characters_is_refused(self):
        before = database_state()
        for name in (ZERO_WIDTH_SPACE * 3, ZERO_WIDTH_JOINER, COMBINING_ACUTE * 2):
            with self.subTest(name=ascii(name)):
                self.assertRefused(self.sign_up(display_name=name), "Enter a display name.")
        self.assertNothingChanged(before)

    def test_emoji_joined_sequences_and_combining_marks_are_kept(self):
        self.sign_up(display_name=f"Jose{COMBINING_ACUTE} {WHEELCHAIR_EMOJI}")
        user = User.objects.get(email="noor@example.org")
        self.assertEqual(user.display_name, f"Jos\u00e9 {WHEELCHAIR_EMOJI}")  # stored composed (NFC)

    def test_sign_up_is_throttled_per_address(self):
        for _ in range(services.SIGNUP_LIMIT_PER_ADDRESS):
            self.assertEqual(self.sign_up(accept_terms=None).status_code, 422)
        before = database_state()
        response = self.sign_up()
        self.assertEqual(response.status_code, 429)
        self.assertGreater(int(response["Retry-After"]), 0)
        self.assertNothingChanged(before)
        other = self.client.post(reverse("accounts:signup"), form(), REMOTE_ADDR="192.0.2.77")
        self.assertEqual(other.status_code, 302)


class SignUpServiceTests(KinshipTestCase):
    def sign_up(self, **overrides):
        fields = {
            "email": "noor@example.org",
            "password": STRONG_PASSWORD,
            "display_name": "Noor",
            "role": User.PATIENT,
            "accept_terms": True,
            "base_url": "http://testserver/",
            "address": "192.0.2.1",
        }
        fields.update(overrides)
        return services.sign_up(**fields)

    def test_wrong_types_are_refused_field_by_field(self):
        before = database_state()
        with self.assertRaises(Invalid) as caught:
            self.sign_up(email=42, display_name=["Noor"], role={"r": 1}, accept_terms="on", password=None)
        self.assertEqual(set(caught.exception.errors), {"email", "display_name", "role", "accept_terms"})
        self.assertEqual(database_state(), before)

    def test_password_of_wrong_type_is_refused(self):
        for password in (None, 12345678901, b"bytes password!", ["a long and unusual passphrase"]):
            with self.subTest(password=password), self.assertRaises(Invalid) as caught:
                self.sign_up(password=password)
            self.assertIn("password", caught.exception.errors)
        self.assertFalse(User.objects.filter(email="noor@example.org").exists())

    def test_terms_must_be_exactly_true(self):
        for value in (1, "true", "on", [True]):
            with self.subTest(value=value), self.assertRaises(Invalid) as caught:
                self.sign_up(accept_terms=value)
            self.assertIn("accept_terms", caught.exception.errors)

    def test_returns_the_new_unverified_member(self):
        user = self.sign_up()
        self.assertEqual(user.email, "noor@example.org")
        self.assertFalse(user.is_verified)
