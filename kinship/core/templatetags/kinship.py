from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from kinship.core.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    """Render member Markdown through the sanitiser; the only safe way to show it."""
    return mark_safe(render_markdown(text))


@register.filter
def has_field_errors(form: Any) -> bool:
    return any(name != "__all__" for name in form.errors)


@register.filter
def initials(name: str) -> str:
    words = [w for w in (name or "").split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:2]).upper() or "?"
