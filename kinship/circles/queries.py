"""Reads of circles shared by pages and API, shaped for display in a fixed number of queries."""

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from kinship.circles import access
from kinship.circles.models import Circle, Membership


def circles_for_listing(user: Any) -> QuerySet[Circle]:
    """Circles this user may know exist, with their active member counts."""
    # A subquery, not Count("memberships"): visible_circles() filters on that join for hidden
    # circles, so a Count over it would see only the viewer's own row there.
    active = (
        Membership.objects.filter(circle=OuterRef("pk"), status=Membership.ACTIVE)
        .order_by()
        .values("circle")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        access.visible_circles(user)
        .annotate(member_count=Coalesce(Subquery(active, output_field=IntegerField()), 0))
        .order_by("name")
    )


def decorate(user: Any, circles: list[Circle]) -> list[Circle]:
    """Attach the viewer's own membership (from the per-request cache) to each circle."""
    mine = access.memberships_of(user)
    for circle in circles:
        circle.my_membership = mine.get(circle.pk)  # type: ignore[attr-defined]
    return circles


def home_context(user: Any) -> dict[str, Any]:
    circles = decorate(user, list(circles_for_listing(user)))
    joined = [c for c in circles if c.my_membership is not None]  # type: ignore[attr-defined]
    others = [c for c in circles if c.my_membership is None]  # type: ignore[attr-defined]
    return {"my_circles": joined, "other_circles": others}


def member_list(user: Any, circle: Circle) -> QuerySet[Membership]:
    """Active members (and, for facilitators and staff, pending requests), facilitators first."""
    members = Membership.objects.filter(circle=circle).exclude(status=Membership.REMOVED).select_related("user")
    if not access.can_moderate(user, circle):
        members = members.filter(status=Membership.ACTIVE)
    return members.order_by("status", "role", "user__display_name", "pk")
