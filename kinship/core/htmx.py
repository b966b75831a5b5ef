"""The one place that reads htmx's request header."""

from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    """A request htmx made to redraw one region; plain requests get the whole page."""
    return request.headers.get("HX-Request") == "true"
