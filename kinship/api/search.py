"""API: one search over everything the caller may see (/search)."""

from typing import Any

from django.http import HttpRequest
from ninja import Router

from kinship.api.search_schemas import SearchPageOut
from kinship.api.security import optional_bearer
from kinship.core.pagination import parse_limit
from kinship.core.ratelimit import client_address
from kinship.search import queries

router = Router(tags=["search"])


@router.get("/search", response=SearchPageOut, auth=optional_bearer)
def search(
    request: HttpRequest,
    q: str | None = None,
    type: str | None = None,
    cursor: str | None = None,
    limit: str | None = None,
) -> dict[str, Any]:
    """Full-text search over topics, replies, tips, resources, library material, events and answered
    questions, returning only what the caller may see; visitors (no token) find active resources,
    published material and public circles' events.

    `q` uses web search syntax: every word must match, "quoted words" match as a phrase, `or`
    between two words finds either, `-word` leaves a word out; at most 200 characters are used.
    `type` keeps one kind of result. Best matches first. Blank `q` or an unknown `type` is 422;
    the first 200 results can be paged through. At most 60 searches a minute per caller, then 429
    with Retry-After.
    """
    user = request.auth  # type: ignore[attr-defined]
    queries.clean_query(q)
    kind = queries.clean_type(type)
    size = parse_limit(limit)
    queries.check_rate(user, client_address(request))
    page = queries.search(user, q, type=kind, cursor=cursor, limit=size)
    return {
        "items": [
            {
                "type": item.type,
                "id": item.id,
                "url": item.url,
                "title": item.title,
                "snippet_html": str(item.snippet_html),
                "circle": {"slug": item.circle.slug, "name": item.circle.name} if item.circle else None,
                "created_at": item.created_at,
            }
            for item in page.items
        ],
        "next": page.next,
    }
