"""API: the recovery journal's milestones and goals (/journal/milestones, /journal/goals).

Everything here is the caller's own: someone else's milestone or goal answers 404, exactly like one
that does not exist, and lists hold only the caller's rows. The rules live in kinship.journal
(milestones.py, goals.py), shared with the pages.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from kinship.api.idempotency import idempotent
from kinship.api.journal_milestone_schemas import (
    GoalDoneIn,
    GoalDoneOut,
    GoalIn,
    GoalOut,
    GoalPageOut,
    GoalPatch,
    GoalUpdateIn,
    MilestoneIn,
    MilestoneOut,
    MilestonePageOut,
    MilestonePatch,
    ShareIn,
)
from kinship.api.security import bearer
from kinship.core.pagination import parse_limit
from kinship.journal import access, goals, milestones
from kinship.journal.models import Goal, Milestone

router = Router(tags=["journal"], auth=bearer)


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _milestone_out(milestone: Milestone) -> dict[str, Any]:
    topic = milestones.shared_in(milestone)
    shared = None
    if topic is not None:
        shared = {
            "circle": {"slug": topic.circle.slug, "name": topic.circle.name},
            "topic_url": topic.get_absolute_url(),
            "topic_id": topic.pk,
        }
    return {
        "id": milestone.pk,
        "url": milestone.get_absolute_url(),
        "kind": milestone.kind,
        "kind_label": milestones.KIND_LABELS.get(milestone.kind, ""),
        "title": milestone.title,
        "happened_on": milestone.happened_on,
        "note": milestone.note,
        "shared": shared,
        "goal_id": milestone.goal_id,
        "created_at": milestone.created_at,
        "updated_at": milestone.updated_at,
    }


def _one_milestone(user: Any, milestone_id: int) -> dict[str, Any]:
    return _milestone_out(milestones.owned(user).get(pk=milestone_id))


def _goal_out(goal: Goal, updates: list[Any] | None = None) -> dict[str, Any]:
    milestone = goals.milestone_of(goal)
    out: dict[str, Any] = {
        "id": goal.pk,
        "url": goal.get_absolute_url(),
        "title": goal.title,
        "target_date": goal.target_date,
        "progress": goal.progress,
        "done_at": goal.done_at,
        "milestone_id": milestone.pk if milestone else None,
        "created_at": goal.created_at,
        "updated_at": goal.updated_at,
    }
    if updates is not None:
        out["updates"] = [
            {"id": u.pk, "progress": u.progress, "note": u.note, "created_at": u.created_at} for u in updates
        ]
    return out


def _one_goal(goal: Goal) -> dict[str, Any]:
    shown, updates = goals.detail(goal)
    return _goal_out(shown, updates)


# Milestones ---------------------------------------------------------------------------------


@router.get("/journal/milestones", response=MilestonePageOut)
def milestone_list(request: HttpRequest, cursor: str | None = None, limit: str | None = None) -> dict[str, Any]:
    """The caller's own milestones, newest happened_on first."""
    page = milestones.page_for(_user(request), cursor=cursor, limit=parse_limit(limit))
    return {"items": [_milestone_out(m) for m in page.items], "next": page.next}


@router.post("/journal/milestones", response={201: MilestoneOut})
def milestone_create(request: HttpRequest, payload: MilestoneIn) -> Status[Any]:
    """Record a milestone (private). 422 naming each bad field. Honours Idempotency-Key."""
    user = _user(request)

    def create() -> Status[Any]:
        milestone = milestones.add_milestone(owner=user, **payload.model_dump())
        return Status(201, _one_milestone(user, milestone.pk))

    return idempotent(request, create)


@router.get("/journal/milestones/{milestone_id}", response=MilestoneOut)
def milestone_detail(request: HttpRequest, milestone_id: int) -> dict[str, Any]:
    """One of the caller's milestones, with its private note; 404 for anyone else's."""
    user = _user(request)
    return _one_milestone(user, access.get_milestone_for(user, milestone_id).pk)


@router.patch("/journal/milestones/{milestone_id}", response=MilestoneOut)
def milestone_update(request: HttpRequest, milestone_id: int, payload: MilestonePatch) -> dict[str, Any]:
    """Change kind, title, happened_on or note; a shared milestone's celebration follows title and date."""
    user = _user(request)
    milestone = access.get_milestone_for(user, milestone_id)
    milestones.edit_milestone(owner=user, milestone=milestone, changes=payload.model_dump(exclude_unset=True))
    return _one_milestone(user, milestone.pk)


@router.delete("/journal/milestones/{milestone_id}", response={204: None})
def milestone_delete(request: HttpRequest, milestone_id: int) -> Status[None]:
    """Delete the milestone; its celebration topic, if shared, is deleted too."""
    user = _user(request)
    milestones.delete_milestone(owner=user, milestone=access.get_milestone_for(user, milestone_id))
    return Status(204, None)


@router.put("/journal/milestones/{milestone_id}/share", response=MilestoneOut)
def milestone_share(request: HttpRequest, milestone_id: int, payload: ShareIn) -> dict[str, Any]:
    """Share to one of the caller's circles as a celebration topic (title "Celebrating: ...", body the date
    and the message; never the note). Shared elsewhere already: moved (the old topic is deleted); same
    circle: the message is updated. 403 unverified; 422 for a circle the caller may not post in; 429 past
    20 new celebrations an hour."""
    user = _user(request)
    milestone = access.get_milestone_for(user, milestone_id)
    milestones.share_milestone(owner=user, milestone=milestone, circle=payload.circle, message=payload.message)
    return _one_milestone(user, milestone.pk)


@router.delete("/journal/milestones/{milestone_id}/share", response=MilestoneOut)
def milestone_unshare(request: HttpRequest, milestone_id: int) -> dict[str, Any]:
    """Stop sharing: the celebration topic, its replies and reactions are deleted. Not shared: no change."""
    user = _user(request)
    milestone = access.get_milestone_for(user, milestone_id)
    milestones.unshare_milestone(owner=user, milestone=milestone)
    return _one_milestone(user, milestone.pk)


# Goals --------------------------------------------------------------------------------------


@router.get("/journal/goals", response=GoalPageOut, exclude_unset=True)
def goal_list(
    request: HttpRequest, status: str | None = None, cursor: str | None = None, limit: str | None = None
) -> dict[str, Any]:
    """The caller's own goals, newest first; `status=open` or `status=done` for one kind only."""
    page = goals.page_for(_user(request), goals.status(status), cursor=cursor, limit=parse_limit(limit))
    return {"items": [_goal_out(g) for g in page.items], "next": page.next}


@router.post("/journal/goals", response={201: GoalOut}, exclude_unset=True)
def goal_create(request: HttpRequest, payload: GoalIn) -> Status[Any]:
    """Set a goal (private). 422 naming each bad field. Honours Idempotency-Key."""
    user = _user(request)

    def create() -> Status[Any]:
        goal = goals.add_goal(owner=user, title=payload.title, target_date=payload.target_date)
        return Status(201, _one_goal(goal))

    return idempotent(request, create)


@router.get("/journal/goals/{goal_id}", response=GoalOut, exclude_unset=True)
def goal_detail(request: HttpRequest, goal_id: int) -> dict[str, Any]:
    """One of the caller's goals with its latest updates; 404 for anyone else's."""
    return _one_goal(access.get_goal_for(_user(request), goal_id))


@router.patch("/journal/goals/{goal_id}", response=GoalOut, exclude_unset=True)
def goal_update(request: HttpRequest, goal_id: int, payload: GoalPatch) -> dict[str, Any]:
    """Change the title or the target date (null or "" clears it)."""
    user = _user(request)
    goal = access.get_goal_for(user, goal_id)
    goals.edit_goal(owner=user, goal=goal, changes=payload.model_dump(exclude_unset=True))
    return _one_goal(goal)


@router.delete("/journal/goals/{goal_id}", response={204: None})
def goal_delete(request: HttpRequest, goal_id: int) -> Status[None]:
    """Delete the goal and its updates; a goal_reached milestone stays in the journal."""
    user = _user(request)
    goals.delete_goal(owner=user, goal=access.get_goal_for(user, goal_id))
    return Status(204, None)


@router.post("/journal/goals/{goal_id}/updates", response={201: GoalOut}, exclude_unset=True)
def goal_progress(request: HttpRequest, goal_id: int, payload: GoalUpdateIn) -> Status[Any]:
    """Record progress 0-100 with an optional private note → the goal with its updates. 409 once done;
    429 past 60 an hour. Honours Idempotency-Key."""
    user = _user(request)
    goal = access.get_goal_for(user, goal_id)

    def create() -> Status[Any]:
        goals.record_progress(owner=user, goal=goal, progress=payload.progress, note=payload.note)
        return Status(201, _one_goal(goal))

    return idempotent(request, create)


@router.post("/journal/goals/{goal_id}/done", response=GoalDoneOut, exclude_unset=True)
def goal_done(request: HttpRequest, goal_id: int, payload: GoalDoneIn | None = None) -> dict[str, Any]:
    """Mark the goal done and record a goal_reached milestone on `happened_on` (today when left out; send
    `{}` for today) → the goal with that milestone. A goal already done is returned as it is."""
    user = _user(request)
    goal = access.get_goal_for(user, goal_id)
    goals.mark_done(owner=user, goal=goal, happened_on=payload.happened_on if payload else None)
    out = _one_goal(goal)
    milestone = Milestone.objects.filter(goal=goal).select_related("shared_topic__circle").first()
    out["milestone"] = _milestone_out(milestone) if milestone else None
    return out
