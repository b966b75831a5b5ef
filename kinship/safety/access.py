"""Who moderates what: the only place the moderation rules live.

- A post report, a waiting post, and the members of a circle: that circle's active facilitators and staff
  (circles.access.can_moderate, which also holds any two-step sign-in requirement).
- A member report, a message report, a site-wide suspension: staff only.
"""

from typing import Any

from django.http import Http404

from kinship.accounts.two_factor import has_two_factor
from kinship.circles import access as circle_access
from kinship.circles.models import Circle
from kinship.core.converters import id_or_404
from kinship.core.errors import NotAllowed
from kinship.safety.models import Report


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(getattr(user, "is_active", False))


def is_site_moderator(user: Any) -> bool:
    """Staff decide member reports, message reports and suspensions (with two-step sign-in on, as every staff power)."""
    return _signed_in(user) and bool(getattr(user, "is_staff", False)) and has_two_factor(user)


def can_moderate_circle(user: Any, circle: Circle) -> bool:
    """The circle's active facilitators and staff."""
    return _signed_in(user) and circle_access.can_moderate(user, circle)


def can_decide_report(user: Any, report: Report) -> bool:
    """Post reports: that circle's moderators; member reports: staff only."""
    if report.circle_id is None or report.target_type == Report.USER:
        return is_site_moderator(user)
    return can_moderate_circle(user, report.circle)  # type: ignore[arg-type]


def get_report_for(user: Any, report_id: Any) -> Report:
    """The report, or Http404 for anyone who may not decide it (no existence leak)."""
    report = Report.objects.select_related("circle", "reporter", "subject").filter(pk=id_or_404(report_id)).first()
    if report is None or not can_decide_report(user, report):
        raise Http404("No such report.")
    return report


def get_moderated_circle_for(user: Any, slug: str) -> Circle:
    """A circle whose queue this user may open: Http404 when hidden from them, NotAllowed when visible only."""
    circle = circle_access.get_circle_for(user, slug)
    if not can_moderate_circle(user, circle):
        raise NotAllowed("The moderation queue is for this circle's facilitators.")
    return circle


def check_site_moderator(user: Any) -> None:
    """Raise NotAllowed unless staff."""
    if not is_site_moderator(user):
        raise NotAllowed("The site moderation queue is for staff.")
