"""Every write to questions, votes and answers. Pages and API call these; nothing else writes.

Each write first bumps the event's `questions_version`, which takes the event's row lock: the
writes of one event's questions happen one at a time, so limits and vote counts stay exact under
concurrency, and every change gives live pages a new version to fetch.
"""

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kinship.accounts.models import User
from kinship.core import live, ratelimit
from kinship.core.errors import Invalid, NotAllowed
from kinship.core.markdown import render_markdown
from kinship.core.signals import alert_if_crisis
from kinship.core.text import clean_text
from kinship.events.models import Event
from kinship.qa import access
from kinship.qa.models import ANSWER_MAX, QUESTION_MAX, Question, Vote

QUESTIONS_PER_MEMBER = 10
VOTES_PER_MINUTE = 60
MODERATION_ACTIONS = ["approve", "dismiss", "restore", "merge", "pin", "unpin"]


def channel(event: Event | int) -> str:
    """The live channel of an event's questions; its messages carry the version only."""
    return f"questions.{getattr(event, 'pk', event)}"


def _bump(event: Event) -> int:
    """Lock the event row, move its questions to a new version and tell live pages after commit."""
    Event.objects.filter(pk=event.pk).update(questions_version=F("questions_version") + 1)
    version = Event.objects.values_list("questions_version", flat=True).get(pk=event.pk)
    event.questions_version = version
    live.publish(channel(event), {"version": version})
    return version


def _flag(value: Any, field: str) -> bool:
    """The ask form's checkbox ("on" or absent) or the API's boolean."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if value in ("on", "true", "1"):
        return True
    if value in ("", "off", "false", "0"):
        return False
    raise Invalid("Choose yes or no for asking anonymously.", errors={field: ["Must be true or false."]})


def why_cannot_ask(user: Any, event: Event) -> str:
    if event.is_cancelled:
        return "This event is cancelled, so it takes no questions."
    if not getattr(user, "is_verified", False):
        return "Please confirm your email address before asking a question."
    if event.circle.visibility == event.circle.PUBLIC:
        return "Join the circle or RSVP to this event to ask the speaker a question."
    return "Only members of this circle can ask questions."


@transaction.atomic
def ask(*, author: User, event: Event, body: Any, anonymous: Any = False) -> Question:
    """A question for the event's speaker; waits for approval when the event pre-moderates questions.

    Asking the same text again while the first is still waiting or open returns that one and makes nothing.
    """
    if not access.can_ask(author, event):
        raise NotAllowed(why_cannot_ask(author, event))
    errors: dict[str, list[str]] = {}
    details: list[str] = []
    clean: dict[str, Any] = {}
    for field, check in (
        ("body", lambda: clean_text(body, field="body", label="Question", max_length=QUESTION_MAX, required=True)),
        ("anonymous", lambda: _flag(anonymous, "anonymous")),
    ):
        try:
            clean[field] = check()
        except Invalid as exc:
            errors.update(exc.errors)
            details.append(exc.detail)
    if errors:
        # One problem is named outright ("Question is 1,203 characters; the limit is 1,000.").
        raise Invalid(details[0] if len(details) == 1 else "Please correct the highlighted fields.", errors=errors)
    _bump(event)
    moderated = Event.objects.values_list("questions_moderated", flat=True).get(pk=event.pk)
    # A double submit (two taps on a slow phone, a resent form) makes one question, not two alike.
    already = (
        Question.objects.filter(
            event=event,
            author=author,
            body=clean["body"],
            anonymous=clean["anonymous"],
            status__in=[Question.PENDING, Question.OPEN],
        )
        .order_by("pk")
        .first()
    )
    if already is not None:
        return already
    asked = Question.objects.filter(event=event, author=author).count()
    if asked >= QUESTIONS_PER_MEMBER:
        raise Invalid(
            f"You have asked {QUESTIONS_PER_MEMBER} questions for this event, the most one member can ask. "
            "You can still vote for other people's questions.",
            errors={"body": [f"At most {QUESTIONS_PER_MEMBER} questions per member for each event."]},
        )
    question = Question.objects.create(
        event=event,
        author=author,
        body=clean["body"],
        anonymous=clean["anonymous"],
        status=Question.PENDING if moderated else Question.OPEN,
    )
    # Asked either way; the event's circle's facilitators hear of it after the commit.
    alert_if_crisis(writer=author, source_type="question", source_id=question.pk, text=clean["body"])
    return question


def _check_vote(member: User, question: Question) -> None:
    if not access.can_vote(member, question.event):
        raise NotAllowed(why_cannot_ask(member, question.event))
    if question.author_id == member.pk:
        raise NotAllowed("You cannot vote for your own question.")
    ratelimit.check(
        "qa-vote",
        str(member.pk),
        limit=VOTES_PER_MINUTE,
        window=60,
        message=f"You have voted {VOTES_PER_MINUTE} times in a minute. Please wait a moment before voting again.",
    )


def _open_for_votes(question: Question) -> None:
    status = Question.objects.values_list("status", flat=True).get(pk=question.pk)
    question.status = status
    if status != Question.OPEN:
        raise Invalid("This question is no longer open for votes.", errors={"question": ["Not open for votes."]})


@transaction.atomic
def vote(*, member: User, question: Question) -> bool:
    """One vote per member; voting again changes nothing. Returns whether a vote was added."""
    _check_vote(member, question)
    _bump(question.event)
    _open_for_votes(question)
    if Vote.objects.filter(question=question, voter=member).exists():
        return False
    Vote.objects.create(question=question, voter=member)
    Question.objects.filter(pk=question.pk).update(vote_count=F("vote_count") + 1)
    question.vote_count = Question.objects.values_list("vote_count", flat=True).get(pk=question.pk)
    return True


@transaction.atomic
def unvote(*, member: User, question: Question) -> bool:
    """Take a vote back; without one, nothing changes. Returns whether a vote was removed."""
    _check_vote(member, question)
    _bump(question.event)
    _open_for_votes(question)
    removed, _ = Vote.objects.filter(question=question, voter=member).delete()
    if removed:
        Question.objects.filter(pk=question.pk).update(vote_count=F("vote_count") - 1)
    question.vote_count = Question.objects.values_list("vote_count", flat=True).get(pk=question.pk)
    return bool(removed)


def _refuse(message: str, field: str = "action") -> None:
    raise Invalid(message, errors={field: [message]})


def _merge(source: Question, target_id: Any) -> Question:
    if isinstance(target_id, bool) or not isinstance(target_id, int | str):
        _refuse("Choose the question to merge into.", "into")
    try:
        target_pk = int(target_id)
    except ValueError:
        target_pk = 0
    target = Question.objects.select_for_update().filter(pk=target_pk, event_id=source.event_id).first()
    if target is None or target.pk == source.pk:
        _refuse("Choose another question of this event to merge into.", "into")
    assert target is not None
    if target.status not in (Question.OPEN, Question.ANSWERED):
        _refuse("Merge into an open or answered question.", "into")
    if source.status not in (Question.OPEN, Question.PENDING):
        _refuse("Only open or waiting questions can be merged.")
    # The duplicate's asker wanted the same answer: they count as a voter of the question kept.
    supporters = set(Vote.objects.filter(question=source).values_list("voter_id", flat=True))
    if source.author_id is not None:
        supporters.add(source.author_id)
    already = set(Vote.objects.filter(question=target).values_list("voter_id", flat=True))
    Vote.objects.bulk_create(
        [Vote(question=target, voter_id=voter) for voter in supporters - already - {target.author_id}]
    )
    Vote.objects.filter(question=source).delete()
    Question.objects.filter(merged_into=source).update(merged_into=target)
    target.vote_count = Vote.objects.filter(question=target).count()
    target.save(update_fields=["vote_count", "updated_at"])
    source.status = Question.MERGED
    source.merged_into = target
    source.vote_count = 0
    source.pinned = False
    return target


@transaction.atomic
def moderate(*, moderator: User, question: Question, action: Any, into: Any = None) -> Question:
    """Approve, dismiss, restore, merge into another question, pin as the one answered now, or unpin."""
    event = question.event
    if not access.can_moderate(moderator, event):
        raise NotAllowed("Only the circle's facilitators can moderate questions.")
    if action not in MODERATION_ACTIONS:
        _refuse("Choose approve, dismiss, restore, merge, pin or unpin.")
    _bump(event)
    question = Question.objects.select_for_update().select_related("event__circle").get(pk=question.pk)
    status = question.status
    if action == "approve":
        if status != Question.PENDING:
            _refuse("Only a question waiting for approval can be approved.")
        question.status = Question.OPEN
    elif action == "dismiss":
        if status not in (Question.PENDING, Question.OPEN):
            _refuse("Only an open or waiting question can be dismissed.")
        question.status = Question.DISMISSED
        question.pinned = False
    elif action == "restore":
        if status != Question.DISMISSED:
            _refuse("Only a dismissed question can be restored.")
        question.status = Question.OPEN
    elif action == "merge":
        _merge(question, into)
    elif action == "pin":
        if status != Question.OPEN:
            _refuse("Only an open question can be pinned as the one being answered now.")
        Question.objects.filter(event=event, pinned=True).exclude(pk=question.pk).update(pinned=False)
        question.pinned = True
    elif action == "unpin":
        question.pinned = False
    question.save()
    return question


@transaction.atomic
def answer(*, answerer: User, question: Question, body: Any) -> Question:
    """The speaker's or a facilitator's written answer; writing again replaces it."""
    event = question.event
    if not access.can_answer(answerer, event):
        raise NotAllowed("Only the event's speakers and the circle's facilitators can answer questions.")
    text = clean_text(body, field="body", label="Answer", max_length=ANSWER_MAX, required=True)
    _bump(event)
    question = Question.objects.select_for_update().select_related("event__circle").get(pk=question.pk)
    if question.status not in (Question.OPEN, Question.ANSWERED):
        _refuse("Only an open question can be answered.", "body")
    question.status = Question.ANSWERED
    question.answer = text
    question.answer_html = render_markdown(text)
    question.answered_by = answerer
    question.answered_at = timezone.now()
    question.pinned = False
    question.save()
    return question
