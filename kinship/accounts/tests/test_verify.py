import time

from django.core import mail, signing
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from kinship.accounts import services
from kinship.accounts.models import User
from kinship.accounts.tests.support import NULL, AccountsAssertions, database_state, hold_rate_window, link_in, path_of
from kinship.core import factories
from kinship.core.errors import Invalid, NotAllowed
from kinship.core.testing import KinshipTestCase
from kinship.discussions import services as discussions
from kinship.discussions.models import Topic


class OldTimestampSigner(signing.TimestampSigner):
    """Signs as if it were four days ago: one day past the three a link lives."""

    def timestamp(self) -> str:
        return signing.b62_encode(int(time.time()) - 4 * 24 * 3600)


def verify_url(token: str) -> str:
    return reverse("accounts:verify", args=[token])


class VerifyLinkTests(AccountsAssertions, KinshipTestCase):
    def setUp(self):
        self.user = factories.make_user(verified=False, email="uma.new@example.org")

    def emailed_link(self) -> str:
        services.send_verification(user=self.user, base_url="http://testserver/")
        return path_of(link_in(mail.outbox[-1]))

    def test_link_from_the_email_verifies_the_address(self):
        link = self.emailed_link()
        self.assertEqual(mail.outbox[-1].to, ["uma.new@example.org"])
        response = self.client.get(link)
        self.assertRedirects(response, reverse("accounts:login"))
        self.user.refresh_from_db()
        self.assertTrue(self.user.is_verified)

    def test_signed_in_owner_goes_home_with_a_thank_you(self):
        self.client.force_login(self.user)
        response = self.client.get(self.emailed_link(), follow=True)
        self.assertRedirects(response, reverse("core:home"))
        self.assertContains(response, "your email address is confirmed")
        self.assertNotContains(response, "Please confirm your email address to join circles and post.")

    def test_opening_the_link_again_keeps_the_first_verification_time(self):
        link = self.emailed_link()
        self.client.get(link)
        self.user.refresh_from_db()
        first = self.user.email_verified_at
        response = self.client.get(link)
        self.assertEqual(response.status_code, 302)
        self.user.refresh_from_db()
        self.assertEqual(self.user.email_verified_at, first)

    def test_tampered_link_is_refused_and_nothing_changes(self):
        token = services.verification_token(self.user)
        before = database_state()
        for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), token + "x", "x" + token, token.upper()):
            with self.subTest(token=bad):
                self.assertRefused(self.client.get(verify_url(bad)), "This link is not valid.", status=400)
        self.assertNothingChanged(before)

    def test_link_signed_for_another_person_does_not_verify_this_one(self):
        forged = signing.dumps({"u": self.user.pk, "e": "someone.else@example.org"}, salt=services.VERIFY_SALT)
        self.assertRefused(self.client.get(verify_url(forged)), "not valid any more", status=400)
        self.user.refresh_from_db()
        self.assertFalse(self.user.is_verified)

    def test_link_signed_with_another_purpose_is_refused(self):
        other = signing.dumps({"u": self.user.pk, "e": self.user.email}, salt=services.EMAIL_CHANGE_SALT)
        self.assertRefused(self.client.get(verify_url(other)), "This link is not valid.", status=400)
        self.user.refresh_from_db()
        self.assertFalse(self.user.is_verified)

    @override_settings(VERIFY_LINK_MAX_AGE=-1)
    def test_expired_link_is_refused_with_a_way_forward(self):
        before = database_state()
        response = self.client.get(verify_url(services.verification_token(self.user)))
        self.assertRefused(response, "This link has expired.", status=400)
        self.assertContains(response, reverse("accounts:verify-sent"), status_code=400)
        self.assertNothingChanged(before)

    def test_link_signed_four_days_ago_is_refused(self):
        token = OldTimestampSigner(salt=services.VERIFY_SALT).sign_object({"u": self.user.pk, "e": self.user.email})
        self.assertEqual(signing.loads(token, salt=services.VERIFY_SALT), {"u": self.user.pk, "e": self.user.email})
        before = database_state()
        self.assertRefused(self.client.get(verify_url(token)), "This link has expired.", status=400)
        self.assertNothingChanged(before)

    def test_link_for_an_address_since_changed_is_refused(self):
        link = self.emailed_link()
        User.objects.filter(pk=self.user.pk).update(email="uma.other@example.org")
        self.assertRefused(self.client.get(link), "not valid any more", status=400)
        self.user.refresh_from_db()
        self.assertFalse(self.user.is_verified)

    def test_link_for_a_deleted_account_is_refused(self):
        link = self.emailed_link()
        self.user.delete()
        self.assertRefused(self.client.get(link), "not valid any more", status=400)

    def test_garbage_huge_and_null_byte_tokens_are_refused(self):
        before = database_state()
        for bad in ("x", "a" * 5000, "abc" + NULL + "def", "\u202eabc", "\U0001f9b4" * 40, "..", "%2F"):
            with self.subTest(token=bad[:20]):
                response = self.client.get(verify_url(bad))
                self.assertRefused(response, "This link is not valid.", status=400)
        self.assertNothingChanged(before)

    def test_another_signed_in_member_opening_the_link_verifies_only_its_owner(self):
        other = self.cast.unverified
        self.client.force_login(other)
        response = self.client.get(self.emailed_link())
        self.assertRedirects(response, reverse("accounts:login"), fetch_redirect_response=False)
        self.user.refresh_from_db()
        other.refresh_from_db()
        self.assertTrue(self.user.is_verified)
        self.assertFalse(other.is_verified)

    def test_service_refuses_tokens_of_the_wrong_type(self):
        for token in (None, 42, b"bytes", ["a"], {"u": 1}, ""):
            with self.subTest(token=token), self.assertRaises(Invalid):
                services.verify_email(token=token)


class VerifySentTests(AccountsAssertions, KinshipTestCase):
    def setUp(self):
        hold_rate_window(self)

    def test_unverified_member_is_offered_the_link_again(self):
        self.client.force_login(self.cast.unverified)
        response = self.client.get(reverse("accounts:verify-sent"))
        self.assertContains(response, "Send the link again")
        self.assertContains(response, 'method="post"')

    def test_verified_member_and_visitor_get_no_resend_button(self):
        self.assertNotContains(self.client.get(reverse("accounts:verify-sent")), "Send the link again")
        self.client.force_login(self.cast.member)
        self.assertNotContains(self.client.get(reverse("accounts:verify-sent")), "Send the link again")

    def test_unverified_member_gets_a_fresh_link_that_works(self):
        self.client.force_login(self.cast.unverified)
        response = self.client.post(reverse("accounts:verify-sent"), follow=True)
        self.assertRedirects(response, reverse("accounts:verify-sent"))
        self.assertContains(response, "We sent the link again.")
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, [self.cast.unverified.email])
        self.client.get(path_of(link_in(mail.outbox[0])))
        self.cast.unverified.refresh_from_db()
        self.assertTrue(self.cast.unverified.is_verified)

    def test_verified_member_gets_no_mail(self):
        self.client.force_login(self.cast.member)
        response = self.client.post(reverse("accounts:verify-sent"))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(mail.outbox, [])

    def test_visitor_asking_again_is_sent_to_sign_in(self):
        response = self.client.post(reverse("accounts:verify-sent"))
        self.assertRedirects(response, reverse("accounts:login"))
        self.assertEqual(mail.outbox, [])

    def test_asking_again_is_throttled(self):
        self.client.force_login(self.cast.unverified)
        for _ in range(5):
            self.assertEqual(self.client.post(reverse("accounts:verify-sent")).status_code, 302)
        response = self.client.post(reverse("accounts:verify-sent"))
        self.assertEqual(response.status_code, 429)
        self.assertGreater(int(response["Retry-After"]), 0)
        self.assertContains(response, "Too many attempts", status_code=429)
        self.assertEqual(len(mail.outbox), 5)


class UnverifiedPostingTests(KinshipTestCase):
    def test_unverified_member_cannot_start_a_topic(self):
        with self.assertRaises(NotAllowed) as caught:
            discussions.start_topic(
                author=self.cast.unverified, circle=self.cast.circle, title="Hello", body="First day"
            )
        self.assertIn("confirm your email", str(caught.exception))
        self.assertFalse(Topic.objects.exists())

    def test_member_can_post_once_verified_through_the_link(self):
        user = self.cast.unverified
        self.client.get(verify_url(services.verification_token(user)))
        user.refresh_from_db()
        self.assertLessEqual(user.email_verified_at, timezone.now())
        topic = discussions.start_topic(author=user, circle=self.cast.circle, title="Hello", body="First day")
        self.assertEqual(topic.circle, self.cast.circle)
