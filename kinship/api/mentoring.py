"""API: peer mentoring (/me/mentor-profile, /mentors/suggestions, /mentorships).

The rules live in kinship.peers.mentoring, shared with the pages. A mentorship answers 404 to anyone
but its mentee, its mentor and staff; its feedback is in the response for staff only. Staff decisions
on mentors are on the programme page and in the admin.
"""

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Status

from kinship.api import errors, shapes
from kinship.api.idempotency import idempotent
from kinship.api.mentoring_schemas import (
    EndIn,
    MentorProfileOut,
    MentorProfilePatch,
    MentorshipIn,
    MentorshipOut,
    MentorshipPageOut,
    SuggestionsOut,
)
from kinship.api.security import bearer
from kinship.core.errors import Invalid, NotAllowed
from kinship.core.pagination import paginate, parse_limit
from kinship.peers import matching, mentoring
from kinship.peers.models import MentorProfile, Mentorship

router = Router(tags=["mentoring"], auth=bearer)

PREFERENCE_KEYS = [*matching.CRITERIA, *(f"{c}_need" for c in matching.CRITERIA), "waive_further_along"]


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _profile_out(profile: MentorProfile) -> dict[str, Any]:
    return {
        "id": profile.pk,
        "status": profile.status,
        "paused_by_self": profile.paused_by_self,
        "diagnosis": profile.diagnosis,
        "surgery_type": profile.surgery_type,
        "body_site": profile.body_site,
        "surgery_date": profile.surgery_date,
        "languages": profile.language_list,
        "age_band": profile.age_band,
        "gender": profile.gender,
        "topics": profile.topics,
        "availability": profile.availability,
        "capacity": profile.capacity,
        "guidelines_accepted_at": profile.guidelines_accepted_at,
        "created_at": profile.created_at,
        "updated_at": profile.updated_at,
    }


def _mentorship_out(mentorship: Mentorship, viewer: Any) -> dict[str, Any]:
    out = {
        "id": mentorship.pk,
        "url": mentorship.get_absolute_url(),
        "mentee": shapes.user_out(mentorship.mentee),
        "mentor": shapes.user_out(mentorship.mentor),
        "status": mentorship.status,
        "status_label": mentorship.get_status_display(),
        "message": mentorship.message,
        "preferences": mentorship.preferences if isinstance(mentorship.preferences, dict) else {},
        "respond_by": mentorship.respond_by,
        "responded_at": mentorship.responded_at,
        "ended_at": mentorship.ended_at,
        "created_at": mentorship.created_at,
        "updated_at": mentorship.updated_at,
    }
    if mentoring.is_staff(viewer):
        out["feedback"] = mentorship.feedback
    return out


@router.get("/me/mentor-profile", response=MentorProfileOut)
def mentor_profile(request: HttpRequest) -> Any:
    """The caller's own mentor profile (application); 404 when they have not applied."""
    profile = mentoring.own_profile(_user(request))
    if profile is None:
        return errors.problem(404, "You have not applied to mentor.")
    return _profile_out(profile)


@router.patch("/me/mentor-profile", response=MentorProfileOut)
@transaction.atomic
def mentor_profile_update(request: HttpRequest, payload: MentorProfilePatch) -> Any:
    """Apply to mentor (when none yet; `accept_guidelines: true` needed) or edit the profile. `status`:
    an approved mentor pauses themselves with `paused`, and resumes with `approved` (not after a staff pause).
    All or nothing: a refused status change saves no other field either."""
    user = _user(request)
    data = payload.model_dump(exclude_unset=True)
    status = data.pop("status", None)
    if status is not None and status not in (MentorProfile.PAUSED, MentorProfile.APPROVED):
        raise Invalid(
            "A mentor may only pause (paused) or resume (approved).", errors={"status": ["paused or approved."]}
        )
    if data or mentoring.own_profile(user) is None:
        mentoring.save_application(user=user, data=data)
    if status is not None:
        mentoring.set_own_pause(user=user, paused=status == MentorProfile.PAUSED)
    profile = mentoring.own_profile(user)
    assert profile is not None
    return _profile_out(profile)


@router.get("/mentors/suggestions", response=SuggestionsOut)
def mentor_suggestions(request: HttpRequest) -> dict[str, Any]:
    """Approved mentors with a free place, ranked for the caller's preferences (query parameters as the
    `preferences` of POST /mentorships), each with its reasons in plain words. Verified members only."""
    user = _user(request)
    if not mentoring.can_seek(user):
        raise NotAllowed("Verify your email address before looking for a mentor.")
    data = {k: request.GET.get(k) for k in PREFERENCE_KEYS if k in request.GET}
    preferences = mentoring.parse_preferences(data, mentee=user)
    items = []
    for shown in mentoring.suggestions(user, preferences):
        p, s = shown.profile, shown.suggestion
        items.append(
            {
                "mentor": {
                    "user": shapes.user_out(p.user),
                    "diagnosis": p.diagnosis,
                    "surgery_type": p.surgery_type,
                    "body_site": p.body_site,
                    "languages": p.language_list,
                    "age_band": p.age_band,
                    "topics": p.topics,
                    "availability": p.availability,
                },
                "score": s.score,
                "months_further": s.months_further,
                "reasons": list(s.reasons),
                "reason_text": s.reason_text,
                "request_url": reverse("peers:mentor-request", args=[p.user_id]),
            }
        )
    return {"items": items}


@router.post("/mentorships", response={201: MentorshipOut}, exclude_unset=True)
def mentorship_create(request: HttpRequest, payload: MentorshipIn) -> Status[Any]:
    """Ask a mentor: they must be a suggestion for these preferences (422 otherwise); 409 when the caller
    already holds a request or mentorship or the mentor has no free place; 429 past 10 a day. The mentor
    answers within 7 days. Honours Idempotency-Key."""
    user = _user(request)

    def create() -> Status[Any]:
        made = mentoring.request_mentor(
            mentee=user, mentor=payload.mentor_id, message=payload.message, preferences=payload.preferences
        )
        return Status(201, _mentorship_out(mentoring.get_mentorship_for(user, made.pk), user))

    return idempotent(request, create)


@router.get("/mentorships", response=MentorshipPageOut, exclude_unset=True)
def mentorship_list(request: HttpRequest, cursor: str | None = None, limit: str | None = None) -> dict[str, Any]:
    """The caller's requests and mentorships, as mentee and as mentor, newest first."""
    user = _user(request)
    found = Mentorship.objects.filter(Q(mentee=user) | Q(mentor=user)).select_related("mentee", "mentor")
    page = paginate(found, ["-created_at", "-id"], cursor=cursor, limit=parse_limit(limit))
    return {"items": [_mentorship_out(m, user) for m in page.items], "next": page.next}


@router.get("/mentorships/{mentorship_id}", response=MentorshipOut, exclude_unset=True)
def mentorship_detail(request: HttpRequest, mentorship_id: int) -> dict[str, Any]:
    """One mentorship: 404 unless the caller is its mentee, its mentor or staff (whose look is audited)."""
    user = _user(request)
    mentorship = mentoring.get_mentorship_for(user, mentorship_id)
    mentoring.look_at(user, mentorship)
    return _mentorship_out(mentorship, user)


def _act(request: HttpRequest, mentorship_id: int, action: str, feedback: str = "") -> dict[str, Any]:
    user = _user(request)
    mentorship = mentoring.get_mentorship_for(user, mentorship_id)
    if action == "end":
        mentoring.end(actor=user, mentorship=mentorship, feedback=feedback)
    else:
        mentoring.answer(mentor=user, mentorship=mentorship, accept=action == "accept")
    return _mentorship_out(mentoring.get_mentorship_for(user, mentorship_id), user)


@router.post("/mentorships/{mentorship_id}/accept", response=MentorshipOut, exclude_unset=True)
def mentorship_accept(request: HttpRequest, mentorship_id: int) -> dict[str, Any]:
    """The mentor accepts a waiting request before its respond_by (403 for others, 409 when too late)."""
    return _act(request, mentorship_id, "accept")


@router.post("/mentorships/{mentorship_id}/decline", response=MentorshipOut, exclude_unset=True)
def mentorship_decline(request: HttpRequest, mentorship_id: int) -> dict[str, Any]:
    """The mentor declines a waiting request; the mentee is told and may choose another."""
    return _act(request, mentorship_id, "decline")


@router.post("/mentorships/{mentorship_id}/end", response=MentorshipOut, exclude_unset=True)
def mentorship_end(request: HttpRequest, mentorship_id: int, payload: EndIn | None = None) -> dict[str, Any]:
    """Either side ends an active mentorship, with optional feedback that only staff read."""
    return _act(request, mentorship_id, "end", payload.feedback if payload else "")
