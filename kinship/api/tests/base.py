"""Helpers for API tests: a bearer client over the cast, and problem+json checks."""

import json
from typing import Any

from django.test import Client

from kinship.accounts.models import ApiToken, User
from kinship.core.testing import KinshipTestCase

PREFIX = "/api/v1"
NOTHING = object()


class ApiTestCase(KinshipTestCase):
    """KinshipTestCase plus `self.api(method, path, user=..., json=...)`."""

    def setUp(self) -> None:
        super().setUp()
        self._keys: dict[int, str] = {}

    def key_for(self, user: User) -> str:
        if user.pk not in self._keys:
            _, self._keys[user.pk] = ApiToken.issue(user)
        return self._keys[user.pk]

    def api(
        self,
        method: str,
        path: str,
        *,
        user: User | None = None,
        json_body: Any = NOTHING,
        raw: str | bytes | None = None,
        headers: dict[str, str] | None = None,
        client: Client | None = None,
    ):
        """One request; a 500 would raise here (the test client re-raises), failing the test."""
        extra: dict[str, str] = dict(headers or {})
        if user is not None:
            extra["Authorization"] = f"Bearer {self.key_for(user)}"
        kwargs: dict[str, Any] = {"headers": extra}
        if raw is not None:
            kwargs.update(data=raw, content_type="application/json")
        elif json_body is not NOTHING:
            kwargs.update(data=json.dumps(json_body), content_type="application/json")
        response = getattr(client or self.client, method.lower())(PREFIX + path, **kwargs)
        self.assertLess(response.status_code, 500, response.content[:500])
        return response

    def assertProblem(self, response, status: int, *fields: str) -> dict[str, Any]:
        """A problem+json document with this status, naming these fields in "errors"."""
        self.assertEqual(response.status_code, status, response.content[:500])
        self.assertEqual(response["Content-Type"], "application/problem+json")
        body = response.json()
        self.assertEqual(body["status"], status)
        for key in ("type", "title", "detail"):
            self.assertIsInstance(body[key], str)
        for field in fields:
            self.assertIn(field, body.get("errors", {}), body)
        return body


# Inputs a client might send instead of a string; none may cause a 500.
BAD_TEXT = [
    None,
    "",
    "   ",
    5,
    True,
    ["a list"],
    {"an": "object"},
    "nul \x00 byte",
    "x" * 20_001,
]
