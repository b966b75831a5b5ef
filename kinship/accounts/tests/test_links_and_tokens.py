"""Links carry no address, and a password or email change shuts out every app token."""

import base64
import json

from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from kinship.accounts import services
from kinship.accounts.models import ApiToken
from kinship.accounts.tests.support import STRONG_PASSWORD, email_forms, link_in, path_of
from kinship.core.factories import PASSWORD
from kinship.core.testing import KinshipTestCase


def decoded_payload(link: str) -> str:
    token = path_of(link).rstrip("/").rsplit("/", 1)[-1]
    encoded = token.split(":", 1)[0]
    return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode("utf-8", "replace")


class LinksCarryNoAddressTests(KinshipTestCase):
    def test_verification_link_holds_no_email_address(self):
        services.send_verification(user=self.cast.unverified, base_url="http://testserver/")
        payload = decoded_payload(link_in(mail.outbox[-1]))
        self.assertEqual(set(json.loads(payload)), {"u", "e"})
        for form in email_forms(self.cast.unverified.email):
            self.assertNotIn(form, payload.lower())

    def test_email_change_link_does_not_tell_the_new_address_the_old_one(self):
        services.request_email_change(
            user=self.cast.member, new_email="fresh.start@example.net", password=PASSWORD, base_url="http://testserver/"
        )
        payload = decoded_payload(link_in(mail.outbox[-1]))
        for form in email_forms(self.cast.member.email):
            self.assertNotIn(form, payload.lower())

    def test_verification_link_stops_working_once_the_address_changes(self):
        user = self.cast.unverified
        services.send_verification(user=user, base_url="http://testserver/")
        link = path_of(link_in(mail.outbox[-1]))
        user.email = "other.address@example.org"
        user.save(update_fields=["email"])
        self.assertEqual(self.client.get(link).status_code, 400)
        user.refresh_from_db()
        self.assertFalse(user.is_verified)


class TokensRevokedTests(KinshipTestCase):
    def setUp(self):
        ApiToken.issue(self.cast.member)
        ApiToken.issue(self.cast.member)
        ApiToken.issue(self.cast.facilitator)

    def test_password_reset_revokes_every_token_of_that_member_only(self):
        uid = urlsafe_base64_encode(force_bytes(self.cast.member.pk))
        token = default_token_generator.make_token(self.cast.member)
        url = reverse("accounts:password-reset-confirm", args=[uid, token])
        set_url = self.client.get(url)["Location"]
        response = self.client.post(set_url, {"new_password1": STRONG_PASSWORD, "new_password2": STRONG_PASSWORD})
        self.assertEqual(response.status_code, 302)
        self.assertFalse(ApiToken.objects.filter(user=self.cast.member).exists())
        self.assertTrue(ApiToken.objects.filter(user=self.cast.facilitator).exists())


class PasswordChangeTests(KinshipTestCase):
    url = reverse("accounts:password-change")

    def change(self, user, **data):
        self.client.force_login(user)
        return self.client.post(self.url, data)

    def test_member_changes_password_stays_signed_in_and_tokens_are_revoked(self):
        ApiToken.issue(self.cast.member)
        response = self.change(
            self.cast.member, old_password=PASSWORD, new_password1=STRONG_PASSWORD, new_password2=STRONG_PASSWORD
        )
        self.assertRedirects(response, reverse("accounts:profile-edit"))
        self.cast.member.refresh_from_db()
        self.assertTrue(self.cast.member.check_password(STRONG_PASSWORD))
        self.assertFalse(ApiToken.objects.filter(user=self.cast.member).exists())
        self.assertEqual(self.client.get(reverse("accounts:profile-edit")).status_code, 200)

    def test_visitor_is_sent_to_sign_in(self):
        response = self.client.post(self.url, {"old_password": "x"})
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("accounts:login"), response["Location"])

    def test_wrong_old_password_and_bad_new_ones_change_nothing(self):
        token = ApiToken.issue(self.cast.member)[0]
        cases = [
            {"old_password": "wrong", "new_password1": STRONG_PASSWORD, "new_password2": STRONG_PASSWORD},
            {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
            {"old_password": PASSWORD, "new_password1": STRONG_PASSWORD, "new_password2": "different one here"},
            {"old_password": PASSWORD, "new_password1": "a\x00b" * 5, "new_password2": "a\x00b" * 5},
            {},
        ]
        for data in cases:
            self.assertEqual(self.change(self.cast.member, **data).status_code, 422, data)
        self.cast.member.refresh_from_db()
        self.assertTrue(self.cast.member.check_password(PASSWORD))
        self.assertTrue(ApiToken.objects.filter(pk=token.pk).exists())
