"""Fixed-window rate limits in the cache (Redis when REDIS_URL is set, so they hold across processes)."""

import hashlib
import time

from django.core.cache import cache
from django.http import HttpRequest

from kinship.core.errors import RateLimited


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


def check(scope: str, key: str, *, limit: int, window: int, message: str | None = None) -> None:
    """Count one attempt for (scope, key); past `limit` in `window` seconds raise RateLimited."""
    now = time.time()
    slot = int(now // window)
    digest = hashlib.sha256(key.strip().lower().encode("utf-8", "replace")).hexdigest()[:32]
    cache_key = f"rl:{scope}:{digest}:{slot}"
    # add() is atomic: only the first request in a window creates the counter.
    cache.add(cache_key, 0, timeout=window + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window + 1)
        count = 1
    if count > limit:
        retry_after = int((slot + 1) * window - now) + 1
        raise RateLimited(
            message or "Too many attempts. Please wait a little and try again.",
            retry_after=retry_after,
        )
