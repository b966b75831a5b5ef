"""Summaries of check-ins a member shares with one circle's facilitators, and revokes.

A summary is the latest distress and pain scores, when they were recorded, how each compares with
before (the mean of the four weeks before the latest check-in, or the previous check-in when those
weeks hold none) and how many check-ins the last 30 days hold. Never a note, never a problem item:
the facilitators see only what this module computes.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import reduce
from operator import or_
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from kinship.accounts.models import User
from kinship.circles import access as circle_access
from kinship.circles.models import Circle, Membership
from kinship.core.errors import Invalid, NotAllowed
from kinship.journal import access
from kinship.journal.models import CheckIn, SummaryShare

BASELINE_DAYS = 28
RECENT_DAYS = 30
# A change of less than one point either way reads as "about the same".
STEADY_WITHIN = 1.0
BETTER, SAME, WORSE = "better", "about the same", "worse"
SHARES_SHOWN = 200


@dataclass(frozen=True)
class Summary:
    """What a facilitator may see of a member's check-ins (None everywhere: no check-in yet)."""

    distress: int | None
    pain: int | None
    latest_at: datetime | None
    distress_trend: str | None
    pain_trend: str | None
    compared_with: str | None
    recent_count: int

    @property
    def has_checkins(self) -> bool:
        return self.latest_at is not None


EMPTY = Summary(None, None, None, None, None, None, 0)


def trend(latest: float, before: float) -> str:
    """Lower scores are better: distress and pain alike."""
    change = latest - before
    if change <= -STEADY_WITHIN:
        return BETTER
    if change >= STEADY_WITHIN:
        return WORSE
    return SAME


def summarise(rows: list[tuple[int, int, datetime, int]], *, now: datetime) -> Summary:
    """A summary from (distress, pain, created_at, id) rows that include the latest check-in and the
    BASELINE_DAYS before it (older rows are ignored). Pure: no query."""
    if not rows:
        return EMPTY
    ordered = sorted(rows, key=lambda r: (r[2], r[3]), reverse=True)
    distress, pain, latest_at, _ = ordered[0]
    earlier = ordered[1:]
    window = [r for r in earlier if r[2] >= latest_at - timedelta(days=BASELINE_DAYS)]
    recent = sum(1 for r in ordered if r[2] >= now - timedelta(days=RECENT_DAYS))
    if window:
        base_distress = sum(r[0] for r in window) / len(window)
        base_pain = sum(r[1] for r in window) / len(window)
        compared = "the four weeks before"
    elif earlier:
        base_distress, base_pain = earlier[0][0], earlier[0][1]
        compared = "the check-in before"
    else:
        return Summary(distress, pain, latest_at, None, None, None, recent)
    return Summary(
        distress=distress,
        pain=pain,
        latest_at=latest_at,
        distress_trend=trend(distress, base_distress),
        pain_trend=trend(pain, base_pain),
        compared_with=compared,
        recent_count=recent,
    )


def summaries_for(owner_ids: Iterable[int], *, now: datetime | None = None) -> dict[int, Summary]:
    """Each owner's summary in two queries, however many owners and check-ins."""
    now = now or timezone.now()
    ids = sorted(set(owner_ids))
    if not ids:
        return {}
    # The two latest check-ins of each owner: the latest, and the one before for when the four weeks
    # before it hold nothing else.
    ranked = CheckIn.objects.filter(owner_id__in=ids).annotate(
        rank=Window(RowNumber(), partition_by=[F("owner_id")], order_by=[F("created_at").desc(), F("id").desc()])
    )
    rows: dict[int, dict[int, tuple[int, int, datetime, int]]] = {}
    for owner, distress, pain, created, pk in ranked.filter(rank__lte=2).values_list(
        "owner_id", "distress", "pain", "created_at", "id"
    ):
        rows.setdefault(owner, {})[pk] = (distress, pain, created, pk)
    if not rows:
        return dict.fromkeys(ids, EMPTY)
    latest = {owner: max(found.values(), key=lambda r: (r[2], r[3]))[2] for owner, found in rows.items()}
    # Per owner only what the summary reads: the four weeks before the latest, and the last 30 days.
    windows = [
        Q(owner_id=owner, created_at__gte=min(last - timedelta(days=BASELINE_DAYS), now - timedelta(days=RECENT_DAYS)))
        for owner, last in latest.items()
    ]
    for owner, distress, pain, created, pk in CheckIn.objects.filter(reduce(or_, windows)).values_list(
        "owner_id", "distress", "pain", "created_at", "id"
    ):
        rows[owner][pk] = (distress, pain, created, pk)
    return {owner: summarise(list(rows[owner].values()), now=now) if owner in rows else EMPTY for owner in ids}


def summary_of(user: User, *, now: datetime | None = None) -> Summary:
    """The member's own summary, exactly as facilitators they share with see it."""
    return summaries_for([user.pk], now=now)[user.pk]


# Sharing ------------------------------------------------------------------------------------


def _circle(member: User, circle: Any) -> Circle:
    """A circle the member actively belongs to, from a Circle or a slug; Invalid otherwise (one message for
    "no such circle" and "not yours", so a hidden circle's existence does not leak)."""
    message = "Choose one of the circles you belong to."
    if isinstance(circle, str):
        circle = Circle.objects.filter(slug=circle).first() if "\x00" not in circle and len(circle) <= 100 else None
    if not isinstance(circle, Circle) or not access.can_share_to(member, circle):
        raise Invalid(message, errors={"circle": [message]})
    return circle


@transaction.atomic
def share_summary(*, member: User, circle: Any) -> SummaryShare:
    """Let the facilitators of a circle the member actively belongs to see their summary. Sharing
    again changes nothing. Raises NotAllowed for inactive accounts, Invalid for any other circle."""
    if not access.can_keep_journal(member):
        raise NotAllowed("Sign in to keep a journal.")
    found = _circle(member, circle)
    existing = SummaryShare.objects.filter(owner=member, circle=found).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return SummaryShare.objects.create(owner=member, circle=found)
    except IntegrityError:
        # The same share sent twice at once: the first one stands.
        return SummaryShare.objects.get(owner=member, circle=found)


@transaction.atomic
def revoke_summary(*, member: User, circle: Any) -> bool:
    """Stop sharing with a circle's facilitators (any circle the member shared with, even one since left);
    True when a share was removed, False when there was none."""
    if not access.can_keep_journal(member):
        raise NotAllowed("Sign in to keep a journal.")
    if isinstance(circle, Circle):
        found = SummaryShare.objects.filter(owner=member, circle=circle)
    elif isinstance(circle, str) and "\x00" not in circle and len(circle) <= 100:
        found = SummaryShare.objects.filter(owner=member, circle__slug=circle)
    else:
        found = SummaryShare.objects.none()
    deleted, _ = found.delete()
    return bool(deleted)


def own_shares(user: User) -> list[SummaryShare]:
    return list(SummaryShare.objects.filter(owner=user).select_related("circle").order_by("circle__name", "pk"))


# What facilitators see ----------------------------------------------------------------------


def _still_member() -> Exists:
    """The owner is still an active member of the circle: a member who left stops being shown."""
    return Exists(
        Membership.objects.filter(circle=OuterRef("circle"), user=OuterRef("owner"), status=Membership.ACTIVE)
    )


def visible_shares(circle: Circle) -> QuerySet[SummaryShare]:
    return (
        SummaryShare.objects.filter(circle=circle, owner__is_active=True)
        .filter(_still_member())
        .select_related("owner")
        .order_by("owner__display_name", "pk")
    )


@dataclass
class SharedSummary:
    owner: User
    shared_at: datetime
    summary: Summary


def circle_summaries(viewer: User, circle: Circle, *, now: datetime | None = None) -> list[SharedSummary]:
    """Summaries shared with the circle's facilitators, for those facilitators only (NotAllowed otherwise)."""
    if not access.can_see_shared_wellbeing(viewer, circle):
        raise NotAllowed("Only the circle's facilitators see shared summaries.")
    shares = list(visible_shares(circle)[:SHARES_SHOWN])
    found = summaries_for([s.owner_id for s in shares], now=now)
    return [SharedSummary(owner=s.owner, shared_at=s.created_at, summary=found[s.owner_id]) for s in shares]


def facilitated(user: User) -> list[Circle]:
    """Circles the user leads as an active facilitator (for links to their wellbeing pages)."""
    ids = circle_access.led_circle_ids(user)
    return list(Circle.objects.filter(pk__in=ids).order_by("name", "pk")) if ids else []
