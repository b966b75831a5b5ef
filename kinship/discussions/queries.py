"""Reads shared by pages and API, already shaped for display: a fixed number of queries each."""

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery

from kinship.accounts.models import User
from kinship.circles import access as circle_access
from kinship.circles.models import Circle
from kinship.core.converters import id_or_404
from kinship.core.errors import Invalid
from kinship.core.pagination import Page, coerce, decode_cursor, encode_cursor, paginate
from kinship.discussions import access, sql
from kinship.discussions.models import Post, Reaction, Topic, TopicRead

TOPIC_ORDER = ["-pinned", "-last_activity_at", "-id"]
# A post row names its author and no more: the rest of the account (password hash, email,
# recovery details) stays in the database, which also makes rows much cheaper to build.
_AUTHOR_SHOWN = {"id", "display_name", "avatar", "is_staff"}
AUTHOR_UNUSED = [f"author__{f.name}" for f in User._meta.concrete_fields if f.name not in _AUTHOR_SHOWN]
POST_ORDER = ["created_at", "id"]
# Twenty posts fill a phone screen many times over and keep the page light.
POSTS_PER_PAGE = 20


def topic_list(user: Any, circle: Circle, *, cursor: str | None, limit: int) -> Page[Topic]:
    """Topics of a readable circle, pinned first then newest activity, with unread marks."""
    topics = Topic.objects.filter(circle=circle, deleted_at__isnull=True)
    if not circle_access.can_moderate(user, circle):
        topics = topics.filter(hidden=False)
    if getattr(user, "is_authenticated", False):
        last_read = TopicRead.objects.filter(user=user, topic=OuterRef("pk")).values("read_at")[:1]
        topics = topics.annotate(read_at=Subquery(last_read))
    # The list shows who opened a topic, never what they wrote: leave the (long) bodies behind.
    openings = Post.objects.filter(is_opening=True).select_related("author").defer("body", "body_html", *AUTHOR_UNUSED)
    topics = topics.prefetch_related(Prefetch("posts", queryset=openings, to_attr="opening_posts"))
    page: Page[Topic] = paginate(topics, TOPIC_ORDER, cursor=cursor, limit=limit)
    signed_in = bool(getattr(user, "is_authenticated", False))
    for topic in page.items:
        topic.circle = circle
        topic.opening = topic.opening_posts[0] if topic.opening_posts else None  # type: ignore[attr-defined]
        if topic.opening is not None:  # type: ignore[attr-defined]
            _decorate_post(user, topic.opening, topic, moderator=False)  # type: ignore[attr-defined]
        read_at = getattr(topic, "read_at", None)
        topic.unread = signed_in and (read_at is None or read_at < topic.last_activity_at)  # type: ignore[attr-defined]
    return page


@dataclass
class ListedTopic:
    """A topic as the circle page lists it: the topic, the viewer's unread mark, and its opener as the
    viewer may see them (`shown_author` unless posted anonymously; `hidden_author` for facilitators)."""

    id: int
    url: str
    title: str
    pinned: bool
    locked: bool
    hidden: bool
    is_celebration: bool
    reply_count: int
    last_activity_at: Any
    unread: bool
    shown_author: str | None
    hidden_author: str | None
    content_note: str


@dataclass
class TopicListPage:
    items: list[ListedTopic]
    next: str | None


TOPIC_KEY = [name.lstrip("-") for name in TOPIC_ORDER]


def topic_list_rows(user: Any, circle: Circle, *, cursor: str | None, limit: int) -> TopicListPage:
    """The circle page's topics: what topic_list gives, as plain rows read in one statement (sql.topic_rows).

    For the page; the API keeps topic_list's model instances. Raises Invalid for a broken cursor.
    """
    key = None
    if cursor:
        values = decode_cursor(cursor, len(TOPIC_KEY))
        pinned, at, topic_id = (coerce(Topic, name, value) for name, value in zip(TOPIC_KEY, values, strict=True))
        key = (pinned, at, topic_id)
    signed_in = bool(getattr(user, "is_authenticated", False))
    # The rules for who sees an anonymous opener are the topic page's, for a topic of this circle.
    viewer = access.thread_viewer(user, Topic(circle=circle))
    rows = sql.topic_rows(
        circle.pk,
        user.pk if signed_in else None,
        with_hidden=circle_access.can_moderate(user, circle),
        key=key,
        limit=limit + 1,
    )
    # SQLite hands back booleans as 0 and 1; the page and the next cursor want them as booleans.
    items = [
        ListedTopic(
            id=row.id,
            url=Topic.get_absolute_url(SimpleNamespace(pk=row.id)),  # type: ignore[arg-type]  # reads only .pk
            title=row.title,
            pinned=bool(row.pinned),
            locked=bool(row.locked),
            hidden=bool(row.hidden),
            is_celebration=bool(row.is_celebration),
            reply_count=row.reply_count,
            last_activity_at=row.last_activity_at,
            unread=signed_in and (row.read_at is None or row.read_at < row.last_activity_at),
            # A topic without its opening post (none should be) is listed as by an anonymous member.
            shown_author=row.author_name
            if row.anonymous is not None and viewer.shows_author(anonymous=bool(row.anonymous))
            else None,
            hidden_author=row.author_name
            if row.anonymous is not None and viewer.shows_anonymous_author(anonymous=bool(row.anonymous))
            else None,
            content_note=row.content_note or "",
        )
        for row in rows[:limit]
    ]
    more = len(rows) > limit
    last = items[-1] if items else None
    next_cursor = encode_cursor([last.pinned, last.last_activity_at, last.id]) if more and last else None
    return TopicListPage(items=items, next=next_cursor)


def _decorate_post(user: Any, post: Post, topic: Topic, *, moderator: bool) -> None:
    post.topic = topic
    post.shown_author = access.shown_author(user, post)  # type: ignore[attr-defined]
    post.hidden_author = access.hidden_author(user, post)  # type: ignore[attr-defined]
    post.folded_for_members = post.hidden and not moderator  # type: ignore[attr-defined]
    post.can_edit = access.can_edit(user, post)  # type: ignore[attr-defined]


def _key(post: Any) -> str:
    return encode_cursor([post.created_at, post.id])


@dataclass
class Thread:
    topic: Topic
    posts: list[Any]
    next: str | None = None
    prev: str | None = None
    my_reactions: set[tuple[int, str]] = field(default_factory=set)


def _thread_page(
    posts: QuerySet[Any], *, cursor: str | None, before: str | None, last: bool, limit: int
) -> tuple[list[Any], str | None, str | None]:
    """Posts in order: forward from `cursor`, back from `before`, or the last page; with next and prev keys."""
    if last or before:
        back = paginate(posts, ["-created_at", "-id"], cursor=before, limit=limit)
        items = list(reversed(back.items))
        has_before, has_after = back.next is not None, bool(before)
    else:
        ahead = paginate(posts, POST_ORDER, cursor=cursor, limit=limit)
        items = ahead.items
        has_before, has_after = bool(cursor), ahead.next is not None
    return (
        items,
        _key(items[-1]) if items and has_after else None,
        _key(items[0]) if items and has_before else None,
    )


def _my_reactions(user: Any, posts: list[Any]) -> set[tuple[int, str]]:
    """(post id, kind) of this member's reactions among `posts`."""
    if not getattr(user, "is_authenticated", False) or not posts:
        return set()
    return set(Reaction.objects.filter(user=user, post__in=[p.id for p in posts]).values_list("post_id", "kind"))


def topic_thread(
    user: Any,
    topic: Topic,
    *,
    cursor: str | None = None,
    before: str | None = None,
    last: bool = False,
    limit: int = POSTS_PER_PAGE,
    replies_only: bool = False,
) -> Thread:
    """One page of a topic's posts as model instances (forward from `cursor`, back from `before`, or the last).

    For the API, which shapes whole posts with their Markdown. Pages use `topic_rows`.
    """
    posts = Post.objects.filter(topic=topic).select_related("author").defer(*AUTHOR_UNUSED)
    # A post waiting for approval is its author's alone until a moderator decides it (as in sql.py).
    viewer = user.pk if getattr(user, "is_authenticated", False) else None
    posts = posts.filter(Q(awaiting_approval=False) | Q(author_id=viewer))
    if replies_only:
        posts = posts.filter(is_opening=False)
    items, next_key, prev_key = _thread_page(posts, cursor=cursor, before=before, last=last, limit=limit)
    mine = _my_reactions(user, items)
    moderator = access.sees_anonymous_authors(user, topic.circle)
    for post in items:
        _decorate_post(user, post, topic, moderator=moderator)
    return Thread(topic=topic, posts=items, next=next_key, prev=prev_key, my_reactions=mine)


def topic_page(
    user: Any,
    topic_id: Any,
    *,
    cursor: str | None = None,
    before: str | None = None,
    last: bool = False,
    limit: int = POSTS_PER_PAGE,
) -> Thread:
    """The topic page's reads: the topic (Http404 unless this user may read it) with `read_at`, this
    user's last read, and one page of its posts as rows (`topic_rows`), together in one round trip."""
    try:
        key = _page_key(cursor=cursor, before=before, last=last)
    except Invalid:
        access.get_topic_for(user, topic_id)  # a topic the user may not see is not there, whatever the cursor
        raise
    viewer = user.pk if getattr(user, "is_authenticated", False) else None
    found, items, mine = sql.topic_and_posts(
        id_or_404(topic_id), viewer, key=key, backward=last or bool(before), limit=limit + 1
    )
    topic = access.checked_topic(user, found)
    return _thread(topic, items, mine, cursor=cursor, before=before, last=last, limit=limit)


def topic_rows(
    user: Any,
    topic: Topic,
    *,
    cursor: str | None = None,
    before: str | None = None,
    last: bool = False,
    limit: int = POSTS_PER_PAGE,
) -> Thread:
    """One page of a topic's posts as rows (sql.PostRow), in order, with the viewer's reactions: for the topic page.

    The same pages as topic_thread (forward from `cursor`, back from `before`, or the last), read
    as plain values in one statement: model instances cost more to build than the page to draw.
    """
    key = _page_key(cursor=cursor, before=before, last=last)
    viewer = user.pk if getattr(user, "is_authenticated", False) else None
    items, mine = sql.post_rows(topic.pk, viewer, key=key, backward=last or bool(before), limit=limit + 1)
    return _thread(topic, items, mine, cursor=cursor, before=before, last=last, limit=limit)


def _page_key(*, cursor: str | None, before: str | None, last: bool) -> tuple[Any, int] | None:
    raw = before if last or before else cursor
    if not raw:
        return None
    # Decoded as core.pagination does, so page links mean the same here as on every list.
    at, post_id = (coerce(Post, name, value) for name, value in zip(POST_ORDER, decode_cursor(raw, 2), strict=True))
    return (at, post_id)


def _thread(
    topic: Topic,
    items: list[Any],
    mine: set[tuple[int, str]],
    *,
    cursor: str | None,
    before: str | None,
    last: bool,
    limit: int,
) -> Thread:
    """A page from `limit + 1` rows read in page order (newest first when reading backward)."""
    more = len(items) > limit
    items = items[:limit]
    if last or before:
        items.reverse()
        has_before, has_after = more, bool(before)
    else:
        has_before, has_after = bool(cursor), more
    return Thread(
        topic=topic,
        posts=items,
        next=_key(items[-1]) if items and has_after else None,
        prev=_key(items[0]) if items and has_before else None,
        my_reactions=mine,
    )


def opening_post(user: Any, topic: Topic) -> Post | None:
    post = Post.objects.select_related("author").filter(topic=topic, is_opening=True).first()
    if post is not None:
        _decorate_post(user, post, topic, moderator=access.sees_anonymous_authors(user, topic.circle))
    return post


def cursor_for_post(post: Post) -> str | None:
    """The forward cursor of the page that starts at this post (None: it is on the first page)."""
    previous = (
        Post.objects.filter(topic_id=post.topic_id, created_at__lte=post.created_at)
        .exclude(pk__gte=post.pk, created_at=post.created_at)
        .order_by("-created_at", "-id")
        .first()
    )
    return _key(previous) if previous else None
