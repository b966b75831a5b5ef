from django.core.cache import caches
from django.test import SimpleTestCase, override_settings

from kinship.core import ratelimit
from kinship.core.errors import RateLimited

REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/9",
        "KEY_PREFIX": "kinship-test",
    }
}


class RateLimitTests(SimpleTestCase):
    def exhaust(self, key: str) -> RateLimited:
        for _ in range(3):
            ratelimit.check("test", key, limit=3, window=60)
        with self.assertRaises(RateLimited) as caught:
            ratelimit.check("test", key, limit=3, window=60)
        return caught.exception

    def test_limit_then_429_with_retry_after(self):
        error = self.exhaust("someone@example.org")
        self.assertEqual(error.status, 429)
        self.assertTrue(1 <= error.retry_after <= 61)

    def test_keys_are_counted_apart_and_case_insensitively(self):
        self.exhaust("a@example.org")
        ratelimit.check("test", "b@example.org", limit=3, window=60)
        with self.assertRaises(RateLimited):
            ratelimit.check("test", "A@Example.org ", limit=3, window=60)


@override_settings(CACHES=REDIS)
class RedisRateLimitTests(RateLimitTests):
    """The same limits against the real Redis server, as several app processes would share them."""

    def setUp(self):
        caches["default"].clear()

    def tearDown(self):
        caches["default"].clear()

    def test_counter_lives_in_redis(self):
        self.exhaust("shared@example.org")
        client = caches["default"]._cache.get_client()  # type: ignore[attr-defined]
        self.assertTrue(any(b"rl:test:" in key for key in client.keys("kinship-test*")))
