"""An event's questions for its speakers: ask, vote, answer and moderate, over kinship.qa's services.

The asker of an anonymous question appears to the circle's facilitators and staff only, as
"author_hidden"; everyone else, the asker included, gets "author": null ("mine" tells the asker).
"""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import linebreaks
from ninja import Router, Status

from kinship.api import shapes
from kinship.api.crisis_help import QuestionWrittenOut, crisis_help_out
from kinship.api.idempotency import idempotent
from kinship.api.qa_schemas import AnswerIn, ModerateIn, QuestionIn, QuestionOut, QuestionPageOut, VoteOut
from kinship.api.security import bearer
from kinship.core.errors import Invalid
from kinship.core.pagination import decode_cursor, encode_cursor, parse_limit
from kinship.events.models import Event
from kinship.qa import access, queries, services
from kinship.qa.models import Question
from kinship.qa.queries import QuestionRow

router = Router(tags=["questions"], auth=bearer)

VERSION_HEADER = "X-Questions-Version"
STATUSES = [status for status, _ in Question.STATUS_CHOICES]
# Votes reorder the list between pages, so the cursor is a position, not a key; no event holds this many.
MAX_OFFSET = 1_000_000


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


# Shapes -------------------------------------------------------------------------------------


def _with_people(questions: QuerySet[Question]) -> QuerySet[Question]:
    return questions.select_related("author", "answered_by", "answered_by__speaker_profile", "merged_into")


def _answer_out(row: QuestionRow, facilitators: set[int]) -> dict[str, Any] | None:
    question = row.question
    if question.answered_at is None:
        return None
    profile = row.answerer_profile
    verified = profile is not None and profile.is_verified
    answerer = None
    if question.answered_by is not None:
        answerer = shapes.user_out(question.answered_by, facilitators=facilitators)
        if verified:
            answerer["badges"].append("verified_professional")
    return {
        "body": question.answer,
        "body_html": question.answer_html,
        "answered_by": answerer,
        # A profession nobody has checked is only a claim: it shows once staff verify it.
        "profession": profile.profession if verified and profile is not None else None,
        "answered_at": question.answered_at,
    }


def _question_out(row: QuestionRow, *, facilitators: set[int]) -> dict[str, Any]:
    """A question as the viewer of `row` may see it (queries.rows_for decided who the asker is shown as)."""
    question = row.question
    data: dict[str, Any] = {
        "id": question.pk,
        "url": question.get_absolute_url(),
        "event": question.event_id,
        "body": question.body,
        "body_html": linebreaks(question.body, autoescape=True),
        "anonymous": question.anonymous,
        "status": question.status,
        "vote_count": question.vote_count,
        "voted": row.voted,
        "can_vote": row.can_vote,
        "mine": row.is_mine,
        "pinned": question.pinned,
        "author": shapes.user_out(row.asker, facilitators=facilitators) if row.asker is not None else None,
        "merged_into": question.merged_into_id,
        "answer": _answer_out(row, facilitators),
        "created_at": question.created_at,
        "updated_at": question.updated_at,
    }
    if row.hidden_asker is not None:
        data["author_hidden"] = shapes.user_out(row.hidden_asker, facilitators=facilitators)
    return data


def _one_out(user: Any, event: Event, question_id: int) -> dict[str, Any]:
    """The question as it is after a write, read again with its people."""
    question = _with_people(Question.objects.filter(pk=question_id)).get()
    row = queries.rows_for(user, event, [question])[0]
    return _question_out(row, facilitators=shapes.facilitator_ids(event.circle))


# Input helpers ------------------------------------------------------------------------------


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    broken = Invalid("That page link is broken.", errors={"cursor": ["Not a valid cursor."]})
    [offset] = decode_cursor(cursor, 1)
    if not isinstance(offset, int) or isinstance(offset, bool) or not 1 <= offset <= MAX_OFFSET:
        raise broken
    return offset


def _status(raw: str | None) -> str | None:
    if raw in (None, ""):
        return None
    if raw not in STATUSES:
        raise Invalid(
            "status is pending, open, answered, dismissed or merged.",
            errors={"status": ["Choose pending, open, answered, dismissed or merged."]},
        )
    return raw


# Questions ----------------------------------------------------------------------------------


@router.get("/events/{event_id}/questions", response=QuestionPageOut, exclude_unset=True)
def question_list(
    request: HttpRequest,
    response: HttpResponse,
    event_id: int,
    status: str | None = None,
    cursor: str | None = None,
    limit: str | None = None,
) -> dict[str, Any]:
    """The questions the caller may see: open and answered ones, their own in any state, and for the
    circle's facilitators and staff all of them. Unanswered first by votes then oldest first, answered after.

    Votes reorder the list, so a cursor is a position in it: when `version` changes between pages,
    start again from the first page. `status` keeps one state only.
    """
    user = _user(request)
    event = access.get_event_for(user, event_id)
    # Read before the questions, so a change in between makes the version older than the list, never newer:
    # a client comparing versions then fetches once more rather than missing a change.
    version = event.questions_version
    wanted = _status(status)
    size = parse_limit(limit)
    start = _offset(cursor)
    questions = queries.ordered(queries.visible_questions(user, event))
    if wanted is not None:
        questions = questions.filter(status=wanted)
    found = list(_with_people(questions)[start : start + size + 1])
    more = len(found) > size
    rows = queries.rows_for(user, event, found[:size])
    facilitators = shapes.facilitator_ids(event.circle)
    response[VERSION_HEADER] = str(version)
    return {
        "items": [_question_out(row, facilitators=facilitators) for row in rows],
        "next": encode_cursor([start + size]) if more and start + size <= MAX_OFFSET else None,
        "version": version,
    }


@router.post("/events/{event_id}/questions", response={201: QuestionWrittenOut}, exclude_unset=True)
def question_create(request: HttpRequest, event_id: int, payload: QuestionIn) -> Status[Any]:
    """Verified members of the circle ask, and for a public circle's event whoever RSVP'd going or maybe.
    At most 10 questions per member per event. When the event pre-moderates questions the new one is
    `pending`, seen only by its asker and the facilitators until approved. Honours Idempotency-Key; asking
    the same text again while the first is still pending or open returns that question and creates nothing."""
    user = _user(request)

    def create() -> Status[Any]:
        event = access.get_event_for(user, event_id)
        question = services.ask(author=user, event=event, body=payload.body, anonymous=payload.anonymous)
        return Status(201, {**_one_out(user, event, question.pk), "crisis_help": crisis_help_out(user, payload.body)})

    return idempotent(request, create)


def _vote(request: HttpRequest, question_id: int, *, add: bool) -> dict[str, Any]:
    user = _user(request)
    question = access.get_question_for(user, question_id)
    # The services leave on `question` the count their own transaction saw, except on a repeated vote.
    changed = services.vote(member=user, question=question) if add else services.unvote(member=user, question=question)
    if add and not changed:
        question.vote_count = Question.objects.values_list("vote_count", flat=True).get(pk=question.pk)
    return {"vote_count": question.vote_count, "voted": add}


@router.put("/questions/{question_id}/vote", response=VoteOut, exclude_unset=True)
def vote_add(request: HttpRequest, question_id: int) -> dict[str, Any]:
    """Vote for an open question (not your own): once per member, so voting again changes nothing.
    At most 60 votes a minute; past that, 429 with Retry-After."""
    return _vote(request, question_id, add=True)


@router.delete("/questions/{question_id}/vote", response=VoteOut, exclude_unset=True)
def vote_remove(request: HttpRequest, question_id: int) -> dict[str, Any]:
    """Take a vote back; without one, nothing changes."""
    return _vote(request, question_id, add=False)


@router.post("/questions/{question_id}/answer", response=QuestionOut, exclude_unset=True)
def question_answer(request: HttpRequest, question_id: int, payload: AnswerIn) -> dict[str, Any]:
    """The event's speakers and the circle's facilitators answer an open question in Markdown, during
    or after the event; answering again replaces the answer."""
    user = _user(request)
    question = access.get_question_for(user, question_id)
    services.answer(answerer=user, question=question, body=payload.body)
    return _one_out(user, question.event, question.pk)


@router.post("/questions/{question_id}/moderate", response=QuestionOut, exclude_unset=True)
def question_moderate(request: HttpRequest, question_id: int, payload: ModerateIn) -> dict[str, Any]:
    """The circle's facilitators and staff approve, dismiss, restore, merge, pin or unpin a question.
    The answer is the question moderated (after a merge, the duplicate, with `merged_into`)."""
    user = _user(request)
    question = access.get_question_for(user, question_id)
    services.moderate(moderator=user, question=question, action=payload.action, into=payload.into)
    return _one_out(user, question.event, question.pk)
