from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kinship.core.errors import KinshipError, RateLimited


class ErrorMiddleware:
    """Turns a refused service call on a page into a friendly page with the right status."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
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
