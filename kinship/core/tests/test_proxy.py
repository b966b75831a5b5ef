"""Behind a load balancer (TRUSTED_PROXIES): rate limits count each visitor, not the proxy they all come through."""

import os
import subprocess
import sys

from django.conf import settings
from django.test import SimpleTestCase, TestCase, override_settings
from django.urls import reverse

from kinship.core.proxy import parse_networks, visitor_address
from kinship.core.tests.test_db_router import ROOT

PROXIES = parse_networks(["10.0.0.0/8", "fd00::/8"])
PROXY = "10.0.0.5"
MIDDLEWARE = "kinship.core.proxy.ForwardedForMiddleware"


class VisitorAddressTests(SimpleTestCase):
    def test_a_trusted_proxy_names_the_visitor(self) -> None:
        self.assertEqual(visitor_address(PROXY, "203.0.113.7", PROXIES), "203.0.113.7")
        self.assertEqual(visitor_address("fd00::1", "2001:db8::7", PROXIES), "2001:db8::7")

    def test_through_two_proxies_the_visitor_is_the_first_address_not_a_proxy(self) -> None:
        self.assertEqual(visitor_address(PROXY, "203.0.113.7, 10.1.2.3", PROXIES), "203.0.113.7")

    def test_what_the_visitor_wrote_to_the_left_is_ignored(self) -> None:
        self.assertEqual(visitor_address(PROXY, "198.51.100.1, 203.0.113.7", PROXIES), "203.0.113.7")
        self.assertEqual(visitor_address(PROXY, "not an address, 203.0.113.7", PROXIES), "203.0.113.7")

    def test_the_header_from_anyone_but_a_trusted_proxy_is_ignored(self) -> None:
        self.assertEqual(visitor_address("203.0.113.7", "198.51.100.1", PROXIES), "203.0.113.7")
        self.assertEqual(visitor_address(PROXY, "198.51.100.1", []), PROXY)

    def test_a_missing_or_broken_header_leaves_the_proxy_address(self) -> None:
        for header in ("", "  ", "203.0.113.7, garbage", "10.1.2.3", "203.0.113.7:443"):
            with self.subTest(header=header):
                self.assertEqual(visitor_address(PROXY, header, PROXIES), PROXY)


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"], MIDDLEWARE=[MIDDLEWARE, *settings.MIDDLEWARE], SEARCH_RATE_LIMIT=2)
class RateLimitBehindAProxyTests(TestCase):
    def search(self, visitor: str, proxy: str = PROXY) -> int:
        url = reverse("search:search") + "?q=stairs"
        return self.client.get(url, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=visitor).status_code

    def test_each_visitor_has_their_own_count(self) -> None:
        self.assertEqual([self.search("203.0.113.7") for _ in range(3)], [200, 200, 429])
        self.assertEqual(self.search("203.0.113.8"), 200)

    def test_a_visitor_cannot_escape_the_count_by_writing_the_header_themselves(self) -> None:
        answers = [self.search(f"198.51.100.{n}, 203.0.113.7") for n in range(3)]
        self.assertEqual(answers, [200, 200, 429])
        # Straight to the app, not through the proxy: the header is not believed at all.
        answers = [self.search(f"198.51.100.{n}", proxy="203.0.113.9") for n in range(3)]
        self.assertEqual(answers, [200, 200, 429])


PROBE = "import django; from django.conf import settings; django.setup(); print(settings.MIDDLEWARE[0])"


def first_middleware(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"TRUSTED_PROXIES", "DEBUG"}}
    clean.update({"DJANGO_SETTINGS_MODULE": "kinship.settings", "SECRET_KEY": "s", **env})
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60, check=False
    )


class TrustedProxiesSettingTests(SimpleTestCase):
    def test_without_trusted_proxies_nothing_is_installed(self) -> None:
        result = first_middleware()
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertNotEqual(result.stdout.strip(), MIDDLEWARE)

    def test_trusted_proxies_install_the_middleware_first(self) -> None:
        result = first_middleware(TRUSTED_PROXIES="10.0.0.0/8, 192.168.1.10")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.strip(), MIDDLEWARE)

    def test_a_typo_stops_start_up(self) -> None:
        result = first_middleware(TRUSTED_PROXIES="10.0.0.0/8, 10.0.0.300")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("10.0.0.300", result.stderr)
