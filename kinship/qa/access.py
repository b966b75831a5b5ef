"""Who may see, ask, vote, answer and moderate questions: builds on the circle and event rules."""

from typing import Any

from django.http import Http404

from kinship.circles import access as circle_access
from kinship.circles.models import Circle
from kinship.core.converters import id_or_404
from kinship.events import access as event_access
from kinship.events.models import Event, Rsvp
from kinship.qa.models import Question

is_speaker = event_access.is_speaker


def can_see_questions(user: Any, event: Event) -> bool:
    """Questions are member content: whoever may read the circle's topics, and the event's speakers."""
    return circle_access.can_read(user, event.circle) or is_speaker(user, event)


def has_rsvp(user: Any, event: Event) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if not hasattr(user, "_kinship_rsvp_events"):
        user._kinship_rsvp_events = {}
    found = user._kinship_rsvp_events.get(event.pk)
    if found is None:
        found = Rsvp.objects.filter(occurrence__event=event, member=user, answer__in=[Rsvp.GOING, Rsvp.MAYBE]).exists()
        user._kinship_rsvp_events[event.pk] = found
    return bool(found)


def can_ask(user: Any, event: Event) -> bool:
    """Verified members of the circle; for a public circle's event, also whoever RSVP'd to it."""
    if event.is_cancelled:
        return False
    if circle_access.can_post(user, event.circle):
        return True
    return (
        event.circle.visibility == Circle.PUBLIC
        and bool(getattr(user, "is_verified", False))
        and event_access.can_rsvp(user, event)
        and has_rsvp(user, event)
    )


def can_vote(user: Any, event: Event) -> bool:
    return can_ask(user, event)


def can_moderate(user: Any, event: Event) -> bool:
    """Approve, dismiss, merge and pin: the circle's facilitators and staff."""
    return circle_access.can_moderate(user, event.circle)


def can_answer(user: Any, event: Event) -> bool:
    return can_moderate(user, event) or is_speaker(user, event)


def sees_hidden_author(user: Any, event: Event) -> bool:
    """An anonymous question's asker: facilitators and staff only, never members or speakers."""
    return can_moderate(user, event)


def can_invite_speakers(user: Any, event: Event) -> bool:
    return event_access.can_manage_events(user, event.circle)


def can_see_question(user: Any, question: Question) -> bool:
    """Open and answered questions to all who see the event's questions; the rest to the asker and moderators."""
    event = question.event
    if not can_see_questions(user, event):
        return False
    if question.status in (Question.OPEN, Question.ANSWERED):
        return True
    if can_moderate(user, event):
        return True
    return is_mine(user, question)


def get_event_for(user: Any, event_id: Any) -> Event:
    """The event, or 404 when it or its questions are not visible to this user."""
    event = event_access.get_event_for(user, event_id)
    if not can_see_questions(user, event):
        raise Http404("No such event.")
    return event


def get_question_for(user: Any, question_id: Any) -> Question:
    question = (
        Question.objects.select_related("event__circle", "event__facilitator", "author", "answered_by")
        .filter(pk=id_or_404(question_id))
        .first()
    )
    if question is None or not can_see_question(user, question):
        raise Http404("No such question.")
    return question


def shown_asker(question: Question) -> Any:
    """The asker as shown to everyone: None for an anonymous question (its asker sees "you" from is_mine)."""
    return None if question.anonymous else question.author


def is_mine(user: Any, question: Question) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and question.author_id == user.pk


def hidden_asker(user: Any, question: Question) -> Any:
    """The asker of an anonymous question, for facilitators and staff only."""
    if question.anonymous and sees_hidden_author(user, question.event):
        return question.author
    return None
