from django.urls import reverse

from kinship.core.errors import Invalid
from kinship.core.testing import KinshipTestCase
from kinship.notifications import services
from kinship.notifications.models import EmailPreference

URL = reverse("notifications:preferences")
ALL_ON = {"reminder_day": "on", "reminder_hour": "on", "seat_opened": "on"}


class PreferencesPageTests(KinshipTestCase):
    def test_member_sees_every_kind_but_the_opt_in_reminder_on_by_default_without_a_row_being_made(self) -> None:
        self.client.force_login(self.cast.member)
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "checked", count=len(EmailPreference.KINDS) - 1)
        self.assertFalse(services.wants(self.cast.member, EmailPreference.CHECKIN_REMINDER))
        self.assertTrue(services.wants(self.cast.member, EmailPreference.SUPPORT_REQUEST))
        self.assertContains(response, "Reminder 24 hours before")
        self.assertFalse(EmailPreference.objects.exists())

    def test_member_switches_a_kind_off_and_back_on(self) -> None:
        self.client.force_login(self.cast.member)
        response = self.client.post(URL, {"reminder_hour": "on", "seat_opened": "on"})
        self.assertRedirects(response, URL)
        self.assertFalse(services.wants(self.cast.member, "reminder_day"))
        self.assertTrue(services.wants(self.cast.member, "reminder_hour"))
        page = self.client.get(URL)
        self.assertContains(page, "checked", count=2)
        self.client.post(URL, ALL_ON)
        self.assertTrue(services.wants(self.cast.member, "reminder_day"))

    def test_each_member_changes_only_their_own(self) -> None:
        self.client.force_login(self.cast.member)
        self.client.post(URL, {})
        self.assertFalse(services.wants(self.cast.member, "seat_opened"))
        self.assertTrue(services.wants(self.cast.facilitator, "seat_opened"))

    def test_visitor_is_sent_to_sign_in_and_nothing_changes(self) -> None:
        response = self.client.post(URL, {})
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("accounts:login"), response["Location"])
        self.assertFalse(EmailPreference.objects.exists())

    def test_odd_input_is_read_as_checkbox_values_and_unknown_fields_are_ignored(self) -> None:
        self.client.force_login(self.cast.member)
        response = self.client.post(
            URL, {"reminder_day": "false", "seat_opened": "x\x00", "newsletter": "on", "user": "9"}
        )
        self.assertRedirects(response, URL)
        preference = EmailPreference.objects.get()
        self.assertEqual(preference.user, self.cast.member)
        self.assertEqual(
            (preference.reminder_day, preference.reminder_hour, preference.seat_opened), (False, False, True)
        )

    def test_page_queries_stay_the_same_with_or_without_stored_preferences(self) -> None:
        self.client.force_login(self.cast.member)
        with self.assertNumQueries(3):
            self.client.get(URL)
        services.update_preferences(user=self.cast.member, changes={"seat_opened": False})
        with self.assertNumQueries(3):
            self.client.get(URL)


class UpdatePreferencesTests(KinshipTestCase):
    def test_unknown_kind_is_refused_and_nothing_is_saved(self) -> None:
        with self.assertRaises(Invalid):
            services.update_preferences(user=self.cast.member, changes={"newsletter": False, "reminder_day": False})
        self.assertFalse(EmailPreference.objects.exists())

    def test_non_boolean_is_refused_and_nothing_is_saved(self) -> None:
        for value in ("false", 0, None, "\x00"):
            with self.assertRaises(Invalid) as caught:
                services.update_preferences(user=self.cast.member, changes={"reminder_day": value})
            self.assertIn("reminder_day", caught.exception.errors)
        self.assertFalse(EmailPreference.objects.exists())
