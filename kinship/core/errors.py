"""Errors services raise when they refuse; one place turns them into responses."""

from typing import ClassVar


class KinshipError(Exception):
    status: ClassVar[int] = 400
    title: ClassVar[str] = "Bad request"

    def __init__(self, detail: str, *, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or {}


class Invalid(KinshipError):
    """Input that is well formed but breaks a rule (too long, blank, wrong choice)."""

    status = 422
    title = "Invalid input"


class NotAllowed(KinshipError):
    """The user can see the thing but may not do this to it."""

    status = 403
    title = "Not allowed"


class Conflict(KinshipError):
    status = 409
    title = "Conflict"


class RateLimited(KinshipError):
    status = 429
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = max(1, int(retry_after))
