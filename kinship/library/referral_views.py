"""Referral pages: the member's list, the facilitator's follow-up dashboard, the form and the detail.

Every page is private to the people a referral concerns (see referrals.py), so none is cached, and
a referral that is not the viewer's answers 404 exactly like one that does not exist.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from kinship.accounts.auth import signed_in
from kinship.circles.models import Circle
from kinship.core.errors import Conflict, Invalid, NotAllowed, RateLimited
from kinship.core.forms import show_errors
from kinship.core.htmx import is_htmx
from kinship.core.pagination import parse_limit
from kinship.library import referrals
from kinship.library.forms_referrals import CircleStepForm, ReferralForm, StatusForm
from kinship.library.models import Referral

PAGE_SIZE = 20
STATUS_REGION = "library/referral_detail.html#status"


def _cursor(request: HttpRequest) -> str | None:
    return request.GET.get("cursor") or None


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def referral_list(request: HttpRequest) -> HttpResponse:
    """The signed-in member's own referrals, newest first."""
    user = signed_in(request)
    page = referrals.member_page(user, cursor=_cursor(request), limit=parse_limit(None, PAGE_SIZE))
    ctx = {"page": page, "can_refer": referrals.can_refer(user)}
    return render(request, "library/referral_list.html", ctx)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def referral_dashboard(request: HttpRequest) -> HttpResponse:
    """Open referrals the facilitator made in the circles they lead (staff: all), overdue first."""
    user = signed_in(request)
    if not referrals.can_refer(user):
        raise NotAllowed("The follow-up dashboard is for facilitators.")
    page = referrals.dashboard_page(user, cursor=_cursor(request), limit=parse_limit(None, PAGE_SIZE))
    ctx = {"page": page, "is_staff": user.is_staff}
    return render(request, "library/referral_dashboard.html", ctx)


def _prefill(value: Any) -> str:
    """A member or resource id from the query string, kept only when it looks like one."""
    return value if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19 else ""


def _chosen_circle(circles: list[Circle], slug: Any) -> Circle | None:
    return next((c for c in circles if c.slug == slug), None)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def referral_new(request: HttpRequest) -> HttpResponse:
    """Refer a member to a resource. GET ?circle=&member=&resource= prefill; with several circles to
    choose from and none chosen, the first step asks which (a GET form, so it works without JavaScript)."""
    user = signed_in(request)
    if not referrals.can_refer(user):
        raise NotAllowed("Only facilitators and staff make referrals.")
    data = request.POST if request.method == "POST" else request.GET
    circles = list(referrals.referrable_circles(user))
    asked = data.get("circle")
    circle = _chosen_circle(circles, asked)
    if circle is None and not asked and len(circles) == 1:
        circle = circles[0]
    prefill = {"member": _prefill(data.get("member")), "resource": _prefill(data.get("resource"))}
    if circle is None:
        # Bound only when a circle was asked for, so its error shows; a first visit shows none.
        step = CircleStepForm({"circle": asked} if asked else None, circles=circles)
        step.is_valid()
        status = 422 if request.method == "POST" else 200
        ctx = {"step": step, "prefill": prefill, "circles": circles}
        return render(request, "library/referral_form.html", ctx, status=status)

    members = list(referrals.referrable_members(user, circle))
    resources = list(referrals.referrable_resources())
    if request.method != "POST":
        form = ReferralForm(initial=prefill, members=members, resources=resources)
        return render(request, "library/referral_form.html", _form_context(form, circle, circles, members, resources))
    form = ReferralForm(request.POST, members=members, resources=resources)
    try:
        referral = referrals.refer(
            referrer=user,
            circle=circle,
            member=request.POST.get("member"),
            resource=request.POST.get("resource"),
            note=request.POST.get("note"),
            follow_up_days=request.POST.get("follow_up_days"),
        )
    except (Invalid, Conflict) as error:
        form.is_valid()
        show_errors(form, error)
        ctx = _form_context(form, circle, circles, members, resources)
        return render(request, "library/referral_form.html", ctx, status=error.status)
    messages.success(
        request,
        f"Referral saved. {referral.member.display_name} can see it on their referrals page, "
        "and it is on your follow-up dashboard.",
    )
    return redirect(referral)


def _form_context(
    form: ReferralForm, circle: Circle, circles: list[Circle], members: list[Any], resources: list[Any]
) -> dict[str, Any]:
    return {
        "form": form,
        "circle": circle,
        "can_change_circle": len(circles) > 1,
        "has_members": bool(members),
        "has_resources": bool(resources),
    }


def _detail_context(request: HttpRequest, referral: Referral, *, error: str = "") -> dict[str, Any]:
    referral, history = referrals.detail(referral)
    return {
        "referral": referral,
        "history": history,
        "form": StatusForm(initial={"status": referral.status}),
        "statuses": Referral.STATUS_CHOICES,
        "is_member": referral.member_id == request.user.pk,
        "error": error,
    }


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def referral_detail(request: HttpRequest, referral_id: int) -> HttpResponse:
    """The referral with its private note and history; POST moves its status (htmx redraws the region)."""
    referral = referrals.get_referral_for(request.user, referral_id)
    if request.method != "POST":
        return render(request, "library/referral_detail.html", _detail_context(request, referral))
    before = referral.status
    try:
        referrals.change_status(actor=signed_in(request), referral=referral, status=request.POST.get("status"))
    except (Invalid, RateLimited) as refused:
        ctx = _detail_context(request, referral, error=refused.detail)
        template = STATUS_REGION if is_htmx(request) else "library/referral_detail.html"
        response = render(request, template, ctx, status=refused.status)
        if isinstance(refused, RateLimited):
            response["Retry-After"] = str(refused.retry_after)
        return response
    if referral.status == before:
        message = "The status was already " + referral.get_status_display().lower() + "."
    elif referral.is_open:
        message = f"Status saved: {referral.get_status_display().lower()}."
    else:
        message = f"Status saved: {referral.get_status_display().lower()}. The referral is closed."
    if is_htmx(request):
        ctx = _detail_context(request, referral)
        ctx["saved"] = message
        return render(request, STATUS_REGION, ctx)
    messages.success(request, message)
    return redirect(referral)
