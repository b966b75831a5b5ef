"""Referrals: a facilitator points a member of their circle to a resource, and both follow it up.

One module for the area's rules, writes and reads (pages, API, admin and the follow-up task use
these, nothing else):

- **Access.** A referral, its private note, its status and even its existence are for three
  people: its member, the facilitator who made it (`referred_by`) and staff. Everyone else gets
  a 404 — other members, visitors, and other facilitators of the same circle too.
- **Services.** `refer` (facilitators in the circles they facilitate, staff in any) and
  `change_status` (the member, the referrer or staff); each status change is a `ReferralUpdate`.
- **Queries.** The member's list, the facilitator's follow-up dashboard, the API's list and the
  detail with its history, each in a fixed number of queries.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kinship.accounts.models import User
from kinship.accounts.two_factor import has_two_factor
from kinship.circles import access as circle_access
from kinship.circles.models import Circle, Membership
from kinship.core import ratelimit
from kinship.core.converters import id_or_404, parse_id
from kinship.core.errors import Conflict, Invalid, NotAllowed
from kinship.core.forms import GENERIC
from kinship.core.pagination import Page, paginate
from kinship.core.text import clean_text
from kinship.library import access as library_access
from kinship.library import directory
from kinship.library.models import Referral, ReferralUpdate, Resource
from kinship.safety import audit

STATUSES = [value for value, _ in Referral.STATUS_CHOICES]
STATUS_LABELS = dict(Referral.STATUS_CHOICES)
CLOSED_STATUSES = [s for s in STATUSES if s not in Referral.OPEN_STATUSES]
MIN_FOLLOW_UP_DAYS = 1
MAX_FOLLOW_UP_DAYS = 90
DEFAULT_FOLLOW_UP_DAYS = 14
# Enough for a busy evening of follow-ups; a runaway script or a stolen token stops here.
REFERRALS_PER_HOUR = 30
STATUS_CHANGES_PER_10_MINUTES = 60

ROLE_MEMBER = "member"
ROLE_REFERRER = "referrer"
ROLES = [ROLE_MEMBER, ROLE_REFERRER]


# Access -------------------------------------------------------------------------------------


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(getattr(user, "is_active", False))


def _is_staff(user: Any) -> bool:
    # Staff powers need two-step sign-in (accounts.two_factor); without it staff act as any member.
    return _signed_in(user) and bool(getattr(user, "is_staff", False)) and has_two_factor(user)


facilitated_circle_ids = circle_access.led_circle_ids


def can_refer(user: Any) -> bool:
    """Staff, and active facilitators of at least one circle, make referrals."""
    return library_access.is_curator(user)


def can_refer_in(user: Any, circle: Circle) -> bool:
    """Staff in any circle; a facilitator only in the circles they facilitate."""
    return _is_staff(user) or circle.pk in facilitated_circle_ids(user)


def can_see(user: Any, referral: Referral) -> bool:
    """The member, the facilitator who made it and staff; nobody else, co-facilitators included."""
    if not _signed_in(user):
        return False
    if _is_staff(user):
        return True
    return user.pk in (referral.member_id, referral.referred_by_id)


def can_change_status(user: Any, referral: Referral) -> bool:
    """Everyone who may see a referral moves it on: the member, the referrer and staff."""
    return can_see(user, referral)


def get_referral_for(user: Any, referral_id: Any) -> Referral:
    """The referral with its resource, people and circle, or Http404 when missing or not the user's to see."""
    referral = (
        Referral.objects.select_related("resource", "member", "referred_by", "circle")
        .filter(pk=id_or_404(referral_id))
        .first()
    )
    if referral is None or not can_see(user, referral):
        raise Http404("No such referral.")
    look_at(user, referral)
    return referral


def look_at(user: Any, referral: Referral) -> None:
    """Staff may open anyone's referral (its private note): each such look goes to the audit log."""
    if _is_staff(user) and user.pk not in (referral.member_id, referral.referred_by_id):
        audit.record(actor=user, action="referral.viewed", target=referral)


def referrable_circles(user: Any) -> QuerySet[Circle]:
    """The circles the user may refer in, by name: every circle for staff, the ones they facilitate otherwise."""
    if _is_staff(user):
        return Circle.objects.order_by("name", "pk")
    return Circle.objects.filter(pk__in=facilitated_circle_ids(user)).order_by("name", "pk")


def referrable_members(referrer: Any, circle: Circle) -> QuerySet[User]:
    """Active members of the circle (facilitators count) with active accounts, never the referrer, by name."""
    active = Membership.objects.filter(circle=circle, status=Membership.ACTIVE).values("user_id")
    members = User.objects.filter(pk__in=active, is_active=True)
    if _signed_in(referrer):
        members = members.exclude(pk=referrer.pk)
    return members.order_by("display_name", "pk")


def referrable_resources() -> QuerySet[Resource]:
    """What the directory lists (directory.listed_resources: active entries), by kind and name."""
    return directory.listed_resources().order_by("kind", "name", "pk")


# Input --------------------------------------------------------------------------------------


def _find_circle(value: Any) -> Circle | None:
    if isinstance(value, Circle):
        return value
    # PostgreSQL refuses NUL in text, so such a slug is one that does not exist.
    if not isinstance(value, str) or not value or len(value) > 60 or "\x00" in value:
        return None
    return Circle.objects.filter(slug=value).first()


def _follow_up_days(value: Any) -> int:
    """1 to 90, from a form (digits) or JSON (an integer)."""
    message = f"Choose a number of days from {MIN_FOLLOW_UP_DAYS} to {MAX_FOLLOW_UP_DAYS}."
    days = parse_id(value)
    if days is None or not MIN_FOLLOW_UP_DAYS <= days <= MAX_FOLLOW_UP_DAYS:
        raise Invalid(message, errors={"follow_up_days": [message]})
    return days


def _status(value: Any) -> str:
    if not isinstance(value, str) or value not in STATUSES:
        message = "Choose suggested, contacted, appointment made, done or not needed."
        raise Invalid(message, errors={"status": [f"One of: {', '.join(STATUSES)}."]})
    return value


# Services -----------------------------------------------------------------------------------


@dataclass
class _Checked:
    circle: Circle
    member: User
    resource: Resource
    note: str
    days: int


def _check_referral(referrer: User, circle: Any, member: Any, resource: Any, note: Any, days: Any) -> _Checked:
    """Every field at once, so a form shows all its problems together; nothing here tells a hidden circle
    or a non-member apart from one that does not exist."""
    errors: dict[str, list[str]] = {}
    details: list[str] = []

    def refuse(field: str, message: str) -> None:
        errors[field] = [message]
        details.append(message)

    found_circle = _find_circle(circle)
    if found_circle is None or not can_refer_in(referrer, found_circle):
        found_circle = None
        refuse("circle", "Choose a circle you facilitate.")
    found_member = None
    if found_circle is not None:
        member_id = parse_id(member.pk if isinstance(member, User) else member)
        if member_id is not None:
            found_member = referrable_members(referrer, found_circle).filter(pk=member_id).first()
        if found_member is None:
            refuse("member", "Choose an active member of this circle (not yourself).")
    resource_id = parse_id(resource.pk if isinstance(resource, Resource) else resource)
    found_resource = referrable_resources().filter(pk=resource_id).first() if resource_id is not None else None
    if found_resource is None:
        refuse("resource", "Choose a resource from the directory.")
    clean_note, clean_days = "", DEFAULT_FOLLOW_UP_DAYS
    try:
        clean_note = clean_text(note, field="note", label="Note", max_length=Referral.NOTE_MAX)
    except Invalid as exc:
        errors.update(exc.errors)
        details.append(exc.detail)
    try:
        clean_days = _follow_up_days(days)
    except Invalid as exc:
        errors.update(exc.errors)
        details.append(exc.detail)
    if errors:
        # One problem is named outright ("Note is 2,013 characters; the limit is 2,000.").
        raise Invalid(details[0] if len(details) == 1 else GENERIC, errors=errors)
    assert found_circle is not None and found_member is not None and found_resource is not None
    return _Checked(circle=found_circle, member=found_member, resource=found_resource, note=clean_note, days=clean_days)


@transaction.atomic
def refer(
    *,
    referrer: User,
    circle: Any,
    member: Any,
    resource: Any,
    note: Any = "",
    follow_up_days: Any = DEFAULT_FOLLOW_UP_DAYS,
) -> Referral:
    """Refer an active member of a circle the referrer facilitates (staff: any circle) to an active resource.

    `circle` is a Circle or its slug, `member` and `resource` a model or an id. Raises NotAllowed for
    someone who facilitates nothing, Invalid naming each bad field, RateLimited past 30 an hour, and
    Conflict when the same referral is still open with a different note. Sending the same one again
    (a double tap on a slow phone) returns the first and makes nothing.
    """
    if not can_refer(referrer):
        raise NotAllowed("Only facilitators and staff make referrals.")
    checked = _check_referral(referrer, circle, member, resource, note, follow_up_days)
    already = (
        Referral.objects.filter(
            referred_by=referrer,
            member=checked.member,
            resource=checked.resource,
            circle=checked.circle,
            status__in=Referral.OPEN_STATUSES,
        )
        .order_by("pk")
        .first()
    )
    if already is not None:
        if already.note == checked.note and already.follow_up_days == checked.days:
            return already
        raise Conflict(
            f"You already referred {checked.member.display_name} to {checked.resource.name}, and that referral "
            "is still open. Update it instead of making another."
        )
    ratelimit.check(
        "referral-create",
        str(referrer.pk),
        limit=REFERRALS_PER_HOUR,
        window=3600,
        message=f"You have made {REFERRALS_PER_HOUR} referrals in an hour. Please wait a little before the next.",
    )
    now = timezone.now()
    referral = Referral.objects.create(
        resource=checked.resource,
        member=checked.member,
        referred_by=referrer,
        circle=checked.circle,
        note=checked.note,
        status=Referral.SUGGESTED,
        follow_up_days=checked.days,
        follow_up_at=now + timedelta(days=checked.days),
    )
    ReferralUpdate.objects.create(referral=referral, by=referrer, status=Referral.SUGGESTED, created_at=now)
    transaction.on_commit(lambda: _tell_member(referral.pk))
    return referral


def _tell_member(referral_id: int) -> None:
    from kinship.library import tasks

    tasks.send_referral_suggested.enqueue(referral_id)


@transaction.atomic
def change_status(*, actor: User, referral: Referral, status: Any) -> Referral:
    """The member, the referrer or staff move a referral on; each change is a ReferralUpdate row.

    Done and not needed close it (`closed_at`); an open status, reopening included, starts the
    follow-up clock again: `follow_up_at` = now + follow_up_days and no reminder sent yet. The status
    it already has changes nothing. Raises Invalid for an unknown status, NotAllowed for anyone else.
    """
    if not can_change_status(actor, referral):
        raise NotAllowed("Only the member, the facilitator who made the referral and staff can update it.")
    new = _status(status)
    # Lock the row: the member and the facilitator tapping at once must leave one consistent history.
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if locked.status != new:
        ratelimit.check(
            "referral-status",
            str(actor.pk),
            limit=STATUS_CHANGES_PER_10_MINUTES,
            window=600,
            message="You have changed referrals many times in a few minutes. Please wait a little.",
        )
        now = timezone.now()
        locked.status = new
        if new in Referral.OPEN_STATUSES:
            locked.closed_at = None
            locked.follow_up_at = now + timedelta(days=locked.follow_up_days)
            locked.reminded_at = None
        elif locked.closed_at is None:
            locked.closed_at = now
        locked.save(update_fields=["status", "closed_at", "follow_up_at", "reminded_at", "updated_at"])
        ReferralUpdate.objects.create(referral=locked, by=actor, status=new, created_at=now)
    for field in ("status", "closed_at", "follow_up_at", "reminded_at", "updated_at"):
        setattr(referral, field, getattr(locked, field))
    return referral


# Queries ------------------------------------------------------------------------------------

LIST_ORDER = ["-created_at", "-id"]
# Overdue first (the oldest due date leads), then the ones due soonest.
DASHBOARD_ORDER = ["follow_up_at", "id"]


def _shaped(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    return referrals.select_related("resource", "member", "referred_by", "circle")


def with_history(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    """Also the status history, oldest first, with who made each change: one more query per page."""
    return _shaped(referrals).prefetch_related(
        Prefetch("updates", queryset=ReferralUpdate.objects.select_related("by").order_by("created_at", "id"))
    )


def _mark_overdue(referrals: list[Referral], now: datetime) -> list[Referral]:
    for referral in referrals:
        referral.overdue = referral.is_open and referral.follow_up_at <= now  # type: ignore[attr-defined]
    return referrals


def member_page(user: User, *, cursor: str | None, limit: int) -> Page[Referral]:
    """The member's own referrals, newest first: what /referrals/ lists."""
    page = paginate(_shaped(Referral.objects.filter(member=user)), LIST_ORDER, cursor=cursor, limit=limit)
    _mark_overdue(page.items, timezone.now())
    return page


def dashboard_referrals(user: User) -> QuerySet[Referral]:
    """Open referrals the viewer made in circles they still facilitate; for staff, every open referral."""
    open_ones = Referral.objects.filter(status__in=Referral.OPEN_STATUSES)
    if not _is_staff(user):
        open_ones = open_ones.filter(referred_by=user, circle_id__in=facilitated_circle_ids(user))
    return _shaped(open_ones)


def dashboard_page(user: User, *, cursor: str | None, limit: int) -> Page[Referral]:
    """The follow-up dashboard: overdue first, then the ones due soonest."""
    page = paginate(dashboard_referrals(user), DASHBOARD_ORDER, cursor=cursor, limit=limit)
    _mark_overdue(page.items, timezone.now())
    return page


def callers_referrals(user: User, role: str | None) -> QuerySet[Referral]:
    """The caller's own: as the member, as the referrer, or (no role) both. Staff too see only their own here."""
    if role == ROLE_MEMBER:
        mine = Q(member=user)
    elif role == ROLE_REFERRER:
        mine = Q(referred_by=user)
    else:
        mine = Q(member=user) | Q(referred_by=user)
    return with_history(Referral.objects.filter(mine))


def detail(referral: Referral) -> tuple[Referral, list[ReferralUpdate]]:
    """The referral's history, oldest first, with who made each change (one query)."""
    history = list(referral.updates.select_related("by").order_by("created_at", "id"))
    _mark_overdue([referral], timezone.now())
    return referral, history


def role(value: Any) -> str | None:
    """?role=member|referrer; absent or empty is both."""
    if value in (None, ""):
        return None
    if value not in ROLES:
        raise Invalid("role is member or referrer.", errors={"role": ["Choose member or referrer."]})
    return cast(str, value)
