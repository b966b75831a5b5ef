"""Placeholder: the questions pages are being written."""

from django.http import Http404, HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


questions = board = vote = moderate = answer = _todo
