import json
import logging
from collections.abc import Callable

import redis
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from kinship.core.errors import KinshipError, RateLimited

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
# A restart of PostgreSQL takes seconds; a client that waits this long usually finds it back.
RETRY_AFTER_SECONDS = 15
# Refused connections, a server that went away mid-request, a connection already closed, a SQLite
# file that cannot be opened or stays locked, Redis (sessions, cache, rate limits) out of reach:
# a part the site needs cannot answer now but may soon.
UNAVAILABLE = (OperationalError, InterfaceError, redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


def is_unavailable(exception: BaseException | None) -> bool:
    return isinstance(exception, UNAVAILABLE)


def unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: problem+json for the API, a plain page otherwise.

    Nothing here may touch the database, so the page gets no request context: no signed-in user,
    no messages, no session (each of those would query the server that just failed).
    """
    if request.path.startswith(API_PREFIX):
        body = {
            "type": "about:blank",
            "title": "Service Unavailable",
            "status": 503,
            "detail": "The service cannot reach its database or cache just now; try again shortly.",
        }
        response = HttpResponse(json.dumps(body), status=503, content_type="application/problem+json")
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # Nobody in between may keep this answer for the page it stands in for.
    response["Cache-Control"] = "no-store"
    return response


class ErrorMiddleware:
    """Turns a refused service call on a page into a friendly page with the right status.

    A database that cannot be reached becomes a 503 (page or problem+json) instead of a 500. This
    catches it in views; kinship.core.views.server_error does the same for the middleware above
    (the session and the signed-in user are loaded there).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_unavailable(exception):
            logger.warning("Database or cache unavailable during %s %s: %s", request.method, request.path, exception)
            return unavailable(request)
        if not isinstance(exception, KinshipError):
            return None
        response = render(
            request,
            "error.html",
            {"title": exception.title, "detail": exception.detail},
            status=exception.status,
        )
        if isinstance(exception, RateLimited):
            response["Retry-After"] = str(exception.retry_after)
        return response
