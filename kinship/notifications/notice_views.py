"""The member's in-app notices: the list, and marking them read."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kinship.accounts.auth import signed_in
from kinship.notifications import notices

PAGE_SIZE = 30


@never_cache
@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    page = notices.notice_page(user, cursor=request.GET.get("cursor") or None, limit=PAGE_SIZE)
    unread = any(n.read_at is None for n in page.items)
    return render(request, "notifications/notices.html", {"page": page, "unread": unread})


@require_POST
@login_required
def notice_read(request: HttpRequest) -> HttpResponse:
    """Mark every notice read (the one button on the page)."""
    notices.mark_read(user=signed_in(request))
    flash.success(request, "All notices are marked read.")
    return redirect("notifications:notices")
