"""Event pages. Thin: access for the object, one service call, render or redirect."""

from django.http import HttpRequest, HttpResponse


def _todo(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError


circle_calendar = event_create = event_detail = event_edit = event_cancel = _todo
occurrence_detail = rsvp_update = occurrence_edit = attendance = _todo
