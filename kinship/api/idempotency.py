"""Idempotency-Key for creating requests: a retry gets the first answer and creates nothing.

The creation and the record of its answer commit in one transaction, so either both happen or
neither; when two copies of a request race, the second one's insert of the record fails, its
creation is rolled back with it, and it answers with the first one's result.
"""

import hashlib
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from ninja import Status

from kinship.accounts.models import User
from kinship.api.models import IdempotencyKey
from kinship.core.errors import Invalid

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


def _key(request: HttpRequest) -> str | None:
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    key = raw.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise Invalid(
            f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable characters, such as a UUID.",
            errors={HEADER: ["1 to 255 printable characters."]},
        )
    return key


def _caller(request: HttpRequest) -> User | None:
    """The token's user; None on sign-up (a session cookie is no identity here, see security.py)."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, User) else None


def _existing(request: HttpRequest, key: str, request_line: str) -> IdempotencyKey | None:
    return IdempotencyKey.objects.filter(user=_caller(request), key=key, request_line=request_line).first()


def _replay(record: IdempotencyKey, body_hash: str) -> Status[Any]:
    if record.body_hash != body_hash:
        raise Invalid(
            f"This {HEADER} was already used for a different request; use a new key.",
            errors={HEADER: ["Already used for a different request."]},
        )
    return Status(record.status, record.response)


def idempotent(request: HttpRequest, create: Callable[[], Status[Any]]) -> Status[Any]:
    """Run `create` once per Idempotency-Key (if the request has one) and replay its answer."""
    key = _key(request)
    if key is None:
        return create()
    # Percent-encoded so odd bytes in the path (NUL, surrogates) are plain text to the database.
    request_line = f"{request.method} {quote(request.path, safe='/')}"
    body_hash = hashlib.sha256(request.body).hexdigest()
    found = _existing(request, key, request_line)
    if found is not None:
        return _replay(found, body_hash)
    try:
        with transaction.atomic():
            result = create()
            # Stored as the JSON it becomes, and answered from that too, so a replay is identical.
            data = json.loads(json.dumps(result.value, cls=DjangoJSONEncoder))
            IdempotencyKey.objects.create(
                user=_caller(request),
                key=key,
                request_line=request_line,
                body_hash=body_hash,
                status=result.status_code,
                response=data,
            )
    except IntegrityError:
        found = _existing(request, key, request_line)
        if found is None:
            raise
        return _replay(found, body_hash)
    return Status(result.status_code, data)
