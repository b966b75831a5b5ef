"""Guest speakers: emailed invitations, accepting them, speaker profiles and their verification by staff.

An invitation link is a random token the facilitator never sees; only its SHA-256 is stored, so
a leaked database or admin screen gives no working link. The invitee's address is kept for staff
and used once, to send the link; no page shows it.
"""

import hashlib
import logging
import re
import secrets
import smtplib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ClassVar

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from kinship.accounts.models import User
from kinship.accounts.services import normalise_email
from kinship.accounts.two_factor import has_two_factor
from kinship.circles import access as circle_access
from kinship.core import ratelimit
from kinship.core.errors import Conflict, Invalid, KinshipError, NotAllowed
from kinship.core.text import check_inline, clean_line
from kinship.events import services as event_services
from kinship.events.models import Event
from kinship.events.tasks import format_when
from kinship.notifications.services import site_url
from kinship.qa import access
from kinship.qa.models import ORGANISATION_MAX, PROFESSION_MAX, SpeakerInvitation, SpeakerProfile

logger = logging.getLogger(__name__)

INVITATION_DAYS = 14
OPEN_INVITATIONS_PER_EVENT = 10
INVITES_PER_HOUR = 20
NAME_MAX = 120
NOTE_MAX = 1000
# secrets.token_urlsafe(32) gives 43 characters; anything far from that is not one of ours.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,100}")
# What a mail server that is down or refuses looks like; anything else is a bug and fails loudly.
MAIL_ERRORS = (smtplib.SMTPException, OSError)

NO_LONGER_VALID = "This invitation link is no longer valid."


class MailNotSent(KinshipError):
    """The mail server refused or was unreachable; the invitation was taken back, nothing is left behind."""

    status = 503
    title = "Email not sent"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _well_formed(token: Any) -> bool:
    return isinstance(token, str) and _TOKEN.fullmatch(token) is not None


def find_invitation(token: Any) -> SpeakerInvitation | None:
    """The invitation a token names, whatever its state; None for a malformed or unknown token."""
    if not _well_formed(token):
        return None
    return (
        SpeakerInvitation.objects.select_related("event__circle", "invited_by", "accepted_by")
        .filter(token_hash=hash_token(token))
        .first()
    )


def is_open(invitation: SpeakerInvitation, now: Any = None) -> bool:
    return (
        invitation.accepted_at is None
        and invitation.revoked_at is None
        and invitation.expires_at > (now or timezone.now())
    )


def invitation_for_token(token: Any) -> SpeakerInvitation | None:
    """The open invitation a token names; None when it is expired, revoked, accepted, unknown or malformed."""
    invitation = find_invitation(token)
    if invitation is None or not is_open(invitation):
        return None
    return invitation


def status_of(invitation: SpeakerInvitation, now: Any = None) -> str:
    """What the facilitator's list says: waiting, accepted by <name>, expired or revoked. Never the address."""
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.accepted_at is not None:
        who = invitation.accepted_by.display_name if invitation.accepted_by else "a deleted account"
        return f"accepted by {who}"
    if invitation.expires_at <= (now or timezone.now()):
        return "expired"
    return "waiting"


@dataclass
class InvitationRow:
    invitation: SpeakerInvitation
    status: str
    can_revoke: bool


def invitation_rows(event: Event, limit: int = 100) -> list[InvitationRow]:
    """The event's invitations, newest first, shaped for the facilitator's page in one query."""
    now = timezone.now()
    invitations = SpeakerInvitation.objects.filter(event=event).select_related("accepted_by", "invited_by")[:limit]
    return [
        InvitationRow(invitation=i, status=status_of(i, now), can_revoke=i.revoked_at is None and i.expires_at > now)
        for i in invitations
    ]


def speakers_of(event: Event) -> list[User]:
    """The event's speakers with their profiles, in one query."""
    return list(event.speakers.select_related("speaker_profile").order_by("display_name", "pk"))


def _clean_name(value: Any) -> str:
    name = clean_line(value, field="name", label="Name", max_length=NAME_MAX, required=True)
    return check_inline(name, field="name", label="Name")


def _email_context(invitation: SpeakerInvitation, token: str) -> dict[str, Any]:
    # Strings only, never the event itself: the template cannot reach the meeting link, which
    # opens on the page to people with a seat and must not travel in forwarded mail.
    event = invitation.event
    inviter = invitation.invited_by
    return {
        "name": invitation.name,
        "title": event.title,
        "when": format_when(event.starts_at, event),
        "timezone": event.timezone,
        "recurring": event.is_recurring,
        "circle_name": event.circle.name,
        "inviter_name": inviter.display_name if inviter else "A facilitator",
        "accept_url": site_url(reverse("qa:accept", args=[token])),
        "expires": format_when(invitation.expires_at, event),
    }


def _deliver(invitation_id: int, token: str, context: dict[str, Any], email: str) -> None:
    """Send the invitation, after commit; if the mail server fails, the invitation goes too and the caller hears."""
    message = EmailMultiAlternatives(
        subject=" ".join(f"{context['inviter_name']} invites you to speak at {context['title']}".split()),
        body=render_to_string("qa/email/speaker_invitation.txt", context),
        # The invitee alone: a one-off message to someone who may have no account, so no list headers.
        to=[email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(render_to_string("qa/email/speaker_invitation.html", context), "text/html")
    try:
        message.send()
    except MAIL_ERRORS:
        logger.warning("Speaker invitation %s could not be sent; it is withdrawn", invitation_id, exc_info=True)
        SpeakerInvitation.objects.filter(pk=invitation_id).delete()
        raise MailNotSent(
            "We could not send the invitation email just now, so no invitation was made. Please try again later."
        ) from None


@transaction.atomic
def invite(*, inviter: User, event: Event, name: Any, email: Any) -> SpeakerInvitation:
    """Email a one-use link that makes whoever accepts it a speaker of the event; facilitators and staff only."""
    if not access.can_invite_speakers(inviter, event):
        raise NotAllowed("Only the circle's facilitators can invite speakers.")
    errors: dict[str, list[str]] = {}
    clean: dict[str, str] = {}
    for field, check in (("name", lambda: _clean_name(name)), ("email", lambda: normalise_email(email))):
        try:
            clean[field] = check()
        except Invalid as exc:
            errors.update(exc.errors)
    if errors:
        raise Invalid("Please correct the highlighted fields.", errors=errors)
    ratelimit.check(
        "speaker-invite",
        str(inviter.pk),
        limit=INVITES_PER_HOUR,
        window=3600,
        message=f"You have sent {INVITES_PER_HOUR} speaker invitations in an hour. Please wait before sending more.",
    )
    # The event row lock makes the open-invitation count exact when two facilitators invite at once.
    locked = Event.objects.select_for_update(of=("self",)).select_related("circle").get(pk=event.pk)
    if locked.is_cancelled:
        raise Invalid("This event is cancelled, so it takes no speakers.", errors={"event": ["Cancelled."]})
    now = timezone.now()
    waiting = SpeakerInvitation.objects.filter(
        event=locked, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    )
    if waiting.filter(email__iexact=clean["email"]).exists():
        raise Invalid(
            "An invitation to this address is already waiting. Revoke it first to send a new one.",
            errors={"email": ["Already invited; the invitation is still waiting."]},
        )
    if waiting.count() >= OPEN_INVITATIONS_PER_EVENT:
        raise Invalid(
            f"This event has {OPEN_INVITATIONS_PER_EVENT} invitations waiting, the most it can have. "
            "Revoke one or wait for answers before inviting more.",
            errors={"email": [f"At most {OPEN_INVITATIONS_PER_EVENT} waiting invitations per event."]},
        )
    token = secrets.token_urlsafe(32)
    invitation = SpeakerInvitation.objects.create(
        event=locked,
        name=clean["name"],
        email=clean["email"],
        token_hash=hash_token(token),
        invited_by=inviter,
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    context = _email_context(invitation, token)
    transaction.on_commit(lambda: _deliver(invitation.pk, token, context, clean["email"]))
    return invitation


@transaction.atomic
def accept(*, user: User, token: Any, profession: Any = None, organisation: Any = None) -> SpeakerInvitation:
    """Make the signed-in, verified user a speaker of the invitation's event; one account per invitation.

    Profession and organisation, when given, become the user's speaker profile in the same step.
    """
    if not getattr(user, "is_authenticated", False):
        raise NotAllowed("Please sign in to accept the invitation.")
    if not user.is_verified:
        raise NotAllowed("Please confirm your email address first, then open the invitation link again.")
    found = find_invitation(token)
    if found is None:
        raise Invalid(NO_LONGER_VALID, errors={"token": [NO_LONGER_VALID]})
    # The event first (as invite() does), then the invitation: two accounts opening the same link
    # at once cannot both take it, and two invitations accepted at once cannot pass the speaker limit.
    event = Event.objects.select_for_update(of=("self",)).select_related("circle").get(pk=found.event_id)
    invitation = SpeakerInvitation.objects.select_for_update().get(pk=found.pk)
    invitation.event = event
    if invitation.revoked_at is not None:
        raise Invalid(NO_LONGER_VALID, errors={"token": [NO_LONGER_VALID]})
    if invitation.accepted_at is not None:
        if invitation.accepted_by_id == user.pk:
            raise Conflict(f"You have already accepted this invitation: you are a speaker at {event.title}.")
        raise Invalid(
            "This invitation has already been used by another account.",
            errors={"token": ["Already accepted by another account."]},
        )
    if not is_open(invitation):
        raise Invalid(NO_LONGER_VALID, errors={"token": [NO_LONGER_VALID]})
    if event.is_cancelled:
        raise Invalid("This event is cancelled, so it takes no speakers.", errors={"token": ["Cancelled."]})
    if circle_access.was_removed(user, event.circle):
        raise NotAllowed("You cannot speak at this circle's events.")
    speaker_ids = set(event.speakers.values_list("pk", flat=True))
    if user.pk not in speaker_ids and len(speaker_ids) >= event_services.MAX_SPEAKERS:
        raise Invalid(
            f"This event already has {event_services.MAX_SPEAKERS} speakers, the most it can have. "
            "Please ask the facilitator.",
            errors={"token": ["Too many speakers."]},
        )
    if profession is not None or organisation is not None:
        save_profile(user=user, profession=profession, organisation=organisation)
    event.speakers.add(user)
    invitation.accepted_by = user
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_by", "accepted_at", "updated_at"])
    return invitation


@transaction.atomic
def revoke(*, actor: User, invitation: SpeakerInvitation) -> SpeakerInvitation:
    """Take an invitation back; an accepted one also takes its speaker off the event. Twice is harmless."""
    event = invitation.event
    if not access.can_invite_speakers(actor, event):
        raise NotAllowed("Only the circle's facilitators can revoke speaker invitations.")
    invitation = SpeakerInvitation.objects.select_for_update().get(pk=invitation.pk)
    invitation.event = event
    if invitation.revoked_at is not None:
        return invitation
    if invitation.accepted_by_id is not None:
        event.speakers.remove(invitation.accepted_by_id)
        event.__dict__.pop("_speaker_ids", None)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at", "updated_at"])
    return invitation


@transaction.atomic
def save_profile(*, user: User, profession: Any, organisation: Any) -> SpeakerProfile:
    """The user's own profession and organisation; changing either on a verified profile asks staff to check again."""
    if not getattr(user, "is_verified", False):
        raise NotAllowed("Please confirm your email address first.")
    errors: dict[str, list[str]] = {}
    clean: dict[str, str] = {}
    for field, label, limit, required, value in (
        ("profession", "Profession", PROFESSION_MAX, True, profession),
        ("organisation", "Organisation", ORGANISATION_MAX, False, organisation),
    ):
        try:
            text = clean_line(value, field=field, label=label, max_length=limit, required=required)
            clean[field] = check_inline(text, field=field, label=label)
        except Invalid as exc:
            errors.update(exc.errors)
    if errors:
        raise Invalid("Please correct the highlighted fields.", errors=errors)
    profile = SpeakerProfile.objects.select_for_update().filter(user=user).first()
    if profile is None:
        return SpeakerProfile.objects.create(user=user, **clean)
    changed = (profile.profession, profile.organisation) != (clean["profession"], clean["organisation"])
    if not changed:
        return profile
    profile.profession = clean["profession"]
    profile.organisation = clean["organisation"]
    # A badge vouches for what staff checked; new words have not been checked.
    profile.verified_at = None
    profile.verified_by = None
    profile.verification_note = ""
    profile.save()
    return profile


def can_verify(user: Any) -> bool:
    staff = getattr(user, "is_authenticated", False) and getattr(user, "is_staff", False) and user.is_active
    return bool(staff and has_two_factor(user))


@transaction.atomic
def verify(*, staff_user: User, profile: SpeakerProfile, note: Any) -> SpeakerProfile:
    """Staff record that they checked the profession, and how; the answer badge shows from then on."""
    if not can_verify(staff_user):
        raise NotAllowed("Only staff can verify speakers.")
    if profile.user_id == staff_user.pk:
        raise NotAllowed("Another member of staff must verify your own profile.")
    text = check_inline(
        clean_line(note, field="note", label="Verification note", max_length=NOTE_MAX),
        field="note",
        label="Verification note",
    )
    if not text:
        message = "Write down what you checked, e.g. the register and number."
        raise Invalid(message, errors={"note": [message]})
    profile = SpeakerProfile.objects.select_for_update().get(pk=profile.pk)
    profile.verified_at = timezone.now()
    profile.verified_by = staff_user
    profile.verification_note = text
    profile.save(update_fields=["verified_at", "verified_by", "verification_note", "updated_at"])
    return profile


@transaction.atomic
def unverify(*, staff_user: User, profile: SpeakerProfile) -> SpeakerProfile:
    """Take the verification back; the badge disappears from every answer at once."""
    if not can_verify(staff_user):
        raise NotAllowed("Only staff can verify speakers.")
    profile = SpeakerProfile.objects.select_for_update().get(pk=profile.pk)
    profile.verified_at = None
    profile.verified_by = None
    profile.verification_note = ""
    profile.save(update_fields=["verified_at", "verified_by", "verification_note", "updated_at"])
    return profile


@dataclass
class VerificationList:
    unverified: list[SpeakerProfile]
    verified: list[SpeakerProfile]
    more_unverified: bool
    more_verified: bool
    LIMIT: ClassVar[int] = 200


def verification_list() -> VerificationList:
    """Profiles for staff: unverified first (oldest waiting first), with the events each speaks at; three queries."""
    limit = VerificationList.LIMIT
    events = Prefetch("user__speaking_at", queryset=Event.objects.select_related("circle").order_by("starts_at", "pk"))
    base = SpeakerProfile.objects.select_related("user", "verified_by").prefetch_related(events)
    unverified = list(base.filter(verified_at__isnull=True).order_by("created_at", "pk")[: limit + 1])
    verified = list(base.filter(verified_at__isnull=False).order_by("-verified_at", "-pk")[: limit + 1])
    return VerificationList(
        unverified=unverified[:limit],
        verified=verified[:limit],
        more_unverified=len(unverified) > limit,
        more_verified=len(verified) > limit,
    )
