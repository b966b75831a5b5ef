"""Goals of the recovery journal: something to work towards, progress updates, and done as a milestone.

A goal is its owner's alone (journal.access), like its updates. Marking it done records a
"goal reached" milestone in the journal, which the member may then share like any other.
"""

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from kinship.accounts.models import User
from kinship.core import ratelimit
from kinship.core.errors import Conflict, Invalid
from kinship.core.pagination import Page, paginate
from kinship.journal import milestones
from kinship.journal.models import Goal, GoalUpdate, Milestone

ORDER = ["-created_at", "-id"]
# The goal page lists this many updates, newest first; older ones are in the export.
UPDATES_SHOWN = 50
TARGET_YEARS_AHEAD = 20
# Progress is a few taps a week; this stops a script, not a member.
UPDATES_PER_HOUR = 60
OPEN = "open"
DONE = "done"
STATUSES = (OPEN, DONE)


def _own(owner: Any, goal: Goal) -> None:
    if not getattr(owner, "is_authenticated", False) or goal.owner_id != owner.pk:
        raise Http404("No such goal.")


def clean_target_date(value: Any) -> dt.date | None:
    """Optional; a past date is kept (a goal may run late), a far-future one is a typo."""
    found = milestones.parse_date(value, field="target_date", label="Target date")
    if found is None:
        return None
    today = timezone.localdate()
    if found < milestones.EARLIEST or found.year > today.year + TARGET_YEARS_AHEAD:
        message = f"Choose a target date before {today.year + TARGET_YEARS_AHEAD + 1}."
        raise Invalid(message, errors={"target_date": [message]})
    return found


def clean_progress(value: Any) -> int:
    """0 to 100, from a form (digits) or JSON (an integer)."""
    message = "Progress is a whole number from 0 to 100."
    number: Any = value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value.strip()) <= 3:
        number = int(value.strip())
    if isinstance(number, bool) or not isinstance(number, int) or not 0 <= number <= 100:
        raise Invalid(message, errors={"progress": [message]})
    return number


# Services -----------------------------------------------------------------------------------


@transaction.atomic
def add_goal(*, owner: User, title: Any, target_date: Any = None) -> Goal:
    """Set a goal ("walk 1 km without crutches") with an optional target date. Invalid names each bad field."""
    clean = milestones.collect(
        {"title": lambda: milestones.clean_title(title), "target_date": lambda: clean_target_date(target_date)}
    )
    return Goal.objects.create(owner=owner, **clean)


@transaction.atomic
def edit_goal(*, owner: User, goal: Goal, changes: dict[str, Any]) -> Goal:
    """Change the title or target date (null or blank clears it)."""
    _own(owner, goal)
    unknown = set(changes) - {"title", "target_date"}
    if unknown:
        raise Invalid("Unknown field.", errors={f: ["Cannot be changed."] for f in sorted(unknown)})
    checks: dict[str, Any] = {}
    if "title" in changes:
        checks["title"] = lambda: milestones.clean_title(changes["title"])
    if "target_date" in changes:
        checks["target_date"] = lambda: clean_target_date(changes["target_date"])
    clean = milestones.collect(checks)
    changed = [field for field, value in clean.items() if getattr(goal, field) != value]
    for field in changed:
        setattr(goal, field, clean[field])
    if changed:
        goal.save(update_fields=[*changed, "updated_at"])
    return goal


@transaction.atomic
def record_progress(*, owner: User, goal: Goal, progress: Any, note: Any = "") -> GoalUpdate:
    """Add a progress update (0-100 and an optional private note); the goal shows the latest figure.

    Raises Invalid for a bad figure or note, Conflict once the goal is done, RateLimited past 60 an hour."""
    _own(owner, goal)
    clean = milestones.collect(
        {"progress": lambda: clean_progress(progress), "note": lambda: milestones.clean_note(note)}
    )
    # Lock the goal: its figure must be the one of the update saved last.
    locked = Goal.objects.select_for_update().get(pk=goal.pk)
    if locked.is_done:
        raise Conflict("This goal is done; well done! Set a new goal to keep going.")
    ratelimit.check(
        "goal-update",
        str(owner.pk),
        limit=UPDATES_PER_HOUR,
        window=3600,
        message="You have saved many progress updates in an hour. Please wait a little.",
    )
    update = GoalUpdate.objects.create(goal=locked, **clean)
    locked.progress = clean["progress"]
    locked.save(update_fields=["progress", "updated_at"])
    goal.progress, goal.updated_at = locked.progress, locked.updated_at
    return update


@transaction.atomic
def mark_done(*, owner: User, goal: Goal, happened_on: Any = None) -> Goal:
    """Mark the goal done and record a "goal reached" milestone on that day (today when blank).

    A goal already done is returned as it is, so a double tap makes one milestone."""
    _own(owner, goal)
    day = milestones.clean_happened_on(happened_on)
    locked = Goal.objects.select_for_update().get(pk=goal.pk)
    if not locked.is_done:
        locked.done_at = timezone.now()
        locked.progress = 100
        locked.save(update_fields=["done_at", "progress", "updated_at"])
        Milestone.objects.create(
            owner=owner, kind=milestones.GOAL_REACHED, goal=locked, title=locked.title, happened_on=day
        )
    for field in ("done_at", "progress", "updated_at"):
        setattr(goal, field, getattr(locked, field))
    return goal


@transaction.atomic
def delete_goal(*, owner: User, goal: Goal) -> None:
    """Delete the goal and its updates; a "goal reached" milestone stays in the journal."""
    _own(owner, goal)
    Goal.objects.filter(pk=goal.pk).delete()


# Queries ------------------------------------------------------------------------------------


def status(value: Any) -> str | None:
    """?status=open|done; absent or empty is both."""
    if value in (None, ""):
        return None
    if value not in STATUSES:
        raise Invalid("status is open or done.", errors={"status": ["Choose open or done."]})
    return str(value)


def owned(user: Any, state: str | None = None) -> QuerySet[Goal]:
    """The user's own goals (open or done ones only when asked), with the id of their milestone."""
    goals = Goal.objects.filter(owner=user).select_related("milestone")
    if state == OPEN:
        goals = goals.filter(done_at__isnull=True)
    elif state == DONE:
        goals = goals.filter(done_at__isnull=False)
    return goals


def milestone_of(goal: Goal) -> Milestone | None:
    """The "goal reached" milestone (read with the goal by `owned`); None before it is done or once deleted."""
    try:
        return goal.milestone  # type: ignore[no-any-return]
    except Milestone.DoesNotExist:
        return None


def page_for(user: Any, state: str | None, *, cursor: str | None, limit: int) -> Page[Goal]:
    return paginate(owned(user, state), ORDER, cursor=cursor, limit=limit)


def detail(goal: Goal) -> tuple[Goal, list[GoalUpdate]]:
    """The goal with its milestone and its latest updates (two queries)."""
    found = owned(goal.owner_id).get(pk=goal.pk)
    return found, list(found.updates.order_by("-created_at", "-id")[:UPDATES_SHOWN])
