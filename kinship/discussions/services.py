"""Every write to discussions: topics, replies, edits, deletions, moderation, reactions, read marks."""

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format

from kinship.accounts.models import User
from kinship.circles import access as circle_access
from kinship.circles.models import Circle
from kinship.core import ratelimit
from kinship.core.errors import Invalid, NotAllowed
from kinship.core.markdown import render_markdown
from kinship.core.signals import alert_if_crisis, moderated
from kinship.core.text import clean_line, clean_text
from kinship.discussions import access
from kinship.discussions.models import BODY_MAX, CONTENT_NOTE_MAX, TITLE_MAX, Post, Reaction, Topic, TopicRead


def _flag(value: Any, field: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise Invalid(f"{field} must be true or false.", errors={field: ["Must be true or false."]})
    return value


def _clean_post_fields(*, body: Any, anonymous: Any, content_note: Any) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for field, check in (
        ("body", lambda: clean_text(body, field="body", label="Message", max_length=BODY_MAX, required=True)),
        ("anonymous", lambda: _flag(anonymous, "anonymous")),
        (
            "content_note",
            lambda: clean_line(content_note, field="content_note", label="Content note", max_length=CONTENT_NOTE_MAX),
        ),
    ):
        try:
            clean[field] = check()
        except Invalid as exc:
            errors.update(exc.errors)
    if errors:
        raise Invalid("Please correct the highlighted fields.", errors=errors)
    return clean


def _clean_title(title: Any) -> str:
    return clean_line(title, field="title", label="Title", max_length=TITLE_MAX, required=True)


@transaction.atomic
def start_topic(
    *, author: User, circle: Circle, title: Any, body: Any, anonymous: Any = False, content_note: Any = ""
) -> Topic:
    """Open a topic with its first post; verified active members only."""
    if not access.can_start_topic(author, circle):
        raise NotAllowed(why_cannot_post(author, circle))
    errors: dict[str, list[str]] = {}
    try:
        clean_title = _clean_title(title)
    except Invalid as exc:
        errors.update(exc.errors)
    try:
        fields = _clean_post_fields(body=body, anonymous=anonymous, content_note=content_note)
    except Invalid as exc:
        errors.update(exc.errors)
    if errors:
        raise Invalid("Please correct the highlighted fields.", errors=errors)
    _check_pace("topic", author, settings.TOPICS_PER_HOUR, "topics")
    now = timezone.now()
    # A waiting topic is hidden (from lists and search) until a moderator approves its opening post.
    waiting = needs_approval(author, circle)
    topic = Topic.objects.create(circle=circle, title=clean_title, last_activity_at=now, created_at=now, hidden=waiting)
    opening = Post.objects.create(
        topic=topic,
        author=author,
        is_opening=True,
        body_html=render_markdown(fields["body"]),
        created_at=now,
        awaiting_approval=waiting,
        hidden=waiting,
        **fields,
    )
    TopicRead.objects.create(user=author, topic=topic, read_at=now)
    # Never blocks: the topic is saved either way; facilitators hear of it after the commit.
    alert_if_crisis(writer=author, source_type="post", source_id=opening.pk, text=f"{clean_title}\n{fields['body']}")
    return topic


@transaction.atomic
def post_reply(*, author: User, topic: Topic, body: Any, anonymous: Any = False, content_note: Any = "") -> Post:
    """Reply to a topic; the topic's count and activity move in the same transaction."""
    if not access.can_reply(author, topic):
        if topic.locked:
            raise NotAllowed("This topic is locked; it takes no new replies.")
        raise NotAllowed(why_cannot_post(author, topic.circle))
    fields = _clean_post_fields(body=body, anonymous=anonymous, content_note=content_note)
    _check_pace("reply", author, settings.REPLIES_PER_HOUR, "replies")
    now = timezone.now()
    waiting = needs_approval(author, topic.circle)
    reply = Post.objects.create(
        topic=topic,
        author=author,
        body_html=render_markdown(fields["body"]),
        created_at=now,
        awaiting_approval=waiting,
        hidden=waiting,
        **fields,
    )
    if not waiting:  # a waiting reply counts once approved (safety.moderation)
        Topic.objects.filter(pk=topic.pk).update(reply_count=F("reply_count") + 1, last_activity_at=now)
    _upsert_read(author, topic, now)
    reply.topic = topic
    alert_if_crisis(writer=author, source_type="post", source_id=reply.pk, text=fields["body"])
    return reply


def _check_pace(scope: str, author: User, per_hour: int, what: str) -> None:
    """Stop a flood (a stuck client, a spammer) long before a person writing by hand would notice."""
    if per_hour <= 0:
        return
    ratelimit.check(
        f"post-{scope}",
        str(author.pk),
        limit=per_hour,
        window=3600,
        message=f"You have posted {per_hour} {what} in the last hour. Please wait a little before posting more.",
    )


def needs_approval(author: Any, circle: Circle) -> bool:
    """Pre-moderation: while a member has fewer approved posts in the circle than it asks, each waits."""
    if circle.premoderate_posts <= 0 or circle_access.can_moderate(author, circle):
        return False
    approved = Post.objects.filter(author=author, topic__circle=circle, awaiting_approval=False).count()
    return approved < circle.premoderate_posts


def why_cannot_post(user: Any, circle: Circle | None = None) -> str:
    if getattr(user, "is_authenticated", False) and not getattr(user, "is_verified", False):
        return "Please confirm your email address before posting; check your inbox for the link."
    if circle_access.is_suspended(user):
        until = date_format(timezone.localtime(user.suspended_until), "j F Y")
        return f"Your account is suspended until {until}."
    found = circle_access.membership(user, circle) if circle is not None else None
    if circle_access.is_muted(found):
        until = date_format(timezone.localtime(found.muted_until), "j F Y, H:i")  # type: ignore[union-attr]
        return f"A moderator muted you in this circle until {until}: you can read, but not post or react."
    return "Only members of this circle can post here."


@transaction.atomic
def edit_post(*, editor: User, post: Post, changes: dict[str, Any]) -> Post:
    """Change a post's words (and the topic title for an opening post); marked as edited."""
    if not access.can_edit(editor, post):
        raise NotAllowed("You can only edit your own posts.")
    allowed = {"body", "content_note", "title"}
    unknown = set(changes) - allowed
    if unknown:
        raise Invalid("Unknown field.", errors={f: ["Cannot be changed."] for f in unknown})
    errors: dict[str, list[str]] = {}
    updates: dict[str, Any] = {}
    try:
        if "body" in changes:
            updates["body"] = clean_text(
                changes["body"], field="body", label="Message", max_length=BODY_MAX, required=True
            )
        if "content_note" in changes:
            updates["content_note"] = clean_line(
                changes["content_note"], field="content_note", label="Content note", max_length=CONTENT_NOTE_MAX
            )
    except Invalid as exc:
        errors.update(exc.errors)
    title = None
    if "title" in changes:
        if not post.is_opening:
            errors["title"] = ["Only a topic's opening post has a title."]
        else:
            try:
                title = _clean_title(changes["title"])
            except Invalid as exc:
                errors.update(exc.errors)
    if errors:
        raise Invalid("Please correct the highlighted fields.", errors=errors)
    # Only words that change are checked, so re-saving a post does not alert its facilitators again.
    new_words = [updates["body"]] if updates.get("body", post.body) != post.body else []
    if "body" in updates:
        updates["body_html"] = render_markdown(updates["body"])
    if updates:
        updates["edited_at"] = timezone.now()
        for field, value in updates.items():
            setattr(post, field, value)
        post.save(update_fields=list(updates))
    if title is not None and title != post.topic.title:
        new_words.append(title)
        post.topic.title = title
        post.topic.save(update_fields=["title"])
    alert_if_crisis(writer=editor, source_type="post", source_id=post.pk, text="\n".join(new_words))
    return post


@transaction.atomic
def delete_post(*, actor: User, post: Post) -> None:
    """Soft delete: the words go, a placeholder stays; deleting an opening post removes the topic."""
    if not access.can_delete(actor, post):
        raise NotAllowed("You can only delete your own posts.")
    now = timezone.now()
    # Only the request that actually deletes moves the counter, however many arrive at once.
    changed = Post.objects.filter(pk=post.pk, deleted_at__isnull=True).update(
        deleted_at=now, body="", body_html="", content_note=""
    )
    post.deleted_at = now
    if not changed:
        return
    if post.is_opening:
        Topic.objects.filter(pk=post.topic_id).update(deleted_at=now)
    else:
        Topic.objects.filter(pk=post.topic_id, reply_count__gt=0).update(reply_count=F("reply_count") - 1)


TOPIC_ACTIONS = {
    "pinned": ("pin", "unpin"),
    "locked": ("lock", "unlock"),
    "hidden": ("hide", "restore"),
}


@transaction.atomic
def moderate_topic(*, moderator: User, topic: Topic, changes: dict[str, Any]) -> Topic:
    """Facilitators pin, lock and hide topics in their circles; each change is recorded by safety."""
    if not access.can_moderate_topic(moderator, topic):
        raise NotAllowed("Only the circle's facilitators can do that.")
    updates: dict[str, bool] = {}
    for field, value in changes.items():
        if field not in TOPIC_ACTIONS:
            raise Invalid("Unknown field.", errors={field: ["Cannot be changed."]})
        # A null must not read as false: it would unpin or unhide what nobody asked to change.
        if not isinstance(value, bool):
            raise Invalid(f"{field} must be true or false.", errors={field: ["Must be true or false."]})
        updates[field] = value
    changed = [field for field, value in updates.items() if getattr(topic, field) != value]
    for field, value in updates.items():
        setattr(topic, field, value)
    if updates:
        topic.save(update_fields=list(updates))
    for field in changed:
        on, off = TOPIC_ACTIONS[field]
        moderated.send(sender=Topic, moderator=moderator, action=on if updates[field] else off, target=topic)
    return topic


@transaction.atomic
def hide_post(*, moderator: User, post: Post, hidden: bool) -> Post:
    """Facilitators hide a reply from members (and restore it); the change is recorded by safety."""
    if not access.can_moderate_topic(moderator, post.topic):
        raise NotAllowed("Only the circle's facilitators can do that.")
    if post.awaiting_approval and not hidden:
        raise Invalid("This post is waiting for approval: approve it from the moderation queue.")
    changed = post.hidden != hidden or (post.is_opening and post.topic.hidden != hidden)
    if post.is_opening:
        post.topic.hidden = hidden
        post.topic.save(update_fields=["hidden"])
    post.hidden = hidden
    post.save(update_fields=["hidden"])
    if changed:
        moderated.send(sender=Post, moderator=moderator, action="hide" if hidden else "restore", target=post)
    return post


def _reaction_kind(kind: Any) -> str:
    if kind not in Reaction.KINDS:
        raise Invalid("Unknown reaction.", errors={"kind": [f"One of: {', '.join(Reaction.KINDS)}."]})
    return kind


@transaction.atomic
def react(*, member: User, post: Post, kind: Any) -> bool:
    """Add one reaction of this kind; True if it was new (a repeat changes nothing)."""
    kind = _reaction_kind(kind)
    if not access.can_react(member, post):
        raise NotAllowed(why_cannot_post(member, post.topic.circle))
    try:
        with transaction.atomic():
            Reaction.objects.create(post=post, user=member, kind=kind)
    except IntegrityError:
        return False
    Post.objects.filter(pk=post.pk).update(**{f"{kind}_count": F(f"{kind}_count") + 1})
    return True


@transaction.atomic
def unreact(*, member: User, post: Post, kind: Any) -> bool:
    """Take back a reaction; True if there was one."""
    kind = _reaction_kind(kind)
    if not access.can_react(member, post):
        raise NotAllowed(why_cannot_post(member, post.topic.circle))
    deleted, _ = Reaction.objects.filter(post=post, user=member, kind=kind).delete()
    if deleted:
        Post.objects.filter(pk=post.pk, **{f"{kind}_count__gt": 0}).update(**{f"{kind}_count": F(f"{kind}_count") - 1})
    return bool(deleted)


_LOOK_UP = object()


def mark_read(*, member: Any, topic: Topic, read_at: Any = _LOOK_UP) -> None:
    """Remember the member has seen the topic as it is now.

    `read_at`: the member's current mark (None: none yet) when the caller has read it already.
    """
    if not getattr(member, "is_authenticated", False):
        return
    # Reading is the common case and a read is far cheaper than a write: only move the mark
    # when there is something new since the last visit.
    if read_at is _LOOK_UP:
        read_at = TopicRead.objects.filter(user=member, topic=topic).values_list("read_at", flat=True).first()
    if read_at is None or read_at < topic.last_activity_at:
        _upsert_read(member, topic, timezone.now())


def _upsert_read(member: User, topic: Topic, when: Any) -> None:
    # One statement either way, so a first visit costs the same as a return visit.
    TopicRead.objects.bulk_create(
        [TopicRead(user=member, topic=topic, read_at=when)],
        update_conflicts=True,
        unique_fields=["user", "topic"],
        update_fields=["read_at"],
    )
