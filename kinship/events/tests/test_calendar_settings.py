import hashlib
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.test import Client
from django.urls import reverse

from kinship.core.testing import KinshipTestCase
from kinship.events import services
from kinship.events.models import CalendarToken

URL = reverse("events:calendar-settings")
LONDON = ZoneInfo("Europe/London")


def feed_token(html: str) -> str:
    found = re.search(r"https://testserver/me/calendar\.ics\?token=([A-Za-z0-9_-]+)", html)
    assert found is not None, "no feed address on the page"
    return found.group(1)


class CalendarSettingsTests(KinshipTestCase):
    def setUp(self) -> None:
        self.client = Client()
        self.client.force_login(self.cast.member)

    def test_visitor_is_sent_to_sign_in(self):
        response = Client().get(URL)
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("accounts:login"), response["Location"])
        response = Client().post(URL)
        self.assertEqual(response.status_code, 302)
        self.assertFalse(CalendarToken.objects.exists())

    def test_page_offers_to_create_an_address(self):
        response = self.client.get(URL, secure=True)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Create my feed address")
        self.assertNotContains(response, "token=")
        self.assertFalse(CalendarToken.objects.exists())

    def test_creating_shows_webcal_and_https_addresses_once(self):
        response = self.client.post(URL, secure=True)
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        token = feed_token(html)
        self.assertGreaterEqual(len(token), 43)
        self.assertIn(f'href="webcal://testserver/me/calendar.ics?token={token}"', html)
        stored = CalendarToken.objects.get(user=self.cast.member)
        self.assertEqual(stored.token_hash, hashlib.sha256(token.encode()).hexdigest())
        self.assertNotIn(token, stored.token_hash)
        self.assertEqual(Client().get(f"/me/calendar.ics?token={token}").status_code, 200)
        # Only the hash is kept, so a later visit cannot show the address again.
        later = self.client.get(URL, secure=True)
        self.assertNotContains(later, token)
        self.assertContains(later, "Make a new address")

    def test_regenerating_retires_the_old_address(self):
        old = feed_token(self.client.post(URL, secure=True).content.decode())
        new = feed_token(self.client.post(URL, secure=True).content.decode())
        self.assertNotEqual(old, new)
        self.assertEqual(CalendarToken.objects.filter(user=self.cast.member).count(), 1)
        self.assertEqual(Client().get(f"/me/calendar.ics?token={old}").status_code, 404)
        self.assertEqual(Client().get(f"/me/calendar.ics?token={new}").status_code, 200)

    def test_another_member_cannot_touch_my_address(self):
        mine = feed_token(self.client.post(URL, secure=True).content.decode())
        other = Client()
        other.force_login(self.cast.outsider)
        theirs = feed_token(other.post(URL, secure=True).content.decode())
        self.assertNotEqual(mine, theirs)
        self.assertEqual(Client().get(f"/me/calendar.ics?token={mine}").status_code, 200)
        self.assertEqual(CalendarToken.objects.count(), 2)

    def test_post_without_csrf_token_is_refused_and_changes_nothing(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.cast.member)
        response = client.post(URL)
        self.assertEqual(response.status_code, 403)
        self.assertFalse(CalendarToken.objects.exists())

    def test_post_with_csrf_token_works(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.cast.member)
        page = client.get(URL)
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
        assert csrf is not None
        response = client.post(URL, {"csrfmiddlewaretoken": csrf.group(1)})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(CalendarToken.objects.filter(user=self.cast.member).exists())

    def test_junk_in_the_post_is_ignored(self):
        response = self.client.post(URL, {"token": "mine-please", "user": self.cast.outsider.pk, "x": "\x00" * 10})
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "mine-please")
        self.assertEqual(list(CalendarToken.objects.values_list("user_id", flat=True)), [self.cast.member.pk])

    def test_other_methods_are_not_allowed(self):
        self.assertEqual(self.client.put(URL).status_code, 405)
        self.assertEqual(self.client.delete(URL).status_code, 405)
        self.assertFalse(CalendarToken.objects.exists())

    def test_page_never_shows_the_email(self):
        response = self.client.post(URL)
        self.assertNotContains(response, self.cast.outsider.email)
        self.assertNotContains(response, self.cast.facilitator.email)

    def test_queries_stay_flat(self):
        self.client.post(URL)
        with self.assertNumQueries(3):  # session, user, token
            self.client.get(URL)
        event = services.create_event(
            facilitator=self.cast.facilitator,
            circle=self.cast.circle,
            title="Weekly",
            timezone="Europe/London",
            starts_at=datetime(2027, 3, 2, 18, tzinfo=LONDON),
            ends_at=datetime(2027, 3, 2, 19, tzinfo=LONDON),
            rrule="FREQ=WEEKLY;COUNT=10",
            address="1 Hospital Road",
        )
        for week in range(10):
            start = datetime(2027, 3, 2, 18, tzinfo=LONDON) + timedelta(weeks=week)
            services.rsvp(member=self.cast.member, event=event, original_start=start, answer="going")
        with self.assertNumQueries(3):
            self.client.get(URL)
