"""Helpers for journal home, progress and export tests: check-ins at chosen times, milestones, goals."""

from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from kinship.accounts.models import User
from kinship.journal.models import CheckIn, Goal, Milestone


def make_checkin(owner: User, *, when: datetime | None = None, **fields: Any) -> CheckIn:
    """A check-in; `when` overrides created_at, which the model otherwise sets to now."""
    fields.setdefault("distress", 3)
    fields.setdefault("pain", 2)
    checkin = CheckIn.objects.create(owner=owner, **fields)
    if when is not None:
        CheckIn.objects.filter(pk=checkin.pk).update(created_at=when)
        checkin.created_at = when
    return checkin


def make_weekly_checkins(owner: User, *, weeks: int, note: str = "") -> list[CheckIn]:
    """One check-in a week, the latest an hour ago, scores moving so the chart has a shape."""
    now = timezone.now() - timedelta(hours=1)
    return [
        make_checkin(owner, when=now - timedelta(weeks=w), distress=w % 11, pain=(w * 3) % 11, note=note)
        for w in range(weeks)
    ]


def make_milestone(owner: User, *, happened_on: date | None = None, **fields: Any) -> Milestone:
    fields.setdefault("title", "First steps with a prosthesis")
    fields.setdefault("kind", "prosthesis_steps")
    return Milestone.objects.create(owner=owner, happened_on=happened_on or timezone.localdate(), **fields)


def make_goal(owner: User, **fields: Any) -> Goal:
    fields.setdefault("title", "Walk 1 km without crutches")
    return Goal.objects.create(owner=owner, **fields)
