"""API: member tips (/tips), over kinship.library.tips.

Signed-in callers only (401 without a token), like the pages. Hidden tips are seen by facilitators
and staff alone, deleted ones by nobody: 404 otherwise. Marking your own tip helpful is refused
with 403 ("You cannot mark your own tip as helpful."): you see the tip, you may not do that to it.
"""

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Status

from kinship.api import shapes
from kinship.api.idempotency import idempotent
from kinship.api.security import bearer
from kinship.api.tip_schemas import HelpfulOut, TipIn, TipOut, TipPageOut, TipPatch
from kinship.core.errors import Invalid
from kinship.core.pagination import parse_limit
from kinship.library import tips
from kinship.library.tips import TipRow

router = Router(tags=["tips"], auth=bearer)


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def tip_out(row: TipRow) -> dict[str, Any]:
    """A tip as the viewer of `row` sees it; `row.tip.author` must be loaded."""
    tip = row.tip
    data: dict[str, Any] = {
        "id": tip.pk,
        "url": tip.get_absolute_url(),
        "theme": tip.theme,
        "theme_label": row.theme_label,
        "body": tip.body,
        "body_html": tip.body_html,
        "author": shapes.user_out(tip.author),
        "helpful_count": tip.helpful_count,
        "helped": row.helped,
        "can_mark_helpful": row.can_mark_helpful,
        "mine": row.can_edit,
        "featured": row.featured,
        "created_at": tip.created_at,
        "updated_at": tip.updated_at,
    }
    if row.can_curate:
        data["hidden"] = tip.hidden
    return data


def _one_out(user: Any, tip_id: int) -> dict[str, Any]:
    """The tip as it is after a write, read again with its author."""
    return tip_out(tips.tip_row(user, tips.get_tip_for(user, tip_id)))


@router.get("/tips", response=TipPageOut, exclude_unset=True)
def tip_list(
    request: HttpRequest,
    theme: str | None = None,
    featured: str | None = None,
    sort: str | None = None,
    cursor: str | None = None,
    limit: str | None = None,
) -> dict[str, Any]:
    """Member tips, newest first or with `sort=helpful` most helpful first; `theme` keeps one theme,
    `featured=true` only the tips facilitators featured (`false`: only the others). Every tip is shared
    experience, not medical advice: show `note` with them."""
    user = _user(request)
    rows, next_cursor = tips.tip_page(
        user,
        theme=tips.parse_theme(theme, required=False),
        sort=tips.parse_sort(sort),
        featured=tips.parse_featured(featured),
        cursor=cursor or None,
        limit=parse_limit(limit),
    )
    return {"items": [tip_out(row) for row in rows], "next": next_cursor, "note": tips.NOTE}


@router.post("/tips", response={201: TipOut}, exclude_unset=True)
def tip_create(request: HttpRequest, payload: TipIn) -> Status[Any]:
    """Verified members share a tip (Markdown, at most 1,000 characters) under a theme. At most 10 an hour;
    past that, 429 with Retry-After. Honours Idempotency-Key; sending the same tip again within ten minutes
    returns the first and creates nothing."""
    user = _user(request)

    def create() -> Status[Any]:
        tip = tips.post_tip(author=user, theme=payload.theme, body=payload.body)
        return Status(201, _one_out(user, tip.pk))

    return idempotent(request, create)


@router.get("/tips/{tip_id}", response=TipOut, exclude_unset=True)
def tip_detail(request: HttpRequest, tip_id: int) -> dict[str, Any]:
    """A tip; 404 when it is deleted, or hidden and the caller is not a facilitator or staff."""
    return _one_out(_user(request), tip_id)


@router.patch("/tips/{tip_id}", response=TipOut, exclude_unset=True)
def tip_update(request: HttpRequest, tip_id: int, payload: TipPatch) -> dict[str, Any]:
    """The author changes `theme` and `body`; facilitators and staff set `featured` and `hidden`
    (hiding also unfeatures). Anyone else: 403."""
    user = _user(request)
    tip = tips.get_tip_for(user, tip_id)
    changes = payload.model_dump(exclude_unset=True)
    if not changes:
        raise Invalid("Send at least one field to change.", errors={"__all__": ["Nothing to change."]})
    for name in ("featured", "hidden"):
        if name in changes and changes[name] is None:
            raise Invalid(f"{name} is true or false.", errors={name: ["Must be true or false."]})
    words: dict[str, Any] = {name: changes[name] for name in ("theme", "body") if name in changes}
    # All or nothing: an author who may not feature their own tip keeps their words unchanged too.
    with transaction.atomic():
        if words:
            tip = tips.edit_tip(editor=user, tip=tip, changes=words)
        if "hidden" in changes:
            tip = tips.hide_tip(curator=user, tip=tip, hidden=changes["hidden"])
        if "featured" in changes:
            tip = tips.feature_tip(curator=user, tip=tip, featured=changes["featured"])
    return _one_out(user, tip.pk)


@router.delete("/tips/{tip_id}", response={204: None})
def tip_delete(request: HttpRequest, tip_id: int) -> Status[None]:
    """The author deletes their own tip (its words go for good); anyone else: 403."""
    user = _user(request)
    tips.delete_tip(actor=user, tip=tips.get_tip_for(user, tip_id))
    return Status(204, None)


def _helpful(request: HttpRequest, tip_id: int, *, add: bool) -> dict[str, Any]:
    user = _user(request)
    tip = tips.get_tip_for(user, tip_id)
    # The services leave on `tip` the count their own transaction saw.
    if add:
        tips.mark_helpful(member=user, tip=tip)
    else:
        tips.unmark_helpful(member=user, tip=tip)
    return {"helpful_count": tip.helpful_count, "helped": add}


@router.put("/tips/{tip_id}/helpful", response=HelpfulOut)
def helpful_add(request: HttpRequest, tip_id: int) -> dict[str, Any]:
    """Mark a tip helpful: once per member, so marking again changes nothing. Your own tip: 403.
    At most 60 a minute; past that, 429 with Retry-After."""
    return _helpful(request, tip_id, add=True)


@router.delete("/tips/{tip_id}/helpful", response=HelpfulOut)
def helpful_remove(request: HttpRequest, tip_id: int) -> dict[str, Any]:
    """Take your "helpful" back; without one, nothing changes."""
    return _helpful(request, tip_id, add=False)
