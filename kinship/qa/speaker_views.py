"""Placeholder: the speaker pages are being written."""

from django.http import Http404, HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


invitations = revoke = accept = profile = verification = verify = _todo
