from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    """True for requests htmx made to redraw part of a page."""
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-History-Restore-Request")
