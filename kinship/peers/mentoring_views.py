"""Mentoring pages: the overview, applying to mentor, finding a mentor, a mentorship, and the staff programme.

Every page is private to the people it concerns (see mentoring.py), so none is cached.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from kinship.accounts.auth import signed_in
from kinship.core.errors import Conflict, Invalid, NotAllowed
from kinship.core.forms import show_errors
from kinship.peers import matching, mentoring
from kinship.peers.forms_mentoring import ApplyForm, EndForm, PreferencesForm, RequestForm
from kinship.peers.models import MentorProfile

PREFERENCE_KEYS = [*matching.CRITERIA, *(f"{c}_need" for c in matching.CRITERIA), "waive_further_along"]


def _flat(data: QueryDict, keys: list[str]) -> dict[str, Any]:
    return {k: data.get(k) for k in keys if k in data}


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def mentoring_overview(request: HttpRequest) -> HttpResponse:
    """The member's mentoring: their mentor profile, their requests and mentorships both ways."""
    user = signed_in(request)
    ctx = {
        "profile": mentoring.own_profile(user),
        "mentorships": mentoring.mentorships_of(user),
        "can_seek": mentoring.can_seek(user),
        "is_staff": mentoring.is_staff(user),
    }
    return render(request, "peers/mentoring.html", ctx)


def _apply_initial(user: Any, profile: MentorProfile | None) -> dict[str, Any]:
    source: Any = profile or user
    initial = {
        "diagnosis": source.diagnosis,
        "surgery_type": source.surgery_type,
        "body_site": source.body_site,
        "surgery_date": source.surgery_date.isoformat() if source.surgery_date else "",
    }
    if profile is not None:
        initial.update(
            languages=profile.language_list,
            age_band=profile.age_band,
            gender=profile.gender,
            topics=profile.topics,
            availability=profile.availability,
            capacity=profile.capacity,
        )
    return initial


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def mentor_apply(request: HttpRequest) -> HttpResponse:
    """Apply to mentor or edit one's mentor profile; POST action=pause|resume for an approved mentor."""
    user = signed_in(request)
    if not mentoring.can_apply(user):
        raise NotAllowed("Verify your email address before applying to mentor.")
    profile = mentoring.own_profile(user)
    if request.method == "POST" and request.POST.get("action") in ("pause", "resume"):
        paused = request.POST["action"] == "pause"
        mentoring.set_own_pause(user=user, paused=paused)
        messages.success(
            request,
            "Mentoring paused: nobody new can ask you." if paused else "Welcome back: members can ask you again.",
        )
        return redirect("peers:mentor-apply")
    if request.method != "POST":
        form = ApplyForm(initial=_apply_initial(user, profile))
        return render(request, "peers/mentor_apply.html", {"form": form, "profile": profile})
    form = ApplyForm(request.POST)
    data: dict[str, Any] = _flat(request.POST, [*mentoring.PROFILE_FIELDS, "accept_guidelines"])
    data["languages"] = request.POST.getlist("languages")
    try:
        saved = mentoring.save_application(user=user, data=data)
    except (Invalid, Conflict) as error:
        form.is_valid()
        show_errors(form, error)
        return render(request, "peers/mentor_apply.html", {"form": form, "profile": profile}, status=error.status)
    if profile is None or (saved.status == MentorProfile.APPLIED and profile.status != MentorProfile.APPLIED):
        messages.success(request, "Thank you for applying to mentor. The Kinship staff will look at it soon.")
    else:
        messages.success(request, "Your mentor profile is saved.")
    return redirect("peers:mentor-apply")


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def mentor_find(request: HttpRequest) -> HttpResponse:
    """Preferences (a GET form) and the mentors suggested for them, best first, each with its reasons."""
    user = signed_in(request)
    if not mentoring.can_seek(user):
        raise NotAllowed("Verify your email address before looking for a mentor.")
    asked = any(key in request.GET for key in PREFERENCE_KEYS)
    data = _flat(request.GET, PREFERENCE_KEYS) if asked else mentoring.default_preferences(user)
    form = PreferencesForm(data)
    ctx: dict[str, Any] = {"form": form, "request_form": RequestForm(), "held": mentoring.open_mentorship(user)}
    try:
        preferences = mentoring.parse_preferences(data, mentee=user)
    except Invalid as error:
        form.is_valid()
        show_errors(form, error)
        return render(request, "peers/mentor_find.html", {**ctx, "suggestions": None}, status=422)
    ctx["suggestions"] = mentoring.suggestions(user, preferences)
    ctx["hidden"] = mentoring.preferences_as_data(preferences)
    return render(request, "peers/mentor_find.html", ctx)


@never_cache
@login_required
@require_POST
def mentor_request(request: HttpRequest, user_id: int) -> HttpResponse:
    """Ask this mentor; refusals (not a suggestion, no free place, already asked) show their message."""
    user = signed_in(request)
    mentorship = mentoring.request_mentor(
        mentee=user,
        mentor=user_id,
        message=request.POST.get("message", ""),
        preferences=_flat(request.POST, PREFERENCE_KEYS),
    )
    messages.success(
        request,
        f"Request sent. {mentorship.mentor.display_name} has until "
        f"{mentorship.respond_by:%-d %B} to answer; we'll email you either way.",
    )
    return redirect(reverse("peers:mentorship-detail", args=[mentorship.pk]))


ACTIONS = ("accept", "decline", "withdraw", "end")


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def mentorship_detail(request: HttpRequest, mentorship_id: int) -> HttpResponse:
    """A request or mentorship, for its two people and staff (404 for everyone else). POST action=
    accept|decline (the mentor), withdraw (the mentee), end with optional feedback (either side)."""
    user = signed_in(request)
    mentorship = mentoring.get_mentorship_for(user, mentorship_id)
    end_form = EndForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "accept" or action == "decline":
                mentoring.answer(mentor=user, mentorship=mentorship, accept=action == "accept")
                done = "You are now their mentor." if action == "accept" else "Request declined; they will be told."
            elif action == "withdraw":
                mentoring.withdraw(mentee=user, mentorship=mentorship)
                done = "Request withdrawn. You may ask another mentor."
            elif action == "end":
                end_form = EndForm(request.POST)
                mentoring.end(actor=user, mentorship=mentorship, feedback=request.POST.get("feedback", ""))
                done = "Mentorship ended. Thank you for taking part."
            else:
                raise Invalid("Choose accept, decline, withdraw or end.", errors={"action": ["Unknown action."]})
        except Invalid as error:
            if action == "end":
                end_form.is_valid()
                show_errors(end_form, error)
            else:
                messages.error(request, error.detail)
            status = error.status
        else:
            messages.success(request, done)
            return redirect(reverse("peers:mentorship-detail", args=[mentorship.pk]))
    else:
        mentoring.look_at(user, mentorship)
    mentor_profile = MentorProfile.objects.filter(user_id=mentorship.mentor_id).first()
    ctx = {
        "mentorship": mentorship,
        "mentor_profile": mentor_profile,
        "is_mentor": user.pk == mentorship.mentor_id,
        "is_mentee": user.pk == mentorship.mentee_id,
        "is_staff": mentoring.is_staff(user),
        "end_form": end_form,
        "preferences": _preference_lines(mentorship.preferences),
    }
    return render(request, "peers/mentorship_detail.html", ctx, status=status)


def _preference_lines(data: Any) -> list[str]:
    """What the mentee asked for, in words, for the mentor to read."""
    if not isinstance(data, dict):
        return []
    lines = []
    for criterion in matching.CRITERIA:
        value = data.get(criterion)
        if not value:
            continue
        label = mentoring.CRITERION_LABELS[criterion]
        words = {
            matching.SURGERY_TYPE: matching.SURGERY_WORDS,
            matching.LANGUAGE: matching.LANGUAGE_NAMES,
            matching.AGE_BAND: matching.AGE_BAND_WORDS,
            matching.GENDER: matching.GENDER_WORDS,
        }.get(criterion, {})
        need = "must" if data.get(f"{criterion}_need") == "required" else "would be nice"
        lines.append(f"{label}: {words.get(value, value)} ({need})")
    return lines


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def mentoring_staff(request: HttpRequest) -> HttpResponse:
    """The programme for staff: applications, mentors, open requests and waiting time, active pairs.
    POST profile=<id>&action=approve|decline|pause|resume|retire."""
    user = signed_in(request)
    if not mentoring.is_staff(user):
        raise NotAllowed("The mentoring programme page is for the Kinship staff.")
    if request.method == "POST":
        profile = mentoring.get_profile_for_staff(user, request.POST.get("profile"))
        action = request.POST.get("action")
        decided = mentoring.decide(staff=user, profile=profile, action=action)
        messages.success(request, f"{decided.user.display_name}: {decided.get_status_display().lower()}.")
        return redirect("peers:mentoring-staff")
    return render(request, "peers/mentoring_staff.html", {"programme": mentoring.programme()})
