"""'Let my facilitator know': a member asks a circle's facilitators to reach out after a check-in of 4 or
more, and a facilitator acknowledges it.

Facilitators see who asked, when, and that check-in's distress score; never its note or problem list.
They see requests only for circles they actively facilitate (journal.access.can_see_shared_wellbeing),
and only while the member still belongs to the circle. Staff do not: the journal stays out of staff pages.
"""

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils import timezone

from kinship.accounts.models import User
from kinship.circles.models import Circle, Membership
from kinship.core import ratelimit
from kinship.core.converters import id_or_404
from kinship.core.errors import Conflict, Invalid, NotAllowed
from kinship.journal import access
from kinship.journal.models import CheckIn, SupportRequest

REQUESTS_PER_HOUR = 10
REQUESTS_SHOWN = 100
ACKNOWLEDGED_SHOWN = 20


def facilitator_ids(circle: Circle, *, besides: User) -> list[int]:
    """Who a request goes to: the circle's active facilitators with active accounts, not the member."""
    return list(
        Membership.objects.filter(
            circle=circle, role=Membership.FACILITATOR, status=Membership.ACTIVE, user__is_active=True
        )
        .exclude(user=besides)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )


def _circle(member: User, circle: Any) -> Circle:
    message = "Choose one of the circles you belong to."
    if isinstance(circle, str):
        circle = Circle.objects.filter(slug=circle).first() if "\x00" not in circle and len(circle) <= 100 else None
    if not isinstance(circle, Circle) or not access.can_share_to(member, circle):
        raise Invalid(message, errors={"circle": [message]})
    return circle


def _tell(request_id: int, facilitators: list[int]) -> None:
    from kinship.journal import tasks

    # After commit: a request rolled back must not have emailed anyone. One task per facilitator, so a
    # retry after a mail failure never emails the others twice.
    for facilitator_id in facilitators:
        transaction.on_commit(
            lambda fid=facilitator_id: tasks.send_support_request.enqueue(request_id, fid)  # type: ignore[misc]
        )


@transaction.atomic
def request_support(*, member: User, checkin: CheckIn, circle: Any) -> SupportRequest:
    """Ask the facilitators of one of the member's circles to reach out about this check-in.

    Asking again for the same check-in and circle returns the first request (no second email).
    Raises NotAllowed for someone else's check-in, Conflict below distress 4, Invalid for a circle the
    member does not actively belong to or one with no facilitator to tell, RateLimited past
    REQUESTS_PER_HOUR an hour.
    """
    if not access.can_keep_journal(member) or checkin.owner_id != member.pk:
        raise NotAllowed("Only the member who checked in can ask for support with it.")
    if not checkin.offers_help:
        raise Conflict(f"'Let my facilitator know' goes with check-ins of {CheckIn.HELP_FROM} or more.")
    found = _circle(member, circle)
    existing = SupportRequest.objects.filter(checkin=checkin, circle=found).first()
    if existing is not None:
        return existing
    facilitators = facilitator_ids(found, besides=member)
    if not facilitators:
        message = "This circle has no facilitator to tell right now. Please choose another circle."
        raise Invalid(message, errors={"circle": [message]})
    ratelimit.check(
        "journal-support",
        str(member.pk),
        limit=REQUESTS_PER_HOUR,
        window=3600,
        message="You have asked for support many times this hour. Your facilitators have been told.",
    )
    try:
        with transaction.atomic():
            made = SupportRequest.objects.create(owner=member, circle=found, checkin=checkin)
    except IntegrityError:
        # The same request sent twice at once: the first one stands, and it already emailed.
        return SupportRequest.objects.get(checkin=checkin, circle=found)
    _tell(made.pk, facilitators)
    return made


def _still_member() -> Exists:
    return Exists(
        Membership.objects.filter(circle=OuterRef("circle"), user=OuterRef("owner"), status=Membership.ACTIVE)
    )


def visible_requests(circle: Circle) -> QuerySet[SupportRequest]:
    """A circle's requests facilitators see: the member still belongs and has an active account."""
    return (
        SupportRequest.objects.filter(circle=circle, owner__is_active=True)
        .filter(_still_member())
        .select_related("owner", "checkin", "acknowledged_by")
    )


def circle_requests(viewer: User, circle: Circle) -> list[SupportRequest]:
    """Waiting requests first (oldest first), then acknowledged ones (newest first)."""
    if not access.can_see_shared_wellbeing(viewer, circle):
        raise NotAllowed("Only the circle's facilitators see requests for support.")
    waiting = visible_requests(circle).filter(acknowledged_at__isnull=True).order_by("created_at", "pk")
    done = visible_requests(circle).filter(acknowledged_at__isnull=False).order_by("-acknowledged_at", "-pk")
    return list(waiting[:REQUESTS_SHOWN]) + list(done[:ACKNOWLEDGED_SHOWN])


def get_request_for(user: Any, raw_id: Any) -> SupportRequest:
    """A request for support, for the facilitators of its circle only; Http404 for everyone else."""
    pk = id_or_404(raw_id)
    if not getattr(user, "is_authenticated", False):
        raise Http404
    found = SupportRequest.objects.filter(pk=pk).select_related("circle", "owner").first()
    if found is None or not access.can_see_shared_wellbeing(user, found.circle):
        raise Http404
    if not visible_requests(found.circle).filter(pk=found.pk).exists():
        raise Http404
    return found


@transaction.atomic
def acknowledge(*, facilitator: User, request: SupportRequest) -> SupportRequest:
    """A facilitator of the circle marks the request as seen and taken up; doing it again keeps the first."""
    if not access.can_see_shared_wellbeing(facilitator, request.circle):
        raise NotAllowed("Only the circle's facilitators acknowledge requests for support.")
    locked = SupportRequest.objects.select_for_update().get(pk=request.pk)
    if locked.acknowledged_at is None:
        locked.acknowledged_at = timezone.now()
        locked.acknowledged_by = facilitator
        locked.save(update_fields=["acknowledged_at", "acknowledged_by"])
    request.acknowledged_at, request.acknowledged_by_id = locked.acknowledged_at, locked.acknowledged_by_id
    return locked


def requests_for_checkin(checkin: CheckIn) -> list[SupportRequest]:
    """The member's own view: which circles they asked with this check-in."""
    return list(checkin.support_requests.select_related("circle").order_by("created_at", "pk"))
