"""The journal home and the progress page: the member's own, so never cached and never anyone else's."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from kinship.accounts.auth import signed_in
from kinship.core.errors import Invalid
from kinship.journal import queries


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def journal_home(request: HttpRequest) -> HttpResponse:
    """The latest check-in with a call to check in, recent milestones and open goals."""
    user = signed_in(request)
    return render(request, "journal/home.html", {"overview": queries.overview(user)})


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def progress(request: HttpRequest) -> HttpResponse:
    """Charts of distress and pain over ?range=3m|12m|all, each with its table, and the milestones in range."""
    user = signed_in(request)
    ctx: dict[str, Any] = {"ranges": queries.RANGES}
    status = 200
    try:
        range_key = queries.parse_range(request.GET.get("range"))
    except Invalid as error:
        # The default range is still drawn below the message, so the page stays useful.
        ctx["error"] = error.detail
        range_key = queries.DEFAULT_RANGE
        status = error.status
    ctx["timeline"] = queries.timeline(user, range_key)
    return render(request, "journal/progress.html", ctx, status=status)
