"""iCalendar feeds: a circle's events, and a member's private feed of what they are going to."""

from django.http import HttpRequest, HttpResponse


def circle_feed(request: HttpRequest, slug: str) -> HttpResponse:
    raise NotImplementedError


def member_feed(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def calendar_settings(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError
