"""Check-in pages: the member's check-ins, recording one, the help offered at 4 or more and "let my
facilitator know", sharing a summary, and the facilitators' wellbeing page of a circle.

A check-in is its owner's alone (404 for anyone else); the wellbeing page is for the circle's active
facilitators only (404 for everyone else, staff included). Every page is private, so none is cached.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from kinship.accounts.auth import signed_in
from kinship.accounts.models import User
from kinship.circles import access as circle_access
from kinship.circles.models import Circle, Membership
from kinship.core.errors import Conflict, Invalid
from kinship.core.forms import show_errors
from kinship.core.pagination import parse_limit
from kinship.core.signals import offer_help
from kinship.journal import access, checkins, summaries, support
from kinship.journal import help as matched_help
from kinship.journal.forms_checkins import CheckInForm, SupportForm
from kinship.journal.models import CheckIn

PAGE_SIZE = 20


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def checkin_list(request: HttpRequest) -> HttpResponse:
    """The member's own check-ins, newest first."""
    user = signed_in(request)
    page = checkins.checkin_page(user, cursor=request.GET.get("cursor") or None, limit=parse_limit(None, PAGE_SIZE))
    return render(request, "journal/checkin_list.html", {"page": page})


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def checkin_new(request: HttpRequest) -> HttpResponse:
    """Record a check-in; the redirect lands on the check-in, where help shows at once for 4 or more."""
    user = signed_in(request)
    if request.method != "POST":
        form = CheckInForm(initial={"weekly_reminder": checkins.weekly_reminder_on(user)})
        return render(request, "journal/checkin_new.html", {"form": form})
    form = CheckInForm(request.POST)
    # The reminder box is sent only by this form; without its marker the choice stays as it is.
    reminder = request.POST.get("weekly_reminder", "") if "reminder_shown" in request.POST else None
    try:
        checkin = checkins.record_checkin(
            member=user,
            distress=request.POST.get("distress"),
            pain=request.POST.get("pain"),
            problems=request.POST.getlist("problems"),
            note=request.POST.get("note", ""),
            weekly_reminder=reminder,
        )
    except Invalid as error:
        form.is_valid()
        show_errors(form, error)
        return render(request, "journal/checkin_new.html", {"form": form}, status=error.status)
    messages.success(request, "Check-in saved. Only you can see it.")
    offer_help(request, request.POST.get("note", ""))
    return redirect(checkin)


def _detail_context(user: User, checkin: CheckIn, *, support_form: SupportForm | None = None) -> dict[str, Any]:
    offered = matched_help.help_for(checkin, user=user)
    if support_form is None and offered is not None:
        support_form = SupportForm(circles=offered.circles)
    return {
        "checkin": checkin,
        "groups": checkins.problem_groups(checkin.problems or []),
        "help": offered,
        "support_form": support_form,
        "asked": support.requests_for_checkin(checkin),
    }


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def checkin_detail(request: HttpRequest, checkin_id: int) -> HttpResponse:
    """One check-in; from distress 4 up, matched help and "let my facilitator know"."""
    user = signed_in(request)
    checkin = access.get_checkin_for(user, checkin_id)
    return render(request, "journal/checkin_detail.html", _detail_context(user, checkin))


@never_cache
@login_required
@require_POST
def checkin_delete(request: HttpRequest, checkin_id: int) -> HttpResponse:
    user = signed_in(request)
    checkin = access.get_checkin_for(user, checkin_id)
    checkins.delete_checkin(member=user, checkin=checkin)
    messages.success(request, "Check-in deleted.")
    return redirect("journal:checkins")


@never_cache
@login_required
@require_POST
def support_request(request: HttpRequest, checkin_id: int) -> HttpResponse:
    """Let the facilitators of one of the member's circles know; errors show on the check-in page."""
    user = signed_in(request)
    checkin = access.get_checkin_for(user, checkin_id)
    try:
        made = support.request_support(member=user, checkin=checkin, circle=request.POST.get("circle"))
    except (Invalid, Conflict) as error:
        circles = matched_help.support_circles(user)
        form = SupportForm(request.POST, circles=circles)
        form.is_valid()
        show_errors(form, error)
        ctx = _detail_context(user, checkin, support_form=form)
        ctx["support_error"] = error.detail
        return render(request, "journal/checkin_detail.html", ctx, status=error.status)
    messages.success(
        request,
        f"We told the facilitators of {made.circle.name}. They will see your name, when you asked "
        f"and this check-in's distress score, never your note or concerns.",
    )
    return redirect(checkin)


def _sharing_context(user: User) -> dict[str, Any]:
    circles = list(
        Circle.objects.filter(memberships__user=user, memberships__status=Membership.ACTIVE).order_by("name", "pk")
    )
    shares = summaries.own_shares(user)
    shared_ids = {s.circle_id for s in shares}
    return {
        "circles": [{"circle": c, "shared": c.pk in shared_ids} for c in circles],
        # Shared with a circle since left: still revocable here, though its facilitators no longer see it.
        "left": [s for s in shares if s.circle_id not in {c.pk for c in circles}],
        "summary": summaries.summary_of(user),
        "weekly": checkins.weekly_reminder_on(user),
        "facilitated": summaries.facilitated(user),
    }


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def sharing(request: HttpRequest) -> HttpResponse:
    """Share a summary with a circle's facilitators (POST circle=); POST action=reminder sets the weekly reminder."""
    user = signed_in(request)
    if request.method != "POST":
        return render(request, "journal/sharing.html", _sharing_context(user))
    try:
        if request.POST.get("action") == "reminder":
            weekly = checkins.clean_flag(request.POST.get("weekly", ""), field="weekly")
            checkins.set_weekly_reminder(member=user, weekly=weekly)
            done = "Weekly reminder on." if weekly else "Weekly reminder off."
        else:
            share = summaries.share_summary(member=user, circle=request.POST.get("circle"))
            done = f"The facilitators of {share.circle.name} can now see your summary."
    except Invalid as error:
        ctx = {**_sharing_context(user), "error": error.detail}
        return render(request, "journal/sharing.html", ctx, status=error.status)
    messages.success(request, done)
    return redirect("journal:sharing")


@never_cache
@login_required
@require_POST
def sharing_revoke(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    removed = summaries.revoke_summary(member=user, circle=request.POST.get("circle"))
    if removed:
        messages.success(request, "Stopped sharing: those facilitators no longer see your summary.")
    else:
        messages.info(request, "You were not sharing your summary with that circle.")
    return redirect("journal:sharing")


def _wellbeing_circle(user: Any, slug: str) -> Circle:
    circle = circle_access.get_circle_for(user, slug)
    if not access.can_see_shared_wellbeing(user, circle):
        raise Http404("No such page.")
    return circle


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def circle_wellbeing(request: HttpRequest, slug: str) -> HttpResponse:
    """Shared summaries and requests for support, for the circle's active facilitators only."""
    user = signed_in(request)
    circle = _wellbeing_circle(user, slug)
    ctx = {
        "circle": circle,
        "summaries": summaries.circle_summaries(user, circle),
        "requests": support.circle_requests(user, circle),
    }
    return render(request, "journal/wellbeing.html", ctx)


@never_cache
@login_required
@require_POST
def support_acknowledge(request: HttpRequest, request_id: int) -> HttpResponse:
    user = signed_in(request)
    found = support.get_request_for(user, request_id)
    support.acknowledge(facilitator=user, request=found)
    messages.success(request, f"Marked as taken up: {found.owner.display_name} asked on {found.created_at:%-d %B}.")
    return redirect(reverse("journal:circle-wellbeing", args=[found.circle.slug]))
