from django.core import signing
from django.test import Client
from django.urls import reverse

from kinship.accounts import services as accounts
from kinship.core.testing import KinshipTestCase
from kinship.notifications import services
from kinship.notifications.models import EmailPreference


class UnsubscribeTests(KinshipTestCase):
    def url(self, token: str) -> str:
        return reverse("notifications:unsubscribe", args=[token])

    def token(self, kind: str = EmailPreference.REMINDER_DAY) -> str:
        return services.unsubscribe_token(self.cast.member, kind)

    def wants(self, kind: str = EmailPreference.REMINDER_DAY) -> bool:
        return services.wants(self.cast.member, kind)

    def test_get_only_asks_so_link_scanners_unsubscribe_nobody(self) -> None:
        response = self.client.get(self.url(self.token()))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Stop these emails?")
        self.assertContains(response, '<form method="post">')
        self.assertNotContains(response, self.cast.member.email)
        self.assertTrue(self.wants())
        self.assertFalse(EmailPreference.objects.exists())

    def test_one_click_post_without_session_or_csrf_turns_that_kind_off(self) -> None:
        client = Client(enforce_csrf_checks=True)
        response = client.post(self.url(self.token()), {"List-Unsubscribe": "One-Click"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "You are unsubscribed")
        self.assertFalse(self.wants(EmailPreference.REMINDER_DAY))
        self.assertTrue(self.wants(EmailPreference.REMINDER_HOUR))
        self.assertTrue(self.wants(EmailPreference.SEAT_OPENED))

    def test_posting_twice_is_harmless(self) -> None:
        for _ in range(2):
            self.assertEqual(self.client.post(self.url(self.token())).status_code, 200)
        self.assertFalse(self.wants())
        self.assertEqual(EmailPreference.objects.count(), 1)

    def test_tampered_token_is_a_clear_400_and_changes_nothing(self) -> None:
        token = self.token()
        _payload, rest = token.split(":", 1)
        forged = signing.b64_encode(f'[{self.cast.outsider.pk},"reminder_day"]'.encode()).decode()
        for bad in (forged + ":" + rest, token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "nonsense"):
            for method in (self.client.get, self.client.post):
                response = method(self.url(bad))
                self.assertEqual(response.status_code, 400, bad)
                self.assertContains(response, "This unsubscribe link is not valid", status_code=400)
        self.assertTrue(services.wants(self.cast.outsider, EmailPreference.REMINDER_DAY))
        self.assertTrue(self.wants())
        self.assertFalse(EmailPreference.objects.exists())

    def test_token_signed_for_another_purpose_is_refused(self) -> None:
        verification = accounts.verification_token(self.cast.member)
        self.assertEqual(self.client.post(self.url(verification)).status_code, 400)
        other_salt = signing.dumps([self.cast.member.pk, "reminder_day"], salt="something-else")
        self.assertEqual(self.client.post(self.url(other_salt)).status_code, 400)
        self.assertTrue(self.wants())

    def test_well_signed_token_with_unknown_kind_or_odd_shape_is_refused(self) -> None:
        for data in (
            [self.cast.member.pk, "newsletter"],
            [True, "reminder_day"],
            {"u": 1},
            [str(self.cast.member.pk), "seat_opened"],
            [2**70, "seat_opened"],
        ):
            token = signing.dumps(data, salt=services.UNSUBSCRIBE_SALT)
            self.assertEqual(self.client.post(self.url(token)).status_code, 400, data)
        self.assertFalse(EmailPreference.objects.exists())

    def test_oversized_or_null_byte_token_is_refused(self) -> None:
        self.assertEqual(self.client.post(self.url("a" * 5000)).status_code, 400)
        self.assertEqual(self.client.post(f"/email/unsubscribe/{self.token()}%00/").status_code, 400)
        self.assertTrue(self.wants())

    def test_token_of_a_deleted_member_is_refused(self) -> None:
        token = self.token()
        self.cast.member.is_active = False
        self.cast.member.save(update_fields=["is_active"])
        self.assertEqual(self.client.post(self.url(token)).status_code, 400)

    def test_other_methods_are_not_allowed(self) -> None:
        self.assertEqual(self.client.put(self.url(self.token())).status_code, 405)
        self.assertTrue(self.wants())
