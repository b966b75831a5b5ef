"""Who may see what of the journal: this app's only privacy rules.

A milestone, goal or check-in is its owner's alone: anyone else, staff included, gets 404 for it,
in pages and API alike. What leaves the journal does so only by the owner's act: a milestone shared
to a circle (then the circle's own rules apply to the celebration topic), a summary of scores shared
with a circle's facilitators, or a request for support sent to them.
"""

from typing import Any

from django.http import Http404

from kinship.accounts.two_factor import has_two_factor
from kinship.circles import access as circle_access
from kinship.circles.models import Circle
from kinship.core.converters import id_or_404
from kinship.journal.models import CheckIn, Goal, Milestone


def _owned(model: Any, user: Any, raw_id: Any) -> Any:
    if not getattr(user, "is_authenticated", False):
        raise Http404
    pk = id_or_404(raw_id)
    found = model.objects.filter(pk=pk, owner=user).first()
    if found is None:
        raise Http404
    return found


def get_milestone_for(user: Any, raw_id: Any) -> Milestone:
    """The member's own milestone, or 404 (never 403: others must not learn it exists)."""
    return _owned(Milestone, user, raw_id)  # type: ignore[no-any-return]


def get_goal_for(user: Any, raw_id: Any) -> Goal:
    return _owned(Goal, user, raw_id)  # type: ignore[no-any-return]


def get_checkin_for(user: Any, raw_id: Any) -> CheckIn:
    return _owned(CheckIn, user, raw_id)  # type: ignore[no-any-return]


def can_keep_journal(user: Any) -> bool:
    """Any signed-in, active account may keep a private journal."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def can_share_to(user: Any, circle: Circle) -> bool:
    """Sharing (a milestone, a summary, a request for support) goes only to a circle one actively belongs to."""
    return can_keep_journal(user) and circle_access.is_active_member(user, circle)


def can_see_shared_wellbeing(user: Any, circle: Circle) -> bool:
    """Shared summaries and support requests are for the circle's active facilitators only.

    Staff are deliberately not included: the journal stays out of staff pages (DESIGN.md).
    """
    if not getattr(user, "is_authenticated", False):
        return False
    found = circle_access.membership(user, circle)
    return found is not None and found.is_facilitator and has_two_factor(user)
