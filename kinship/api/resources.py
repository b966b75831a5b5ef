"""API: the resource directory (GET /resources, /resources/{id}). Open to visitors; curators see a little more."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from kinship.api import shapes
from kinship.api.resource_schemas import ResourceOut, ResourcePageOut
from kinship.api.security import optional_bearer
from kinship.core.pagination import parse_limit
from kinship.library import directory
from kinship.library.models import Resource

router = Router(tags=["resources"])


def _resource_out(resource: Resource, *, curator: bool) -> dict[str, Any]:
    """A resource after directory.with_display (status attached)."""
    r: Any = resource
    data: dict[str, Any] = {
        "id": resource.pk,
        "url": resource.get_absolute_url(),
        "kind": resource.kind,
        "kind_label": resource.get_kind_display(),
        "name": resource.name,
        "description": resource.description,
        "website": resource.website,
        "phone": resource.phone,
        "address": resource.address,
        "region": resource.region,
        "languages": resource.language_list,
        "eligibility": resource.eligibility,
        "cost": resource.cost,
        "timezone": resource.timezone,
        "always_open": resource.always_open,
        "hours": [
            {"weekday": h.weekday, "opens": f"{h.opens:%H:%M}", "closes": f"{h.closes:%H:%M}"}
            for h in resource.hours.all()
        ],
        "open_now": r.status.open,
        "open_status": r.status.text,
        "verified_by": shapes.user_out(resource.verified_by) if resource.verified_by else None,
        "verified_at": resource.verified_at,
        "reviewed_at": resource.reviewed_at,
        "is_example": resource.is_example,
    }
    if curator:
        data["active"] = resource.active
        data["stale"] = directory.is_stale(resource)
    return data


@router.get("/resources", response=ResourcePageOut, auth=optional_bearer, exclude_unset=True)
def resource_list(
    request: HttpRequest,
    kind: str | None = None,
    region: str | None = None,
    language: str | None = None,
    open_now: str | None = None,
    q: str | None = None,
    cursor: str | None = None,
    limit: str | None = None,
) -> dict[str, Any]:
    """Active resources by name; visitors too. Filters: `kind` (one of the kinds), `region` (exact),
    `language` (an ISO 639 code, matched as a whole code), `open_now` (true or false), `q` (words in the
    name or description). A bad filter value is a 422 naming it."""
    user = request.auth  # type: ignore[attr-defined]
    filters = directory.parse_filters(
        {"kind": kind, "region": region, "language": language, "open_now": open_now, "q": q}
    )
    page = directory.resource_page(user, filters, cursor=cursor, limit=parse_limit(limit), now=timezone.now())
    curator = directory.can_see_staleness(user)
    return {"items": [_resource_out(r, curator=curator) for r in page.items], "next": page.next}


@router.get("/resources/{resource_id}", response=ResourceOut, auth=optional_bearer, exclude_unset=True)
def resource_detail(request: HttpRequest, resource_id: str) -> dict[str, Any]:
    """One resource with its weekly hours; 404 when there is none with that id (or it was deactivated)."""
    user = request.auth  # type: ignore[attr-defined]
    resource = directory.get_resource_for(user, resource_id)
    [resource] = directory.with_display([resource], viewer=user)
    return _resource_out(resource, curator=directory.can_see_staleness(user))
