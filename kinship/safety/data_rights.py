"""A member's data rights: the download of everything they gave the site, and erasing their account.

The export holds the member's own words and choices. Other people appear only by the display name
the member already sees beside them (a conversation partner, a mentor, a referring facilitator),
never by email, and never with their own words: a conversation's export carries only the messages
the member sent. Staff-only notes about the member (a mentor application's decision, a referral's
note, feedback the other side gave) stay out.

Erasing keeps the account's row as "Former member" so what stays (anonymised posts, a conversation
partner's own messages, moderation records) still has an author, while everything that names or
describes the person goes: email, name, profile, health details, journal, messages, memberships.
"""

from datetime import date, datetime
from importlib import import_module
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from kinship.accounts import consents, two_factor
from kinship.accounts.models import ApiToken, ConsentRecord, RecoveryCode, SignInSession, TwoFactorDevice, User
from kinship.circles.models import Membership
from kinship.circles.services import count_members, lock_circles
from kinship.core import ratelimit
from kinship.core.errors import Invalid, NotAllowed
from kinship.discussions.models import Post, Reaction, Topic, TopicRead
from kinship.events.models import CalendarToken, Occurrence, ReminderSent, Rsvp
from kinship.events.services import _promote
from kinship.journal import export as journal_export
from kinship.journal.models import CheckIn, Goal, Milestone, ReminderMark, SummaryShare, SupportRequest
from kinship.library.models import Referral, Tip, TipVote
from kinship.notifications.models import EmailPreference, Notice
from kinship.peers.models import (
    Block,
    Conversation,
    MentorProfile,
    Mentorship,
    Message,
    MessageReport,
    Participant,
)
from kinship.qa.models import Question, SpeakerProfile, Vote
from kinship.safety import audit
from kinship.safety.models import CrisisAlert, Report

FORMER_MEMBER = "Former member"
REMOVE = "remove"
ANONYMISE = "anonymise"
POST_CHOICES = [
    (ANONYMISE, "Keep my posts, shown as “Former member”"),
    (REMOVE, "Remove my posts and replies"),
]
POST_CHOICE_VALUES = [value for value, _ in POST_CHOICES]
# Password guesses against the delete form: few, because a right guess erases the account.
ERASE_ATTEMPTS_PER_HOUR = 10
PASSWORD_MAX_LENGTH = 256


def _when(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _circle(circle: Any) -> dict[str, str]:
    return {"slug": circle.slug, "name": circle.name}


# ---------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------


def _profile(user: User) -> dict[str, Any]:
    return {
        "id": user.pk,
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role,
        "bio": user.bio,
        "avatar_url": user.avatar_url,
        **{field: getattr(user, field) for field in ("diagnosis", "surgery_type", "body_site")},
        "surgery_date": _when(user.surgery_date),
        **{f"{field}_visibility": getattr(user, f"{field}_visibility") for field in User.RECOVERY_FIELDS},
        "email_verified_at": _when(user.email_verified_at),
        "terms_accepted_at": _when(user.terms_accepted_at),
        "terms_version": user.terms_version,
        "joined_at": _when(user.date_joined),
        "suspended_until": _when(user.suspended_until),
    }


def _discussions(user: User) -> dict[str, Any]:
    posts = Post.objects.filter(author=user).select_related("topic__circle").order_by("created_at", "id")
    reactions = Reaction.objects.filter(user=user).order_by("created_at", "id")
    out_posts = []
    topics = []
    for post in posts:
        topic = post.topic
        if post.is_opening:
            topics.append(
                {
                    "id": topic.pk,
                    "circle": _circle(topic.circle),
                    "title": topic.title,
                    "celebration": topic.is_celebration,
                    "created_at": _when(topic.created_at),
                    "deleted_at": _when(topic.deleted_at),
                }
            )
        out_posts.append(
            {
                "id": post.pk,
                "topic_id": topic.pk,
                "topic_title": topic.title,
                "circle": _circle(topic.circle),
                "opening": post.is_opening,
                "body": post.body,
                "anonymous": post.anonymous,
                "content_note": post.content_note,
                "hidden": post.hidden,
                "awaiting_approval": post.awaiting_approval,
                "moderation_note": post.moderation_note,
                "created_at": _when(post.created_at),
                "edited_at": _when(post.edited_at),
                "deleted_at": _when(post.deleted_at),
            }
        )
    return {
        "topics": topics,
        "posts": out_posts,
        "reactions": [{"post_id": r.post_id, "kind": r.kind, "created_at": _when(r.created_at)} for r in reactions],
    }


def _events(user: User) -> dict[str, Any]:
    rsvps = Rsvp.objects.filter(member=user).select_related("occurrence__event").order_by("answered_at", "id")
    questions = Question.objects.filter(author=user).select_related("event").order_by("created_at", "id")
    votes = Vote.objects.filter(voter=user).order_by("created_at", "id")
    speaker = SpeakerProfile.objects.filter(user=user).first()
    calendar = CalendarToken.objects.filter(user=user).first()
    return {
        "rsvps": [
            {
                "event": {"id": r.occurrence.event_id, "title": r.occurrence.event.title},
                "starts_at": _when(r.occurrence.starts_at),
                "answer": r.answer,
                "waitlisted": r.waitlisted,
                "attended": r.attended,
                "answered_at": _when(r.answered_at),
            }
            for r in rsvps
        ],
        "questions": [
            {
                "id": q.pk,
                "event": {"id": q.event_id, "title": q.event.title},
                "body": q.body,
                "anonymous": q.anonymous,
                "status": q.status,
                "answer": q.answer,
                "answered_at": _when(q.answered_at),
                "created_at": _when(q.created_at),
            }
            for q in questions
        ],
        "question_votes": [{"question_id": v.question_id, "created_at": _when(v.created_at)} for v in votes],
        "speaker_profile": {
            "profession": speaker.profession,
            "organisation": speaker.organisation,
            "verified_at": _when(speaker.verified_at),
        }
        if speaker
        else None,
        "calendar_feed_since": _when(calendar.created_at) if calendar else None,
    }


def _library(user: User) -> dict[str, Any]:
    tips = Tip.objects.filter(author=user).order_by("created_at", "id")
    votes = TipVote.objects.filter(voter=user).order_by("created_at", "id")
    referrals = (
        Referral.objects.filter(member=user).select_related("resource", "circle", "referred_by").order_by("created_at")
    )
    return {
        "tips": [
            {
                "id": t.pk,
                "theme": t.theme,
                "body": t.body,
                "helpful_count": t.helpful_count,
                "featured_at": _when(t.featured_at),
                "hidden": t.hidden,
                "created_at": _when(t.created_at),
                "deleted_at": _when(t.deleted_at),
            }
            for t in tips
        ],
        "helpful_votes": [{"tip_id": v.tip_id, "created_at": _when(v.created_at)} for v in votes],
        # The referring facilitator's note is theirs, not the member's: left out.
        "referrals_for_me": [
            {
                "id": r.pk,
                "resource": {"id": r.resource_id, "name": r.resource.name},
                "circle": _circle(r.circle),
                "referred_by": r.referred_by.display_name if r.referred_by else None,
                "status": r.status,
                "created_at": _when(r.created_at),
                "closed_at": _when(r.closed_at),
            }
            for r in referrals
        ],
    }


def _peers(user: User) -> dict[str, Any]:
    profile = MentorProfile.objects.filter(user=user).first()
    mentorships = (
        Mentorship.objects.filter(Q(mentee=user) | Q(mentor=user))
        .select_related("mentee", "mentor")
        .order_by("created_at", "id")
    )
    conversations = (
        Conversation.objects.filter(Q(low=user) | Q(high=user)).select_related("low", "high").order_by("created_at")
    )
    sent = Message.objects.filter(sender=user).order_by("created_at", "id")
    blocks = Block.objects.filter(blocker=user).select_related("blocked").order_by("created_at", "id")
    by_conversation: dict[int, list[dict[str, Any]]] = {}
    for message in sent:
        by_conversation.setdefault(message.conversation_id, []).append(
            {"id": message.pk, "body": message.body, "created_at": _when(message.created_at)}
        )
    return {
        "mentor_profile": {
            **{
                field: getattr(profile, field)
                for field in ("diagnosis", "surgery_type", "body_site", "languages", "age_band", "gender")
            },
            **{field: getattr(profile, field) for field in ("topics", "availability", "capacity", "status")},
            "surgery_date": _when(profile.surgery_date),
            "guidelines_accepted_at": _when(profile.guidelines_accepted_at),
            "created_at": _when(profile.created_at),
        }
        if profile
        else None,
        "mentorships": [_mentorship(m, user) for m in mentorships],
        "conversations": [
            {
                "id": c.pk,
                "with": (c.high if c.low_id == user.pk else c.low).display_name,
                "started_at": _when(c.created_at),
                # Only what this member wrote: the other side's words are theirs.
                "messages_i_sent": by_conversation.get(c.pk, []),
            }
            for c in conversations
        ],
        "blocks": [{"blocked": b.blocked.display_name, "created_at": _when(b.created_at)} for b in blocks],
    }


def _mentorship(mentorship: Mentorship, user: User) -> dict[str, Any]:
    mentee = mentorship.mentee_id == user.pk
    return {
        "id": mentorship.pk,
        "my_side": "mentee" if mentee else "mentor",
        "with": (mentorship.mentor if mentee else mentorship.mentee).display_name,
        "status": mentorship.status,
        # The request is the mentee's words; a mentor's copy would be someone else's.
        "preferences": mentorship.preferences if mentee else None,
        "message": mentorship.message if mentee else None,
        "feedback": mentorship.feedback if mentorship.ended_by_id == user.pk else None,
        "created_at": _when(mentorship.created_at),
        "responded_at": _when(mentorship.responded_at),
        "ended_at": _when(mentorship.ended_at),
    }


def _account(user: User) -> dict[str, Any]:
    preference = EmailPreference.objects.filter(user=user).first() or EmailPreference(user=user)
    device = TwoFactorDevice.objects.filter(user=user).first()
    return {
        "consents": [
            {
                "document": c.document,
                "version": c.version,
                "action": c.action,
                "created_at": _when(c.created_at),
            }
            for c in ConsentRecord.objects.filter(account_number=user.pk).order_by("created_at", "id")
        ],
        "memberships": [
            {
                "circle": _circle(m.circle),
                "role": m.role,
                "status": m.status,
                "joined_at": _when(m.created_at),
                "guidelines_accepted_at": _when(m.guidelines_accepted_at),
                "muted_until": _when(m.muted_until),
            }
            for m in Membership.objects.filter(user=user).select_related("circle").order_by("created_at", "id")
        ],
        "email_preferences": {kind: preference.wants(kind) for kind in EmailPreference.KINDS},
        "notices": [
            {
                "kind": n.kind,
                "text": n.text,
                "url": n.url,
                "created_at": _when(n.created_at),
                "read_at": _when(n.read_at),
            }
            for n in Notice.objects.filter(user=user).order_by("created_at", "id")
        ],
        "reports_i_made": [
            {
                "target_type": r.target_type,
                "target_id": r.target_id,
                "reason": r.reason,
                "detail": r.detail,
                "status": r.status,
                "outcome": r.outcome,
                "created_at": _when(r.created_at),
            }
            for r in Report.objects.filter(reporter=user).order_by("created_at", "id")
        ],
        "message_reports_i_made": [
            {"message_id": r.message_id, "reason": r.reason, "status": r.status, "created_at": _when(r.created_at)}
            for r in MessageReport.objects.filter(reporter=user).order_by("created_at", "id")
        ],
        "sign_in_sessions": [
            {"device": s.user_agent, "signed_in_at": _when(s.created_at)}
            for s in SignInSession.objects.filter(user=user).order_by("created_at", "id")
        ],
        "api_tokens": [
            {"created_at": _when(t.created_at), "last_used_at": _when(t.last_used_at)}
            for t in ApiToken.objects.filter(user=user).order_by("created_at", "id")
        ],
        "two_factor": {
            "enabled": bool(device and device.is_confirmed),
            "since": _when(device.confirmed_at) if device else None,
        },
    }


def export_for(user: User) -> dict[str, Any]:
    """Everything the member gave the site, as one JSON-ready document (a fixed number of queries)."""
    return {
        "format": "kinship-export",
        "version": 1,
        "exported_at": _when(timezone.now()),
        "profile": _profile(user),
        **_account(user),
        **_discussions(user),
        **_events(user),
        **_library(user),
        **_peers(user),
        "journal": journal_export.export_for(user),
    }


@transaction.atomic
def record_export(*, user: User) -> dict[str, Any]:
    """The member's export, written to the audit log as it is handed out."""
    document = export_for(user)
    audit.record(actor=user, action="data_export", target=user)
    return document


def export_filename(today: date | None = None) -> str:
    return f"kinship-data-{(today or timezone.localdate()).isoformat()}.json"


# ---------------------------------------------------------------------------------------------
# Erasure
# ---------------------------------------------------------------------------------------------


def needs_code(user: User) -> bool:
    """Whether erasing also asks for a two-step sign-in code (two-factor switched on)."""
    return two_factor.has_two_factor(user)


def _check(user: User, password: Any, posts: Any, code: Any) -> None:
    errors: dict[str, list[str]] = {}
    if posts not in POST_CHOICE_VALUES:
        errors["posts"] = ["Choose whether to remove your posts or keep them as “Former member”."]
    if not isinstance(password, str) or not password or len(password) > PASSWORD_MAX_LENGTH:
        errors["password"] = ["Enter your password."]
    elif not check_password(password, user.password):
        errors["password"] = ["That password is not right."]
    if needs_code(user):
        if not isinstance(code, str) or not code.strip():
            errors["otp"] = ["Enter a code from your authenticator app or a recovery code."]
        elif not errors:
            # Only now: a recovery code is used up by checking it (undone with the rest if erasing fails).
            try:
                two_factor.verify(user=user, code=code)
            except Invalid as error:
                errors["otp"] = error.errors.get("otp") or [error.detail]
    if errors:
        raise Invalid("Your account was not deleted. Please correct the highlighted fields.", errors=errors)


def _remove_posts(user: User, now: datetime) -> None:
    """Soft delete as discussions.delete_post does: the words go; an opening post takes its topic."""
    mine = Post.objects.filter(author=user, deleted_at__isnull=True)
    opening_topics = list(mine.filter(is_opening=True).values_list("topic_id", flat=True))
    reply_topics = list(mine.filter(is_opening=False).values_list("topic_id", flat=True))
    mine.update(deleted_at=now, body="", body_html="", content_note="", moderation_note="")
    # Posts deleted earlier may still carry a moderator's note about this person.
    Post.objects.filter(author=user).update(content_note="", moderation_note="")
    # The title is the member's words too: the search index follows the row.
    Topic.objects.filter(pk__in=opening_topics).update(deleted_at=now, title="Removed topic")
    for topic_id in reply_topics:
        Topic.objects.filter(pk=topic_id, reply_count__gt=0).update(reply_count=F("reply_count") - 1)


def _take_back_reactions(user: User) -> None:
    for post_id, kind in Reaction.objects.filter(user=user).values_list("post_id", "kind"):
        Post.objects.filter(pk=post_id, **{f"{kind}_count__gt": 0}).update(**{f"{kind}_count": F(f"{kind}_count") - 1})
    Reaction.objects.filter(user=user).delete()


def _take_back_votes(user: User) -> None:
    for question_id in Vote.objects.filter(voter=user).values_list("question_id", flat=True):
        Question.objects.filter(pk=question_id, vote_count__gt=0).update(vote_count=F("vote_count") - 1)
    Vote.objects.filter(voter=user).delete()
    for tip_id in TipVote.objects.filter(voter=user).values_list("tip_id", flat=True):
        Tip.objects.filter(pk=tip_id, helpful_count__gt=0).update(helpful_count=F("helpful_count") - 1)
    TipVote.objects.filter(voter=user).delete()


def _give_up_seats(user: User, now: datetime) -> None:
    """A seat the member held goes to the next on the waitlist, as when they answer "not going"."""
    seats = Rsvp.objects.filter(member=user, answer=Rsvp.GOING, waitlisted=False)
    for occurrence_id in seats.values_list("occurrence_id", flat=True):
        row = Occurrence.objects.select_for_update().get(pk=occurrence_id)
        Occurrence.objects.filter(pk=row.pk, going_count__gt=0).update(going_count=F("going_count") - 1)
        row.going_count = max(0, row.going_count - 1)
        if row.starts_at > now:
            # events' own promotion, so the waitlist moves exactly as after a "not going".
            _promote(row, 1)
    Rsvp.objects.filter(member=user).delete()


def _end_sessions(user: User) -> None:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in SignInSession.objects.filter(user=user).values_list("session_key", flat=True):
        store(session_key=key).delete()
    SignInSession.objects.filter(user=user).delete()
    ApiToken.objects.filter(user=user).delete()


def _forget_person(user: User, now: datetime) -> None:
    if user.avatar:
        user.avatar.delete(save=False)
    user.email = f"erased-{user.pk}@invalid"
    user.display_name = FORMER_MEMBER
    user.set_unusable_password()
    user.bio = ""
    user.avatar = ""  # type: ignore[assignment]
    user.diagnosis = ""
    user.surgery_type = ""
    user.body_site = ""
    user.surgery_date = None
    for field in User.RECOVERY_FIELDS:
        setattr(user, f"{field}_visibility", User.ONLY_ME)
    user.email_verified_at = None
    user.terms_accepted_at = None
    user.terms_version = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.suspended_until = None
    user.deleted_at = now
    user.save()
    user.groups.clear()
    user.user_permissions.clear()


@transaction.atomic
def erase(*, user: User, password: Any, posts: Any, code: Any = None) -> User:
    """Erase the member's account; their posts are removed or kept as "Former member", as they chose.

    Raises Invalid for a wrong password or code or an unknown choice (nothing changes then),
    NotAllowed when the account is already erased.
    """
    ratelimit.check(
        "erase",
        str(user.pk),
        limit=ERASE_ATTEMPTS_PER_HOUR,
        window=3600,
        message="Too many attempts. Please wait an hour and try again.",
    )
    if user.deleted_at is not None:
        raise NotAllowed("This account is already deleted.")
    _check(user, password, posts, code)
    user = User.objects.select_for_update().get(pk=user.pk)
    now = timezone.now()

    if posts == REMOVE:
        _remove_posts(user, now)
        Tip.objects.filter(author=user, deleted_at__isnull=True).update(
            deleted_at=now, body="", body_html="", featured_at=None, featured_by=None, updated_at=now
        )
        Question.objects.filter(author=user).delete()
    else:
        # Kept words, no person: questions lose their author (qa shows them unattributed).
        Question.objects.filter(author=user).update(author=None)
        Post.objects.filter(author=user).update(moderation_note="")
    _take_back_reactions(user)
    _take_back_votes(user)
    _give_up_seats(user, now)

    # Private messages are personal data; the other side keeps the conversation and their own words.
    Message.objects.filter(sender=user).delete()
    conversation_ids = Conversation.objects.filter(Q(low=user) | Q(high=user)).values("pk")
    Participant.objects.filter(conversation_id__in=conversation_ids).exclude(user=user).update(unread_count=0)
    Block.objects.filter(blocker=user).delete()
    Mentorship.objects.filter(Q(mentee=user) | Q(mentor=user)).delete()
    MentorProfile.objects.filter(user=user).delete()
    SpeakerProfile.objects.filter(user=user).delete()
    user.speaking_at.clear()
    Referral.objects.filter(member=user).delete()
    MessageReport.objects.filter(reporter=user).delete()
    # Reports the member made stay for the moderation record, without their words or their name.
    Report.objects.filter(reporter=user).update(reporter=None, detail="")
    CrisisAlert.objects.filter(writer=user).delete()
    # The journal: milestones, goals, check-ins, what was shared from it, and the reminder mark.
    SupportRequest.objects.filter(owner=user).delete()
    SummaryShare.objects.filter(owner=user).delete()
    Milestone.objects.filter(owner=user).delete()
    Goal.objects.filter(owner=user).delete()
    CheckIn.objects.filter(owner=user).delete()
    ReminderMark.objects.filter(user=user).delete()
    memberships = Membership.objects.filter(user=user)
    # Locked first, so an approval or removal in one of them cannot change a status read here.
    lock_circles(memberships.values_list("circle_id", flat=True))
    count_members(memberships.filter(status=Membership.ACTIVE).values_list("circle_id", flat=True), -1)
    memberships.delete()
    TopicRead.objects.filter(user=user).delete()
    ReminderSent.objects.filter(member=user).delete()
    CalendarToken.objects.filter(user=user).delete()
    EmailPreference.objects.filter(user=user).delete()
    Notice.objects.filter(user=user).delete()
    # Replayed API answers hold copies of what the member sent (api sits beside safety: looked up by name).
    apps.get_model("api", "IdempotencyKey").objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    TwoFactorDevice.objects.filter(user=user).delete()
    _end_sessions(user)

    # The consent history stays, by account number only: the withdrawal closes it.
    consents.record(user=user, action=ConsentRecord.WITHDRAWN)
    ConsentRecord.objects.filter(user=user).update(user=None)
    audit.record(actor=user, action="account_deleted", target=user, detail=f"posts: {posts}")
    _forget_person(user, now)
    return user
