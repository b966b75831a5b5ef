"""API: the caller's in-app notices (GET /notifications, POST /notifications/read)."""

from typing import Any

from django.http import HttpRequest
from ninja import Router

from kinship.api.moderation_schemas import NoticePageOut, ReadIn, ReadOut
from kinship.api.security import bearer
from kinship.core.pagination import parse_limit
from kinship.notifications import notices
from kinship.notifications.models import Notice

router = Router(tags=["notifications"], auth=bearer)


def _notice_out(notice: Notice) -> dict[str, Any]:
    return {
        "id": notice.pk,
        "kind": notice.kind,
        "text": notice.text,
        "url": notice.url,
        "created_at": notice.created_at,
        "read": notice.read_at is not None,
    }


@router.get("/notifications", response=NoticePageOut)
def notice_list(request: HttpRequest, cursor: str | None = None, limit: str | None = None) -> dict[str, Any]:
    """The caller's own notices, newest first: report outcomes, why a post was hidden, warnings."""
    user = request.auth  # type: ignore[attr-defined]
    page = notices.notice_page(user, cursor=cursor, limit=parse_limit(limit))
    return {
        "items": [_notice_out(n) for n in page.items],
        "next": page.next,
        "unread_count": notices.unread_count(user),
    }


@router.post("/notifications/read", response=ReadOut)
def notice_read(request: HttpRequest, payload: ReadIn) -> dict[str, Any]:
    """Mark notices read: the listed `ids` (others' ids are ignored), or all when `ids` is left out."""
    user = request.auth  # type: ignore[attr-defined]
    return {"marked": notices.mark_read(user=user, ids=payload.ids)}
