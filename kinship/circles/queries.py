"""Reads of circles shared by pages and API, shaped for display in a fixed number of queries."""

from functools import lru_cache
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.safestring import SafeString, mark_safe

from kinship.circles import access
from kinship.circles.models import Circle, Membership
from kinship.core.db_router import read_connection
from kinship.core.markdown import render_markdown
from kinship.core.rawsql import instance, model_columns


def circles_for_listing(user: Any) -> QuerySet[Circle]:
    """Circles this user may know exist, by name; each carries its active member count (a column)."""
    return access.visible_circles(user).order_by("name")


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


_CIRCLE_NAMES, _CIRCLE_DATES, _CIRCLE_SELECT = model_columns(Circle, "c")
_MEMBERSHIP_NAMES, _MEMBERSHIP_DATES, _MEMBERSHIP_SELECT = model_columns(Membership, "m")
# Only model table and column names are written into the statement; the slug and viewer are parameters.
_CIRCLE_PAGE_SQL = f"""
SELECT {_CIRCLE_SELECT}, {_MEMBERSHIP_SELECT}
FROM "{Circle._meta.db_table}" c
LEFT JOIN "{Membership._meta.db_table}" m ON m."circle_id" = c."id" AND m."user_id" = %(viewer)s
WHERE c."slug" = %(slug)s
"""  # noqa: S608


def circle_for_page(user: Any, slug: str) -> Circle:
    """The circle for its page, read with the viewer's own membership in one statement, so the circle
    rules ask nothing more of the database; Http404 exactly when access.get_circle_for raises it."""
    if not isinstance(slug, str) or "\x00" in slug:
        raise Http404("No such circle.")
    signed_in = bool(getattr(user, "is_authenticated", False))
    db = read_connection(Circle)
    with db.cursor() as cursor:
        cursor.execute(_CIRCLE_PAGE_SQL, {"slug": slug, "viewer": user.pk if signed_in else None})
        row = cursor.fetchone()
    if row is None:
        raise Http404("No such circle.")
    split = len(_CIRCLE_NAMES)
    circle = instance(db.alias, Circle, _CIRCLE_NAMES, _CIRCLE_DATES, row[:split])
    found = row[split:]
    membership = (
        instance(db.alias, Membership, _MEMBERSHIP_NAMES, _MEMBERSHIP_DATES, found) if found[0] is not None else None
    )
    access.remember_membership(user, circle, membership)
    if not access.can_see_circle(user, circle):
        raise Http404("No such circle.")
    return circle


@lru_cache(maxsize=512)
def rendered_markdown(text: str) -> SafeString:
    """A circle's description or guidelines as HTML: the same text always renders the same, so each
    process renders it once (a change of text is a new entry; nothing here is anyone's own)."""
    return mark_safe(render_markdown(text))  # sanitised by render_markdown
