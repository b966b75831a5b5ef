"""Rows for search tests. Library rows are made with the ORM: the library's own services belong to its areas."""

from typing import Any

from django.utils import timezone

from kinship.accounts.models import User
from kinship.core.markdown import render_markdown
from kinship.library.models import Material, Resource, Tip
from kinship.search import queries


def make_tip(*, author: User, body: str, **fields: Any) -> Tip:
    fields.setdefault("theme", "pain")
    return Tip.objects.create(author=author, body=body, body_html=render_markdown(body), **fields)


def make_resource(*, name: str, **fields: Any) -> Resource:
    fields.setdefault("kind", Resource.HELPLINE)
    fields.setdefault("is_example", True)
    return Resource.objects.create(name=name, **fields)


def make_material(*, title: str, **fields: Any) -> Material:
    fields.setdefault("kind", Material.LINK)
    fields.setdefault("theme", "physio")
    fields.setdefault("url", "https://example.org/guide")
    return Material.objects.create(title=title, **fields)


def found(user: Any, q: str, **kwargs: Any) -> set[tuple[str, int]]:
    """(type, id) of every result on the first page."""
    return {(item.type, item.id) for item in queries.search(user, q, **kwargs).items}


def now() -> Any:
    return timezone.now()
