from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag(takes_context=True)
def reaction_form(context: Any, post: Any) -> SafeString:
    """The reaction buttons of one post.

    Built in Python because it is drawn for every post of every topic page and, as a template
    loop, cost more than the rest of the post together. Each button says what pressing it
    does ("strength:1" adds, "strength:0" takes back), so a repeated submit changes nothing.
    """
    buttons = format_html_join(
        "",
        '<button type="submit" name="reaction" value="{}:{}" aria-pressed="{}">'
        '{} <span class="count">{}</span></button>',
        (
            (kind, "0" if mine else "1", "true" if mine else "false", label, count)
            for kind, label, count, mine in post.reaction_list
        ),
    )
    return format_html(
        '<form method="post" action="{}" class="reactions">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">{}</form>',
        reverse("discussions:post-react", args=[post.pk]),
        context.get("csrf_token", ""),
        buttons,
    )
