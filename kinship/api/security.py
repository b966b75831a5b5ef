"""Bearer tokens for the API; no cookies, so no CSRF."""

from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from kinship.accounts.models import ApiToken, User

# Recording every use would write on every read; a coarse "last used" is enough to spot stale tokens.
LAST_USED_GRANULARITY = timedelta(minutes=10)
# Issued keys are 43 characters; anything far longer is not one of ours.
MAX_KEY_LENGTH = 200


class BearerToken(HttpBearer):
    """`Authorization: Bearer <key>`, looked up by the key's SHA-256 (only the hash is stored)."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        key = token.strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            return None
        found = ApiToken.objects.select_related("user", "user__two_factor").filter(key_hash=ApiToken.hash(key)).first()
        if found is None or not found.user.is_active:
            return None
        suspended = found.user.suspended_until
        if suspended is not None and suspended > timezone.now():
            return None  # suspension revokes tokens too; this holds for one issued meanwhile by any path
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > LAST_USED_GRANULARITY:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.api_token = found  # type: ignore[attr-defined]  # logout revokes exactly this token
        request.user = found.user
        return found.user


class OptionalBearerToken(BearerToken):
    """Visitors may read public things: no header means signed out, but a bad token is still 401."""

    def __call__(self, request: HttpRequest) -> User | AnonymousUser | None:
        if not request.headers.get(self.header):
            # A session cookie does not count: API views skip CSRF, so cookies must not authenticate.
            request.user = AnonymousUser()
            return AnonymousUser()
        return super().__call__(request)


bearer = BearerToken()
optional_bearer = OptionalBearerToken()
