import os
from io import StringIO
from unittest import mock

from django.core.management import CommandError, call_command
from django.test import TestCase

from kinship.accounts.models import User
from kinship.core import factories


class CreateSuperuserTests(TestCase):
    def run_command(self, **environ: str) -> str:
        out = StringIO()
        with mock.patch.dict(os.environ, environ):
            call_command("createsuperuser", interactive=False, stdout=out, stderr=StringIO())
        return out.getvalue()

    def test_noinput_with_environment_creates_a_verified_staff_account(self):
        output = self.run_command(
            DJANGO_SUPERUSER_EMAIL="Admin@Kinship.example", DJANGO_SUPERUSER_PASSWORD="a long and unusual passphrase"
        )
        self.assertIn("Superuser created successfully.", output)
        admin = User.objects.get(email="admin@kinship.example")
        self.assertTrue(admin.is_superuser)
        self.assertTrue(admin.is_staff)
        self.assertTrue(admin.is_verified)
        self.assertTrue(admin.check_password("a long and unusual passphrase"))
        # The public name never comes from the private address.
        self.assertEqual(admin.display_name, "Kinship staff")
        self.assertNotIn("admin", admin.display_name.lower())

    def test_the_new_account_can_sign_in(self):
        self.run_command(
            DJANGO_SUPERUSER_EMAIL="admin@kinship.example", DJANGO_SUPERUSER_PASSWORD="a long and unusual passphrase"
        )
        response = self.client.post(
            "/accounts/login/", {"email": "admin@kinship.example", "password": "a long and unusual passphrase"}
        )
        self.assertEqual(response.status_code, 302)

    def test_missing_email_is_refused(self):
        with mock.patch.dict(os.environ, {"DJANGO_SUPERUSER_PASSWORD": "x"}), self.assertRaises(CommandError):
            os.environ.pop("DJANGO_SUPERUSER_EMAIL", None)
            call_command("createsuperuser", interactive=False, stdout=StringIO(), stderr=StringIO())
        self.assertFalse(User.objects.exists())

    def test_taken_email_in_any_case_is_refused(self):
        factories.make_user(email="admin@kinship.example")
        with self.assertRaises(CommandError):
            self.run_command(DJANGO_SUPERUSER_EMAIL="ADMIN@kinship.example", DJANGO_SUPERUSER_PASSWORD="x")
        self.assertEqual(User.objects.count(), 1)
        self.assertFalse(User.objects.get().is_superuser)

    def test_malformed_email_is_refused(self):
        with self.assertRaises(CommandError):
            self.run_command(DJANGO_SUPERUSER_EMAIL="not-an-email", DJANGO_SUPERUSER_PASSWORD="x")
        self.assertFalse(User.objects.exists())
