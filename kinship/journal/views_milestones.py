"""Milestone and goal pages: the lists with their add forms, a milestone (edit, share, unshare, delete) and a
goal (edit, progress, done, delete).

Everything here is the signed-in member's own (journal.access: anyone else gets 404), so no page is cached.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from kinship.accounts.auth import signed_in
from kinship.core.errors import Conflict, Invalid, RateLimited
from kinship.core.forms import show_errors
from kinship.core.pagination import parse_limit
from kinship.journal import access, goals, milestones
from kinship.journal.forms_milestones import GoalDoneForm, GoalForm, GoalUpdateForm, MilestoneForm, ShareForm
from kinship.journal.models import Goal, Milestone

PAGE_SIZE = 20
MILESTONE_FIELDS = ["kind", "title", "happened_on", "note"]
GOAL_FIELDS = ["title", "target_date"]


def _fields(request: HttpRequest, names: list[str]) -> dict[str, Any]:
    return {name: request.POST.get(name, "") for name in names}


def _refused(response: HttpResponse, error: Exception) -> HttpResponse:
    if isinstance(error, RateLimited):
        response["Retry-After"] = str(error.retry_after)
    return response


# Milestones ---------------------------------------------------------------------------------


def _milestone_list(request: HttpRequest, form: MilestoneForm, status: int = 200) -> HttpResponse:
    user = signed_in(request)
    page = milestones.page_for(user, cursor=request.GET.get("cursor") or None, limit=parse_limit(None, PAGE_SIZE))
    return render(request, "journal/milestone_list.html", {"page": page, "form": form}, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def milestone_list(request: HttpRequest) -> HttpResponse:
    """The member's milestones, newest first, and the form to add one."""
    user = signed_in(request)
    if request.method != "POST":
        return _milestone_list(
            request, MilestoneForm(initial={"kind": Milestone.OWN, "happened_on": milestones.today().isoformat()})
        )
    form = MilestoneForm(request.POST)
    try:
        milestone = milestones.add_milestone(owner=user, **_fields(request, MILESTONE_FIELDS))
    except Invalid as error:
        form.is_valid()
        show_errors(form, error)
        return _milestone_list(request, form, status=error.status)
    messages.success(request, "Milestone saved. You can share it with a circle to celebrate together.")
    return redirect(milestone)


def _milestone_context(
    user: Any,
    milestone: Milestone,
    *,
    form: MilestoneForm | None = None,
    share_form: ShareForm | None = None,
) -> dict[str, Any]:
    shown = milestones.owned(user).get(pk=milestone.pk)
    circles = milestones.shareable_circles(user)
    topic = milestones.shared_in(shown)
    goal_reached = shown.kind == milestones.GOAL_REACHED
    if form is None:
        initial = {f: getattr(shown, f) for f in MILESTONE_FIELDS}
        initial["happened_on"] = shown.happened_on.isoformat()
        form = MilestoneForm(initial=initial, goal_reached=goal_reached)
    if share_form is None:
        share_form = ShareForm(initial={"circle": topic.circle.slug if topic else ""}, circles=circles)
    return {
        "milestone": shown,
        "kind_label": milestones.KIND_LABELS.get(shown.kind, ""),
        "topic": topic,
        "form": form,
        "share_form": share_form,
        "can_share": bool(circles),
        "is_verified": user.is_verified,
    }


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def milestone_detail(request: HttpRequest, milestone_id: int) -> HttpResponse:
    """One milestone with its private note; POST edits it. 404 unless it is the member's own."""
    user = signed_in(request)
    milestone = access.get_milestone_for(user, milestone_id)
    if request.method != "POST":
        return render(request, "journal/milestone_detail.html", _milestone_context(user, milestone))
    goal_reached = milestone.kind == milestones.GOAL_REACHED
    form = MilestoneForm(request.POST, goal_reached=goal_reached)
    names = [n for n in MILESTONE_FIELDS if n != "kind" or not goal_reached]
    try:
        milestones.edit_milestone(owner=user, milestone=milestone, changes=_fields(request, names))
    except Invalid as error:
        form.is_valid()
        show_errors(form, error)
        ctx = _milestone_context(user, milestone, form=form)
        return render(request, "journal/milestone_detail.html", ctx, status=error.status)
    messages.success(request, "Milestone saved.")
    return redirect(milestone)


@never_cache
@login_required
@require_POST
def milestone_delete(request: HttpRequest, milestone_id: int) -> HttpResponse:
    """Delete the milestone (its celebration too, if shared)."""
    user = signed_in(request)
    milestone = access.get_milestone_for(user, milestone_id)
    milestones.delete_milestone(owner=user, milestone=milestone)
    messages.success(request, "Milestone deleted.")
    return redirect("journal:milestones")


@never_cache
@login_required
@require_POST
def milestone_share(request: HttpRequest, milestone_id: int) -> HttpResponse:
    """Share to one of the member's circles as a celebration (moving it when shared elsewhere)."""
    user = signed_in(request)
    milestone = access.get_milestone_for(user, milestone_id)
    circles = milestones.shareable_circles(user)
    share_form = ShareForm(request.POST, circles=circles)
    try:
        milestones.share_milestone(
            owner=user,
            milestone=milestone,
            circle=request.POST.get("circle", ""),
            message=request.POST.get("message", ""),
        )
    except (Invalid, RateLimited) as error:
        share_form.is_valid()
        show_errors(share_form, error)
        ctx = _milestone_context(user, milestone, share_form=share_form)
        response = render(request, "journal/milestone_detail.html", ctx, status=error.status)
        return _refused(response, error)
    topic = milestone.shared_topic
    assert topic is not None
    messages.success(request, f"Shared with {topic.circle.name}. Members can celebrate it with you there.")
    return redirect(milestone)


@never_cache
@login_required
@require_POST
def milestone_unshare(request: HttpRequest, milestone_id: int) -> HttpResponse:
    """Take the celebration down (its replies and reactions go with it)."""
    user = signed_in(request)
    milestone = access.get_milestone_for(user, milestone_id)
    milestones.unshare_milestone(owner=user, milestone=milestone)
    messages.success(request, "No longer shared. The milestone stays in your journal.")
    return redirect(milestone)


# Goals --------------------------------------------------------------------------------------


def _goal_list(request: HttpRequest, form: GoalForm, status: int = 200) -> HttpResponse:
    user = signed_in(request)
    limit = parse_limit(None, PAGE_SIZE)
    ctx = {
        "open_page": goals.page_for(user, goals.OPEN, cursor=request.GET.get("open") or None, limit=limit),
        "done_page": goals.page_for(user, goals.DONE, cursor=request.GET.get("done") or None, limit=limit),
        "form": form,
    }
    return render(request, "journal/goal_list.html", ctx, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def goal_list(request: HttpRequest) -> HttpResponse:
    """The member's open goals and reached goals, newest first, and the form to set one."""
    user = signed_in(request)
    if request.method != "POST":
        return _goal_list(request, GoalForm())
    form = GoalForm(request.POST)
    try:
        goal = goals.add_goal(owner=user, **_fields(request, GOAL_FIELDS))
    except Invalid as error:
        form.is_valid()
        show_errors(form, error)
        return _goal_list(request, form, status=error.status)
    messages.success(request, "Goal set. Add progress as you go.")
    return redirect(goal)


def _goal_context(
    goal: Goal,
    *,
    form: GoalForm | None = None,
    update_form: GoalUpdateForm | None = None,
    done_form: GoalDoneForm | None = None,
) -> dict[str, Any]:
    shown, updates = goals.detail(goal)
    if form is None:
        target = shown.target_date.isoformat() if shown.target_date else ""
        form = GoalForm(initial={"title": shown.title, "target_date": target})
    return {
        "goal": shown,
        "milestone": goals.milestone_of(shown),
        "updates": updates,
        "form": form,
        "update_form": update_form or GoalUpdateForm(initial={"progress": shown.progress}),
        "done_form": done_form or GoalDoneForm(initial={"happened_on": milestones.today().isoformat()}),
    }


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def goal_detail(request: HttpRequest, goal_id: int) -> HttpResponse:
    """One goal with its updates; POST edits its title and target date. 404 unless it is the member's own."""
    user = signed_in(request)
    goal = access.get_goal_for(user, goal_id)
    if request.method != "POST":
        return render(request, "journal/goal_detail.html", _goal_context(goal))
    form = GoalForm(request.POST)
    try:
        goals.edit_goal(owner=user, goal=goal, changes=_fields(request, GOAL_FIELDS))
    except Invalid as error:
        form.is_valid()
        show_errors(form, error)
        return render(request, "journal/goal_detail.html", _goal_context(goal, form=form), status=error.status)
    messages.success(request, "Goal saved.")
    return redirect(goal)


@never_cache
@login_required
@require_POST
def goal_update(request: HttpRequest, goal_id: int) -> HttpResponse:
    """Record progress (0-100) with an optional private note."""
    user = signed_in(request)
    goal = access.get_goal_for(user, goal_id)
    form = GoalUpdateForm(request.POST)
    try:
        goals.record_progress(
            owner=user, goal=goal, progress=request.POST.get("progress", ""), note=request.POST.get("note", "")
        )
    except (Invalid, Conflict, RateLimited) as error:
        form.is_valid()
        show_errors(form, error)
        ctx = _goal_context(goal, update_form=form)
        return _refused(render(request, "journal/goal_detail.html", ctx, status=error.status), error)
    messages.success(request, f"Progress saved: {goal.progress}%.")
    return redirect(goal)


@never_cache
@login_required
@require_POST
def goal_done(request: HttpRequest, goal_id: int) -> HttpResponse:
    """Mark the goal done; a "goal reached" milestone joins the journal."""
    user = signed_in(request)
    goal = access.get_goal_for(user, goal_id)
    form = GoalDoneForm(request.POST)
    try:
        goals.mark_done(owner=user, goal=goal, happened_on=request.POST.get("happened_on", ""))
    except Invalid as error:
        form.is_valid()
        show_errors(form, error)
        ctx = _goal_context(goal, done_form=form)
        return render(request, "journal/goal_detail.html", ctx, status=error.status)
    messages.success(request, "Goal reached! It is in your milestones now; you can share it with a circle from there.")
    return redirect(goal)


@never_cache
@login_required
@require_POST
def goal_delete(request: HttpRequest, goal_id: int) -> HttpResponse:
    """Delete the goal and its updates (a "goal reached" milestone stays)."""
    user = signed_in(request)
    goal = access.get_goal_for(user, goal_id)
    goals.delete_goal(owner=user, goal=goal)
    messages.success(request, "Goal deleted.")
    return redirect("journal:goals")
