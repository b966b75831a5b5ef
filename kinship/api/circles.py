"""Circles and their memberships."""

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Status

from kinship.api import shapes
from kinship.api.idempotency import idempotent
from kinship.api.schemas import (
    CircleIn,
    CircleOut,
    CirclePatch,
    JoinIn,
    MemberOut,
    MembershipOut,
    PageOut,
    RoleIn,
)
from kinship.api.security import bearer, optional_bearer
from kinship.circles import access, queries, services
from kinship.circles.models import Circle
from kinship.core.errors import NotAllowed
from kinship.core.pagination import paginate, parse_limit

router = Router(tags=["circles"])

CIRCLE_ORDER = ["name", "id"]
# Active before pending, facilitators before members, then in the order they came.
MEMBER_ORDER = ["status", "role", "id"]


def _circle_for_join(user: Any, slug: str, invite_code: str | None) -> Circle:
    """The circle to join: one the user may see, or a hidden one whose invite code they hold."""
    try:
        return access.get_circle_for(user, slug)
    except Http404:
        # An invitation is the one way into a hidden circle; without the right code it stays a 404.
        if not invite_code or "\x00" in invite_code or "\x00" in slug:
            raise
        circle = Circle.objects.filter(slug=slug, invite_code=invite_code).first()
        if circle is None:
            raise
        return circle


@router.get("/circles", response=PageOut[CircleOut], auth=optional_bearer, exclude_unset=True)
def circle_list(request: HttpRequest, cursor: str | None = None, limit: str | None = None) -> dict[str, Any]:
    """Circles the caller may know exist (visitors: public and private ones), by name."""
    user = request.auth  # type: ignore[attr-defined]
    page = paginate(queries.circles_for_listing(user), CIRCLE_ORDER, cursor=cursor, limit=parse_limit(limit))
    return {
        "items": [shapes.circle_out(user, c) for c in page.items],
        "next": page.next,
    }


@router.post("/circles", response={201: CircleOut}, auth=bearer, exclude_unset=True)
def circle_create(request: HttpRequest, payload: CircleIn) -> Status[Any]:
    """Staff only; the creator becomes the first facilitator. Honours Idempotency-Key."""
    user = request.auth  # type: ignore[attr-defined]

    def create() -> Status[Any]:
        circle = services.create_circle(creator=user, data=payload.model_dump(exclude_unset=True))
        return Status(201, shapes.circle_out(user, circle))

    return idempotent(request, create)


@router.get("/circles/{slug}", response=CircleOut, auth=optional_bearer, exclude_unset=True)
def circle_detail(request: HttpRequest, slug: str) -> dict[str, Any]:
    """A private circle's description is public; a hidden one is 404 to all but its members and staff."""
    user = request.auth  # type: ignore[attr-defined]
    return shapes.circle_out(user, access.get_circle_for(user, slug))


@router.patch("/circles/{slug}", response=CircleOut, auth=bearer, exclude_unset=True)
def circle_update(request: HttpRequest, slug: str, payload: CirclePatch) -> dict[str, Any]:
    """Facilitators and staff change the circle's words and rules."""
    user = request.auth  # type: ignore[attr-defined]
    circle = access.get_circle_for(user, slug)
    circle = services.update_circle(editor=user, circle=circle, data=payload.model_dump(exclude_unset=True))
    return shapes.circle_out(user, circle)


@router.post("/circles/{slug}/join", response={201: MembershipOut}, auth=bearer)
def circle_join(request: HttpRequest, slug: str, payload: JoinIn) -> Status[Any]:
    """Open circles: active at once; approval circles: pending. Honours Idempotency-Key."""
    user = request.auth  # type: ignore[attr-defined]

    def create() -> Status[Any]:
        circle = _circle_for_join(user, slug, payload.invite_code)
        membership = services.join_circle(
            member=user, circle=circle, accept_guidelines=payload.accept_guidelines, invite_code=payload.invite_code
        )
        membership.user = user
        return Status(201, shapes.membership_out(membership, circle))

    return idempotent(request, create)


@router.post("/circles/{slug}/leave", response={204: None}, auth=bearer)
def circle_leave(request: HttpRequest, slug: str) -> Status[None]:
    """Leave, or withdraw a pending request."""
    user = request.auth  # type: ignore[attr-defined]
    services.leave_circle(member=user, circle=access.get_circle_for(user, slug))
    return Status(204, None)


@router.get("/circles/{slug}/members", response=PageOut[MemberOut], auth=bearer)
def member_list(request: HttpRequest, slug: str, cursor: str | None = None, limit: str | None = None) -> dict[str, Any]:
    """Active members and staff see the members; facilitators also see pending requests."""
    user = request.auth  # type: ignore[attr-defined]
    circle = access.get_circle_for(user, slug)
    if not access.can_see_members(user, circle):
        raise NotAllowed("Only the circle's members can see who else is in it.")
    page = paginate(queries.member_list(user, circle), MEMBER_ORDER, cursor=cursor, limit=parse_limit(limit))
    return {"items": [shapes.member_out(m) for m in page.items], "next": page.next}


@router.post("/circles/{slug}/members/{user_id}/approve", response=MembershipOut, auth=bearer)
def member_approve(request: HttpRequest, slug: str, user_id: int) -> dict[str, Any]:
    """Facilitators and staff accept a pending request."""
    user = request.auth  # type: ignore[attr-defined]
    circle = access.get_circle_for(user, slug)
    membership = services.approve_membership(facilitator=user, circle=circle, user_id=user_id)
    return shapes.membership_out(membership, circle)


@router.post("/circles/{slug}/members/{user_id}/remove", response={204: None}, auth=bearer)
def member_remove(request: HttpRequest, slug: str, user_id: int) -> Status[None]:
    """Facilitators and staff remove a member or decline a request."""
    user = request.auth  # type: ignore[attr-defined]
    circle = access.get_circle_for(user, slug)
    services.remove_membership(facilitator=user, circle=circle, user_id=user_id)
    return Status(204, None)


@router.post("/circles/{slug}/members/{user_id}/role", response=MembershipOut, auth=bearer)
def member_role(request: HttpRequest, slug: str, user_id: int, payload: RoleIn) -> dict[str, Any]:
    """Facilitators and staff appoint a facilitator or step one down."""
    user = request.auth  # type: ignore[attr-defined]
    circle = access.get_circle_for(user, slug)
    membership = services.set_member_role(facilitator=user, circle=circle, user_id=user_id, role=payload.role)
    return shapes.membership_out(membership, circle)
