"""API: referrals and their follow-up (/referrals).

A referral is for its member, the facilitator who made it and staff; to anyone else it answers
404, exactly like one that does not exist, so its existence never leaks. The rules live in
kinship.library.referrals, shared with the pages.
"""

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from kinship.api import shapes
from kinship.api.idempotency import idempotent
from kinship.api.referral_schemas import ReferralIn, ReferralOut, ReferralPageOut, ReferralPatch
from kinship.api.security import bearer
from kinship.circles.models import Membership
from kinship.core.pagination import paginate, parse_limit
from kinship.library import referrals
from kinship.library.models import Referral

router = Router(tags=["referrals"], auth=bearer)


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _facilitators(items: Iterable[Referral]) -> dict[int, set[int]]:
    """Circle id -> who leads it, for the facilitator badge: one query for a whole page."""
    circle_ids = {r.circle_id for r in items}
    leads: dict[int, set[int]] = {cid: set() for cid in circle_ids}
    if circle_ids:
        rows = Membership.objects.filter(
            circle_id__in=circle_ids, role=Membership.FACILITATOR, status=Membership.ACTIVE
        ).values_list("circle_id", "user_id")
        for circle_id, user_id in rows:
            leads[circle_id].add(user_id)
    return leads


def _referral_out(referral: Referral, facilitators: set[int]) -> dict[str, Any]:
    """A referral as its member, its referrer and staff see it (nobody else gets here)."""
    resource = referral.resource
    return {
        "id": referral.pk,
        "url": referral.get_absolute_url(),
        "resource": {
            "id": resource.pk,
            "name": resource.name,
            "url": resource.get_absolute_url(),
            "kind": resource.kind,
        },
        "member": shapes.user_out(referral.member, facilitators=facilitators),
        "referred_by": shapes.user_out(referral.referred_by, facilitators=facilitators)
        if referral.referred_by
        else None,
        "circle": {"slug": referral.circle.slug, "name": referral.circle.name},
        "note": referral.note,
        "status": referral.status,
        "status_label": referral.get_status_display(),
        "follow_up_days": referral.follow_up_days,
        "follow_up_at": referral.follow_up_at,
        "closed_at": referral.closed_at,
        "created_at": referral.created_at,
        "updated_at": referral.updated_at,
        # Prefetched with the referral (referrals.with_history), oldest first.
        "updates": [
            {
                "status": update.status,
                "by": shapes.user_out(update.by, facilitators=facilitators) if update.by else None,
                "created_at": update.created_at,
            }
            for update in referral.updates.all()
        ],
    }


def _one_out(referral_id: int) -> dict[str, Any]:
    referral = referrals.with_history(Referral.objects.filter(pk=referral_id)).get()
    return _referral_out(referral, _facilitators([referral])[referral.circle_id])


@router.get("/referrals", response=ReferralPageOut, exclude_unset=True)
def referral_list(
    request: HttpRequest, role: str | None = None, cursor: str | None = None, limit: str | None = None
) -> dict[str, Any]:
    """The caller's referrals, newest first: `role=member` those made for them, `role=referrer` those
    they made, neither for both. Staff see only their own here too (all of them in the admin)."""
    user = _user(request)
    found = referrals.callers_referrals(user, referrals.role(role))
    page = paginate(found, referrals.LIST_ORDER, cursor=cursor, limit=parse_limit(limit))
    leads = _facilitators(page.items)
    return {"items": [_referral_out(r, leads[r.circle_id]) for r in page.items], "next": page.next}


@router.post("/referrals", response={201: ReferralOut}, exclude_unset=True)
def referral_create(request: HttpRequest, payload: ReferralIn) -> Status[Any]:
    """A facilitator refers an active member of a circle they facilitate (staff: any circle) to an active
    resource. 403 for callers who facilitate no circle; 422 naming each bad field (a circle the caller
    does not lead and a member not active in it read the same as ones that do not exist); 409 when the
    same referral is still open with another note; 429 past 30 referrals an hour. Sending the same
    referral again returns the open one. Honours Idempotency-Key. The member is told by email (no note)."""
    user = _user(request)

    def create() -> Status[Any]:
        referral = referrals.refer(
            referrer=user,
            circle=payload.circle,
            member=payload.member,
            resource=payload.resource,
            note=payload.note,
            follow_up_days=payload.follow_up_days,
        )
        return Status(201, _one_out(referral.pk))

    return idempotent(request, create)


@router.get("/referrals/{referral_id}", response=ReferralOut, exclude_unset=True)
def referral_detail(request: HttpRequest, referral_id: int) -> dict[str, Any]:
    """One referral, with its private note and status history: 404 unless the caller is its member,
    its referrer or staff."""
    referral = referrals.get_referral_for(_user(request), referral_id)
    return _one_out(referral.pk)


@router.patch("/referrals/{referral_id}", response=ReferralOut, exclude_unset=True)
def referral_update(request: HttpRequest, referral_id: int, payload: ReferralPatch) -> dict[str, Any]:
    """The member, the referrer or staff set the status. done and not_needed close the referral; an open
    status (reopening too) moves `follow_up_at` to now + follow_up_days. The same status changes nothing."""
    user = _user(request)
    referral = referrals.get_referral_for(user, referral_id)
    referrals.change_status(actor=user, referral=referral, status=payload.status)
    return _one_out(referral.pk)
