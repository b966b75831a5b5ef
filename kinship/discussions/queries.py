"""Reads shared by pages and API, already shaped for display: a fixed number of queries each."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import OuterRef, Prefetch, Subquery

from kinship.accounts.models import User
from kinship.circles import access as circle_access
from kinship.circles.models import Circle
from kinship.core.pagination import Page, encode_cursor, paginate
from kinship.discussions import access
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


def _decorate_post(user: Any, post: Post, topic: Topic, *, moderator: bool) -> None:
    post.topic = topic
    post.shown_author = access.shown_author(user, post)  # type: ignore[attr-defined]
    post.hidden_author = access.hidden_author(user, post)  # type: ignore[attr-defined]
    post.folded_for_members = post.hidden and not moderator  # type: ignore[attr-defined]
    post.can_edit = access.can_edit(user, post)  # type: ignore[attr-defined]


def _key(post: Post) -> str:
    return encode_cursor([post.created_at, post.pk])


@dataclass
class Thread:
    topic: Topic
    posts: list[Post]
    next: str | None = None
    prev: str | None = None
    my_reactions: set[tuple[int, str]] = field(default_factory=set)


def topic_thread(
    user: Any,
    topic: Topic,
    *,
    cursor: str | None = None,
    before: str | None = None,
    last: bool = False,
    limit: int = POSTS_PER_PAGE,
    replies_only: bool = False,
    with_source: bool = False,
) -> Thread:
    """One page of a topic's posts in order (forward from `cursor`, back from `before`, or the last).

    Pages show the rendered HTML only; `with_source` also loads the Markdown the API returns.
    """
    posts = Post.objects.filter(topic=topic).select_related("author").defer(*AUTHOR_UNUSED)
    if not with_source:
        posts = posts.defer("body")
    if replies_only:
        posts = posts.filter(is_opening=False)
    if last or before:
        back = paginate(posts, ["-created_at", "-id"], cursor=before, limit=limit)
        items = list(reversed(back.items))
        has_before, has_after = back.next is not None, bool(before)
    else:
        ahead = paginate(posts, POST_ORDER, cursor=cursor, limit=limit)
        items = ahead.items
        has_before, has_after = bool(cursor), ahead.next is not None
    mine: set[tuple[int, str]] = set()
    if getattr(user, "is_authenticated", False) and items:
        mine = set(Reaction.objects.filter(user=user, post__in=[p.pk for p in items]).values_list("post_id", "kind"))
    moderator = access.sees_anonymous_authors(user, topic.circle)
    for post in items:
        _decorate_post(user, post, topic, moderator=moderator)
        post.reaction_list = [  # type: ignore[attr-defined]
            (kind, label, getattr(post, f"{kind}_count"), (post.pk, kind) in mine)
            for kind, label in Reaction.KIND_CHOICES
        ]
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
