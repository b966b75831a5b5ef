"""`{% crisis_help %}` in base.html: the crisis helplines, once, on the page after crisis words were saved.

A page that saved crisis words sets core.signals.HELP_SESSION_KEY (core.signals.offer_help); this tag
reads and clears it, so the panel shows once, whatever page the redirect lands on. Without the flag it
runs no query.
"""

from typing import Any

from django import template
from django.template.loader import render_to_string

from kinship.core.signals import HELP_SESSION_KEY
from kinship.library.helplines import crisis_helplines

register = template.Library()


@register.simple_tag(takes_context=True)
def crisis_help(context: Any) -> str:
    request = context.get("request")
    # Only a signed-in writer is ever flagged; a visitor's page never loads the session for this.
    if request is None or not getattr(request.user, "is_authenticated", False):
        return ""
    session = request.session
    if HELP_SESSION_KEY not in session:
        return ""
    language = session.pop(HELP_SESSION_KEY)
    lines = crisis_helplines(request.user, language=language if isinstance(language, str) else "")
    return render_to_string("includes/crisis_help.html", {"crisis_helplines": lines}, request=request)
