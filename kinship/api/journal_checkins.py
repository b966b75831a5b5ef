"""API: wellbeing check-ins, shared summaries and requests for support (/journal/checkins and around).

A check-in is its owner's alone: anyone else gets 404, exactly as for one that does not exist. A
circle's wellbeing (shared summaries, requests for support) is for its active facilitators only,
staff included in the 404. The rules live in kinship.journal (checkins, help, summaries, support),
shared with the pages.
"""

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Status

from kinship.api import shapes
from kinship.api.crisis_help import CheckInWrittenOut, crisis_help_out
from kinship.api.idempotency import idempotent
from kinship.api.journal_checkin_schemas import (
    CheckInIn,
    CheckInOut,
    CheckInPageOut,
    MySupportRequestOut,
    ReminderOut,
    ReminderPatch,
    SummaryShareOut,
    SummarySharePageOut,
    SupportIn,
    SupportRequestOut,
    WellbeingOut,
)
from kinship.api.security import bearer
from kinship.circles import access as circle_access
from kinship.circles.models import Circle
from kinship.core.converters import parse_id
from kinship.core.pagination import parse_limit
from kinship.journal import access, checkins, summaries, support
from kinship.journal import help as matched_help
from kinship.journal.models import CheckIn, ReminderMark, SummaryShare, SupportRequest
from kinship.library.models import Resource

router = Router(tags=["journal"], auth=bearer)


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _id(raw: str) -> int:
    """A path id of ASCII digits only: int() would also read other scripts' digits ("\u0661" as 1)."""
    found = parse_id(raw)
    if found is None:
        raise Http404
    return found


def _circle_ref(circle: Circle) -> dict[str, Any]:
    return {"slug": circle.slug, "name": circle.name}


def _helpline_out(line: Any) -> dict[str, Any]:
    if isinstance(line, matched_help.BuiltInHelpline):
        return {
            "id": None,
            "url": None,
            "name": line.name,
            "phone": line.phone,
            "tel_url": line.tel_url,
            "open_now": True,
            "hours": line.hours_text,
            "description": line.description,
            "is_example": False,
        }
    return {
        "id": line.pk,
        "url": line.get_absolute_url(),
        "name": line.name,
        "phone": line.phone,
        "tel_url": line.tel_url,
        "open_now": line.status.open,
        "hours": line.status.text,
        "description": line.description,
        "is_example": line.is_example,
    }


def _resource_out(resource: Resource) -> dict[str, Any]:
    return {
        "id": resource.pk,
        "url": resource.get_absolute_url(),
        "name": resource.name,
        "kind": resource.kind,
        "kind_label": resource.get_kind_display(),
        "phone": resource.phone,
        "tel_url": resource.tel_url,  # type: ignore[attr-defined]
        "website": resource.website,
        "is_example": resource.is_example,
    }


def _help_out(found: matched_help.Help | None) -> dict[str, Any] | None:
    if found is None:
        return None
    return {
        "helplines": [_helpline_out(line) for line in found.helplines],
        "resources": [_resource_out(r) for r in found.resources],
        "circles": [_circle_ref(c) for c in found.circles],
    }


def _checkin_out(checkin: CheckIn) -> dict[str, Any]:
    return {
        "id": checkin.pk,
        "url": checkin.get_absolute_url(),
        "created_at": checkin.created_at,
        "distress": checkin.distress,
        "pain": checkin.pain,
        "problems": checkins.problem_out(checkin.problems or []),
        "note": checkin.note,
        "offers_help": checkin.offers_help,
    }


def _my_request_out(found: SupportRequest) -> dict[str, Any]:
    return {
        "id": found.pk,
        "circle": _circle_ref(found.circle),
        "created_at": found.created_at,
        "acknowledged_at": found.acknowledged_at,
    }


def _full_checkin_out(user: Any, checkin: CheckIn) -> dict[str, Any]:
    return {
        **_checkin_out(checkin),
        "help": _help_out(matched_help.help_for(checkin, user=user)),
        "support_requests": [_my_request_out(r) for r in support.requests_for_checkin(checkin)],
    }


@router.get("/journal/checkins", response=CheckInPageOut, exclude_unset=True)
def checkin_list(request: HttpRequest, cursor: str | None = None, limit: str | None = None) -> dict[str, Any]:
    """The caller's own check-ins, newest first (never anyone else's)."""
    page = checkins.checkin_page(_user(request), cursor=cursor, limit=parse_limit(limit))
    return {"items": [_checkin_out(c) for c in page.items], "next": page.next}


@router.post("/journal/checkins", response={201: CheckInWrittenOut}, exclude_unset=True)
def checkin_create(request: HttpRequest, payload: CheckInIn) -> Status[Any]:
    """Record a check-in. With distress of 4 or more the answer carries `help` at once: helplines (the
    built-in list when the directory has none), directory entries matched to the concerns ticked, and
    the circles whose facilitators the member may ask to reach out. 422 naming each bad field; 429 past
    30 check-ins an hour. Honours Idempotency-Key."""
    user = _user(request)

    def create() -> Status[Any]:
        checkin = checkins.record_checkin(
            member=user, distress=payload.distress, pain=payload.pain, problems=payload.problems, note=payload.note
        )
        return Status(201, {**_full_checkin_out(user, checkin), "crisis_help": crisis_help_out(user, payload.note)})

    return idempotent(request, create)


@router.get("/journal/checkins/{checkin_id}", response=CheckInOut, exclude_unset=True)
def checkin_detail(request: HttpRequest, checkin_id: str) -> dict[str, Any]:
    """One of the caller's check-ins, with help (distress 4 or more) and the requests for support sent with
    it; 404 for anyone else's."""
    user = _user(request)
    return _full_checkin_out(user, access.get_checkin_for(user, _id(checkin_id)))


@router.delete("/journal/checkins/{checkin_id}", response={204: None})
def checkin_delete(request: HttpRequest, checkin_id: str) -> Status[None]:
    """Delete one of the caller's check-ins (and the requests for support made with it)."""
    user = _user(request)
    checkins.delete_checkin(member=user, checkin=access.get_checkin_for(user, _id(checkin_id)))
    return Status(204, None)


@router.post("/journal/checkins/{checkin_id}/support", response={201: MySupportRequestOut}, exclude_unset=True)
def support_create(request: HttpRequest, checkin_id: str, payload: SupportIn) -> Status[Any]:
    """'Let my facilitator know': the facilitators of one of the caller's circles are emailed and see who
    asked, when and this check-in's distress score (never the note, pain or concerns). 409 below distress 4;
    422 for a circle the caller does not actively belong to or one with no facilitator; the same request
    again returns the first (no second email)."""
    user = _user(request)
    checkin = access.get_checkin_for(user, _id(checkin_id))
    made = support.request_support(member=user, checkin=checkin, circle=payload.circle)
    found = SupportRequest.objects.select_related("circle").get(pk=made.pk)
    return Status(201, _my_request_out(found))


def _summary_out(summary: summaries.Summary) -> dict[str, Any]:
    return {
        "distress": summary.distress,
        "pain": summary.pain,
        "latest_at": summary.latest_at,
        "distress_trend": summary.distress_trend,
        "pain_trend": summary.pain_trend,
        "compared_with": summary.compared_with,
        "checkins_last_30_days": summary.recent_count,
    }


def _share_out(share: SummaryShare, summary: summaries.Summary) -> dict[str, Any]:
    return {"circle": _circle_ref(share.circle), "created_at": share.created_at, "summary": _summary_out(summary)}


@router.get("/journal/summary-shares", response=SummarySharePageOut, exclude_unset=True)
def share_list(request: HttpRequest) -> dict[str, Any]:
    """The circles whose facilitators see the caller's summary, each with that summary."""
    user = _user(request)
    summary = summaries.summary_of(user)
    return {"items": [_share_out(s, summary) for s in summaries.own_shares(user)], "next": None}


@router.put("/journal/summary-shares/{slug}", response=SummaryShareOut, exclude_unset=True)
def share_put(request: HttpRequest, slug: str) -> dict[str, Any]:
    """Share the summary with the facilitators of a circle the caller actively belongs to (422 for any
    other, hidden or missing alike). Sharing again changes nothing."""
    user = _user(request)
    share = summaries.share_summary(member=user, circle=slug)
    return _share_out(share, summaries.summary_of(user))


@router.delete("/journal/summary-shares/{slug}", response={204: None})
def share_delete(request: HttpRequest, slug: str) -> Status[None]:
    """Stop sharing with that circle's facilitators; 404 when not sharing with it."""
    if not summaries.revoke_summary(member=_user(request), circle=slug):
        raise Http404
    return Status(204, None)


def _request_out(found: SupportRequest, circle: Circle) -> dict[str, Any]:
    return {
        "id": found.pk,
        "circle": _circle_ref(circle),
        "member": shapes.user_out(found.owner),
        "distress": found.checkin.distress,
        "created_at": found.created_at,
        "acknowledged_at": found.acknowledged_at,
        "acknowledged_by": shapes.user_out(found.acknowledged_by) if found.acknowledged_by else None,
    }


def _wellbeing_circle(user: Any, slug: str) -> Circle:
    circle = circle_access.get_circle_for(user, slug)
    if not access.can_see_shared_wellbeing(user, circle):
        raise Http404
    return circle


@router.get("/circles/{slug}/wellbeing", response=WellbeingOut, exclude_unset=True)
def circle_wellbeing(request: HttpRequest, slug: str) -> dict[str, Any]:
    """For the circle's active facilitators only (404 for everyone else, staff too): requests for support
    and the summaries members share with them."""
    user = _user(request)
    circle = _wellbeing_circle(user, slug)
    found = support.circle_requests(user, circle)
    shared = summaries.circle_summaries(user, circle)
    return {
        "circle": _circle_ref(circle),
        "support_requests": [_request_out(r, circle) for r in found],
        "summaries": [
            {"member": shapes.user_out(s.owner), "shared_at": s.shared_at, "summary": _summary_out(s.summary)}
            for s in shared
        ],
    }


@router.post("/support-requests/{request_id}/acknowledge", response=SupportRequestOut, exclude_unset=True)
def support_acknowledge(request: HttpRequest, request_id: str) -> dict[str, Any]:
    """A facilitator of the request's circle marks it taken up (again: keeps the first); 404 for anyone else."""
    user = _user(request)
    found = support.get_request_for(user, _id(request_id))
    support.acknowledge(facilitator=user, request=found)
    fresh = SupportRequest.objects.select_related("circle", "owner", "checkin", "acknowledged_by").get(pk=found.pk)
    return _request_out(fresh, fresh.circle)


def _reminder_out(user: Any) -> dict[str, Any]:
    mark = ReminderMark.objects.filter(user=user).first()
    return {"weekly": checkins.weekly_reminder_on(user), "last_sent_at": mark.sent_at if mark else None}


@router.get("/journal/reminder", response=ReminderOut)
def reminder_get(request: HttpRequest) -> dict[str, Any]:
    """Whether the caller gets the weekly check-in reminder (off until they opt in)."""
    return _reminder_out(_user(request))


@router.patch("/journal/reminder", response=ReminderOut)
def reminder_patch(request: HttpRequest, payload: ReminderPatch) -> dict[str, Any]:
    """Opt in to, or out of, the weekly reminder email sent when the caller has not checked in for a week."""
    user = _user(request)
    checkins.set_weekly_reminder(member=user, weekly=payload.weekly)
    return _reminder_out(user)
