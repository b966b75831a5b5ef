"""Plant one of every kind of thing a member can make, with a marker word in each, and others' secrets beside it.

Marker words are single tokens ("MinebioQx") so full-text search finds them and a scan of every
table can tell whose they are: "Mine…" belong to the member whose data is exported or erased,
"Other…" to someone else and must never reach that member's export.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import timezone

from kinship.accounts.models import ApiToken, SignInSession, User
from kinship.circles.models import Circle
from kinship.core import factories
from kinship.discussions import services as discussions
from kinship.discussions.models import Post, Reaction
from kinship.events.models import Event, Occurrence, Rsvp
from kinship.journal.models import CheckIn, Goal, GoalUpdate, Milestone, SummaryShare, SupportRequest
from kinship.library.models import Referral, Resource, Tip, TipVote
from kinship.notifications.models import EmailPreference, Notice
from kinship.peers.models import Block, Conversation, MentorProfile, Mentorship, Message, MessageReport, Participant
from kinship.qa.models import Question, SpeakerProfile, Vote
from kinship.safety.models import CrisisAlert, Report

MINE = [
    "MinebioQx",
    "MinediagnosisQx",
    "MinebodysiteQx",
    "MinetitleQx",
    "MinetopicQx",
    "MinereplyQx",
    "MineanonQx",
    "MinenoteQx",
    "MinequestionQx",
    "MinetipQx",
    "MinementorQx",
    "MineavailQx",
    "MinerequestQx",
    "MinemessageQx",
    "MinereportQx",
    "MinemsgreportQx",
    "MinenoticeQx",
    "MinemilestoneQx",
    "MinegoalQx",
    "MinegoalnoteQx",
    "MinecheckinQx",
    "MineprofessionQx",
    "MinefeedbackQx",
    "MineagentQx",
]
OTHERS = [
    "OtherbioQx",
    "OtherpostQx",
    "OtherreplyQx",
    "OtherquestionQx",
    "OthertipQx",
    "OtherreferralnoteQx",
    "OthermenteeQx",
    "OtherfeedbackQx",
    "OthermessageQx",
    "OthercheckinQx",
    "OtherstaffnoteQx",
    "OtherdecisionQx",
    "OthernoticeQx",
]


@dataclass
class Planted:
    member: User
    other: User
    facilitator: User
    circle: Circle
    event: Event
    occurrence: Occurrence
    topic_id: int
    other_topic_id: int
    conversation: Conversation
    extra: dict[str, Any] = field(default_factory=dict)


def _post(topic_id: int, author: User, body: str, **fields: Any) -> Post:
    return discussions.post_reply(author=author, topic=_topic(topic_id), body=body, **fields)


def _topic(topic_id: int) -> Any:
    from kinship.discussions.models import Topic

    return Topic.objects.get(pk=topic_id)


def plant(member: User, *, circle: Circle, facilitator: User) -> Planted:
    """Everything `member` can make, plus another member's private things around it."""
    now = timezone.now()
    other = factories.make_member(circle, display_name="Olive Other", bio="OtherbioQx")
    User.objects.filter(pk=member.pk).update(
        bio="MinebioQx", diagnosis="MinediagnosisQx", body_site="MinebodysiteQx", surgery_type="amputation"
    )
    # A fresh copy: access caches what it learned about the member's circles on the object.
    member = User.objects.get(pk=member.pk)
    facilitator = User.objects.get(pk=facilitator.pk)

    # Discussions: a topic, a reply, an anonymous reply with a content note, a reaction.
    topic = factories.make_topic(circle=circle, author=member, title="MinetitleQx", body="MinetopicQx")
    _post(topic.pk, member, "MinereplyQx")
    _post(topic.pk, member, "MineanonQx", anonymous=True, content_note="MinenoteQx")
    other_reply = _post(topic.pk, other, "OtherreplyQx")
    other_topic = factories.make_topic(circle=circle, author=other, title="Other title", body="OtherpostQx")
    discussions.react(member=member, post=other_reply, kind=Reaction.SENDING_STRENGTH)

    # Events and questions.
    event = factories.make_event(circle=circle, facilitator=facilitator, capacity=1)
    occurrence = Occurrence.objects.create(
        event=event, original_start=event.starts_at, starts_at=event.starts_at, ends_at=event.ends_at, going_count=1
    )
    Rsvp.objects.create(occurrence=occurrence, member=member, answer=Rsvp.GOING, answered_at=now)
    Rsvp.objects.create(occurrence=occurrence, member=other, answer=Rsvp.GOING, waitlisted=True, answered_at=now)
    Question.objects.create(event=event, author=member, body="MinequestionQx")
    other_question = Question.objects.create(event=event, author=other, body="OtherquestionQx", vote_count=1)
    Vote.objects.create(question=other_question, voter=member)
    SpeakerProfile.objects.update_or_create(
        user=member,
        defaults={
            "profession": "MineprofessionQx",
            "verification_note": "OtherstaffnoteQx",
            "verified_by": facilitator,
        },
    )

    # Library: a tip, a helpful vote, a referral about the member (the note is the facilitator's).
    Tip.objects.create(author=member, theme="pain", body="MinetipQx", body_html="<p>MinetipQx</p>")
    other_tip = Tip.objects.create(
        author=other, theme="pain", body="OthertipQx", body_html="<p>OthertipQx</p>", helpful_count=1
    )
    TipVote.objects.create(tip=other_tip, voter=member)
    resource = Resource.objects.create(kind="helpline", name="Bone Cancer Helpline")
    Referral.objects.create(
        resource=resource,
        member=member,
        referred_by=facilitator,
        circle=circle,
        note="OtherreferralnoteQx",
        follow_up_at=now + timedelta(days=14),
    )
    Referral.objects.create(resource=resource, member=other, referred_by=facilitator, circle=circle, follow_up_at=now)

    # Peers: a mentor profile, a request as mentee, a mentorship as mentor, messages both ways.
    MentorProfile.objects.update_or_create(
        user=member,
        defaults={
            "topics": "MinementorQx",
            "availability": "MineavailQx",
            "guidelines_accepted_at": now,
            "decided_by": facilitator,
        },
    )
    MentorProfile.objects.create(user=other, topics="OtherdecisionQx", guidelines_accepted_at=now)
    Mentorship.objects.create(
        mentee=member,
        mentor=other,
        message="MinerequestQx",
        preferences={"note": "MinerequestQx"},
        respond_by=now + timedelta(days=7),
        status=Mentorship.ENDED,
        ended_by=member,
        feedback="MinefeedbackQx",
    )
    Mentorship.objects.create(
        mentee=other,
        mentor=member,
        message="OthermenteeQx",
        respond_by=now + timedelta(days=7),
        status=Mentorship.ENDED,
        ended_by=other,
        feedback="OtherfeedbackQx",
    )
    low, high = sorted([member, other], key=lambda u: u.pk)
    conversation = Conversation.objects.create(low=low, high=high, last_message_at=now)
    Participant.objects.create(conversation=conversation, user=member)
    Participant.objects.create(conversation=conversation, user=other, unread_count=1)
    Message.objects.create(conversation=conversation, sender=member, body="MinemessageQx", body_html="MinemessageQx")
    theirs = Message.objects.create(
        conversation=conversation, sender=other, body="OthermessageQx", body_html="OthermessageQx"
    )
    stranger = factories.make_user(display_name="Blocked Person")
    Block.objects.create(blocker=member, blocked=stranger)
    MessageReport.objects.create(message=theirs, reporter=member, reason="MinemsgreportQx")
    Report.objects.create(
        reporter=member, target_type=Report.POST, target_id=other_reply.pk, circle=circle, reason="spam",
        detail="MinereportQx",
    )  # fmt: skip

    # Account: email choices, a notice, a browser session and an app token.
    EmailPreference.objects.update_or_create(user=member, defaults={"new_messages": False})
    Notice.objects.create(user=member, kind="warn", text="MinenoticeQx")
    Notice.objects.create(user=other, kind="warn", text="OthernoticeQx")
    SignInSession.objects.create(user=member, session_key=f"{other.pk:k>40}", user_agent="MineagentQx")
    ApiToken.issue(member)

    # Journal: a milestone, a goal with an update, a check-in shared and asked about.
    Milestone.objects.create(owner=member, title="First steps", happened_on=now.date(), note="MinemilestoneQx")
    goal = Goal.objects.create(owner=member, title="MinegoalQx")
    GoalUpdate.objects.create(goal=goal, progress=30, note="MinegoalnoteQx")
    checkin = CheckIn.objects.create(owner=member, distress=7, pain=5, problems=["sleep"], note="MinecheckinQx")
    SummaryShare.objects.get_or_create(owner=member, circle=circle)
    SupportRequest.objects.create(owner=member, circle=circle, checkin=checkin)
    CheckIn.objects.create(owner=other, distress=2, pain=1, note="OthercheckinQx")
    CrisisAlert.objects.create(writer=member, circle=circle, source_type="checkin", source_id=checkin.pk)

    return Planted(
        member=member,
        other=other,
        facilitator=facilitator,
        circle=circle,
        event=event,
        occurrence=occurrence,
        topic_id=topic.pk,
        other_topic_id=other_topic.pk,
        conversation=conversation,
    )


def _text_fields(model: type[models.Model]) -> list[str]:
    kinds = (models.CharField, models.TextField, models.JSONField, models.FileField)
    return [f.attname for f in model._meta.concrete_fields if isinstance(f, kinds)]


def rows_containing(needle: str) -> list[str]:
    """Every table.column whose stored text holds `needle` (case-insensitive), across all models."""
    needle = needle.lower()
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        names = _text_fields(model)
        if not names:
            continue
        for row in model._default_manager.values_list("pk", *names):
            for name, value in zip(names, row[1:], strict=True):
                if value is not None and needle in str(value).lower():
                    found.append(f"{model._meta.db_table}.{name} (row {row[0]})")
    return found
