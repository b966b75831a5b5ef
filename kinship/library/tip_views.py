"""Member tip pages: the list with its posting form, a tip, and the helpful, feature, hide, edit and delete actions.

The helpful button is one partial (`library/tip_card.html#helpful`) for first paint and htmx swaps
alike: a plain form POST without JavaScript, the button and count redrawn in place with it.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from kinship.accounts.auth import signed_in
from kinship.core.errors import Invalid, KinshipError, NotAllowed, RateLimited
from kinship.core.forms import show_errors
from kinship.core.htmx import is_htmx
from kinship.library import tips
from kinship.library.forms_tips import TipFilterForm, TipForm
from kinship.library.models import Tip

HELPFUL = "library/tip_card.html#helpful"


def _back(request: HttpRequest, default: str) -> str:
    """Where a tip action returns: the tip page it came from (`next`), never anywhere off the tips pages."""
    wanted = request.POST.get("next", "")
    if (
        isinstance(wanted, str)
        and wanted.startswith("/tips/")
        and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}, require_https=False)
    ):
        return wanted
    return default


def _list_context(request: HttpRequest, form: TipForm) -> tuple[dict[str, Any], int]:
    """The list page's context and status: a bad filter or page link shows the first page with the message (422)."""
    user = request.user
    filter_error = ""
    try:
        theme = tips.parse_theme(request.GET.get("theme"), required=False)
        sort = tips.parse_sort(request.GET.get("sort"))
        cursor = request.GET.get("cursor") or None
        listing = tips.tip_listing(user, theme=theme, sort=sort, cursor=cursor)
    except Invalid as error:
        filter_error = error.detail
        theme, sort, cursor = None, tips.NEWEST, None
        listing = tips.tip_listing(user)
    can_post = tips.can_post_tips(user)
    context = {
        "listing": listing,
        "filter_error": filter_error,
        "filters": TipFilterForm(initial={"theme": theme or "", "sort": sort}),
        "theme": theme,
        "theme_label": tips.THEME_LABELS.get(theme or "", ""),
        "sort": sort,
        "cursor": cursor,
        "form": form,
        "can_post": can_post,
        "why_not": "" if can_post else tips.why_cannot_post(user),
        "note": tips.NOTE,
        "back": request.get_full_path(),
        "body_max": f"{Tip.BODY_MAX:,}",
    }
    return context, 422 if filter_error else 200


@require_http_methods(["GET", "HEAD", "POST"])
def tip_list(request: HttpRequest) -> HttpResponse:
    """Visitors get a sign-in prompt and no tip; members the list, filters and the form to share one."""
    if not tips.can_read_tips(request.user):
        if request.method == "POST":
            return redirect_to_login(request.get_full_path())
        return render(request, "library/tip_list.html", {"visitor": True, "note": tips.NOTE})
    if request.method != "POST":
        context, status = _list_context(request, TipForm())
        return render(request, "library/tip_list.html", context, status=status)
    form = TipForm(request.POST)
    try:
        tip = tips.post_tip(author=signed_in(request), theme=request.POST.get("theme"), body=request.POST.get("body"))
    except Invalid as error:
        form.is_valid()
        show_errors(form, error)
        context, _ = _list_context(request, form)
        return render(request, "library/tip_list.html", context, status=422)
    messages.success(request, "Your tip is shared. Thank you for passing on what you learned.")
    return redirect(tip)


@login_required
@require_http_methods(["GET", "HEAD"])
def tip_detail(request: HttpRequest, tip_id: int) -> HttpResponse:
    tip = tips.get_tip_for(request.user, tip_id)
    ctx = {"row": tips.tip_row(request.user, tip), "note": tips.NOTE, "back": request.get_full_path()}
    return render(request, "library/tip_detail.html", ctx)


def _helpful_response(request: HttpRequest, tip: Tip, back: str, *, error: str = "", status: int = 200) -> HttpResponse:
    ctx = {"row": tips.tip_row(request.user, tip), "back": back, "error": error}
    response = render(request, HELPFUL, ctx, status=status)
    # Each viewer's button differs (pressed or not): never cache it anywhere.
    response["Cache-Control"] = "no-store, private"
    return response


@require_POST
@login_required
def tip_helpful(request: HttpRequest, tip_id: int) -> HttpResponse:
    """`helpful=1` marks, `helpful=0` takes it back (so a repeated submit changes nothing); without it, toggles."""
    tip = tips.get_tip_for(request.user, tip_id)
    back = _back(request, tip.get_absolute_url())
    member = signed_in(request)
    choice = request.POST.get("helpful", "")
    try:
        if choice == "":
            choice = "0" if tips.tip_row(member, tip).helped else "1"
        if choice == "1":
            tips.mark_helpful(member=member, tip=tip)
        elif choice == "0":
            tips.unmark_helpful(member=member, tip=tip)
        else:
            raise Invalid("Choose to mark the tip helpful or to take that back.", errors={"helpful": ["1 or 0"]})
    except KinshipError as refused:
        if not is_htmx(request):
            raise
        response = _helpful_response(request, tip, back, error=refused.detail, status=refused.status)
        if isinstance(refused, RateLimited):
            response["Retry-After"] = str(refused.retry_after)
        return response
    if is_htmx(request):
        return _helpful_response(request, tip, back)
    return redirect(back + ("" if "#" in back else f"#tip-{tip.pk}"))


def _flag(request: HttpRequest) -> bool:
    value = request.POST.get("value", "")
    if value not in ("0", "1"):
        raise Invalid("Choose on (1) or off (0).", errors={"value": ["1 or 0"]})
    return value == "1"


@require_POST
@login_required
def tip_feature(request: HttpRequest, tip_id: int) -> HttpResponse:
    tip = tips.get_tip_for(request.user, tip_id)
    featured = _flag(request)
    tips.feature_tip(curator=signed_in(request), tip=tip, featured=featured)
    messages.success(request, "Featured: it is now at the top of the tips." if featured else "No longer featured.")
    return redirect(_back(request, tip.get_absolute_url()))


@require_POST
@login_required
def tip_hide(request: HttpRequest, tip_id: int) -> HttpResponse:
    tip = tips.get_tip_for(request.user, tip_id)
    hidden = _flag(request)
    tips.hide_tip(curator=signed_in(request), tip=tip, hidden=hidden)
    messages.success(
        request,
        "Hidden: only facilitators and staff see it now." if hidden else "Unhidden: members see it again.",
    )
    return redirect(_back(request, tip.get_absolute_url()))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def tip_edit(request: HttpRequest, tip_id: int) -> HttpResponse:
    tip = tips.get_tip_for(request.user, tip_id)
    if not tips.can_edit(request.user, tip):
        raise NotAllowed("You can only edit your own tips.")
    form = TipForm(request.POST if request.method == "POST" else None, initial={"theme": tip.theme, "body": tip.body})
    ctx = {"form": form, "tip": tip, "note": tips.NOTE, "body_max": f"{Tip.BODY_MAX:,}"}
    if request.method != "POST":
        return render(request, "library/tip_edit.html", ctx)
    changes = {name: request.POST.get(name, "") for name in ("theme", "body")}
    try:
        tips.edit_tip(editor=signed_in(request), tip=tip, changes=changes)
    except Invalid as error:
        form.is_valid()
        show_errors(form, error)
        return render(request, "library/tip_edit.html", ctx, status=422)
    messages.success(request, "Your changes are saved.")
    return redirect(tip)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def tip_delete(request: HttpRequest, tip_id: int) -> HttpResponse:
    tip = tips.get_tip_for(request.user, tip_id)
    if not tips.can_delete(request.user, tip):
        raise NotAllowed("You can only delete your own tips.")
    if request.method == "POST":
        tips.delete_tip(actor=signed_in(request), tip=tip)
        messages.success(request, "Your tip is deleted.")
        return redirect(reverse("library:tip-list"))
    return render(request, "library/tip_delete.html", {"row": tips.tip_row(request.user, tip), "note": tips.NOTE})
