"""Where a member is signed in: listing browsers and apps, and ending them."""

from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from kinship.accounts import sessions
from kinship.accounts.models import ApiToken, SignInSession
from kinship.core import factories
from kinship.core.factories import PASSWORD
from kinship.core.testing import KinshipTestCase

LIST = reverse("accounts:sessions")
END = reverse("accounts:session-end")
PHONE = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36"
LAPTOP = "Mozilla/5.0 (Windows NT 10.0; rv:133.0) Gecko/20100101 Firefox/133.0"


class SessionTests(KinshipTestCase):
    def setUp(self) -> None:
        # Another plain member: facilitators sign in with a second step, which is not what this tests.
        self.other = factories.make_member(self.cast.circle, display_name="Omar Other")

    def browser(self, user, agent: str) -> Client:
        client = Client(HTTP_USER_AGENT=agent)
        response = client.post(reverse("accounts:login"), {"email": user.email, "password": PASSWORD})
        self.assertEqual(response.status_code, 302)
        return client

    def signed_in(self, client: Client) -> bool:
        return "_auth_user_id" in client.session

    def test_each_sign_in_is_listed_with_its_device_and_this_browser_is_marked(self) -> None:
        phone = self.browser(self.cast.member, PHONE)
        self.browser(self.cast.member, LAPTOP)
        self.browser(self.other, LAPTOP)
        response = phone.get(LIST)
        self.assertContains(response, "Chrome on Android")
        self.assertContains(response, "Firefox on Windows")
        self.assertContains(response, "this browser", count=1)
        self.assertEqual(SignInSession.objects.filter(user=self.cast.member).count(), 2)

    def test_member_signs_out_another_browser_which_is_then_signed_out(self) -> None:
        phone = self.browser(self.cast.member, PHONE)
        laptop = self.browser(self.cast.member, LAPTOP)
        row = SignInSession.objects.get(user=self.cast.member, user_agent=LAPTOP)
        response = phone.post(END, {"session": row.pk})
        self.assertRedirects(response, LIST)
        self.assertFalse(self.signed_in(laptop))
        self.assertTrue(self.signed_in(phone))
        self.assertFalse(Session.objects.filter(session_key=row.session_key).exists())

    def test_someone_elses_session_cannot_be_ended_and_nothing_changes(self) -> None:
        other = self.browser(self.other, LAPTOP)
        mine = self.browser(self.cast.member, PHONE)
        theirs = SignInSession.objects.get(user=self.other)
        response = mine.post(END, {"session": theirs.pk})
        self.assertEqual(response.status_code, 422)
        self.assertContains(response, "already ended", status_code=422)
        self.assertTrue(self.signed_in(other))
        self.assertTrue(SignInSession.objects.filter(pk=theirs.pk).exists())

    def test_odd_ids_are_refused_with_a_message(self) -> None:
        mine = self.browser(self.cast.member, PHONE)
        for odd in ["", "abc", "²", "-1", "9" * 40, "1\x00"]:
            with self.subTest(odd=odd):
                self.assertEqual(mine.post(END, {"session": odd}).status_code, 422)
                self.assertEqual(mine.post(END, {"token": odd}).status_code, 422)
        self.assertTrue(self.signed_in(mine))

    def test_sign_out_everywhere_else_keeps_this_browser_and_revokes_app_tokens(self) -> None:
        phone = self.browser(self.cast.member, PHONE)
        laptop = self.browser(self.cast.member, LAPTOP)
        ApiToken.issue(self.cast.member)
        ApiToken.issue(self.other)
        response = phone.post(END, {})
        self.assertRedirects(response, LIST)
        self.assertTrue(self.signed_in(phone))
        self.assertFalse(self.signed_in(laptop))
        self.assertFalse(ApiToken.objects.filter(user=self.cast.member).exists())
        self.assertTrue(ApiToken.objects.filter(user=self.other).exists())

    def test_an_app_token_is_listed_and_revoked_and_no_longer_works(self) -> None:
        phone = self.browser(self.cast.member, PHONE)
        token, key = ApiToken.issue(self.cast.member)
        self.assertContains(phone.get(LIST), "App sign-in")
        self.assertRedirects(phone.post(END, {"token": token.pk}), LIST)
        answer = self.client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}")
        self.assertEqual(answer.status_code, 401)

    def test_someone_elses_token_is_not_revoked(self) -> None:
        phone = self.browser(self.cast.member, PHONE)
        token, _ = ApiToken.issue(self.other)
        self.assertEqual(phone.post(END, {"token": token.pk}).status_code, 422)
        self.assertTrue(ApiToken.objects.filter(pk=token.pk).exists())

    def test_signing_out_removes_the_row_and_a_visitor_is_sent_to_sign_in(self) -> None:
        phone = self.browser(self.cast.member, PHONE)
        phone.post(reverse("accounts:logout"))
        self.assertFalse(SignInSession.objects.exists())
        self.assertEqual(self.client.get(LIST).status_code, 302)
        self.assertEqual(self.client.post(END, {}).status_code, 302)

    def test_a_password_change_elsewhere_drops_stale_rows_from_the_list(self) -> None:
        phone = self.browser(self.cast.member, PHONE)
        laptop = self.browser(self.cast.member, LAPTOP)
        Session.objects.filter(session_key=laptop.session.session_key).delete()
        response = phone.get(LIST)
        self.assertNotContains(response, "Firefox on Windows")
        self.assertEqual(SignInSession.objects.filter(user=self.cast.member).count(), 1)

    def test_the_page_runs_the_same_queries_for_few_and_many_sign_ins(self) -> None:
        phone = self.browser(self.cast.member, PHONE)
        # The session itself is read from the cache when it is there: start both from a cold cache.
        cache.clear()
        with self.assertNumQueries(5):
            phone.get(LIST)
        for _ in range(6):
            self.browser(self.cast.member, LAPTOP)
            ApiToken.issue(self.cast.member)
        cache.clear()
        with self.assertNumQueries(5):
            phone.get(LIST)

    def test_device_names_are_short_and_never_the_raw_agent(self) -> None:
        self.assertEqual(sessions.describe(PHONE), "Chrome on Android")
        self.assertEqual(sessions.describe(""), "A browser")
        self.assertEqual(sessions.describe("<script>alert(1)</script>"), "A browser")
