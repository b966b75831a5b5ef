from django.core import mail, signing
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from kinship.accounts import services
from kinship.accounts.models import User
from kinship.accounts.tests.support import (
    NULL,
    RTL_OVERRIDE,
    WHEELCHAIR_EMOJI,
    ZERO_WIDTH_JOINER,
    AccountsAssertions,
    database_state,
    hold_rate_window,
    link_in,
    path_of,
)
from kinship.core.errors import Invalid
from kinship.core.factories import PASSWORD
from kinship.core.testing import KinshipTestCase

NEW = "mia.new.address@example.org"
SENT = "Check the new address: we sent it a link to confirm the change."


class EmailChangeRequestTests(AccountsAssertions, KinshipTestCase):
    def setUp(self):
        hold_rate_window(self)
        self.user = self.cast.member
        self.old_email = self.user.email
        self.client.force_login(self.user)

    def ask(self, email=NEW, password=PASSWORD, follow=False):
        return self.client.post(reverse("accounts:email-change"), {"email": email, "password": password}, follow=follow)

    def test_visitor_is_sent_to_sign_in(self):
        self.client.logout()
        for method in (self.client.get, self.client.post):
            with self.subTest(method=method.__name__):
                response = method(reverse("accounts:email-change"))
                self.assertEqual(response.status_code, 302)
                self.assertTrue(response.url.startswith(reverse("accounts:login")))
        self.assertEqual(mail.outbox, [])

    def test_member_sees_the_form(self):
        response = self.client.get(reverse("accounts:email-change"))
        self.assertContains(response, "New email address")
        self.assertContains(response, "Your current password")

    def test_new_address_gets_a_link_and_the_email_changes_only_once_it_is_opened(self):
        response = self.ask(email="  Mia.New.Address@Example.ORG ")
        self.assertRedirects(response, reverse("accounts:profile-edit"), fetch_redirect_response=False)
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, [NEW])
        self.assertNotIn(self.old_email, mail.outbox[0].body)
        self.user.refresh_from_db()
        self.assertEqual(self.user.email, self.old_email)

        confirmed = self.client.get(path_of(link_in(mail.outbox[0])))
        self.assertRedirects(confirmed, reverse("accounts:profile-edit"), fetch_redirect_response=False)
        self.user.refresh_from_db()
        self.assertEqual(self.user.email, NEW)
        self.assertTrue(self.user.is_verified)

    def test_success_message_is_shown(self):
        response = self.ask(follow=True)
        self.assertContains(response, SENT)

    def test_link_opened_while_signed_out_changes_the_email_and_asks_to_sign_in(self):
        self.ask()
        self.client.logout()
        response = self.client.get(path_of(link_in(mail.outbox[0])))
        self.assertRedirects(response, reverse("accounts:login"), fetch_redirect_response=False)
        self.user.refresh_from_db()
        self.assertEqual(self.user.email, NEW)

    def test_after_the_change_the_new_address_signs_in_and_the_old_does_not(self):
        self.ask()
        self.client.get(path_of(link_in(mail.outbox[0])))
        self.client.logout()
        old = self.client.post(reverse("accounts:login"), {"email": self.old_email, "password": PASSWORD})
        self.assertEqual(old.status_code, 422)
        new = self.client.post(reverse("accounts:login"), {"email": NEW, "password": PASSWORD})
        self.assertEqual(new.status_code, 302)

    def test_wrong_current_password_is_refused_and_nothing_is_sent(self):
        before = database_state()
        for password in ("not my password", "", PASSWORD.upper(), PASSWORD + NULL, "p" * 100_000):
            with self.subTest(password=password[:20]):
                cache.clear()  # each attempt counts towards the throttle, tested on its own below
                self.assertRefused(self.ask(password=password), "Does not match.")
        self.assertRefused(self.client.post(reverse("accounts:email-change"), {"email": NEW}), "Does not match.")
        self.assertEqual(mail.outbox, [])
        self.assertNothingChanged(before)

    def test_taken_address_gets_the_same_neutral_answer_and_no_mail(self):
        taken = self.cast.facilitator.email
        before = database_state()
        free = self.ask(email="someone.free@example.org", follow=True)
        mail.outbox.clear()
        for email in (taken, taken.upper()):
            with self.subTest(email=email):
                response = self.ask(email=email, follow=True)
                self.assertEqual(response.redirect_chain, free.redirect_chain)
                self.assertContains(response, SENT)
        self.assertEqual(mail.outbox, [])
        self.assertNothingChanged(before)

    def test_current_address_is_refused(self):
        before = database_state()
        self.assertRefused(self.ask(email=self.old_email.upper()), "Same as now.")
        self.assertEqual(mail.outbox, [])
        self.assertNothingChanged(before)

    def test_empty_post_is_refused_with_a_message(self):
        before = database_state()
        response = self.client.post(reverse("accounts:email-change"), {})
        self.assertRefused(response, "Please correct the fields marked below.")
        self.assertNothingChanged(before)

    def test_bad_addresses_are_refused_and_nothing_is_sent(self):
        before = database_state()
        oversized = "n" * 64 + "@" + ".".join(["d" * 50] * 4) + ".org"
        for email in (
            "",
            "not-an-email",
            "mia@",
            NEW + NULL,
            oversized,
            "m" * 100_000 + "@example.org",
            f"mia{RTL_OVERRIDE}@example.org",
            f"mia{ZERO_WIDTH_JOINER}@example.org",
            f"{WHEELCHAIR_EMOJI}@example.org",
        ):
            with self.subTest(email=ascii(email[:40])):
                cache.clear()
                self.assertRefused(self.ask(email=email), "Enter a valid email address.")
        self.assertEqual(mail.outbox, [])
        self.assertNothingChanged(before)

    def test_requests_are_throttled(self):
        for n in range(5):
            self.assertEqual(self.ask(email=f"mia.{n}@example.org").status_code, 302)
        response = self.ask(email="mia.6@example.org")
        self.assertEqual(response.status_code, 429)
        self.assertGreater(int(response["Retry-After"]), 0)
        self.assertEqual(len(mail.outbox), 5)

    def test_password_guesses_are_throttled_too(self):
        # A borrowed session must not become an unlimited way to guess the password.
        for n in range(5):
            self.assertEqual(self.ask(password=f"guess number {n}").status_code, 422)
        response = self.ask(password=PASSWORD)
        self.assertEqual(response.status_code, 429)
        self.assertGreater(int(response["Retry-After"]), 0)
        self.assertEqual(mail.outbox, [])


class EmailChangeServiceTests(KinshipTestCase):
    def test_wrong_types_are_refused_and_nothing_is_sent(self):
        before = database_state()
        for new_email, password in (
            (None, PASSWORD),
            (42, PASSWORD),
            ([NEW], PASSWORD),
            (NEW, None),
            (NEW, 12345678),
            (NEW, [PASSWORD]),
            (NEW.encode(), PASSWORD),
        ):
            with self.subTest(new_email=new_email, password=password), self.assertRaises(Invalid):
                cache.clear()
                services.request_email_change(
                    user=self.cast.member, new_email=new_email, password=password, base_url="http://testserver/"
                )
        self.assertEqual(mail.outbox, [])
        self.assertEqual(database_state(), before)


class EmailChangeConfirmTests(AccountsAssertions, KinshipTestCase):
    def setUp(self):
        self.user = self.cast.member
        self.old_email = self.user.email

    def token(self, **overrides) -> str:
        data = {"u": self.user.pk, "old": services.email_digest(self.user.email), "new": NEW, **overrides}
        return signing.dumps(data, salt=services.EMAIL_CHANGE_SALT)

    def confirm(self, token: str):
        return self.client.get(reverse("accounts:email-confirm", args=[token]))

    def test_link_works_once(self):
        token = self.token()
        self.assertEqual(self.confirm(token).status_code, 302)
        self.assertRefused(self.confirm(token), "This link is not valid any more.", status=400)
        self.user.refresh_from_db()
        self.assertEqual(self.user.email, NEW)

    def test_old_address_is_told_of_the_change_without_the_new_one(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.confirm(self.token())
        notice = [m for m in mail.outbox if m.to == [self.old_email]]
        self.assertEqual(len(notice), 1)
        self.assertIn("was just changed", notice[0].body)
        self.assertNotIn(NEW, notice[0].body)

    def test_tampered_link_is_refused_and_nothing_changes(self):
        token = self.token()
        before = database_state()
        for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), token + "x", token.swapcase()):
            with self.subTest(token=bad[-10:]):
                self.assertRefused(self.confirm(bad), "This link is not valid or has expired.", status=400)
        self.assertNothingChanged(before)

    @override_settings(VERIFY_LINK_MAX_AGE=-1)
    def test_expired_link_is_refused(self):
        before = database_state()
        self.assertRefused(self.confirm(self.token()), "This link is not valid or has expired.", status=400)
        self.assertNothingChanged(before)

    def test_verification_link_is_not_an_email_change_link(self):
        before = database_state()
        verify = services.verification_token(self.user)
        self.assertRefused(self.confirm(verify), "This link is not valid or has expired.", status=400)
        self.assertNothingChanged(before)

    def test_address_taken_in_the_meantime_is_refused(self):
        token = self.token()
        User.objects.filter(pk=self.cast.outsider.pk).update(email=NEW.upper())
        before = database_state()
        self.assertRefused(self.confirm(token), "That address is already in use.", status=400)
        self.assertNothingChanged(before)

    def test_link_for_an_address_already_changed_again_is_refused(self):
        token = self.token()
        User.objects.filter(pk=self.user.pk).update(email="mia.elsewhere@example.org")
        before = database_state()
        self.assertRefused(self.confirm(token), "This link is not valid any more.", status=400)
        self.assertNothingChanged(before)

    def test_old_verification_links_stop_working_after_the_change(self):
        verify = services.verification_token(self.user)
        self.confirm(self.token())
        response = self.client.get(reverse("accounts:verify", args=[verify]))
        self.assertEqual(response.status_code, 400)

    def test_another_signed_in_member_opening_the_link_changes_only_its_owner(self):
        opener = self.cast.facilitator
        opener_email = opener.email
        self.client.force_login(opener)
        self.assertEqual(self.confirm(self.token()).status_code, 302)
        self.user.refresh_from_db()
        opener.refresh_from_db()
        self.assertEqual(self.user.email, NEW)
        self.assertEqual(opener.email, opener_email)

    def test_service_refuses_tokens_of_the_wrong_type(self):
        for token in (None, 42, b"bytes", ["a"], ""):
            with self.subTest(token=token), self.assertRaises(Invalid):
                services.confirm_email_change(token=token)

    def test_garbage_huge_and_null_byte_tokens_are_refused(self):
        before = database_state()
        for bad in ("x", "a" * 5000, "abc" + NULL, "\u202e" * 10, "\U0001f9b4" * 100):
            with self.subTest(token=ascii(bad[:10])):
                self.assertRefused(self.confirm(bad), "This link is not valid", status=400)
        self.assertNothingChanged(before)
