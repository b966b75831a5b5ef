"""iCalendar feeds: a circle's events, and a member's private feed of what they are going to."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from kinship.accounts.auth import signed_in
from kinship.api.security import bearer
from kinship.circles import access as circle_access
from kinship.events import access, calendars, queries
from kinship.events.models import Occurrence

CONTENT_TYPE = "text/calendar; charset=utf-8"


def _ics(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    # Feeds may hold private circles' meetings: no shared cache may keep a copy.
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex"
    return response


def _unauthorised() -> HttpResponse:
    body = {"type": "about:blank", "title": "Unauthorized", "status": 401, "detail": "The token is missing or wrong."}
    response = JsonResponse(body, status=401, content_type="application/problem+json")
    response["WWW-Authenticate"] = "Bearer"
    return response


def _caller(request: HttpRequest) -> Any:
    """The bearer token's user; else the session on pages. None when a token was given but is wrong."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer":
            return None
        return bearer.authenticate(request, key)
    if request.path.startswith("/api/"):
        # As in the rest of the API, cookies do not authenticate there.
        return AnonymousUser()
    return request.user


@require_GET
def circle_feed(request: HttpRequest, slug: str) -> HttpResponse:
    user = _caller(request)
    if user is None:
        return _unauthorised()
    circle = circle_access.get_circle_for(user, slug)
    if not access.can_see_events(user, circle):
        # Private circles' events are not listed to outsiders; their existence is no secret, but the feed is.
        raise Http404("No such calendar.")
    events = list(queries.circle_events(circle))
    rows = Occurrence.objects.filter(event__circle=circle)
    content = calendars.circle_ics(circle.name, events, rows, base_url=request.build_absolute_uri("/"))
    return _ics(content, f"{circle.slug}.ics")


@require_GET
def member_feed(request: HttpRequest) -> HttpResponse:
    # The token is the only key: calendar apps send no cookies, and a wrong one must not reveal anything.
    user = calendars.user_for_token(request.GET.get("token"))
    if user is None:
        raise Http404("No such calendar.")
    content = calendars.member_ics(calendars.member_rsvps(user), base_url=request.build_absolute_uri("/"))
    return _ics(content, "kinship.ics")


@login_required
@require_http_methods(["GET", "POST"])
def calendar_settings(request: HttpRequest) -> HttpResponse:
    member = signed_in(request)
    context: dict[str, Any] = {"has_token": calendars.has_token(member)}
    if request.method == "POST":
        # Only the hash is kept, so the address can be shown just this once, in this response.
        token = calendars.regenerate_token(user=member)
        https_url = request.build_absolute_uri(reverse("events:member-feed")) + f"?token={token}"
        context.update(has_token=True, https_url=https_url, webcal_url="webcal://" + https_url.split("://", 1)[1])
    return render(request, "events/calendar_settings.html", context)
