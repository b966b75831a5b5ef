"""Milestones of the recovery journal, and sharing one to a circle as a celebration.

- **Privacy.** A milestone is its owner's alone (journal.access). Sharing it makes a celebration
  topic in one circle, authored by the member, whose title is the milestone's title and whose
  body is its date and an optional message: never the private note. From then on the circle's own
  rules apply to that topic (members react "celebrate" and reply as to any topic). Unsharing, or
  deleting the milestone, deletes the topic for good, replies and reactions with it.
- **Services.** `add_milestone`, `edit_milestone`, `delete_milestone`, `share_milestone`,
  `unshare_milestone`: keyword-only, owner first, one transaction, refusals as core.errors.
- **Queries.** The owner's page of milestones, newest first, in a fixed number of queries.
"""

import datetime as dt
import re
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kinship.accounts.models import User
from kinship.circles.models import Circle, Membership
from kinship.core import ratelimit
from kinship.core.errors import Invalid, NotAllowed
from kinship.core.forms import GENERIC
from kinship.core.markdown import render_markdown
from kinship.core.pagination import Page, coerce, decode_cursor, encode_cursor
from kinship.core.text import check_inline, clean_line, clean_text
from kinship.discussions import access as discussions_access
from kinship.discussions import services as discussions
from kinship.discussions.models import TITLE_MAX as TOPIC_TITLE_MAX
from kinship.discussions.models import Post, Topic
from kinship.journal.models import NOTE_MAX, TITLE_MAX, Milestone

KIND_LABELS = dict(Milestone.KIND_CHOICES)
TEMPLATE_CHOICES = [(k, KIND_LABELS[k]) for k in Milestone.TEMPLATE_KINDS]
GOAL_REACHED = "goal_reached"
MESSAGE_MAX = 500
EARLIEST = dt.date(1900, 1, 1)
# A celebration is a new topic in a circle: generous for a good week, a wall for a runaway script.
SHARES_PER_HOUR = 20
ORDER = ["-happened_on", "-id"]
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


# Input --------------------------------------------------------------------------------------


def today() -> dt.date:
    return timezone.localdate()


def latest_allowed_date() -> dt.date:
    """Today, give or take the date line: no time zone is stored for a member, so one day past the
    site's date is allowed for a member ahead of it."""
    return timezone.localdate() + dt.timedelta(days=1)


def parse_date(value: Any, *, field: str, label: str) -> dt.date | None:
    """A date as YYYY-MM-DD text (form or JSON) or a date; None when blank; Invalid for anything else."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    message = f"{label} must be a date such as 2026-03-14."
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value.strip()):
        raise Invalid(message, errors={field: ["Enter a date as YYYY-MM-DD."]})
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(message, errors={field: ["Enter a real date as YYYY-MM-DD."]}) from None


def clean_happened_on(value: Any, *, field: str = "happened_on") -> dt.date:
    """When it happened: blank is today; never after today, never before 1900."""
    found = parse_date(value, field=field, label="Date")
    if found is None:
        return today()
    if found > latest_allowed_date():
        raise Invalid("A milestone cannot be in the future.", errors={field: ["Choose today or an earlier day."]})
    if found < EARLIEST:
        raise Invalid("That date is too long ago.", errors={field: ["Choose a date after 1900."]})
    return found


def clean_title(value: Any, *, field: str = "title", required: bool = True) -> str:
    """A one-line title, shown in lists (and in a circle once shared): no control or direction characters."""
    text = clean_line(value, field=field, label="Title", max_length=TITLE_MAX, required=required)
    return check_inline(text, field=field, label="Title")


def clean_note(value: Any, *, field: str = "note") -> str:
    return clean_text(value, field=field, label="Note", max_length=NOTE_MAX)


def _kind(value: Any, *, current: str | None = None) -> str:
    """A template kind, or own words; goal_reached only stays on a milestone that finished a goal."""
    if value is None or value == "":
        return current or Milestone.OWN
    if isinstance(value, str) and (value in Milestone.TEMPLATE_KINDS or (value == current == GOAL_REACHED)):
        return value
    raise Invalid("Choose one of the milestones offered.", errors={"kind": ["Choose one of the milestones offered."]})


def collect(checks: dict[str, Any]) -> dict[str, Any]:
    """Run each field's check; all problems at once, a single one named outright."""
    errors: dict[str, list[str]] = {}
    details: list[str] = []
    clean: dict[str, Any] = {}
    for field, check in checks.items():
        try:
            clean[field] = check()
        except Invalid as exc:
            errors.update(exc.errors)
            details.append(exc.detail)
    if errors:
        raise Invalid(details[0] if len(details) == 1 else GENERIC, errors=errors)
    return clean


def _own(owner: Any, milestone: Milestone) -> None:
    # Callers get the milestone through access.get_milestone_for; this guards a service called directly.
    if not getattr(owner, "is_authenticated", False) or milestone.owner_id != owner.pk:
        raise Http404("No such milestone.")


# Services -----------------------------------------------------------------------------------


@transaction.atomic
def add_milestone(
    *, owner: User, kind: Any = Milestone.OWN, title: Any = "", happened_on: Any = None, note: Any = ""
) -> Milestone:
    """Record a milestone. A blank title takes the template's words; own words need a title. Invalid names
    each bad field; the date is today when blank and never in the future."""
    clean = collect(
        {
            "kind": lambda: _kind(kind),
            "title": lambda: clean_title(title, required=False),
            "happened_on": lambda: clean_happened_on(happened_on),
            "note": lambda: clean_note(note),
        }
    )
    if not clean["title"]:
        if clean["kind"] == Milestone.OWN:
            raise Invalid("Say in a few words what happened.", errors={"title": ["Say in a few words what happened."]})
        clean["title"] = KIND_LABELS[clean["kind"]]
    return Milestone.objects.create(owner=owner, **clean)


@transaction.atomic
def edit_milestone(*, owner: User, milestone: Milestone, changes: dict[str, Any]) -> Milestone:
    """Change any of kind, title, happened_on, note; a shared milestone's celebration takes the new title
    and date (never the note)."""
    _own(owner, milestone)
    unknown = set(changes) - {"kind", "title", "happened_on", "note"}
    if unknown:
        raise Invalid("Unknown field.", errors={f: ["Cannot be changed."] for f in sorted(unknown)})
    checks: dict[str, Any] = {}
    if "kind" in changes:
        checks["kind"] = lambda: _kind(changes["kind"], current=milestone.kind)
    if "title" in changes:
        checks["title"] = lambda: clean_title(changes["title"], required=False)
    if "happened_on" in changes:
        checks["happened_on"] = lambda: clean_happened_on(changes["happened_on"])
    if "note" in changes:
        checks["note"] = lambda: clean_note(changes["note"])
    clean = collect(checks)
    if "title" in clean and not clean["title"]:
        kind = clean.get("kind", milestone.kind)
        if kind in (Milestone.OWN, GOAL_REACHED):
            raise Invalid("Say in a few words what happened.", errors={"title": ["Say in a few words what happened."]})
        clean["title"] = KIND_LABELS[kind]
    locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
    before = (locked.title, locked.happened_on)
    changed = [field for field, value in clean.items() if getattr(locked, field) != value]
    for field in changed:
        setattr(locked, field, clean[field])
    if changed:
        locked.save(update_fields=[*changed, "updated_at"])
    if locked.shared_topic_id and before != (locked.title, locked.happened_on):
        _follow_edit(locked, locked.shared_topic_id, before[1])
    for field in ("kind", "title", "happened_on", "note", "updated_at"):
        setattr(milestone, field, getattr(locked, field))
    return milestone


def _follow_edit(milestone: Milestone, topic_id: int, old_date: dt.date) -> None:
    """Keep the celebration's title and date line in step with the milestone (the message stays)."""
    Topic.objects.filter(pk=topic_id).update(title=celebration_title(milestone.title))
    opening = Post.objects.filter(topic_id=topic_id, is_opening=True).first()
    old_line = _date_line(old_date)
    if opening is not None and opening.body.startswith(old_line):
        _set_opening_body(opening, _date_line(milestone.happened_on) + opening.body[len(old_line) :])


def _set_opening_body(opening: Post, body: str) -> None:
    # Written here rather than through discussions.edit_post: the member may have left the circle since
    # sharing, and their own celebration must still follow their milestone.
    if opening.body != body:
        opening.body, opening.body_html, opening.edited_at = body, render_markdown(body), timezone.now()
        opening.save(update_fields=["body", "body_html", "edited_at"])


@transaction.atomic
def delete_milestone(*, owner: User, milestone: Milestone) -> None:
    """Delete the milestone; its celebration, if shared, goes with it."""
    _own(owner, milestone)
    locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
    topic_id = locked.shared_topic_id
    locked.delete()
    if topic_id:
        _drop_topic(topic_id)


def celebration_title(title: str) -> str:
    full = f"Celebrating: {title}"
    return full if len(full) <= TOPIC_TITLE_MAX else full[: TOPIC_TITLE_MAX - 1].rstrip() + "\u2026"


def _date_line(day: dt.date) -> str:
    return f"On {day.day} {day:%B %Y}."


def celebration_body(milestone: Milestone, message: str) -> str:
    """The date and the member's message for the circle; the private note is never part of it."""
    return _date_line(milestone.happened_on) + (f"\n\n{message}" if message else "")


def shareable_circles(user: Any) -> list[Circle]:
    """Circles the member may post in (discussions' own rule: verified, active membership), by name."""
    if not getattr(user, "is_authenticated", False):
        return []
    circles = Circle.objects.filter(memberships__user=user, memberships__status=Membership.ACTIVE).order_by(
        "name", "pk"
    )
    return [c for c in circles if discussions_access.can_start_topic(user, c)]


def _find_circle(value: Any) -> Circle | None:
    if isinstance(value, Circle):
        return value
    # PostgreSQL refuses NUL in text, so such a slug is one that does not exist.
    if not isinstance(value, str) or not value or len(value) > 60 or "\x00" in value:
        return None
    return Circle.objects.filter(slug=value).first()


def _shareable(owner: User, value: Any) -> Circle:
    """One of the owner's circles they may post in; a hidden or foreign circle reads like a missing one."""
    found = _find_circle(value)
    if found is None or not discussions_access.can_start_topic(owner, found):
        raise Invalid("Choose one of your circles.", errors={"circle": ["Choose one of your circles."]})
    return found


@transaction.atomic
def share_milestone(*, owner: User, milestone: Milestone, circle: Any, message: Any = "") -> Milestone:
    """Share the milestone to one circle as a celebration topic (a Circle or its slug); sharing to another
    circle moves it there (the old topic is deleted). Sharing to the same circle again updates the message.

    Raises NotAllowed for an unverified account, Invalid for a circle the member may not post in or a
    message over 500 characters, RateLimited past 20 new celebrations an hour."""
    _own(owner, milestone)
    if not getattr(owner, "is_verified", False):
        raise NotAllowed(discussions.why_cannot_post(owner))
    clean = collect(
        {
            "circle": lambda: _shareable(owner, circle),
            "message": lambda: clean_text(message, field="message", label="Message", max_length=MESSAGE_MAX),
        }
    )
    found: Circle = clean["circle"]
    # Lock the row: two quick taps must leave one celebration, not two.
    locked = Milestone.objects.select_for_update(of=("self",)).select_related("shared_topic").get(pk=milestone.pk)
    old = locked.shared_topic
    # A celebration a facilitator took down stays down: sharing again must not undo their decision
    # there, nor wipe the moderated topic when the member moves the celebration elsewhere.
    moderated = old is not None and (old.is_deleted or old.hidden)
    if moderated and old is not None and old.circle_id == found.pk:
        raise NotAllowed("A facilitator took this celebration down in that circle, so it can't be shared there again.")
    body = celebration_body(locked, clean["message"])
    if old is not None and old.circle_id == found.pk and not old.is_deleted:
        opening = Post.objects.filter(topic=old, is_opening=True).first()
        if opening is not None:
            _set_opening_body(opening, body)
        milestone.shared_topic = old
        return milestone
    ratelimit.check(
        "milestone-share",
        str(owner.pk),
        limit=SHARES_PER_HOUR,
        window=3600,
        message=f"You have shared {SHARES_PER_HOUR} milestones in an hour. Please wait a little before the next.",
    )
    if old is not None and not moderated:
        _drop_topic(old.pk)
    topic = discussions.start_topic(author=owner, circle=found, title=celebration_title(locked.title), body=body)
    Topic.objects.filter(pk=topic.pk).update(is_celebration=True)
    topic.is_celebration = True
    Milestone.objects.filter(pk=locked.pk).update(shared_topic=topic, updated_at=timezone.now())
    milestone.shared_topic = topic
    return milestone


@transaction.atomic
def unshare_milestone(*, owner: User, milestone: Milestone) -> Milestone:
    """Take the celebration down: the topic, its replies and reactions are deleted. Not shared: no change."""
    _own(owner, milestone)
    locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if locked.shared_topic_id:
        topic_id = locked.shared_topic_id
        Milestone.objects.filter(pk=locked.pk).update(shared_topic=None, updated_at=timezone.now())
        _drop_topic(topic_id)
    milestone.shared_topic = None
    return milestone


def _drop_topic(topic_id: int) -> None:
    # Hard delete on purpose: the member took their celebration back (posts, reactions, reads cascade).
    Topic.objects.filter(pk=topic_id, is_celebration=True).delete()


# Queries ------------------------------------------------------------------------------------


def owned(user: Any) -> QuerySet[Milestone]:
    """The user's own milestones with what their pages show of a share (topic and its circle)."""
    return Milestone.objects.filter(owner=user).select_related("shared_topic__circle")


def page_for(user: Any, *, cursor: str | None, limit: int) -> Page[Milestone]:
    """The owner's milestones, newest happened_on first, paged by (happened_on, id).

    Paged here rather than by core.pagination.paginate, whose cursors hold datetimes but not plain dates.
    """
    found = owned(user).order_by(*ORDER)
    if cursor:
        day, pk = (
            coerce(Milestone, f, v) for f, v in zip(["happened_on", "id"], decode_cursor(cursor, 2), strict=True)
        )
        found = found.filter(Q(happened_on__lt=day) | Q(happened_on=day, id__lt=pk))
    items = list(found[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    last = items[-1] if more else None
    return Page(items=items, next=encode_cursor([last.happened_on.isoformat(), last.pk]) if last else None)


def shared_in(milestone: Milestone) -> Topic | None:
    """The live celebration topic, if any: one a facilitator deleted counts as not shared."""
    topic = milestone.shared_topic
    if topic is None or topic.is_deleted:
        return None
    return topic
