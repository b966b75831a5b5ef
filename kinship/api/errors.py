"""The API's one place that turns refusals into application/problem+json (RFC 9457)."""

import json
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from kinship.api.parser import LoneSurrogate
from kinship.core.errors import KinshipError, RateLimited

PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem(
    status: int,
    detail: str,
    *,
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """A problem document; `type` is about:blank, so `title` is the status phrase."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    response = HttpResponse(json.dumps(body), status=status, content_type=PROBLEM_CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """("body", "payload", "title") -> "title"; ("path", "topic_id") -> "topic_id"."""
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        # ninja nests the body under the parameter name; clients know only their own fields.
        # The body as a whole (not an object at all) is "__all__", as in Django forms.
        rest = parts[2:]
        return ".".join(rest) if rest else "__all__"
    if len(parts) > 1:
        return ".".join(parts[1:])
    return parts[0] if parts else "request"


def _kinship_error(request: HttpRequest, exc: KinshipError) -> HttpResponse:
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
    return problem(exc.status, exc.detail, errors=exc.errors or None, headers=headers)


def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    # One message for "missing" and "not yours to see", so existence never leaks.
    return problem(404, "Not found, or not visible to you.")


def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        errors.setdefault(_field_name(error.get("loc", ())), []).append(str(error.get("msg", "Invalid value.")))
    return problem(422, "Please correct the highlighted fields.", errors=errors)


def _authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem(
        401,
        "Sign in: send 'Authorization: Bearer <token>' with a token from POST /api/v1/auth/token.",
        headers={"WWW-Authenticate": 'Bearer realm="kinship"'},
    )


def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    # Past DATA_UPLOAD_MAX_MEMORY_SIZE Django refuses to read the body at all.
    return problem(413, "The request body is too large.")


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja reports an unreadable body as a 400 HttpError caused by the parser's exception.
    if isinstance(exc.__cause__, LoneSurrogate):
        return problem(400, "The request body holds text that is not valid Unicode (a lone surrogate escape).")
    if exc.status_code == 400:
        return problem(400, "The request body could not be read as JSON.")
    return problem(exc.status_code, str(exc))


def install(api: NinjaAPI) -> None:
    handlers: dict[type[Exception], Callable[..., HttpResponse]] = {
        KinshipError: _kinship_error,
        Http404: _not_found,
        ValidationError: _validation_error,
        AuthenticationError: _authentication_error,
        HttpError: _http_error,
        RequestDataTooBig: _too_big,
    }
    for exception, handler in handlers.items():
        api.add_exception_handler(exception, handler)
