"""Member tips: short strategies members share by theme, with "helpful" votes.

The whole area in one module, in three parts that pages and API share:

- access: who may read, post, vote, edit and curate tips (the area's only privacy rules);
- services: every write, each in one transaction, raising `kinship.core.errors` errors;
- queries: reads shaped for display in a fixed number of queries.

Rules: signed-in people read tips; verified members post them (at most TIPS_PER_HOUR an hour) and
mark other people's tips helpful, once each; the author edits and deletes their own; staff and the
active facilitators of any circle ("curators") feature and hide tips. A hidden tip is seen by curators
only, a deleted one by nobody.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from kinship.accounts.models import User
from kinship.core import ratelimit
from kinship.core.converters import id_or_404
from kinship.core.errors import Conflict, Invalid, NotAllowed
from kinship.core.markdown import render_markdown
from kinship.core.pagination import DEFAULT_LIMIT, paginate
from kinship.core.text import clean_text
from kinship.library import access as library_access
from kinship.library.models import THEME_CHOICES, THEMES, Tip, TipVote

# Shown, plain and visible, on every tip page (and said in the API's description).
NOTE = "Shared experience, not medical advice."

TIPS_PER_HOUR = 10
VOTES_PER_MINUTE = 60
# The "featured" section on top of the list; curators rarely feature more at once.
FEATURED_MAX = 6
# A second submit of the same tip within this time (two taps on a slow phone) makes no second tip.
DOUBLE_SUBMIT = timedelta(minutes=10)

NEWEST = "newest"
HELPFUL = "helpful"
SORTS: dict[str, list[str]] = {NEWEST: ["-created_at", "-id"], HELPFUL: ["-helpful_count", "-id"]}
SORT_CHOICES = [(NEWEST, "Newest first"), (HELPFUL, "Most helpful first")]
THEME_LABELS = dict(THEME_CHOICES)


# ---------------------------------------------------------------------------------------------
# Access
# ---------------------------------------------------------------------------------------------


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


is_curator = library_access.is_curator


def can_read_tips(user: Any) -> bool:
    """Tips are member content: signed-in people only; visitors get a sign-in prompt."""
    return _signed_in(user)


def can_post_tips(user: Any) -> bool:
    """Verified members share tips and mark them helpful."""
    return _signed_in(user) and bool(getattr(user, "is_verified", False))


def why_cannot_post(user: Any) -> str:
    if not _signed_in(user):
        return "Sign in to share tips."
    return "Please confirm your email address before sharing tips or marking them helpful."


def can_curate(user: Any) -> bool:
    """Feature, unfeature, hide and unhide: staff and facilitators."""
    return is_curator(user)


def is_author(user: Any, tip: Tip) -> bool:
    return _signed_in(user) and tip.author_id == user.pk


def can_edit(user: Any, tip: Tip) -> bool:
    """The author edits and deletes their own tip, while it is not deleted."""
    return is_author(user, tip) and tip.deleted_at is None


can_delete = can_edit


def can_mark_helpful(user: Any, tip: Tip) -> bool:
    """Verified members, on a visible tip that is not their own."""
    return can_post_tips(user) and not is_author(user, tip) and not tip.hidden and tip.deleted_at is None


def visible_tips(user: Any) -> QuerySet[Tip]:
    """Tips this user may see: none for visitors; never deleted ones; hidden ones for curators only."""
    if not can_read_tips(user):
        return Tip.objects.none()
    tips = Tip.objects.filter(deleted_at__isnull=True)
    if not can_curate(user):
        tips = tips.filter(hidden=False)
    return tips


def get_tip_for(user: Any, tip_id: Any) -> Tip:
    """The tip with its author, or 404 when it is missing, deleted, or hidden from this user."""
    tip = visible_tips(user).select_related("author", "featured_by").filter(pk=id_or_404(tip_id)).first()
    if tip is None:
        raise Http404("No such tip.")
    return tip


# ---------------------------------------------------------------------------------------------
# Services
# ---------------------------------------------------------------------------------------------


def parse_theme(value: Any, *, required: bool = True) -> str | None:
    """One of THEMES; "" or None is no theme (refused when required)."""
    if value is None or value == "":
        if required:
            raise Invalid("Choose a theme for the tip.", errors={"theme": ["Choose a theme."]})
        return None
    if not isinstance(value, str) or value not in THEMES:
        raise Invalid(
            "That theme does not exist. Choose one of: " + ", ".join(THEMES) + ".",
            errors={"theme": ["Choose one of: " + ", ".join(THEMES) + "."]},
        )
    return value


def _clean_fields(changes: dict[str, Any]) -> dict[str, Any]:
    """The tip's fields checked together, so every problem is named at once."""
    errors: dict[str, list[str]] = {}
    details: list[str] = []
    clean: dict[str, Any] = {}
    checks = {
        "theme": lambda value: parse_theme(value),
        "body": lambda value: clean_text(value, field="body", label="Tip", max_length=Tip.BODY_MAX, required=True),
    }
    for name, value in changes.items():
        if name not in checks:
            raise Invalid(f"{name} cannot be changed here.", errors={name: ["Cannot be changed."]})
        try:
            clean[name] = checks[name](value)
        except Invalid as exc:
            errors.update(exc.errors)
            details.append(exc.detail)
    if errors:
        raise Invalid(details[0] if len(details) == 1 else "Please correct the highlighted fields.", errors=errors)
    return clean


def _locked(tip: Tip) -> Tip:
    """The tip's row, locked until the transaction ends; a tip deleted meanwhile is a conflict."""
    found = Tip.objects.select_for_update().filter(pk=tip.pk).first()
    if found is None or found.deleted_at is not None:
        raise Conflict("This tip has been deleted.")
    return found


@transaction.atomic
def post_tip(*, author: User, theme: Any, body: Any) -> Tip:
    """Share a tip; verified members only, at most TIPS_PER_HOUR an hour (RateLimited past that).

    The same tip sent twice within DOUBLE_SUBMIT returns the first and makes nothing.
    """
    if not can_post_tips(author):
        raise NotAllowed(why_cannot_post(author))
    clean = _clean_fields({"theme": theme, "body": body})
    already = (
        Tip.objects.filter(
            author=author,
            theme=clean["theme"],
            body=clean["body"],
            deleted_at__isnull=True,
            created_at__gte=timezone.now() - DOUBLE_SUBMIT,
        )
        .order_by("pk")
        .first()
    )
    if already is not None:
        return already
    ratelimit.check(
        "tip-post",
        str(author.pk),
        limit=TIPS_PER_HOUR,
        window=3600,
        message=f"You have shared {TIPS_PER_HOUR} tips in the last hour. Thank you! "
        "Please wait a while before sharing more.",
    )
    return Tip.objects.create(
        author=author, theme=clean["theme"], body=clean["body"], body_html=render_markdown(clean["body"])
    )


@transaction.atomic
def edit_tip(*, editor: User, tip: Tip, changes: dict[str, Any]) -> Tip:
    """The author changes the theme and/or words of their own tip (NotAllowed for anyone else)."""
    if not can_edit(editor, tip):
        raise NotAllowed("You can only edit your own tips.")
    clean = _clean_fields(changes)
    locked = _locked(tip)
    for name, value in clean.items():
        setattr(locked, name, value)
    if "body" in clean:
        locked.body_html = render_markdown(clean["body"])
    locked.save(update_fields=["theme", "body", "body_html", "updated_at"])
    return locked


@transaction.atomic
def delete_tip(*, actor: User, tip: Tip) -> None:
    """Soft delete by the author: the words go, the row stays so its votes keep their place."""
    if not can_delete(actor, tip):
        raise NotAllowed("You can only delete your own tips.")
    now = timezone.now()
    Tip.objects.filter(pk=tip.pk, deleted_at__isnull=True).update(
        deleted_at=now, body="", body_html="", featured_at=None, featured_by=None, updated_at=now
    )
    tip.deleted_at = now


@transaction.atomic
def feature_tip(*, curator: User, tip: Tip, featured: bool = True) -> Tip:
    """Staff and facilitators put a tip in (or take it out of) the featured section."""
    if not can_curate(curator):
        raise NotAllowed("Only facilitators and staff can feature tips.")
    locked = _locked(tip)
    if featured and locked.hidden:
        raise Conflict("This tip is hidden. Unhide it before featuring it.")
    if featured and locked.featured_at is None:
        locked.featured_at, locked.featured_by = timezone.now(), curator
    elif not featured:
        locked.featured_at, locked.featured_by = None, None
    locked.save(update_fields=["featured_at", "featured_by", "updated_at"])
    return locked


@transaction.atomic
def hide_tip(*, curator: User, tip: Tip, hidden: bool = True) -> Tip:
    """Staff and facilitators hide a tip from members (and take it out of the featured section), or unhide it."""
    if not can_curate(curator):
        raise NotAllowed("Only facilitators and staff can hide tips.")
    locked = _locked(tip)
    locked.hidden = hidden
    if hidden:
        locked.featured_at, locked.featured_by = None, None
    locked.save(update_fields=["hidden", "featured_at", "featured_by", "updated_at"])
    return locked


def _check_helpful(member: User, tip: Tip) -> None:
    if not can_post_tips(member):
        raise NotAllowed(why_cannot_post(member))
    if is_author(member, tip):
        raise NotAllowed("You cannot mark your own tip as helpful.")
    ratelimit.check(
        "tip-helpful",
        str(member.pk),
        limit=VOTES_PER_MINUTE,
        window=60,
        message=f"You have marked {VOTES_PER_MINUTE} tips in a minute. Please wait a moment before marking more.",
    )


def _open_for_votes(tip: Tip) -> Tip:
    # The row lock makes the votes of one tip happen one at a time, so each sees the count with its own in it.
    locked = _locked(tip)
    if locked.hidden:
        raise Conflict("This tip is hidden, so it takes no votes.")
    return locked


@transaction.atomic
def mark_helpful(*, member: User, tip: Tip) -> bool:
    """One "helpful" per member per tip, never on their own; again changes nothing. True if it was new.

    Leaves the exact count on `tip.helpful_count`.
    """
    _check_helpful(member, tip)
    _open_for_votes(tip)
    added = False
    if not TipVote.objects.filter(tip_id=tip.pk, voter=member).exists():
        # The unique constraint is the last word: without row locks (SQLite) two requests may both get here.
        try:
            with transaction.atomic():
                TipVote.objects.create(tip_id=tip.pk, voter=member)
            added = True
        except IntegrityError:
            added = False
    if added:
        Tip.objects.filter(pk=tip.pk).update(helpful_count=F("helpful_count") + 1)
    tip.helpful_count = Tip.objects.values_list("helpful_count", flat=True).get(pk=tip.pk)
    return added


@transaction.atomic
def unmark_helpful(*, member: User, tip: Tip) -> bool:
    """Take a "helpful" back; without one nothing changes. True if one was removed."""
    _check_helpful(member, tip)
    _open_for_votes(tip)
    removed, _ = TipVote.objects.filter(tip_id=tip.pk, voter=member).delete()
    if removed:
        Tip.objects.filter(pk=tip.pk, helpful_count__gt=0).update(helpful_count=F("helpful_count") - 1)
    tip.helpful_count = Tip.objects.values_list("helpful_count", flat=True).get(pk=tip.pk)
    return bool(removed)


# ---------------------------------------------------------------------------------------------
# Queries
# ---------------------------------------------------------------------------------------------


@dataclass
class TipRow:
    """A tip as one viewer sees it: whether they found it helpful and what they may do with it."""

    tip: Tip
    helped: bool
    can_mark_helpful: bool
    can_edit: bool
    can_curate: bool

    @property
    def body_html(self) -> SafeString:
        # body_html was sanitised by nh3 when the tip was written.
        return mark_safe(self.tip.body_html)

    @property
    def theme_label(self) -> str:
        return THEME_LABELS.get(self.tip.theme, self.tip.theme)

    @property
    def featured(self) -> bool:
        return self.tip.featured_at is not None


@dataclass
class TipListing:
    """The tips page: the featured section (first page only), then one page of the rest."""

    featured: list[TipRow] = field(default_factory=list)
    rows: list[TipRow] = field(default_factory=list)
    next: str | None = None


def parse_sort(value: Any) -> str:
    if value is None or value == "":
        return NEWEST
    if value not in SORTS:
        raise Invalid("Sort by newest or helpful.", errors={"sort": ["Choose newest or helpful."]})
    return cast(str, value)


def parse_featured(value: Any) -> bool | None:
    """The API's ?featured=: true, false, or absent for all tips."""
    if value is None or value == "":
        return None
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise Invalid("featured is true or false.", errors={"featured": ["Choose true or false."]})


def _with_author(tips: QuerySet[Tip]) -> QuerySet[Tip]:
    return tips.select_related("author")


def rows_for(user: Any, tips: list[Tip]) -> list[TipRow]:
    """Rows for these tips; the viewer's own votes in one query (none for no tips)."""
    helped: set[int] = set()
    if tips and can_post_tips(user):
        helped = set(
            TipVote.objects.filter(voter=user, tip_id__in=[t.pk for t in tips]).values_list("tip_id", flat=True)
        )
    curator = can_curate(user)
    return [
        TipRow(
            tip=tip,
            helped=tip.pk in helped,
            can_mark_helpful=can_mark_helpful(user, tip),
            can_edit=can_edit(user, tip),
            can_curate=curator,
        )
        for tip in tips
    ]


def _filtered(user: Any, *, theme: str | None, featured: bool | None = None) -> QuerySet[Tip]:
    tips = visible_tips(user)
    if theme is not None:
        tips = tips.filter(theme=theme)
    if featured is True:
        tips = tips.filter(featured_at__isnull=False)
    elif featured is False:
        tips = tips.filter(featured_at__isnull=True)
    return tips


def tip_page(
    user: Any,
    *,
    theme: str | None = None,
    sort: str = NEWEST,
    featured: bool | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> tuple[list[TipRow], str | None]:
    """One page of the tips this viewer may see (the API's list): two queries, three with votes."""
    page = paginate(
        _with_author(_filtered(user, theme=theme, featured=featured)), SORTS[sort], cursor=cursor, limit=limit
    )
    return rows_for(user, page.items), page.next


def tip_listing(
    user: Any, *, theme: str | None = None, sort: str = NEWEST, cursor: str | None = None, limit: int = DEFAULT_LIMIT
) -> TipListing:
    """The tips page: the most recently featured first, then the others newest or most helpful first.

    The featured tips are left out of the pages below them, on every page, so no tip shows twice.
    """
    tips = _filtered(user, theme=theme)
    featured = list(_with_author(tips.filter(featured_at__isnull=False)).order_by("-featured_at", "-id")[:FEATURED_MAX])
    rest = tips.exclude(pk__in=[t.pk for t in featured]) if featured else tips
    page = paginate(_with_author(rest), SORTS[sort], cursor=cursor, limit=limit)
    rows = rows_for(user, featured + page.items)
    return TipListing(featured=rows[: len(featured)] if not cursor else [], rows=rows[len(featured) :], next=page.next)


def tip_row(user: Any, tip: Tip) -> TipRow:
    """The row of one tip fetched through get_tip_for."""
    return rows_for(user, [tip])[0]
