"""Demo data for the referrals area (called by seed_demo through library.demo, after the resources).

Rows are written directly, not through referrals.refer: the demo needs referrals made weeks ago (one
of them overdue for follow-up), and loading it must not email anybody.
"""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from kinship.circles.models import Membership
from kinship.library.models import Referral, ReferralUpdate, Resource

# (referrer, member, circle slug, resource kind, note, follow-up days, days ago, status changes: (status, by, days ago))
DEMO = [
    (
        "marcus",
        "maya",
        "osteosarcoma-young-adults",
        Resource.PHYSIOTHERAPY,
        "You mentioned the knee bend has stalled at 90 degrees. This team works with endoprosthesis patients; "
        "ask for the sarcoma physio slot and bring your surgeon's latest letter.",
        14,
        24,
        # Contacted 18 days ago with a 14-day follow-up: overdue, first on Marcus's dashboard.
        [("contacted", "maya", 18)],
    ),
    (
        "nadia",
        "karim",
        "caregivers-parents",
        Resource.FINANCIAL,
        "For the travel and parking costs you described. The form asks for the hospital appointment letters "
        "of the last three months.",
        21,
        10,
        [],
    ),
    (
        "ingrid",
        "daniel",
        "limb-salvage",
        Resource.COUNSELLING,
        "You said the nights are the hardest since the revision surgery. They offer free sessions by phone "
        "in the evening; no referral letter needed.",
        30,
        40,
        [("contacted", "daniel", 35), ("appointment", "daniel", 30), ("done", "ingrid", 5)],
    ),
    (
        "tom",
        "claire",
        "rotationplasty-families",
        Resource.PROSTHETICS,
        "For Ben's next fitting: they see children after rotationplasty and can adapt the foot piece to his "
        "growth spurt.",
        7,
        3,
        [],
    ),
]


def _resource(kind: str, used: set[int]) -> Resource | None:
    """An active resource of this kind (a different one for each referral when there are several)."""
    found = Resource.objects.filter(kind=kind, active=True).exclude(pk__in=used).order_by("name", "pk").first()
    return found or Resource.objects.filter(kind=kind, active=True).order_by("name", "pk").first()


def seed(people: dict[str, Any], circles: dict[str, Any]) -> int:
    """Add example referrals; returns how many were made. Must be safe to run on an empty database only."""
    if Referral.objects.exists() or not Resource.objects.filter(active=True).exists():
        return 0
    now = timezone.now()
    made = 0
    used: set[int] = set()
    for referrer_key, member_key, slug, kind, note, days, days_ago, changes in DEMO:
        referrer, member, circle = people.get(referrer_key), people.get(member_key), circles.get(slug)
        resource = _resource(kind, used)
        if referrer is None or member is None or circle is None or resource is None:
            continue
        active = Membership.objects.filter(circle=circle, user=member, status=Membership.ACTIVE).exists()
        if not active:
            continue
        used.add(resource.pk)
        created = now - timedelta(days=days_ago)
        referral = Referral.objects.create(
            resource=resource,
            member=member,
            referred_by=referrer,
            circle=circle,
            note=note,
            follow_up_days=days,
            follow_up_at=created + timedelta(days=days),
        )
        history = [(Referral.SUGGESTED, referrer, created)]
        history += [(status, people[by], now - timedelta(days=ago)) for status, by, ago in changes]
        for status, by, when in history:
            ReferralUpdate.objects.create(referral=referral, by=by, status=status, created_at=when)
        status, _, last = history[-1]
        closed = status not in Referral.OPEN_STATUSES
        follow_up_at = created + timedelta(days=days) if len(history) == 1 else last + timedelta(days=days)
        # Stamped after create: created_at is set by the database default (auto_now_add).
        Referral.objects.filter(pk=referral.pk).update(
            created_at=created,
            updated_at=last,
            status=status,
            follow_up_at=follow_up_at,
            closed_at=last if closed else None,
        )
        made += 1
    return made
