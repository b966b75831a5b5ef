"""Signs a suspended member out of every browser at their next request.

Suspending ends the sessions the site tracks (safety.moderation); this catches any other, such as one
begun before sessions were tracked. It reads `suspended_until` from the user row Django loads for the
request anyway, so it costs no query of its own. The API is left alone: it takes no session cookies, and
api.security refuses a suspended member's token.
"""

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.formats import date_format

API_PREFIX = "/api/"


class SuspendedSignOutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            until = getattr(request.user, "suspended_until", None)
            if until is not None and until > timezone.now():
                logout(request)
                day = date_format(timezone.localtime(until), "j F Y")
                messages.error(
                    request,
                    f"Your account is suspended until {day}, so you were signed out. You can sign in again after that.",
                )
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)
