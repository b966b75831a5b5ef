from kinship.accounts.models import User
from kinship.api.tests.base import BAD_TEXT, ApiTestCase
from kinship.notifications.models import EmailPreference


class MeTests(ApiTestCase):
    def test_owner_sees_own_profile_with_email(self):
        response = self.api("get", "/me", user=self.cast.member)
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["email"], self.cast.member.email)
        self.assertEqual(body["display_name"], "Mia Member")
        self.assertEqual(body["diagnosis_visibility"], User.ONLY_ME)
        self.assertEqual(body["url"], self.cast.member.get_absolute_url())
        self.assertTrue(body["email_verified"])

    def test_visitor_gets_401(self):
        self.assertProblem(self.api("get", "/me"), 401)
        self.assertProblem(self.api("patch", "/me", json_body={"bio": "x"}), 401)

    def test_owner_changes_profile_and_privacy_choices(self):
        changes = {
            "display_name": "  Mia M.  ",
            "bio": "Two years after rotationplasty.",
            "surgery_type": "rotationplasty",
            "surgery_type_visibility": "circles",
            "surgery_date": "2024-05-02",
        }
        response = self.api("patch", "/me", user=self.cast.member, json_body=changes)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["display_name"], "Mia M.")
        user = User.objects.get(pk=self.cast.member.pk)
        self.assertEqual(user.surgery_type_visibility, User.MY_CIRCLES)
        self.assertEqual(str(user.surgery_date), "2024-05-02")
        self.assertEqual(user.diagnosis_visibility, User.ONLY_ME)  # not sent, not changed

    def test_bad_values_are_refused_and_nothing_is_saved(self):
        cases = [("display_name", v) for v in BAD_TEXT] + [
            ("bio", "x" * 20_001),
            ("bio", "a\x00b"),
            ("bio", 5),
            ("diagnosis_visibility", "everyone"),
            ("diagnosis_visibility", 1),
            ("diagnosis_visibility", None),
            ("surgery_type", "magic"),
            ("surgery_date", "2999-01-01"),
            ("surgery_date", "not a date"),
            ("surgery_date", "1800-01-01"),
            ("surgery_date", ["2020-01-01"]),
        ]
        for field, value in cases:
            response = self.api(
                "patch",
                "/me",
                user=self.cast.member,
                json_body={field: value, "bio": "changed?"} if field != "bio" else {field: value},
            )
            self.assertEqual(response.status_code, 422, (field, value, response.content))
            self.assertProblem(response, 422)
        user = User.objects.get(pk=self.cast.member.pk)
        self.assertEqual(user.display_name, "Mia Member")
        self.assertEqual(user.bio, "")

    def test_email_and_unknown_fields_cannot_be_changed_here(self):
        for field, value in [("email", "new@example.org"), ("is_staff", True), ("password", "x")]:
            self.assertProblem(self.api("patch", "/me", user=self.cast.member, json_body={field: value}), 422, field)
        user = User.objects.get(pk=self.cast.member.pk)
        self.assertEqual(user.email, self.cast.member.email)
        self.assertFalse(user.is_staff)

    def test_malformed_bodies_are_refused(self):
        self.assertProblem(self.api("patch", "/me", user=self.cast.member, raw="{"), 400)
        self.assertProblem(self.api("patch", "/me", user=self.cast.member, json_body="text"), 422)


class EmailPreferenceApiTests(ApiTestCase):
    def test_preferences_are_shown_and_switched_with_the_profile(self):
        body = self.api("get", "/me", user=self.cast.member).json()
        defaults = {**dict.fromkeys(EmailPreference.KINDS, True), EmailPreference.CHECKIN_REMINDER: False}
        self.assertEqual(body["email_preferences"], defaults)
        response = self.api(
            "patch", "/me", user=self.cast.member, json_body={"email_preferences": {"reminder_hour": False}}
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertFalse(response.json()["email_preferences"]["reminder_hour"])
        self.assertFalse(EmailPreference.objects.get(user=self.cast.member).reminder_hour)

    def test_bad_preferences_change_nothing_not_even_the_rest_of_the_profile(self):
        for bad in ({"marketing": True}, {"reminder_day": "no"}, {"reminder_day": None}, ["reminder_day"], "off"):
            with self.subTest(bad=bad):
                response = self.api(
                    "patch", "/me", user=self.cast.member, json_body={"bio": "Changed", "email_preferences": bad}
                )
                self.assertIn(response.status_code, (400, 422), response.content)
        self.assertFalse(EmailPreference.objects.exists())
        self.assertEqual(User.objects.get(pk=self.cast.member.pk).bio, "")
