"""Who may see and do what with topics and posts; builds on the circle rules."""

from dataclasses import dataclass
from typing import Any

from django.http import Http404

from kinship.accounts.models import User
from kinship.circles import access as circle_access
from kinship.core.converters import id_or_404
from kinship.discussions.models import Post, Topic


def can_see_topic(user: Any, topic: Topic) -> bool:
    """Readable circle; deleted topics are gone for all, hidden ones stay for moderators."""
    if not circle_access.can_read(user, topic.circle) or topic.is_deleted:
        return False
    return not topic.hidden or circle_access.can_moderate(user, topic.circle)


def get_topic_for(user: Any, topic_id: Any) -> Topic:
    """The topic, or Http404 when missing or not readable by this user (no existence leak)."""
    topic = Topic.objects.select_related("circle").filter(pk=id_or_404(topic_id)).first()
    if topic is None or not can_see_topic(user, topic):
        raise Http404("No such topic.")
    return topic


def checked_topic(user: Any, topic: Topic | None) -> Topic:
    """A topic read by `sql.topic_and_posts`, with the viewer's membership: Http404 unless they may see it."""
    if topic is not None:
        circle_access.remember_membership(user, topic.circle, topic.viewer_membership)  # type: ignore[attr-defined]
    if topic is None or not can_see_topic(user, topic):
        raise Http404("No such topic.")
    return topic


def get_post_for(user: Any, post_id: Any) -> Post:
    post = Post.objects.select_related("topic__circle", "author").filter(pk=id_or_404(post_id)).first()
    if post is None or not can_see_topic(user, post.topic) or post.is_deleted:
        raise Http404("No such post.")
    if post.hidden and not circle_access.can_moderate(user, post.topic.circle):
        raise Http404("No such post.")
    return post


def can_start_topic(user: Any, circle: Any) -> bool:
    return circle_access.can_post(user, circle)


def can_reply(user: Any, topic: Topic) -> bool:
    """Verified active members, as for new topics; a locked topic takes replies from its facilitators only."""
    if not circle_access.can_post(user, topic.circle):
        return False
    return not topic.locked or circle_access.can_moderate(user, topic.circle)


def can_react(user: Any, post: Post) -> bool:
    return circle_access.can_post(user, post.topic.circle) and not post.is_deleted


@dataclass(frozen=True)
class ThreadViewer:
    """One viewer's standing in a topic, worked out once for every post of a page."""

    user_id: int | None
    # Facilitators of the circle and staff: they see hidden posts and anonymous authors, edit any post.
    moderator: bool
    # Verified active members: they react, and edit their own posts.
    can_post: bool

    def can_edit(self, *, author_id: int, deleted: bool) -> bool:
        """Authors while they still belong to the circle; facilitators and staff in their circles."""
        if deleted:
            return False
        if self.moderator:
            return True
        return self.user_id is not None and self.user_id == author_id and self.can_post

    def shows_author(self, *, anonymous: bool) -> bool:
        """Everyone sees who wrote a post, unless it was posted anonymously."""
        return not anonymous

    def shows_anonymous_author(self, *, anonymous: bool) -> bool:
        """Facilitators and staff know who wrote an anonymous post; nobody else does."""
        return anonymous and self.moderator

    def folds(self, *, hidden: bool) -> bool:
        """A post a facilitator hid keeps its place, without its words, for members."""
        return hidden and not self.moderator


def thread_viewer(user: Any, topic: Topic) -> ThreadViewer:
    signed_in = getattr(user, "is_authenticated", False)
    return ThreadViewer(
        user_id=user.pk if signed_in else None,
        moderator=sees_anonymous_authors(user, topic.circle),
        can_post=circle_access.can_post(user, topic.circle),
    )


def can_edit(user: Any, post: Post) -> bool:
    """Authors while they still belong to the circle; facilitators and staff in their circles."""
    if post.is_deleted:
        return False
    return thread_viewer(user, post.topic).can_edit(author_id=post.author_id, deleted=False)


def can_delete(user: Any, post: Post) -> bool:
    return can_edit(user, post)


def can_moderate_topic(user: Any, topic: Topic) -> bool:
    return circle_access.can_moderate(user, topic.circle)


def sees_anonymous_authors(user: Any, circle: Any) -> bool:
    """Facilitators and staff know who wrote an anonymous post; nobody else does."""
    return circle_access.can_moderate(user, circle)


def shown_author(user: Any, post: Post) -> User | None:
    """The author to show this viewer: None for an anonymous post (see hidden_author)."""
    if post.anonymous:
        return None
    return post.author


def hidden_author(user: Any, post: Post) -> User | None:
    """The real author of an anonymous post, for facilitators and staff only."""
    if thread_viewer(user, post.topic).shows_anonymous_author(anonymous=post.anonymous):
        return post.author
    return None
