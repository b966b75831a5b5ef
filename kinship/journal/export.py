"""The member's whole journal as plain JSON-ready data, for their own data export (issue 8).

Everything is here, the private notes included: it goes only to its owner. Other people appear
by nothing but a circle's name and slug (no one else's name or email).
"""

from datetime import date, datetime
from typing import Any

from django.db.models import Prefetch

from kinship.journal import problems
from kinship.journal.models import CheckIn, Goal, GoalUpdate, Milestone, ReminderMark, SummaryShare, SupportRequest


def _when(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _circle(circle: Any) -> dict[str, str]:
    return {"slug": circle.slug, "name": circle.name}


def _milestone(milestone: Milestone) -> dict[str, Any]:
    topic = milestone.shared_topic
    return {
        "id": milestone.pk,
        "kind": milestone.kind,
        "kind_label": milestone.get_kind_display(),
        "title": milestone.title,
        "happened_on": _when(milestone.happened_on),
        "note": milestone.note,
        "goal_id": milestone.goal_id,
        "shared": {"circle": _circle(topic.circle), "topic_id": topic.pk} if topic is not None else None,
        "created_at": _when(milestone.created_at),
        "updated_at": _when(milestone.updated_at),
    }


def _goal(goal: Goal) -> dict[str, Any]:
    return {
        "id": goal.pk,
        "title": goal.title,
        "target_date": _when(goal.target_date),
        "progress": goal.progress,
        "done_at": _when(goal.done_at),
        "created_at": _when(goal.created_at),
        "updated_at": _when(goal.updated_at),
        "updates": [
            {"progress": u.progress, "note": u.note, "created_at": _when(u.created_at)} for u in goal.updates.all()
        ],
    }


def _checkin(checkin: CheckIn) -> dict[str, Any]:
    codes = checkin.problems if isinstance(checkin.problems, list) else []
    return {
        "id": checkin.pk,
        "distress": checkin.distress,
        "pain": checkin.pain,
        "problems": [
            {
                "code": code,
                "label": problems.ITEM_LABELS.get(code, code),
                "group": problems.GROUP_LABELS.get(problems.ITEM_GROUP.get(code, ""), ""),
            }
            for code in codes
            if isinstance(code, str)
        ],
        "note": checkin.note,
        "created_at": _when(checkin.created_at),
    }


def export_for(user: Any) -> dict[str, Any]:
    """All of the member's journal: milestones, goals with updates, check-ins, shares and requests (7 queries)."""
    milestones = (
        Milestone.objects.filter(owner=user).select_related("shared_topic__circle").order_by("happened_on", "id")
    )
    goals = (
        Goal.objects.filter(owner=user)
        .prefetch_related(Prefetch("updates", queryset=GoalUpdate.objects.order_by("created_at", "id")))
        .order_by("created_at", "id")
    )
    checkins = CheckIn.objects.filter(owner=user).order_by("created_at", "id")
    shares = SummaryShare.objects.filter(owner=user).select_related("circle").order_by("created_at", "id")
    requests = SupportRequest.objects.filter(owner=user).select_related("circle").order_by("created_at", "id")
    reminder = ReminderMark.objects.filter(user=user).first()
    return {
        "milestones": [_milestone(m) for m in milestones],
        "goals": [_goal(g) for g in goals],
        "checkins": [_checkin(c) for c in checkins],
        "summary_shares": [{"circle": _circle(s.circle), "created_at": _when(s.created_at)} for s in shares],
        "support_requests": [
            {
                "circle": _circle(r.circle),
                "checkin_id": r.checkin_id,
                "created_at": _when(r.created_at),
                "acknowledged_at": _when(r.acknowledged_at),
            }
            for r in requests
        ],
        "checkin_reminder_last_sent_at": _when(reminder.sent_at) if reminder else None,
    }
