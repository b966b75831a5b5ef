"""Settings come only from the environment; each case loads them in a fresh interpreter."""

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from django.test import SimpleTestCase

from kinship.env import database_from_url, email_from_url, env_bool

ROOT = Path(__file__).resolve().parents[3]

PROBE = """
import json
from django.conf import settings
import django
django.setup()
print(json.dumps({
    "debug": settings.DEBUG,
    "engine": settings.DATABASES["default"]["ENGINE"],
    "email": settings.EMAIL_BACKEND,
    "cache": settings.CACHES["default"]["BACKEND"],
    "secure_cookie": getattr(settings, "SESSION_COOKIE_SECURE", False),
    "ssl_redirect": getattr(settings, "SECURE_SSL_REDIRECT", False),
    "hsts": getattr(settings, "SECURE_HSTS_SECONDS", 0),
    "tz": settings.TIME_ZONE,
    "hosts": settings.ALLOWED_HOSTS,
}))
"""


def load_settings(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "HTTPS", "TIME_ZONE", "ALLOWED_HOSTS"}
    }
    clean.update({"DJANGO_SETTINGS_MODULE": "kinship.settings", **env})
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60, check=False
    )


class SettingsFromEnvironmentTests(SimpleTestCase):
    def test_defaults_are_single_machine_sqlite_console_local_memory(self):
        result = load_settings(SECRET_KEY="s")
        self.assertEqual(result.returncode, 0, result.stderr)
        values = json.loads(result.stdout)
        self.assertFalse(values["debug"])
        self.assertEqual(values["engine"], "django.db.backends.sqlite3")
        self.assertEqual(values["email"], "django.core.mail.backends.console.EmailBackend")
        self.assertEqual(values["cache"], "django.core.cache.backends.locmem.LocMemCache")
        self.assertFalse(values["secure_cookie"])
        self.assertFalse(values["ssl_redirect"])

    def test_missing_secret_key_stops_start_up_unless_debug(self):
        refused = load_settings()
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("SECRET_KEY", refused.stderr)
        self.assertEqual(load_settings(DEBUG="1").returncode, 0)

    def test_https_turns_on_secure_cookies_hsts_and_redirect(self):
        values = json.loads(load_settings(SECRET_KEY="s", HTTPS="1").stdout)
        self.assertTrue(values["secure_cookie"])
        self.assertTrue(values["ssl_redirect"])
        self.assertGreater(values["hsts"], 0)

    def test_urls_choose_postgres_smtp_and_redis(self):
        values = json.loads(
            load_settings(
                SECRET_KEY="s",
                DATABASE_URL="postgres://u:p@db.example:5432/k",
                EMAIL_URL="smtp://mail.example:2525",
                REDIS_URL="redis://127.0.0.1:6379/3",
                TIME_ZONE="Europe/London",
                ALLOWED_HOSTS="kinship.example, x.example",
            ).stdout
        )
        self.assertEqual(values["engine"], "django.db.backends.postgresql")
        self.assertEqual(values["email"], "django.core.mail.backends.smtp.EmailBackend")
        self.assertEqual(values["cache"], "django.core.cache.backends.redis.RedisCache")
        self.assertEqual(values["tz"], "Europe/London")
        self.assertEqual(values["hosts"], ["kinship.example", "x.example"])

    def test_nonsense_values_are_refused_with_a_message(self):
        for env in ({"DEBUG": "maybe"}, {"EMAIL_URL": "pigeon://coop"}):
            result = load_settings(SECRET_KEY="s", **env)
            self.assertNotEqual(result.returncode, 0)
            self.assertRegex(result.stderr, "DEBUG|EMAIL_URL")


class HelperTests(SimpleTestCase):
    def test_env_bool_reads_common_spellings(self):
        os.environ["KINSHIP_TEST_FLAG"] = "Yes"
        try:
            self.assertTrue(env_bool("KINSHIP_TEST_FLAG"))
        finally:
            del os.environ["KINSHIP_TEST_FLAG"]
        self.assertFalse(env_bool("KINSHIP_TEST_FLAG_UNSET"))

    def test_email_url_parses_host_port_and_credentials(self):
        config = email_from_url("smtp://user:secret@127.0.0.1:1025")
        self.assertEqual((config["EMAIL_HOST"], config["EMAIL_PORT"]), ("127.0.0.1", 1025))
        self.assertEqual((config["EMAIL_HOST_USER"], config["EMAIL_HOST_PASSWORD"]), ("user", "secret"))

    def test_postgresql_gives_up_connecting_after_a_few_seconds_unless_the_url_says_otherwise(self):
        self.assertEqual(database_from_url("postgres://kinship@db.internal/kinship")["OPTIONS"]["connect_timeout"], 5)
        tuned = database_from_url("postgres://kinship@db.internal/kinship?connect_timeout=2")
        self.assertEqual(str(tuned["OPTIONS"]["connect_timeout"]), "2")

    def test_sqlite_file_database_runs_in_wal_mode(self):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "kinship.sqlite3"
            config = database_from_url(f"sqlite:///{path}")
            connection = sqlite3.connect(path)
            try:
                for statement in config["OPTIONS"]["init_command"].split(";"):
                    if statement.strip():
                        connection.execute(statement)
                self.assertEqual(connection.execute("PRAGMA journal_mode").fetchone()[0], "wal")
            finally:
                connection.close()
