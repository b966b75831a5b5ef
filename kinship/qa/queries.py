"""Questions shaped for display, in a fixed number of queries whatever their number."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from kinship.events.models import Event
from kinship.qa import access
from kinship.qa.models import Question, SpeakerProfile, Vote

# A board longer than this shows the most voted; nobody reads further during a meeting.
BOARD_MAX = 300


@dataclass
class QuestionRow:
    question: Question
    asker: Any  # None for an anonymous question
    hidden_asker: Any  # the asker of an anonymous question, for facilitators and staff only
    is_mine: bool
    voted: bool
    can_vote: bool
    answerer_profile: SpeakerProfile | None
    # Where a merged question went, while the viewer may still read that question (None once it was dismissed).
    merged_into: Question | None = None

    @property
    def answerer_badge(self) -> str:
        """The badge an answer carries ("Verified professional · Physiotherapist") once staff verified the answerer."""
        profile = self.answerer_profile
        if profile is None or not profile.is_verified:
            return ""
        return f"Verified professional · {profile.profession}"


@dataclass
class Board:
    event: Event
    version: int
    pinned: QuestionRow | None = None
    open: list[QuestionRow] = field(default_factory=list)
    answered: list[QuestionRow] = field(default_factory=list)
    waiting: list[QuestionRow] = field(default_factory=list)  # pending approval
    dismissed: list[QuestionRow] = field(default_factory=list)
    merged: list[QuestionRow] = field(default_factory=list)  # the viewer's own, with where they went


def visible_questions(user: Any, event: Event) -> QuerySet[Question]:
    """The event's questions this viewer may see: open and answered, plus the rest to moderators and askers."""
    questions = Question.objects.filter(event=event)
    if access.can_moderate(user, event):
        return questions
    shown = Q(status__in=[Question.OPEN, Question.ANSWERED])
    if getattr(user, "is_authenticated", False):
        shown |= Q(author_id=user.pk)
    return questions.filter(shown)


def ordered(questions: QuerySet[Question]) -> QuerySet[Question]:
    """Unanswered first, by votes, then oldest first; answered after, in the order they were answered."""
    return questions.annotate(
        answered_last=Case(When(status=Question.ANSWERED, then=Value(1)), default=Value(0), output_field=IntegerField())
    ).order_by("answered_last", "-vote_count", "created_at", "id")


def _profile(user: Any) -> SpeakerProfile | None:
    try:
        return user.speaker_profile if user is not None else None
    except SpeakerProfile.DoesNotExist:
        return None


def _merged_into(user: Any, question: Question, *, moderator: bool) -> Question | None:
    """The question a merged one went into, unless it has since left the viewer's sight (dismissed, say)."""
    if question.status != Question.MERGED or question.merged_into_id is None:
        return None
    target = question.merged_into
    if target is None:
        return None
    if moderator or target.status in (Question.OPEN, Question.ANSWERED) or access.is_mine(user, target):
        return target
    return None


def rows_for(user: Any, event: Event, questions: list[Question]) -> list[QuestionRow]:
    voted: set[int] = set()
    signed_in = bool(getattr(user, "is_authenticated", False))
    if signed_in and questions:
        voted = set(
            Vote.objects.filter(voter=user, question_id__in=[q.pk for q in questions]).values_list(
                "question_id", flat=True
            )
        )
    may_vote = access.can_vote(user, event)
    moderator = access.can_moderate(user, event)
    rows = []
    for question in questions:
        question.event = event
        mine = access.is_mine(user, question)
        rows.append(
            QuestionRow(
                question=question,
                asker=access.shown_asker(question),
                hidden_asker=access.hidden_asker(user, question),
                is_mine=mine,
                voted=question.pk in voted,
                can_vote=may_vote and not mine and question.status == Question.OPEN,
                answerer_profile=_profile(question.answered_by),
                merged_into=_merged_into(user, question, moderator=moderator),
            )
        )
    return rows


def _with_people(questions: QuerySet[Question]) -> QuerySet[Question]:
    return questions.select_related("author", "answered_by", "answered_by__speaker_profile", "merged_into")


def board(user: Any, event: Event) -> Board:
    """Everything the questions page shows this viewer: three queries, whatever the number of questions."""
    questions = list(_with_people(ordered(visible_questions(user, event)))[:BOARD_MAX])
    result = Board(event=event, version=event.questions_version)
    for row in rows_for(user, event, questions):
        status = row.question.status
        if status == Question.OPEN and row.question.pinned:
            result.pinned = row
        elif status == Question.OPEN:
            result.open.append(row)
        elif status == Question.ANSWERED:
            result.answered.append(row)
        elif status == Question.PENDING:
            result.waiting.append(row)
        elif status == Question.DISMISSED:
            result.dismissed.append(row)
        else:
            result.merged.append(row)
    result.answered.sort(key=lambda r: (r.question.answered_at or r.question.created_at, r.question.pk))
    return result


def for_event_page(user: Any, event: Event) -> tuple[int, list[QuestionRow]]:
    """How many questions are open, and the archive: one count for both, the archive read only when
    something was answered (most meetings have no speaker and no questions)."""
    counts = Question.objects.filter(event=event).aggregate(
        open=Count("pk", filter=Q(status=Question.OPEN)), answered=Count("pk", filter=Q(status=Question.ANSWERED))
    )
    return counts["open"], archive(user, event) if counts["answered"] else []


def archive(user: Any, event: Event) -> list[QuestionRow]:
    """Answered questions in the order they were answered: what stays on the event page."""
    questions = _with_people(Question.objects.filter(event=event, status=Question.ANSWERED)).order_by(
        "answered_at", "id"
    )
    return rows_for(user, event, list(questions[:BOARD_MAX]))
