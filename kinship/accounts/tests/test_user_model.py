import importlib

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.db import IntegrityError, transaction
from django.test import TestCase

from kinship.accounts.models import ApiToken, User
from kinship.core import factories


class UserModelTests(TestCase):
    def test_the_project_user_model_is_this_one(self):
        self.assertIs(get_user_model(), User)
        self.assertEqual(User.USERNAME_FIELD, "email")

    def test_create_user_lowercases_the_email_and_never_derives_the_name_from_it(self):
        user = User.objects.create_user("Rosa.Lind@Example.ORG", "a long and unusual passphrase")
        self.assertEqual(user.email, "rosa.lind@example.org")
        self.assertEqual(user.display_name, "Kinship member")
        self.assertFalse(user.is_staff)
        self.assertFalse(user.is_verified)
        self.assertEqual(user.role, User.PATIENT)

    def test_default_display_name_hides_a_long_address(self):
        user = User.objects.create_user("r" * 64 + "@example.org")
        self.assertNotIn("rrr", user.display_name)

    def test_create_user_without_email_is_refused(self):
        for email in ("", None):
            with self.subTest(email=email), self.assertRaises(ValueError):
                User.objects.create_user(email, "a long and unusual passphrase")
        self.assertFalse(User.objects.exists())

    def test_recovery_fields_default_to_only_me(self):
        user = factories.make_user()
        for field in User.RECOVERY_FIELDS:
            with self.subTest(field=field):
                self.assertEqual(getattr(user, f"{field}_visibility"), User.ONLY_ME)

    def test_two_accounts_cannot_share_an_email_in_any_case(self):
        factories.make_user(email="same@example.org")
        with self.assertRaises(IntegrityError), transaction.atomic():
            User.objects.create(email="SAME@example.org", display_name="Copy")
        self.assertEqual(User.objects.filter(email__iexact="same@example.org").count(), 1)

    def test_natural_key_lookup_ignores_case(self):
        user = factories.make_user(email="case@example.org")
        self.assertEqual(User.objects.get_by_natural_key("CASE@Example.org"), user)
        with self.assertRaises(User.DoesNotExist):
            User.objects.get_by_natural_key(None)

    def test_superuser_is_staff_and_verified(self):
        admin = User.objects.create_superuser("boss@example.org", "a long and unusual passphrase")
        self.assertTrue(admin.is_staff)
        self.assertTrue(admin.is_superuser)
        self.assertTrue(admin.is_verified)

    def test_superuser_flags_cannot_be_switched_off_by_keyword(self):
        admin = User.objects.create_superuser("boss@example.org", "pw", is_staff=False, is_superuser=False)
        self.assertTrue(admin.is_staff and admin.is_superuser)

    def test_str_is_the_display_name_and_url_is_the_profile_page(self):
        user = factories.make_user(display_name="Rosa")
        self.assertEqual(str(user), "Rosa")
        self.assertEqual(user.get_absolute_url(), f"/accounts/people/{user.pk}/")

    def test_avatar_url_is_none_without_a_picture(self):
        self.assertIsNone(factories.make_user().avatar_url)

    def test_password_is_stored_hashed(self):
        user = factories.make_user(password="a long and unusual passphrase")
        self.assertNotIn("a long and unusual passphrase", user.password)
        self.assertTrue(user.check_password("a long and unusual passphrase"))


class PasswordHashingTests(TestCase):
    def test_argon2_is_the_first_hasher_in_the_project_settings(self):
        # The test run swaps in MD5 (kinship/conftest.py); the settings module keeps what production uses.
        production = importlib.import_module("kinship.settings")
        self.assertEqual(production.PASSWORD_HASHERS[0], "django.contrib.auth.hashers.Argon2PasswordHasher")

    def test_argon2_library_is_installed_and_hashes(self):
        hasher = Argon2PasswordHasher()
        encoded = hasher.encode("a long and unusual passphrase", hasher.salt())
        self.assertTrue(encoded.startswith("argon2$argon2id$"))
        self.assertTrue(hasher.verify("a long and unusual passphrase", encoded))
        self.assertFalse(hasher.verify("another passphrase", encoded))


class ApiTokenModelTests(TestCase):
    def test_only_the_hash_of_an_issued_token_is_stored(self):
        user = factories.make_user()
        token, key = ApiToken.issue(user)
        self.assertNotEqual(token.key_hash, key)
        self.assertEqual(token.key_hash, ApiToken.hash(key))
        self.assertFalse(ApiToken.objects.filter(key_hash=key).exists())
        self.assertNotIn(key, str(token))

    def test_hashing_survives_unpaired_surrogates(self):
        self.assertEqual(len(ApiToken.hash("\ud800broken")), 64)
