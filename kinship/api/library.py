"""API: the library of vetted material (/materials), over kinship.library.materials.

Anyone may read, signed out too (a bad token is still a 401). Staff and facilitators also get
unpublished material; for everyone else it does not exist (404).
"""

from typing import Any

from django.http import HttpRequest
from ninja import Router

from kinship.api.library_schemas import MaterialOut, MaterialPageOut
from kinship.api.security import optional_bearer
from kinship.core.pagination import parse_limit
from kinship.library import materials
from kinship.library.models import Material

router = Router(tags=["library"])


def material_out(material: Material) -> dict[str, Any]:
    is_pdf = material.kind == Material.PDF
    return {
        "id": material.pk,
        "url": material.get_absolute_url(),
        "kind": material.kind,
        "title": material.title,
        "description": material.description,
        "theme": material.theme,
        "theme_label": materials.THEME_LABELS.get(material.theme, material.theme),
        "source": material.source,
        "link": None if is_pdf else material.url,
        "file_url": materials.file_url(material),
        "file_name": material.original_name if is_pdf else None,
        "file_size": material.file_size if is_pdf else 0,
        "published": material.published,
        "created_at": material.created_at,
        "updated_at": material.updated_at,
    }


@router.get("/materials", response=MaterialPageOut, auth=optional_bearer)
def material_list(
    request: HttpRequest, theme: str | None = None, cursor: str | None = None, limit: str | None = None
) -> dict[str, Any]:
    """Published material, newest first; `theme` keeps one theme (an unknown theme is a 422)."""
    user = request.auth  # type: ignore[attr-defined]
    page = materials.material_page(user, theme=theme, cursor=cursor, limit=parse_limit(limit))
    return {"items": [material_out(m) for m in page.items], "next": page.next}


@router.get("/materials/{material_id}", response=MaterialOut, auth=optional_bearer)
def material_detail(request: HttpRequest, material_id: str) -> dict[str, Any]:
    """One material; unpublished material is a 404 except to staff and facilitators."""
    user = request.auth  # type: ignore[attr-defined]
    return material_out(materials.get_material_for(user, material_id))
