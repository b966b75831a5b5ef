"""Every write to circles: create, join, approve, remove, appoint, leave."""

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify

from kinship.accounts.models import User
from kinship.circles import access
from kinship.circles.models import Circle, Membership, new_invite_code
from kinship.core.errors import Conflict, Invalid, NotAllowed
from kinship.core.text import clean_line, clean_text
from kinship.safety import audit

EDITABLE = ("name", "description", "guidelines", "visibility", "join_policy")


def _clean_circle_fields(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    checks = {
        "name": lambda v: clean_line(v, field="name", label="Name", max_length=120, required=True),
        "description": lambda v: clean_text(
            v, field="description", label="Description", max_length=4000, required=True
        ),
        "guidelines": lambda v: clean_text(v, field="guidelines", label="Guidelines", max_length=8000, required=True),
    }
    choices = {
        "visibility": {c for c, _ in Circle.VISIBILITY_CHOICES},
        "join_policy": {c for c, _ in Circle.JOIN_POLICY_CHOICES},
    }
    for field in [*EDITABLE, "slug"]:
        if field not in data:
            if not partial and field in checks:
                errors[field] = ["This field is required."]
            continue
        value = data[field]
        try:
            if field in checks:
                clean[field] = checks[field](value)
            elif field in choices:
                if value not in choices[field]:
                    raise Invalid(
                        "Not a valid choice.", errors={field: [f"One of: {', '.join(sorted(choices[field]))}."]}
                    )
                clean[field] = value
            elif field == "slug" and value not in (None, ""):
                slug = slugify(clean_line(value, field="slug", label="Slug", max_length=60))
                if not slug:
                    raise Invalid(
                        "Use letters, numbers and dashes.", errors={"slug": ["Use letters, numbers and dashes."]}
                    )
                clean["slug"] = slug
        except Invalid as exc:
            errors.update(exc.errors)
    unknown = set(data) - set(EDITABLE) - {"slug"}
    for field in unknown:
        errors[field] = ["Unknown field."]
    if errors:
        raise Invalid("Please correct the highlighted fields.", errors=errors)
    return clean


@transaction.atomic
def create_circle(*, creator: User, data: dict[str, Any]) -> Circle:
    """Staff create a circle and become its first facilitator."""
    if not access.can_create_circle(creator):
        raise NotAllowed("Only staff can create circles.")
    clean = _clean_circle_fields(data, partial=False)
    clean.setdefault("slug", slugify(clean["name"])[:60] or "circle")
    if Circle.objects.filter(slug=clean["slug"]).exists():
        raise Conflict("A circle with this address already exists.", errors={"slug": ["Already taken."]})
    try:
        with transaction.atomic():
            circle = Circle.objects.create(created_by=creator, member_count=1, **clean)  # the creator
    except IntegrityError:
        raise Conflict("A circle with this address already exists.", errors={"slug": ["Already taken."]}) from None
    Membership.objects.create(
        circle=circle,
        user=creator,
        role=Membership.FACILITATOR,
        status=Membership.ACTIVE,
        guidelines_accepted_at=timezone.now(),
    )
    access.forget_memberships(creator)
    return circle


@transaction.atomic
def update_circle(*, editor: User, circle: Circle, data: dict[str, Any]) -> Circle:
    """Facilitators and staff edit the circle's words and rules; the slug stays."""
    if not access.can_manage_circle(editor, circle):
        raise NotAllowed("Only the circle's facilitators can change it.")
    if "slug" in data:
        raise Invalid("The circle's address cannot change.", errors={"slug": ["Cannot be changed."]})
    clean = _clean_circle_fields(data, partial=True)
    if clean.get("visibility", circle.visibility) != circle.visibility and not access.can_change_visibility(editor):
        raise NotAllowed("Only staff can change who may see a circle; members joined under its current promise.")
    for field, value in clean.items():
        setattr(circle, field, value)
    if clean:
        circle.save(update_fields=[*clean, "updated_at"])
    return circle


@transaction.atomic
def join_circle(*, member: User, circle: Circle, accept_guidelines: Any, invite_code: str | None = None) -> Membership:
    """Open circles take the member at once, approval circles put them in the queue."""
    if accept_guidelines is not True:
        raise Invalid(
            "Please read and accept the circle's guidelines to join.",
            errors={"accept_guidelines": ["Accept the guidelines to join."]},
        )
    if not member.is_verified:
        raise NotAllowed("Please confirm your email address before joining a circle; check your inbox for the link.")
    if access.was_removed(member, circle):
        raise NotAllowed("A facilitator removed you from this circle. Please contact them if you think this is wrong.")
    existing = access.membership(member, circle)
    if existing is not None:
        raise Conflict(
            "You are already in this circle." if existing.is_active else "Your request is waiting for a facilitator."
        )
    invited = invite_code is not None and invite_code == circle.invite_code
    if circle.join_policy == Circle.INVITE and not invited:
        raise NotAllowed("This circle takes new members by invitation link only.")
    if not invited and not access.can_see_circle(member, circle):
        raise NotAllowed("This circle takes new members by invitation link only.")
    status = Membership.ACTIVE if circle.join_policy in (Circle.OPEN, Circle.INVITE) else Membership.PENDING
    try:
        with transaction.atomic():
            created = Membership.objects.create(
                circle=circle, user=member, status=status, guidelines_accepted_at=timezone.now()
            )
    except IntegrityError:
        raise Conflict("You are already in this circle.") from None
    if created.is_active:
        count_members([circle.pk], +1)
    access.forget_memberships(member)
    return created


@transaction.atomic
def leave_circle(*, member: User, circle: Circle) -> None:
    """A member leaves (or withdraws a pending request); the last facilitator must hand over first."""
    _lock(circle)
    found = Membership.objects.filter(circle=circle, user=member).exclude(status=Membership.REMOVED).first()
    if found is None:
        raise Conflict("You are not in this circle.")
    if found.is_facilitator and _facilitator_count(circle) == 1 and _active_count(circle) > 1:
        raise Conflict("You are this circle's only facilitator. Appoint another before you leave.")
    found.delete()
    if found.is_active:
        count_members([circle.pk], -1)
    if found.is_facilitator:
        _rotate_invite_code(circle)
    access.forget_memberships(member)


def count_members(circle_ids: Iterable[int], delta: int) -> None:
    """Move these circles' active-member counters by `delta`, in the transaction that made the change
    (each circle once: a person holds one membership per circle)."""
    circles = Circle.objects.filter(pk__in=list(circle_ids))
    if delta < 0:
        circles = circles.filter(member_count__gte=-delta)
    circles.update(member_count=F("member_count") + delta)


def recount_members(circles: Iterable[Circle] | None = None) -> int:
    """Set counters from the memberships themselves, for writers that insert in bulk (the seeders);
    returns how many circles were counted."""
    active = (
        Membership.objects.filter(circle=OuterRef("pk"), status=Membership.ACTIVE)
        .order_by()
        .values("circle")
        .annotate(n=Count("*"))
        .values("n")
    )
    target = Circle.objects.all() if circles is None else Circle.objects.filter(pk__in=[c.pk for c in circles])
    return target.update(member_count=Coalesce(Subquery(active, output_field=IntegerField()), 0))


def _lock(circle: Circle) -> None:
    # Serialises role and membership changes per circle, so two facilitators stepping down
    # at once cannot leave it with none. Every change locks the circle before a membership row,
    # so two of them never wait on each other.
    lock_circles([circle.pk])


def lock_circles(circle_ids: Iterable[int]) -> None:
    """Lock these circles' rows, in id order, for the rest of the transaction."""
    list(Circle.objects.select_for_update().filter(pk__in=list(circle_ids)).order_by("pk").values_list("pk"))


def _rotate_invite_code(circle: Circle) -> None:
    """A facilitator who leaves takes the old invitation link with them; it stops working."""
    circle.invite_code = new_invite_code()
    circle.save(update_fields=["invite_code", "updated_at"])


@transaction.atomic
def regenerate_invite_code(*, facilitator: User, circle: Circle) -> Circle:
    """A new invitation link; the old one stops working at once."""
    if not access.can_manage_circle(facilitator, circle):
        raise NotAllowed("Only the circle's facilitators can change its invitation link.")
    _rotate_invite_code(circle)
    return circle


def _facilitator_count(circle: Circle) -> int:
    return Membership.objects.filter(circle=circle, status=Membership.ACTIVE, role=Membership.FACILITATOR).count()


def _active_count(circle: Circle) -> int:
    return Membership.objects.filter(circle=circle, status=Membership.ACTIVE).count()


def _target(circle: Circle, user_id: Any) -> Membership:
    # Beyond 64 bits the database cannot even compare the number (SQLite raises OverflowError).
    if not isinstance(user_id, int) or isinstance(user_id, bool) or not 0 < user_id < 2**63:
        raise Invalid("Unknown member.", errors={"user_id": ["Not a member id."]})
    found = (
        Membership.objects.select_for_update()
        .select_related("user")
        .filter(circle=circle, user_id=user_id)
        .exclude(status=Membership.REMOVED)
        .first()
    )
    if found is None:
        raise Invalid(
            "That person is not a member or applicant of this circle.", errors={"user_id": ["Not in this circle."]}
        )
    return found


@transaction.atomic
def approve_membership(*, facilitator: User, circle: Circle, user_id: int) -> Membership:
    if not access.can_moderate(facilitator, circle):
        raise NotAllowed("Only facilitators approve new members.")
    _lock(circle)
    found = _target(circle, user_id)
    if found.is_active:
        raise Conflict("That person is already a member.")
    found.status = Membership.ACTIVE
    found.save(update_fields=["status", "updated_at"])
    count_members([circle.pk], +1)
    return found


@transaction.atomic
def remove_membership(*, facilitator: User, circle: Circle, user_id: int) -> None:
    """Remove a member or decline a request; facilitators are stepped down first."""
    if not access.can_moderate(facilitator, circle):
        raise NotAllowed("Only facilitators remove members.")
    _lock(circle)
    found = _target(circle, user_id)
    if found.user_id == facilitator.pk:
        raise Conflict("To leave the circle yourself, use Leave.")
    if found.is_facilitator and not facilitator.is_staff:
        raise NotAllowed("Only staff remove a facilitator; ask them to step down instead.")
    if not found.is_active:
        found.delete()  # a declined request; they may ask again later
        return
    was_facilitator = found.is_facilitator
    found.status = Membership.REMOVED
    found.role = Membership.MEMBER
    found.save(update_fields=["status", "role", "updated_at"])
    count_members([circle.pk], -1)
    if was_facilitator:
        _rotate_invite_code(circle)


@transaction.atomic
def set_member_role(*, facilitator: User, circle: Circle, user_id: int, role: Any) -> Membership:
    """Appoint a facilitator or step one down; the circle always keeps one."""
    if not access.can_moderate(facilitator, circle):
        raise NotAllowed("Only facilitators appoint facilitators.")
    if role not in (Membership.MEMBER, Membership.FACILITATOR):
        raise Invalid("Choose member or facilitator.", errors={"role": ["One of: member, facilitator."]})
    _lock(circle)
    found = _target(circle, user_id)
    if not found.is_active:
        raise Conflict("Approve the request before giving a role.")
    stepping_down = role == Membership.MEMBER and found.role == Membership.FACILITATOR
    if stepping_down and found.user_id != facilitator.pk and not facilitator.is_staff:
        raise NotAllowed("Only staff step down another facilitator; they can step down themselves.")
    if stepping_down and _facilitator_count(circle) == 1:
        raise Conflict("A circle needs at least one facilitator.")
    before = found.role
    found.role = role
    found.save(update_fields=["role", "updated_at"])
    if before != role:
        audit.record(actor=facilitator, action="role_change", target=found, detail=f"{circle.slug}: {before} to {role}")
    if stepping_down:
        _rotate_invite_code(circle)
    access.forget_memberships(facilitator)
    return found
