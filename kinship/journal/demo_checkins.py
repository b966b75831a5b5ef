"""Demo check-ins for `make run` (called by seed_demo): a few months of weekly check-ins for two members,
summaries shared with their circles' facilitators and one request for support waiting for an answer.

Rows are written directly, not through journal.checkins: the demo needs check-ins dated weeks ago, and
loading it must not email anybody.
"""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from kinship.circles.models import Membership
from kinship.journal.models import CheckIn, SummaryShare, SupportRequest

# member key, circle slug, weekly (distress, pain, problems) oldest first, ask for support with the last one
DEMO: list[tuple[str, str, list[tuple[int, int, list[str]]], bool]] = [
    (
        "maya",
        "osteosarcoma-young-adults",
        [
            (8, 7, ["pain", "sleep", "worry"]),
            (7, 7, ["pain", "sleep", "fears"]),
            (7, 6, ["pain", "getting_around", "worry"]),
            (6, 6, ["getting_around", "work_school"]),
            (6, 5, ["getting_around", "fatigue"]),
            (5, 5, ["fatigue", "work_school"]),
            (4, 4, ["work_school"]),
            (4, 4, ["body_image"]),
            (3, 3, []),
            (3, 3, ["fatigue"]),
            (2, 3, []),
            (6, 4, ["worry", "fears", "sleep"]),
        ],
        True,
    ),
    (
        "daniel",
        "limb-salvage",
        [
            (6, 6, ["pain", "sleep"]),
            (5, 6, ["pain", "sleep", "money"]),
            (5, 5, ["pain", "money"]),
            (4, 5, ["pain"]),
            (4, 4, ["sleep"]),
            (3, 4, []),
        ],
        False,
    ),
]
NOTES = {
    "maya": "Scan on Thursday. Can't stop thinking about it.",
    "daniel": "Slept through for the first time since the revision surgery.",
}


def seed(people: dict[str, Any], circles: dict[str, Any]) -> int:
    """Add example check-ins; returns how many were made. Does nothing when any check-in exists."""
    if CheckIn.objects.exists():
        return 0
    now = timezone.now()
    made = 0
    for key, slug, weeks, ask in DEMO:
        member, circle = people.get(key), circles.get(slug)
        if member is None or circle is None:
            continue
        if not Membership.objects.filter(circle=circle, user=member, status=Membership.ACTIVE).exists():
            continue
        latest = None
        # Newest first: the latest check-in (with a note) is now, each one before it a week earlier.
        for age, (distress, pain, problems) in enumerate(reversed(weeks)):
            checkin = CheckIn.objects.create(
                owner=member,
                distress=distress,
                pain=pain,
                problems=sorted(problems),
                note="" if age else NOTES.get(key, ""),
            )
            if age:
                # Stamped after create: created_at is set by auto_now_add.
                CheckIn.objects.filter(pk=checkin.pk).update(created_at=now - timedelta(weeks=age, hours=age))
            else:
                latest = checkin
            made += 1
        SummaryShare.objects.get_or_create(owner=member, circle=circle)
        if ask and latest is not None and latest.offers_help:
            SupportRequest.objects.get_or_create(owner=member, circle=circle, checkin=latest)
    return made
