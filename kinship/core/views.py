import sys

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from kinship.circles import queries as circle_queries
from kinship.core.middleware import is_unavailable, unavailable
from kinship.events import queries as event_queries


def home(request: HttpRequest) -> HttpResponse:
    ctx = circle_queries.home_context(request.user)
    ctx["upcoming"] = event_queries.member_upcoming(request.user, limit=5)
    return render(request, "core/home.html", ctx)


def terms(request: HttpRequest) -> HttpResponse:
    return render(request, "core/terms.html", {"version": settings.TERMS_VERSION})


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "core/privacy.html")


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def floor(request: HttpRequest) -> HttpResponse:
    """A fixed page through the full middleware stack: the benchmark's floor."""
    return render(request, "core/floor.html")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    detail = "There is nothing here, or it is not visible to you."
    return render(request, "error.html", {"title": "Page not found", "detail": detail}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # A database or Redis that fails in a middleware (the session and the signed-in user load there)
    # lands here rather than in ErrorMiddleware: it is a 503 all the same.
    if is_unavailable(sys.exc_info()[1]):
        return unavailable(request)
    # No request context: the database may be what failed, and the signed-in user needs it.
    page = render_to_string("error.html", {"title": "Something went wrong", "detail": "Please try again."})
    return HttpResponse(page, status=500)
