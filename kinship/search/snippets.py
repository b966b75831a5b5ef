"""Highlighted snippets as safe HTML.

The database marks each match with two control characters (never HTML), so member text is
escaped whole here and only then do the marks become <mark> tags: nothing a member wrote can
add markup. The marks are balanced whatever the text holds (a stray mark character in stored
text opens or closes nothing out of turn).
"""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

START = "\x02"
STOP = "\x03"
ELLIPSIS = "…"


def to_html(text: str | None) -> SafeString:
    """The snippet with its marks as <mark>…</mark> and everything else escaped."""
    if not text:
        return mark_safe("")
    out: list[str] = []
    open_mark = False
    buffer: list[str] = []

    def flush() -> None:
        if buffer:
            out.append(escape("".join(buffer)))
            buffer.clear()

    for ch in text:
        if ch == START:
            if not open_mark:
                flush()
                out.append("<mark>")
                open_mark = True
        elif ch == STOP:
            if open_mark:
                flush()
                out.append("</mark>")
                open_mark = False
        else:
            buffer.append(ch)
    flush()
    if open_mark:
        out.append("</mark>")
    html = "".join(out).replace("<mark></mark>", "")
    return mark_safe(" ".join(html.split()))  # escaped above; only our own <mark> tags
