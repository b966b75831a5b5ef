"""Moderation pages: reporting a post or a member, the circle and site queues, and deciding.

Whoever may not know a thing exists gets a 404 (a post they cannot read, a report of another circle);
a member who sees a circle but does not lead it gets a 403 on its queue. The rules live in
safety.access; the writes in safety.reports and safety.moderation, shared with the API.
"""

from typing import Any

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from kinship.accounts.auth import signed_in
from kinship.circles.models import Circle
from kinship.core.errors import Conflict, Invalid, NotAllowed
from kinship.core.forms import show_errors
from kinship.discussions import access as post_access
from kinship.discussions.models import Post
from kinship.safety import access, audit, crisis_alerts, moderation, reports
from kinship.safety.forms_moderation import ActionForm, ReportForm
from kinship.safety.models import ModerationAction, Report

A = ModerationAction
THANKS = "Thank you. The moderators will look at it; you will hear the outcome in your notices."


# Reporting -------------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def post_report(request: HttpRequest, post_id: int) -> HttpResponse:
    """Report a post of someone else's to the circle's facilitators."""
    user = signed_in(request)
    post = post_access.get_post_for(user, post_id)
    if post.author_id == user.pk:
        raise Http404("You can report other people's posts.")
    ctx: dict[str, Any] = {"post": post, "topic": post.topic}
    if request.method != "POST":
        return render(request, "safety/post_report.html", {**ctx, "form": ReportForm()})
    form = ReportForm(request.POST)
    form.is_valid()
    try:
        reports.report_post(
            reporter=user, post=post, reason=request.POST.get("reason"), detail=request.POST.get("detail")
        )
    except (Invalid, Conflict) as error:
        show_errors(form, error)
        return render(request, "safety/post_report.html", {**ctx, "form": form}, status=error.status)
    flash.success(request, THANKS)
    return redirect(post)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def person_report(request: HttpRequest, user_id: int) -> HttpResponse:
    """Report a member's behaviour to staff."""
    user = signed_in(request)
    person = reports.get_reportable_person(user, user_id)
    ctx: dict[str, Any] = {"person": person}
    if request.method != "POST":
        return render(request, "safety/person_report.html", {**ctx, "form": ReportForm()})
    form = ReportForm(request.POST)
    form.is_valid()
    try:
        reports.report_user(
            reporter=user, person=person, reason=request.POST.get("reason"), detail=request.POST.get("detail")
        )
    except (Invalid, Conflict) as error:
        show_errors(form, error)
        return render(request, "safety/person_report.html", {**ctx, "form": form}, status=error.status)
    flash.success(request, THANKS)
    return redirect("accounts:profile", user_id=person.pk)


# Queues ----------------------------------------------------------------------------------------


@never_cache
@login_required
def circle_queue(request: HttpRequest, slug: str) -> HttpResponse:
    """A circle's queue for its facilitators (and staff): open post reports, waiting posts, crisis alerts."""
    user = signed_in(request)
    circle = access.get_moderated_circle_for(user, slug)
    if user.is_staff and circle.visibility != Circle.PUBLIC:
        audit.record(actor=user, action="moderation_queue.view", target=circle, detail="Opened the circle's queue.")
    queue = moderation.circle_queue(user, circle)
    ctx = {
        "circle": circle,
        "queue": queue,
        "crisis_alerts": crisis_alerts.circle_alerts(user, circle),
        "actions": moderation.recent_actions(user, circle=circle),
    }
    return render(request, "safety/circle_queue.html", ctx)


@never_cache
@login_required
def site_queue(request: HttpRequest) -> HttpResponse:
    """Staff: every open report, waiting posts everywhere, and open message reports. No post text here:
    opening a report shows it, and that look is audited."""
    user = signed_in(request)
    queue = moderation.site_queue(user)
    return render(
        request, "safety/site_queue.html", {"queue": queue, "actions": moderation.recent_actions(user, circle=None)}
    )


# Deciding --------------------------------------------------------------------------------------


def _report_actions(user: Any, report: Report, target: moderation.Target) -> list[str]:
    if report.status != Report.OPEN:
        return []
    if report.target_type == Report.USER:
        return [A.WARN, A.SUSPEND, A.DISMISS]
    found: list[str] = []
    if target.post is not None:
        found += [A.APPROVE, A.REJECT] if target.post.awaiting_approval else []
        found += [A.RESTORE] if target.post.hidden and not target.post.awaiting_approval else [A.HIDE]
        found += [A.EDIT_OUT]
    if target.person is not None:
        found += [A.WARN, A.MUTE, A.REMOVE]
        found += [A.SUSPEND] if access.is_site_moderator(user) else []
    return [*found, A.DISMISS]


def _post_actions(user: Any, post: Post) -> list[str]:
    found = [A.APPROVE, A.REJECT] if post.awaiting_approval else []
    found += [A.RESTORE] if post.hidden and not post.awaiting_approval else [A.HIDE]
    found += [A.EDIT_OUT, A.WARN, A.MUTE, A.REMOVE]
    return found + ([A.SUSPEND] if access.is_site_moderator(user) else [])


def _decide(
    request: HttpRequest,
    *,
    target: moderation.Target,
    actions: list[str],
    template: str,
    ctx: dict[str, Any],
    back: str,
) -> HttpResponse:
    """Show the decision form; on POST take the action and go back to the queue."""
    body = target.post.body if target.post is not None else ""
    form = ActionForm(request.POST if request.method == "POST" else None, actions=actions, body=body)
    ctx = {**ctx, "form": form, "target": target}
    if request.method != "POST":
        return render(request, template, ctx)
    form.is_valid()
    chosen = request.POST.get("action")
    if chosen not in actions:
        form.add_error("action", "Choose one of the decisions listed.")
        return render(request, template, ctx, status=422)
    try:
        moderation.act(
            moderator=signed_in(request),
            target=target,
            action=chosen,
            note=request.POST.get("note", ""),
            days=request.POST.get("days"),
            body=request.POST.get("body"),
        )
    except Invalid as error:
        show_errors(form, error)
        return render(request, template, ctx, status=422)
    flash.success(request, f"Done: {dict(A.ACTION_CHOICES)[chosen].lower()}.")
    return redirect(back)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report_decide(request: HttpRequest, report_id: int) -> HttpResponse:
    """One report with what it is about, and the decisions that fit it."""
    user = signed_in(request)
    target = moderation.find_target(user, report_id=report_id)
    report = target.report
    if report is None:
        raise Http404("No such report.")
    circle = report.circle
    if request.method != "POST" and user.is_staff and circle is not None and circle.visibility != Circle.PUBLIC:
        audit.record(
            actor=user, action="report.view", target=report, detail="Read a reported post of a private circle."
        )
    if report.circle is not None and access.can_moderate_circle(user, report.circle) and not user.is_staff:
        back = reverse("safety:circle-queue", args=[report.circle.slug])
    else:
        back = reverse("safety:site-queue")
    actions = _report_actions(user, report, target)
    return _decide(
        request, target=target, actions=actions, template="safety/report_decide.html", ctx={"report": report}, back=back
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def post_moderate(request: HttpRequest, post_id: int) -> HttpResponse:
    """Decide about one post (and its author in the circle) without a report: hide, edit out, approve…"""
    user = signed_in(request)
    target = moderation.find_target(user, target_type=Report.POST, target_id=post_id)
    post = moderation.need_post(target)
    if not access.can_moderate_circle(user, post.topic.circle):
        raise NotAllowed("Only the circle's facilitators can moderate its posts.")
    back = reverse("safety:circle-queue", args=[post.topic.circle.slug])
    ctx = {"post": post, "topic": post.topic}
    return _decide(
        request,
        target=target,
        actions=_post_actions(user, post),
        template="safety/post_moderate.html",
        ctx=ctx,
        back=back,
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def person_moderate(request: HttpRequest, user_id: int) -> HttpResponse:
    """Staff: warn, suspend or lift a suspension of a member, site-wide."""
    user = signed_in(request)
    if not access.is_site_moderator(user):
        raise Http404("No such page.")
    target = moderation.find_target(user, target_type=Report.USER, target_id=user_id)
    person = moderation.need_person(target)
    actions = [A.WARN, A.UNSUSPEND if person.suspended_until else A.SUSPEND]
    return _decide(
        request,
        target=target,
        actions=actions,
        template="safety/person_moderate.html",
        ctx={"person": person},
        back=reverse("safety:site-queue"),
    )
