"""The admin is staff's strongest tool: it needs two-step sign-in, and its sign-in is the site's own."""

from typing import Any

from django.contrib import messages
from django.contrib.admin import AdminSite
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from kinship.accounts.two_factor import has_two_factor

NEEDS_TWO_FACTOR = "Set up two-step sign-in to use staff tools."


def staff_with_two_factor(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and has_two_factor(user))


def guard(site: AdminSite) -> None:
    """Gate the admin on two-step sign-in and send its sign-in to the site's page (password, then code).

    The admin's own password form would skip the code, so it is never shown.
    """

    def login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        next_url = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
            next_url = ""
        next_url = next_url or reverse("admin:index")
        if not request.user.is_authenticated:
            return redirect_to_login(next_url, login_url=reverse("accounts:login"))
        if site.has_permission(request):
            return redirect(next_url)
        if request.user.is_staff:
            messages.info(request, NEEDS_TWO_FACTOR)
            return redirect("accounts:two-factor")
        raise Http404("No such page.")

    site.has_permission = staff_with_two_factor  # type: ignore[method-assign]
    site.login = login  # type: ignore[method-assign]
