"""One search over everything the viewer may see, shaped for the page and the API.

Every type is filtered by the visibility rules of the app it comes from, read from the source
rows at query time (the index itself knows nothing of who may see what):

| type | visible when |
| --- | --- |
| topic | not hidden or deleted, and `circles.access.can_read` of its circle |
| reply | the post and its topic not hidden or deleted, same circle rule; never an author |
| tip | signed in; not hidden, not deleted |
| resource | active |
| material | published |
| event | in `events.access.visible_events` |
| question | answered, and `qa.access.can_see_questions` (circle readable, or the viewer speaks at it) |

The circle rule is not rewritten here: the readable circles are those of `visible_circles` that
`can_read` accepts, worked out in Python and passed to SQL as a list of ids.

Queries: the viewer's memberships and circles (one each), one per type the viewer may find at
all, and one for the snippets of the page shown, whatever the amount of data.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from kinship.accounts.two_factor import has_two_factor
from kinship.circles import access as circle_access
from kinship.core import ratelimit
from kinship.core.errors import Invalid
from kinship.core.pagination import decode_cursor, encode_cursor
from kinship.discussions.models import Post, Topic
from kinship.events import access as event_access
from kinship.events.models import Event
from kinship.library.models import Material, Resource, Tip
from kinship.qa.models import Question
from kinship.search import querytext, snippets
from kinship.search.backends import Hit, Where, get_backend

TYPE_CHOICES = [
    ("topic", "Topics"),
    ("reply", "Replies"),
    ("tip", "Tips"),
    ("resource", "Resources"),
    ("material", "Library"),
    ("event", "Events"),
    ("question", "Answered questions"),
]
TYPES = [value for value, _ in TYPE_CHOICES]
TYPE_LABELS = {
    "topic": "Topic",
    "reply": "Reply",
    "tip": "Tip",
    "resource": "Resource",
    "material": "Library",
    "event": "Event",
    "question": "Answered question",
}
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# Results beyond this depth are not offered: refining the words serves better than page 11.
MAX_RESULTS = 200
# Searches per client (account, or address when signed out) per minute: settings.SEARCH_RATE_LIMIT.
RATE_WINDOW = 60


@dataclass(frozen=True)
class CircleRef:
    slug: str
    name: str


@dataclass
class Result:
    type: str
    id: int
    url: str
    title: str
    snippet_html: SafeString
    circle: CircleRef | None
    created_at: dt.datetime
    starts_at: dt.datetime | None

    @property
    def type_label(self) -> str:
        return TYPE_LABELS[self.type]


@dataclass
class SearchPage:
    query: str
    type: str | None
    items: list[Result]
    next: str | None
    offset: int
    # True when more results exist beyond MAX_RESULTS than can be paged to.
    capped: bool = False


# Input ---------------------------------------------------------------------------------------


def clean_type(raw: Any) -> str | None:
    """'' or None for every type; one of TYPES; anything else is a clear 422."""
    if raw in (None, ""):
        return None
    if raw not in TYPES:
        raise Invalid(
            f"type is one of {', '.join(TYPES)}.",
            errors={"type": [f"Choose one of {', '.join(TYPES)}, or leave it out for everything."]},
        )
    return str(raw)


def clean_query(raw: Any) -> str:
    """The query as searched (control characters out, cut at 200 characters); blank is a clear 422."""
    if raw is not None and not isinstance(raw, str):
        raise Invalid("q must be text.", errors={"q": ["Must be text."]})
    text = querytext.normalise(raw or "")
    if not text:
        raise Invalid("Type a word or two to search for.", errors={"q": ["Type a word or two to search for."]})
    return text


def decode_offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    [offset] = decode_cursor(cursor, 1)
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 1:
        raise Invalid("That page link is broken.", errors={"cursor": ["Not a valid cursor."]})
    if offset >= MAX_RESULTS:
        raise Invalid(
            f"Search shows the first {MAX_RESULTS} results. Add a word or two to narrow it down.",
            errors={"cursor": [f"Only the first {MAX_RESULTS} results can be paged through."]},
        )
    return offset


def rate_limit() -> int:
    return int(getattr(settings, "SEARCH_RATE_LIMIT", 60))


def check_rate(user: Any, address: str) -> None:
    """At most SEARCH_RATE_LIMIT searches a minute per account, or per address when signed out (0: no limit)."""
    limit = rate_limit()
    if limit <= 0:
        return
    key = f"user:{user.pk}" if getattr(user, "is_authenticated", False) else f"address:{address}"
    ratelimit.check(
        "search",
        key,
        limit=limit,
        window=RATE_WINDOW,
        message="That is a lot of searches in a minute. Please wait a moment and try again.",
    )


# Visibility ----------------------------------------------------------------------------------


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _is_staff(user: Any) -> bool:
    # Staff powers need two-step sign-in (accounts.two_factor); without it staff act as any member.
    return _signed_in(user) and bool(getattr(user, "is_staff", False)) and has_two_factor(user)


def readable_circle_ids(user: Any) -> list[int] | None:
    """Circles whose topics the user may read, by circles.access.can_read; None means all (staff)."""
    if _is_staff(user):
        return None
    if not _signed_in(user):
        return []
    circles = circle_access.visible_circles(user).only("pk", "visibility")
    return sorted(c.pk for c in circles if circle_access.can_read(user, c))


def _in(column: str, ids: list[int]) -> Where:
    if not ids:
        return Where("1 = 0")
    return Where(f"{column} IN ({', '.join(['%s'] * len(ids))})", tuple(ids))


def _and(*parts: Where) -> Where:
    return Where(" AND ".join(f"({p.sql})" for p in parts), tuple(v for p in parts for v in p.params))


def _or(*parts: Where) -> Where:
    return Where(" OR ".join(f"({p.sql})" for p in parts), tuple(v for p in parts for v in p.params))


def visibility(user: Any) -> dict[str, Where]:
    """Each type the user may find anything of, with its condition; types left out find nothing."""
    readable = readable_circle_ids(user)
    circles = Where("1 = 1") if readable is None else _in("c.id", readable)
    found: dict[str, Where] = {}
    if readable is None or readable:
        found["topic"] = _and(Where("s.hidden = %s AND s.deleted_at IS NULL", (False,)), circles)
        found["reply"] = _and(
            Where(
                "s.hidden = %s AND s.deleted_at IS NULL AND t.hidden = %s AND t.deleted_at IS NULL",
                (False, False),
            ),
            circles,
        )
    if _signed_in(user):
        found["tip"] = Where("s.hidden = %s AND s.deleted_at IS NULL", (False,))
    found["resource"] = Where("s.active = %s", (True,))
    found["material"] = Where("s.published = %s", (True,))
    events_sql, events_params = event_access.visible_events(user).values("id").query.sql_with_params()
    found["event"] = Where(f"s.id IN ({events_sql})", tuple(events_params))
    if _signed_in(user):
        # qa.access.can_see_questions: the circle's readers, and the event's own speakers.
        speakers = Event.speakers.through._meta.db_table
        speaking = Where(f"s.event_id IN (SELECT event_id FROM {speakers} WHERE user_id = %s)", (user.pk,))  # noqa: S608
        found["question"] = _and(
            Where("s.status = %s", (Question.ANSWERED,)), circles if readable is None else _or(circles, speaking)
        )
    return found


# Results -------------------------------------------------------------------------------------


_URL_OF: dict[str, Callable[[Any], str]] = {
    "topic": Topic.get_absolute_url,
    "reply": Post.get_absolute_url,
    "tip": Tip.get_absolute_url,
    "resource": Resource.get_absolute_url,
    "material": Material.get_absolute_url,
    "event": Event.get_absolute_url,
    "question": Question.get_absolute_url,
}


def _url(hit: Hit) -> str:
    # The models' own get_absolute_url, on the two attributes they read: building a model instance
    # per result cost more than the rest of the result line.
    return _URL_OF[hit.type](SimpleNamespace(pk=hit.id, event_id=hit.event_id))


def _title(hit: Hit) -> str:
    text = " ".join(hit.title.split())
    if hit.type == "tip":
        return Truncator(text).chars(80)
    if hit.type == "question":
        return Truncator(text).chars(120)
    return text


def _snippet(hit: Hit, raw: str | None) -> SafeString:
    # A content note folds a hard post until the reader opens it; a snippet must not unfold it.
    if hit.content_note:
        return mark_safe(f"Content note: {escape(hit.content_note)}")
    if raw is None:
        return mark_safe("")
    # Markdown emphasis and code marks are noise in a one-line excerpt.
    return snippets.to_html(raw.replace("*", "").replace("`", ""))


def _result(hit: Hit, raw_snippet: str | None) -> Result:
    return Result(
        type=hit.type,
        id=hit.id,
        url=_url(hit),
        title=_title(hit),
        snippet_html=_snippet(hit, raw_snippet),
        circle=CircleRef(hit.circle_slug, hit.circle_name or "") if hit.circle_slug else None,
        created_at=hit.created_at,
        starts_at=hit.starts_at,
    )


def _order(hit: Hit) -> tuple[float, float, int, int]:
    return (-hit.score, -hit.created_at.timestamp(), TYPES.index(hit.type), -hit.id)


def search(
    user: Any, q: Any, *, type: str | None = None, cursor: str | None = None, limit: int = DEFAULT_LIMIT
) -> SearchPage:
    """One page of what `user` may see that matches `q`, best first; raises Invalid on bad input."""
    user = user if user is not None else AnonymousUser()
    text = clean_query(q)
    kind = clean_type(type)
    offset = decode_offset(cursor)
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid(f"limit must be between 1 and {MAX_LIMIT}.", errors={"limit": [f"Between 1 and {MAX_LIMIT}."]})
    parsed = querytext.parse(text)
    if parsed.is_empty:
        return SearchPage(query=text, type=kind, items=[], next=None, offset=offset)
    wanted = min(offset + limit, MAX_RESULTS)
    backend = get_backend()
    hits: list[Hit] = []
    for source_type, where in visibility(user).items():
        if kind is None or kind == source_type:
            # One more than the page needs tells whether there is a next page.
            hits += backend.rank(source_type, parsed, where, wanted + 1)
    hits.sort(key=_order)
    page = hits[offset:wanted]
    more = len(hits) > wanted
    raw = backend.snippets(parsed, page)
    items = [_result(hit, raw.get((hit.type, hit.id))) for hit in page]
    next_cursor = encode_cursor([wanted]) if more and wanted < MAX_RESULTS else None
    return SearchPage(
        query=text, type=kind, items=items, next=next_cursor, offset=offset, capped=more and wanted >= MAX_RESULTS
    )
