"""The questions page of an event, its board fragment, and the vote, moderation and answer actions.

The board is one partial (`qa/questions.html#board`) for first paint, htmx swaps and live
updates alike, so what a viewer may see is decided once, in queries.board.
"""

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from kinship.accounts.auth import signed_in
from kinship.core.errors import Invalid, KinshipError, NotAllowed, RateLimited
from kinship.core.forms import show_errors
from kinship.core.htmx import is_htmx
from kinship.core.signals import offer_help
from kinship.events import queries as event_queries
from kinship.events.models import Event
from kinship.qa import access, queries, services
from kinship.qa.forms import AnswerForm, AskForm
from kinship.qa.models import QUESTION_MAX, Question

BOARD = "qa/questions.html#board"
# A version is a small counter; anything else in ?v= is ignored rather than trusted.
VERSION = re.compile(r"^\d{1,12}$")
MODERATED = {
    "approve": "Approved: members can see and vote for the question now.",
    "dismiss": "Dismissed: members no longer see the question.",
    "restore": "Restored to the open questions.",
    "merge": "Merged: its asker and voters now count as votes for the question kept.",
    "pin": "Pinned as the question being answered now.",
    "unpin": "Unpinned.",
}


def _is_live(event: Event) -> bool:
    """An occurrence of the event is under way now (the page works the same at any time)."""
    if event.is_cancelled:
        return False
    now = timezone.now()
    slot = event_queries.next_slot(event, now=now)
    return slot is not None and not slot.cancelled and slot.starts_at <= now < slot.ends_at


def _board_context(request: HttpRequest, event: Event, *, error: str = "", message: str = "") -> dict[str, Any]:
    user = request.user
    return {
        "event": event,
        "board": queries.board(user, event),
        "can_moderate": access.can_moderate(user, event),
        "can_answer": access.can_answer(user, event),
        "error": error,
        # What the viewer's own action did, for questions.js to read out: the row may have moved away.
        "message": message,
    }


def _why_not(request: HttpRequest, event: Event) -> str:
    if access.is_speaker(request.user, event) and not event.is_cancelled:
        return "You are speaking at this event: answer the questions with their Answer buttons."
    return services.why_cannot_ask(request.user, event)


def _page(request: HttpRequest, event: Event, form: AskForm, *, status: int = 200) -> HttpResponse:
    can_ask = access.can_ask(request.user, event)
    ctx = {
        **_board_context(request, event),
        "circle": event.circle,
        "form": form,
        "can_ask": can_ask,
        "why_not": "" if can_ask else _why_not(request, event),
        "is_live": _is_live(event),
        "question_max": f"{QUESTION_MAX:,}",
    }
    return render(request, "qa/questions.html", ctx, status=status)


def _board_response(
    request: HttpRequest, event: Event, *, error: str = "", message: str = "", status: int = 200
) -> HttpResponse:
    response = render(request, BOARD, _board_context(request, event, error=error, message=message), status=status)
    # Each viewer's board differs (votes, hidden askers): never cache it anywhere.
    response["Cache-Control"] = "no-store, private"
    return response


def _refused(request: HttpRequest, event: Event, refused: KinshipError) -> HttpResponse:
    """htmx gets the board with the message in it; a plain form gets the error page from the middleware."""
    if not is_htmx(request):
        raise refused
    response = _board_response(request, event, error=refused.detail, status=refused.status)
    if isinstance(refused, RateLimited):
        response["Retry-After"] = str(refused.retry_after)
    return response


def _done(request: HttpRequest, question: Question, message: str, *, anchor: int | None = None) -> HttpResponse:
    """After a change: htmx gets the fresh board, a plain form goes back to the question (PRG)."""
    if is_htmx(request):
        return _board_response(request, question.event, message=message)
    messages.success(request, message)
    return redirect(reverse("qa:questions", args=[question.event_id]) + f"#question-{anchor or question.pk}")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def questions(request: HttpRequest, event_id: int) -> HttpResponse:
    event = access.get_event_for(request.user, event_id)
    if request.method != "POST":
        return _page(request, event, AskForm())
    form = AskForm(request.POST)
    try:
        question = services.ask(
            author=signed_in(request),
            event=event,
            body=request.POST.get("body"),
            anonymous=request.POST.get("anonymous"),
        )
    except Invalid as error:
        form.is_valid()
        show_errors(form, error)
        return _page(request, event, form, status=422)
    offer_help(request, request.POST.get("body"))
    if question.status == Question.PENDING:
        messages.success(
            request, "Your question is sent. Other members will see it once a facilitator has approved it."
        )
    else:
        messages.success(request, "Your question is on the list. Other members can now vote for it.")
    return redirect(question.get_absolute_url())


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def board(request: HttpRequest, event_id: int) -> HttpResponse:
    event = access.get_event_for(request.user, event_id)
    shown = request.GET.get("v", "")
    if VERSION.match(shown) and int(shown) == event.questions_version:
        # Nothing changed since the version the page shows: polling costs a few small queries.
        return HttpResponse(status=204)
    return _board_response(request, event)


@require_POST
@login_required
def vote(request: HttpRequest, question_id: int) -> HttpResponse:
    question = access.get_question_for(request.user, question_id)
    choice = request.POST.get("vote")
    try:
        if choice == "on":
            services.vote(member=signed_in(request), question=question)
            message = "Your vote is counted."
        elif choice == "off":
            services.unvote(member=signed_in(request), question=question)
            message = "Your vote is taken back."
        else:
            raise Invalid("Choose to vote for the question or to take your vote back.", errors={"vote": ["on or off"]})
    except KinshipError as refused:
        return _refused(request, question.event, refused)
    return _done(request, question, message)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def moderate(request: HttpRequest, question_id: int) -> HttpResponse:
    """POST acts on the question; GET shows the choice of question to merge it into."""
    question = access.get_question_for(request.user, question_id)
    event = question.event
    if request.method != "POST":
        if not access.can_moderate(request.user, event):
            raise NotAllowed("Only the circle's facilitators can moderate questions.")
        return _merge_page(request, question)
    action = request.POST.get("action", "")
    try:
        changed = services.moderate(
            moderator=signed_in(request), question=question, action=action, into=request.POST.get("into")
        )
    except KinshipError as refused:
        if action == "merge" and isinstance(refused, Invalid) and not is_htmx(request):
            return _merge_page(request, question, error=refused.detail, status=refused.status)
        return _refused(request, event, refused)
    return _done(request, question, MODERATED[action], anchor=changed.merged_into_id if action == "merge" else None)


def _merge_page(request: HttpRequest, question: Question, *, error: str = "", status: int = 200) -> HttpResponse:
    event = question.event
    board = queries.board(request.user, event)
    candidates = [board.pinned] if board.pinned else []
    candidates += board.open + board.answered
    ctx = {
        "event": event,
        "circle": event.circle,
        "row": queries.rows_for(request.user, event, [question])[0],
        "candidates": [row for row in candidates if row.question.pk != question.pk],
        "error": error,
    }
    return render(request, "qa/question_merge.html", ctx, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def answer(request: HttpRequest, question_id: int) -> HttpResponse:
    question = access.get_question_for(request.user, question_id)
    event = question.event
    if not access.can_answer(request.user, event):
        raise NotAllowed("Only the event's speakers and the circle's facilitators can answer questions.")
    form = AnswerForm(request.POST if request.method == "POST" else None, initial={"body": question.answer})
    ctx = {
        "event": event,
        "circle": event.circle,
        "row": queries.rows_for(request.user, event, [question])[0],
        "form": form,
    }
    if request.method != "POST":
        return render(request, "qa/question_answer.html", ctx)
    try:
        services.answer(answerer=signed_in(request), question=question, body=request.POST.get("body"))
    except Invalid as error:
        if is_htmx(request):
            return _refused(request, event, error)
        form.is_valid()
        show_errors(form, error)
        return render(request, "qa/question_answer.html", ctx, status=422)
    except KinshipError as refused:
        return _refused(request, event, refused)
    return _done(request, question, "Your answer is saved. It stays with the event for members to read.")
