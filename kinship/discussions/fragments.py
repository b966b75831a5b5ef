"""The post rows of a topic page, drawn once per audience and then taken from a cache.

A post row looks the same to everyone in one *audience*: facilitators and staff (who see hidden
posts and anonymous authors) or everyone else; and within each, those who may react (buttons)
or not (counts only). Its markup is cached under a key made of the audience and every value the
row template reads, exactly as this request read them from the database (`queries.topic_rows`).
Nothing is ever invalidated: an edit, a deletion, hiding, a reaction, the author's new name or
picture all change the row and so the key; the old entry is never asked for again and ages out.
That holds across processes too, so each process may keep its own copy.

Nothing that belongs to one viewer is stored. The row template gets no request and no user, only
the audience; where a viewer's own state goes (the form token, the reactions they pressed, their
edit links) it leaves a mark through `viewer`, and each request fills the marks for its own viewer.
A facilitator's visit therefore never fills an entry a member could be served (another audience,
another key), and no entry holds anything of the person whose visit filled it.
"""

import hashlib
import re
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import replace
from functools import cache
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.template import engines
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from jinja2 import Template

from kinship.accounts.models import User
from kinship.discussions.access import ThreadViewer
from kinship.discussions.models import Reaction

TEMPLATE = "discussions/post_row.html"
# Part of every key: raise it when code (not the template, whose text is in the key already)
# changes what a row looks like, so a shared cache never serves markup drawn by older code.
VERSION = 2
# A settings.CACHES entry of this name is used when there is one; otherwise each process keeps
# its own. Never the default cache: fragments would push out the rate-limit counters kept there.
CACHE_ALIAS = "fragments"
# Entries are content-addressed and never go stale; age only decides what makes room.
TIMEOUT = 24 * 3600
# A row of ordinary length takes one to a few KB: 5,000 of them stay within some 15 MB a process.
_LOCAL = LocMemCache("kinship-post-rows", {"TIMEOUT": TIMEOUT, "OPTIONS": {"MAX_ENTRIES": 5000}})

# Marks left in the markup where a viewer's own state goes. Random per process and never sent:
# nothing a member writes can contain one, so member text can never open or close a mark.
_MARK = f"\x00{secrets.token_hex(8)}"
_SPLIT = re.compile(re.escape(_MARK) + r"([=?:.])([\w:-]*)" + re.escape(_MARK))

# A row's markup as the cache keeps it: plain text, ("name",) for a value the request supplies,
# or ("name", shown if true, shown if false) for markup that depends on the viewer.
Program = tuple[str | tuple[str] | tuple[str, str, str], ...]


class _Marks:
    """What the row template calls where the viewer's own state goes."""

    def value(self, name: str) -> SafeString:
        return mark_safe(f"{_MARK}={name}{_MARK}")

    def when(self, name: str) -> SafeString:
        return mark_safe(f"{_MARK}?{name}{_MARK}")

    def otherwise(self) -> SafeString:
        return mark_safe(f"{_MARK}:{_MARK}")

    def end(self) -> SafeString:
        return mark_safe(f"{_MARK}.{_MARK}")


_MARKS = _Marks()


def _compile(html: str) -> Program:
    """Split drawn markup at its marks; a condition holds plain text only."""
    parts = _SPLIT.split(html)
    program: list[Any] = [parts[0]] if parts[0] else []
    condition: list[Any] | None = None  # [name, texts if true, texts if false, which branch]
    for i in range(1, len(parts), 3):
        op, name, text = parts[i], parts[i + 1], parts[i + 2]
        if op == "?" and condition is None:
            condition = [name, [text], [], 1]
        elif op == ":" and condition is not None and condition[3] == 1:
            condition[3] = 2
            condition[2].append(text)
        elif op == "." and condition is not None:
            program.append((condition[0], "".join(condition[1]), "".join(condition[2])))
            condition = None
            program.append(text)
        elif op == "=" and condition is None:
            program += [(name,), text]
        else:
            raise ValueError(f"{TEMPLATE}: viewer marks out of order near {op}{name}")
    if condition is not None:
        raise ValueError(f"{TEMPLATE}: a viewer.when() is never closed")
    return tuple(p for p in program if p != "")


def _load_template() -> tuple[Template, str]:
    """The row template and the digest of its text, which is part of every key."""
    env = engines["jinja2"].env  # type: ignore[attr-defined]
    source = env.loader.get_source(env, TEMPLATE)[0]
    stamp = hashlib.blake2b(f"{VERSION}|{settings.MEDIA_URL}|{source}".encode(), digest_size=8).hexdigest()
    return env.get_template(TEMPLATE), stamp


_loaded_template = cache(_load_template)


def _template() -> tuple[Template, str]:
    # While developing, an edited template must show (and key) at once.
    return _load_template() if settings.DEBUG else _loaded_template()


def _cache() -> BaseCache:
    return caches[CACHE_ALIAS] if CACHE_ALIAS in settings.CACHES else _LOCAL


def _avatar_url(name: str) -> str:
    return User._meta.get_field("avatar").storage.url(name)  # type: ignore[attr-defined]


def _draw(row: Any, audience: ThreadViewer, template: Template) -> Program:
    """One row as its audience sees it: the template gets the audience's answers, never a viewer."""
    deleted = row.deleted_at is not None
    author = None
    if audience.shows_author(anonymous=row.anonymous):
        author = {"name": row.author_name, "avatar_url": _avatar_url(row.author_avatar) if row.author_avatar else ""}
    post = {
        "id": row.id,
        "created_at": row.created_at,
        "is_opening": row.is_opening,
        "author": author,
        "revealed_author": row.author_name if audience.shows_anonymous_author(anonymous=row.anonymous) else None,
        "edited": row.edited_at is not None and not deleted,
        "deleted": deleted,
        # Only its author is ever given a waiting row (sql.py), so it is theirs to read, not folded.
        "folded": audience.folds(hidden=row.hidden) and not row.awaiting_approval,
        "waiting": row.awaiting_approval,
        "hidden": row.hidden,
        "content_note": row.content_note,
        # body_html was sanitised by nh3 when the post was written.
        "body": mark_safe(row.body_html),
        "reactions": [(kind, label, getattr(row, f"{kind}_count")) for kind, label in Reaction.KIND_CHOICES],
    }
    html = template.render(post=post, moderator=audience.moderator, can_react=audience.can_post, viewer=_MARKS)
    return _compile(html)


def _fill(program: Program, answers: dict[str, Any]) -> Iterator[str]:
    for step in program:
        if isinstance(step, str):
            yield step
        elif len(step) == 1:
            yield answers[step[0]]
        else:
            yield step[1] if answers[step[0]] else step[2]  # type: ignore[misc]


def post_rows(rows: Iterable[Any], *, viewer: ThreadViewer, mine: set[tuple[int, str]], csrf_field: str) -> SafeString:
    """The markup of a page of post rows for this viewer: cached rows, with the viewer's own parts filled in."""
    rows = list(rows)
    template, stamp = _template()
    audience = replace(viewer, user_id=None)
    prefix = f"{stamp}|{timezone.get_current_timezone_name()}|{int(audience.moderator)}{int(audience.can_post)}|"
    keys = ["post-row:" + hashlib.blake2b((prefix + repr(row)).encode(), digest_size=16).hexdigest() for row in rows]
    store = _cache()
    found = store.get_many(keys)
    drawn = {}
    for key, row in zip(keys, rows, strict=True):
        if key not in found:
            found[key] = drawn[key] = _draw(row, audience, template)
    if drawn:
        store.set_many(drawn, TIMEOUT)
    out = []
    for key, row in zip(keys, rows, strict=True):
        answers = {
            "csrf": csrf_field,
            "edit": viewer.can_edit(author_id=row.author_id, deleted=row.deleted_at is not None),
            "report": viewer.user_id is not None and viewer.user_id != row.author_id,
        }
        for kind in Reaction.KINDS:
            answers[f"pressed:{kind}"] = (row.id, kind) in mine
        out.append("\n")
        out.extend(_fill(found[key], answers))
    return mark_safe("".join(out))
