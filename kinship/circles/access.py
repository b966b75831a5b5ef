"""Who may see and do what in circles: the only place these privacy rules live."""

from typing import cast

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kinship.accounts.models import User
from kinship.accounts.two_factor import has_two_factor
from kinship.circles.models import Circle, Membership

AnyUser = User | object  # AnonymousUser has no model; rules treat it as a visitor


def _signed_in(user: AnyUser) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _is_staff(user: AnyUser) -> bool:
    """Staff powers need two-step sign-in; without it staff act as any member."""
    return _signed_in(user) and bool(getattr(user, "is_staff", False)) and has_two_factor(user)


def memberships_of(user: AnyUser) -> dict[int, Membership]:
    """The user's pending and active memberships by circle id, loaded once per user object."""
    if not _signed_in(user):
        return {}
    cached = getattr(user, "_kinship_memberships", None)
    if cached is None:
        rows = Membership.objects.filter(user=cast(User, user)).exclude(status=Membership.REMOVED)
        cached = {m.circle_id: m for m in rows}
        user._kinship_memberships = cached  # type: ignore[union-attr]
    return cached


def forget_memberships(user: AnyUser) -> None:
    """Drop the per-request cache after a membership changed."""
    for name in ("_kinship_memberships", "_kinship_membership_in"):
        if hasattr(user, name):
            delattr(user, name)


def remember_membership(user: AnyUser, circle: Circle, found: Membership | None) -> None:
    """The user's membership of one circle (None: none), read along with something else: checks on
    that circle then need no query of their own."""
    if not _signed_in(user):
        return
    known = getattr(user, "_kinship_membership_in", None)
    if known is None:
        known = {}
        user._kinship_membership_in = known  # type: ignore[union-attr]
    known[circle.pk] = None if found is None or found.status == Membership.REMOVED else found


def membership(user: AnyUser, circle: Circle) -> Membership | None:
    known = getattr(user, "_kinship_membership_in", None)
    if known is not None and circle.pk in known:
        return known[circle.pk]
    return memberships_of(user).get(circle.pk)


def led_circle_ids(user: AnyUser) -> set[int]:
    """Circles the user leads as an active facilitator with two-step sign-in on (from the per-request cache)."""
    led = {cid for cid, m in memberships_of(user).items() if m.is_facilitator}
    return led if led and has_two_factor(user) else set()


def was_removed(user: AnyUser, circle: Circle) -> bool:
    """A facilitator removed this person; they may not join again by themselves."""
    if not _signed_in(user):
        return False
    return Membership.objects.filter(user=cast(User, user), circle=circle, status=Membership.REMOVED).exists()


def is_active_member(user: AnyUser, circle: Circle) -> bool:
    found = membership(user, circle)
    return found is not None and found.is_active


def visible_circles(user: AnyUser) -> QuerySet[Circle]:
    """Circles this user may know exist (hidden: members, applicants and staff only)."""
    circles = Circle.objects.all()
    if _is_staff(user):
        return circles
    if not _signed_in(user):
        return circles.exclude(visibility=Circle.HIDDEN)
    belongs = Membership.objects.filter(
        circle=OuterRef("pk"), user=cast(User, user), status__in=[Membership.ACTIVE, Membership.PENDING]
    )
    return circles.filter(~Q(visibility=Circle.HIDDEN) | Exists(belongs))


def can_see_circle(user: AnyUser, circle: Circle) -> bool:
    """Hidden circles: staff, members, and whoever asked to join through the invitation link."""
    if circle.visibility != Circle.HIDDEN:
        return True
    if _is_staff(user):
        return True
    return membership(user, circle) is not None


def get_circle_for(user: AnyUser, slug: str) -> Circle:
    """The circle, or Http404 when it is missing *or* hidden from this user."""
    # PostgreSQL refuses NUL in text, so such a slug is simply one that does not exist.
    circle = Circle.objects.filter(slug=slug).first() if isinstance(slug, str) and "\x00" not in slug else None
    if circle is None or not can_see_circle(user, circle):
        raise Http404("No such circle.")
    return circle


def can_read(user: AnyUser, circle: Circle) -> bool:
    """Topics and replies: public circles to anyone signed in; else active members and staff."""
    if not can_see_circle(user, circle):
        return False
    if _is_staff(user):
        return True
    if circle.visibility == Circle.PUBLIC:
        return _signed_in(user)
    return is_active_member(user, circle)


def can_post(user: AnyUser, circle: Circle) -> bool:
    """Start topics, reply and react: verified active members, unless muted here or suspended."""
    if not getattr(user, "is_verified", False) or is_suspended(user):
        return False
    found = membership(user, circle)
    return found is not None and found.is_active and not is_muted(found)


def is_muted(found: Membership | None) -> bool:
    """A moderator muted this member in the circle for some days: they read but do not post or react."""
    return found is not None and found.muted_until is not None and found.muted_until > timezone.now()


def is_suspended(user: AnyUser) -> bool:
    """Staff suspended the account site-wide until a moment still to come."""
    until = getattr(user, "suspended_until", None)
    return until is not None and until > timezone.now()


def can_moderate(user: AnyUser, circle: Circle) -> bool:
    """Facilitators of this circle and staff, each with two-step sign-in on."""
    if _is_staff(user):
        return True
    found = membership(user, circle)
    return found is not None and found.is_facilitator and has_two_factor(user)


def needs_two_factor_to_lead(user: AnyUser, circle: Circle) -> bool:
    """A facilitator of this circle whose tools wait for two-step sign-in (they still take part as a member)."""
    found = membership(user, circle)
    return found is not None and found.is_facilitator and not has_two_factor(user)


def can_see_members(user: AnyUser, circle: Circle) -> bool:
    return _is_staff(user) or is_active_member(user, circle)


def can_join(user: AnyUser, circle: Circle) -> bool:
    """Verified, not yet a member, and the circle takes requests without an invite."""
    if not getattr(user, "is_verified", False) or membership(user, circle) is not None:
        return False
    return circle.join_policy in (Circle.OPEN, Circle.APPROVAL) and can_see_circle(user, circle)


def can_manage_circle(user: AnyUser, circle: Circle) -> bool:
    """Edit description and guidelines: facilitators and staff."""
    return can_moderate(user, circle)


def can_change_visibility(user: AnyUser) -> bool:
    """Members joined under the circle's promise of privacy; only staff may change it."""
    return _is_staff(user)


def can_step_down(user: AnyUser, target: Membership) -> bool:
    """A facilitator steps down themselves; only staff step down another."""
    if not target.is_facilitator or not can_moderate(user, target.circle):
        return False
    return target.user_id == getattr(user, "pk", None) or _is_staff(user)


def can_manage_member(user: AnyUser, target: Membership) -> bool:
    """Appoint or remove an ordinary member: the circle's facilitators and staff, never on themselves."""
    if target.is_facilitator or target.user_id == getattr(user, "pk", None):
        return False
    return can_moderate(user, target.circle)


def can_create_circle(user: AnyUser) -> bool:
    return _is_staff(user)


def shares_a_circle(viewer: AnyUser, other: User) -> bool:
    """Both are active members of at least one common circle."""
    if not _signed_in(viewer):
        return False
    mine = {cid for cid, m in memberships_of(viewer).items() if m.is_active}
    return Membership.objects.filter(user=other, status=Membership.ACTIVE, circle_id__in=mine).exists()
