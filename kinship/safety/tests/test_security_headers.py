"""Security headers on every answer, and Django's deployment check under production settings."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.test import SimpleTestCase, TestCase

ROOT = Path(__file__).resolve().parents[3]


def _directives(header: str) -> dict[str, list[str]]:
    parts = [p.split() for p in header.split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


class SecurityHeaderTests(TestCase):
    def test_pages_carry_a_strict_content_security_policy(self) -> None:
        for path in ["/", "/circles/", "/resources/", "/accounts/login/", "/no-such-page/"]:
            with self.subTest(path=path):
                response = self.client.get(path)
                policy = _directives(response["Content-Security-Policy"])
                self.assertEqual(policy["script-src"], ["'self'"])
                self.assertEqual(policy["style-src"], ["'self'"])
                self.assertEqual(policy["object-src"], ["'none'"])
                self.assertEqual(policy["frame-ancestors"], ["'none'"])
                self.assertEqual(policy["base-uri"], ["'none'"])
                self.assertNotIn("'unsafe-inline'", response["Content-Security-Policy"])
                self.assertNotIn("'unsafe-eval'", response["Content-Security-Policy"])

    def test_api_answers_carry_the_policy_too(self) -> None:
        response = self.client.get("/api/v1/circles")
        self.assertIn("script-src 'self'", response["Content-Security-Policy"])

    def test_frames_referrer_sniffing_and_device_features_are_denied(self) -> None:
        response = self.client.get("/")
        self.assertEqual(response["X-Frame-Options"], "DENY")
        self.assertEqual(response["Referrer-Policy"], "same-origin")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["Cross-Origin-Opener-Policy"], "same-origin")
        features = dict(item.split("=") for item in response["Permissions-Policy"].split(", "))
        for feature in ["camera", "microphone", "geolocation", "payment"]:
            self.assertEqual(features[feature], "()")

    def test_session_and_csrf_cookies_are_httponly_and_same_site(self) -> None:
        from kinship.core.factories import PASSWORD, make_user

        user = make_user()
        login_page = self.client.get("/accounts/login/")
        self.assertEqual(login_page.cookies["csrftoken"]["samesite"], "Lax")
        response = self.client.post("/accounts/login/", {"email": user.email, "password": PASSWORD})
        session = response.cookies["sessionid"]
        self.assertTrue(session["httponly"])
        self.assertEqual(session["samesite"], "Lax")


class DeployCheckTests(SimpleTestCase):
    """`manage.py check --deploy` passes, warnings included, with HTTPS on and a real secret key."""

    def _check(self, **extra: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEBUG", "HTTPS", "SECRET_KEY"))}
        env.update(
            {"SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "kinship.example.org", "HTTPS": "1", **extra}
        )
        return subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def test_production_settings_pass_the_deployment_check(self) -> None:
        result = self._check()
        self.assertEqual(result.returncode, 0, result.stderr + result.stdout)
        self.assertIn("no issues", result.stdout)

    def test_the_check_would_catch_https_left_off(self) -> None:
        result = self._check(HTTPS="0")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("security.W004", result.stderr + result.stdout)
