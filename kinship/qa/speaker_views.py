"""Speaker pages: invitations for facilitators, accepting a link, one's own speaker profile, staff verification.

No page shows an invitee's email address: it is typed once by the facilitator and then kept for
staff, in the admin only.
"""

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from kinship.accounts.auth import signed_in
from kinship.core.converters import id_or_404
from kinship.core.errors import Invalid, NotAllowed
from kinship.core.forms import show_errors
from kinship.events import access as event_access
from kinship.events.models import Event
from kinship.events.tasks import format_when
from kinship.qa import access, speakers
from kinship.qa.models import ORGANISATION_MAX, PROFESSION_MAX, SpeakerInvitation, SpeakerProfile


class InviteForm(forms.Form):
    name = forms.CharField(required=False, help_text="How the speaker is shown in this list. At most 120 characters.")
    email = forms.CharField(
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text="We send the invitation link here. The address is never shown on the site.",
    )


class ProfileForm(forms.Form):
    profession = forms.CharField(
        required=False,
        help_text=f"For example: Orthopaedic surgeon, Physiotherapist. At most {PROFESSION_MAX} characters.",
    )
    organisation = forms.CharField(
        required=False,
        help_text=f"Where you work, if you want it shown. At most {ORGANISATION_MAX} characters.",
    )


def _invitation_event(request: HttpRequest, event_id: Any) -> Event:
    """The event, 404 when not visible, 403 when visible but the user may not invite speakers."""
    event = event_access.get_event_for(request.user, event_id)
    if not access.can_invite_speakers(request.user, event):
        raise NotAllowed("Only the circle's facilitators can invite speakers.")
    return event


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def invitations(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _invitation_event(request, event_id)
    form = InviteForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        form.is_valid()
        try:
            invitation = speakers.invite(
                inviter=signed_in(request),
                event=event,
                name=request.POST.get("name", ""),
                email=request.POST.get("email", ""),
            )
        except Invalid as error:
            show_errors(form, error)
            status = 422
        else:
            messages.success(request, f"The invitation is on its way to {invitation.name}.")
            return redirect("qa:speakers", event.pk)
    ctx = {
        "event": event,
        "circle": event.circle,
        "rows": speakers.invitation_rows(event),
        "speakers": speakers.speakers_of(event),
        "form": form,
        "days": speakers.INVITATION_DAYS,
    }
    return render(request, "qa/speakers/invitations.html", ctx, status=status)


@require_POST
@login_required
def revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = (
        SpeakerInvitation.objects.select_related("event__circle", "event__facilitator", "accepted_by")
        .filter(pk=id_or_404(invitation_id))
        .first()
    )
    if invitation is None:
        raise Http404("No such invitation.")
    # Seen through the event: an invitation of an event this user cannot see does not exist for them.
    event = _invitation_event(request, invitation.event_id)
    invitation.event = event
    speakers.revoke(actor=signed_in(request), invitation=invitation)
    if invitation.accepted_by is not None:
        messages.success(request, f"Revoked. {invitation.accepted_by.display_name} is no longer a speaker.")
    else:
        messages.success(request, f"The invitation to {invitation.name} is revoked; its link no longer works.")
    return redirect("qa:speakers", event.pk)


def _no_longer_valid(request: HttpRequest) -> HttpResponse:
    return render(request, "qa/speakers/invalid_link.html", {"detail": speakers.NO_LONGER_VALID}, status=404)


def _accept_context(request: HttpRequest, invitation: SpeakerInvitation, token: str) -> dict[str, Any]:
    event = invitation.event
    user = request.user
    profile = SpeakerProfile.objects.filter(user=user).first() if user.is_authenticated else None
    here = reverse("qa:accept", args=[token])
    return {
        "invitation": invitation,
        "event": event,
        "circle_name": event.circle.name,
        "when": format_when(event.starts_at, event),
        "inviter_name": invitation.invited_by.display_name if invitation.invited_by else "A facilitator",
        "profile": profile,
        "ask_profile": user.is_authenticated and profile is None,
        "login_url": reverse("accounts:login") + "?" + urlencode({"next": here}),
        "signup_url": reverse("accounts:signup") + "?" + urlencode({"next": here}),
        "here": here,
    }


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the email: the event, what speaking means, and sign in or accept."""
    invitation = speakers.find_invitation(token)
    if invitation is None:
        return _no_longer_valid(request)
    user = request.user
    mine = invitation.accepted_by_id is not None and user.is_authenticated and invitation.accepted_by_id == user.pk
    if invitation.revoked_at is None and mine:
        return render(request, "qa/speakers/accepted.html", {"event": invitation.event})
    if not speakers.is_open(invitation):
        return _no_longer_valid(request)
    ctx = _accept_context(request, invitation, token)
    form = ProfileForm(request.POST if request.method == "POST" else None)
    ctx["form"] = form
    if request.method != "POST":
        return render(request, "qa/speakers/accept.html", ctx)
    if not user.is_authenticated:
        return redirect(ctx["login_url"])
    form.is_valid()
    profile_fields: dict[str, Any] = {}
    if ctx["ask_profile"]:
        profile_fields = {
            "profession": request.POST.get("profession", ""),
            "organisation": request.POST.get("organisation", ""),
        }
    try:
        speakers.accept(user=signed_in(request), token=token, **profile_fields)
    except Invalid as error:
        if ctx["ask_profile"] and set(error.errors) & {"profession", "organisation"}:
            show_errors(form, error)
            return render(request, "qa/speakers/accept.html", ctx, status=422)
        raise
    messages.success(request, f"Thank you: you are a speaker at {invitation.event.title}.")
    return redirect(invitation.event)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    current = SpeakerProfile.objects.select_related("verified_by").filter(user=user).first()
    initial = {"profession": current.profession, "organisation": current.organisation} if current else {}
    form = ProfileForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        form.is_valid()
        try:
            saved = speakers.save_profile(
                user=user,
                profession=request.POST.get("profession", ""),
                organisation=request.POST.get("organisation", ""),
            )
        except Invalid as error:
            show_errors(form, error)
            status = 422
        else:
            if current is not None and current.is_verified and not saved.is_verified:
                messages.success(request, "Saved. Staff will check your new details before the badge shows again.")
            else:
                messages.success(request, "Your speaker profile is saved.")
            return redirect("qa:speaker-profile")
    talks = list(user.speaking_at.select_related("circle").order_by("starts_at", "pk")[:50])
    ctx = {"form": form, "profile": current, "talks": talks}
    return render(request, "qa/speakers/profile.html", ctx, status=status)


def _staff_only(request: HttpRequest) -> None:
    if not speakers.can_verify(request.user):
        raise NotAllowed("Only staff can verify speakers.")


def _verification_page(
    request: HttpRequest, *, failed: int | None = None, note: str = "", error: str = "", status: int = 200
) -> HttpResponse:
    found = speakers.verification_list()
    ctx = {"list": found, "limit": found.LIMIT, "failed": failed, "failed_note": note, "failed_error": error}
    return render(request, "qa/speakers/verification.html", ctx, status=status)


@login_required
def verification(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    return _verification_page(request)


@require_POST
@login_required
def verify(request: HttpRequest, profile_id: int) -> HttpResponse:
    _staff_only(request)
    target = SpeakerProfile.objects.select_related("user").filter(pk=id_or_404(profile_id)).first()
    if target is None:
        raise Http404("No such speaker profile.")
    staff = signed_in(request)
    action = request.POST.get("action", "verify")
    if action == "unverify":
        speakers.unverify(staff_user=staff, profile=target)
        messages.success(request, f"{target.user.display_name} is no longer verified; the badge is gone.")
        return redirect("qa:verification")
    if action != "verify":
        raise Invalid("Choose verify or unverify.", errors={"action": ["Choose verify or unverify."]})
    note = request.POST.get("note", "")
    try:
        speakers.verify(staff_user=staff, profile=target, note=note)
    except Invalid as error:
        messages_for_note = error.errors.get("note") or [error.detail]
        return _verification_page(
            request, failed=target.pk, note=note[:2000], error=" ".join(messages_for_note), status=422
        )
    messages.success(request, f"{target.user.display_name} is verified as {target.profession}.")
    return redirect("qa:verification")
