"""Models to response dicts. Every user goes through `user_out`, so no email can slip into a response."""

from collections.abc import Collection
from typing import Any

from kinship.accounts.models import User
from kinship.circles import access as circle_access
from kinship.circles.models import Circle, Membership
from kinship.core.markdown import render_markdown
from kinship.discussions import access
from kinship.discussions.models import Post, Reaction, Topic


def user_out(user: User, *, facilitators: Collection[int] = ()) -> dict[str, Any]:
    """The public face of a user: never an email."""
    badges = []
    if user.is_staff:
        badges.append("staff")
    if user.pk in facilitators:
        badges.append("facilitator")
    return {"id": user.pk, "display_name": user.display_name, "avatar_url": user.avatar_url, "badges": badges}


def profile_out(user: User) -> dict[str, Any]:
    """The owner's own profile, the one response that carries an email."""
    return {
        **user_out(user),
        "url": user.get_absolute_url(),
        "email": user.email,
        "email_verified": user.is_verified,
        "role": user.role,
        "bio": user.bio,
        "diagnosis": user.diagnosis,
        "diagnosis_visibility": user.diagnosis_visibility,
        "surgery_type": user.surgery_type,
        "surgery_type_visibility": user.surgery_type_visibility,
        "body_site": user.body_site,
        "body_site_visibility": user.body_site_visibility,
        "surgery_date": user.surgery_date,
        "surgery_date_visibility": user.surgery_date_visibility,
        "created_at": user.date_joined,
    }


def circle_ref(circle: Circle) -> dict[str, Any]:
    return {"id": circle.pk, "slug": circle.slug, "name": circle.name, "url": circle.get_absolute_url()}


def circle_out(viewer: Any, circle: Circle) -> dict[str, Any]:
    mine = circle_access.membership(viewer, circle)
    can_manage = circle_access.can_manage_circle(viewer, circle)
    data = {
        **circle_ref(circle),
        "description": circle.description,
        "description_html": render_markdown(circle.description),
        "guidelines": circle.guidelines,
        "guidelines_html": render_markdown(circle.guidelines),
        "visibility": circle.visibility,
        "join_policy": circle.join_policy,
        "member_count": circle.member_count,
        "created_at": circle.created_at,
        "updated_at": circle.updated_at,
        "my_membership": {"role": mine.role, "status": mine.status} if mine else None,
        "can_manage": can_manage,
    }
    if can_manage:
        # The invite code lets anyone in; only those who may hand it out see it.
        data["invite_code"] = circle.invite_code
    return data


def member_out(membership: Membership) -> dict[str, Any]:
    return {
        "user": user_out(membership.user, facilitators=_facilitator_of(membership)),
        "role": membership.role,
        "status": membership.status,
        "joined_at": membership.created_at,
    }


def membership_out(membership: Membership, circle: Circle) -> dict[str, Any]:
    return {
        "circle": circle_ref(circle),
        "user": user_out(membership.user, facilitators=_facilitator_of(membership)),
        "role": membership.role,
        "status": membership.status,
    }


def _facilitator_of(membership: Membership) -> set[int]:
    return {membership.user_id} if membership.is_facilitator else set()


def facilitator_ids(circle: Circle) -> set[int]:
    """Who leads this circle, for the badge next to their posts (one query per response)."""
    return set(
        Membership.objects.filter(circle=circle, role=Membership.FACILITATOR, status=Membership.ACTIVE).values_list(
            "user_id", flat=True
        )
    )


def _authors(viewer: Any, post: Post, facilitators: Collection[int]) -> dict[str, Any]:
    """ "author" (null when anonymous) and, for facilitators and staff only, "author_hidden"."""
    shown = access.shown_author(viewer, post)
    data: dict[str, Any] = {"author": user_out(shown, facilitators=facilitators) if shown else None}
    hidden = access.hidden_author(viewer, post)
    if hidden is not None:
        data["author_hidden"] = user_out(hidden, facilitators=facilitators)
    return data


def post_out(
    viewer: Any, post: Post, *, my_reactions: Collection[str], facilitators: Collection[int]
) -> dict[str, Any]:
    """A post as this viewer may see it; `post.topic.circle` must be loaded."""
    # Deleted posts keep no words; hidden ones keep them for moderators only.
    blank = post.is_deleted or (post.hidden and not access.can_moderate_topic(viewer, post.topic))
    return {
        "id": post.pk,
        "url": post.get_absolute_url(),
        "topic_id": post.topic_id,
        "is_opening": post.is_opening,
        **_authors(viewer, post, facilitators),
        "anonymous": post.anonymous,
        "content_note": "" if blank else post.content_note,
        "body": "" if blank else post.body,
        "body_html": "" if blank else post.body_html,
        "hidden": post.hidden,
        "deleted": post.is_deleted,
        "edited": post.edited_at is not None,
        "edited_at": post.edited_at,
        "created_at": post.created_at,
        "reactions": post.reaction_counts(),
        "my_reactions": [kind for kind in Reaction.KINDS if kind in my_reactions],
        "can_edit": access.can_edit(viewer, post),
    }


def topic_summary_out(viewer: Any, topic: Topic, *, facilitators: Collection[int]) -> dict[str, Any]:
    """A row of a topic list, from queries.topic_list (opening post and unread mark attached)."""
    opening: Post | None = getattr(topic, "opening", None)
    data: dict[str, Any] = {
        "id": topic.pk,
        "url": topic.get_absolute_url(),
        "circle": topic.circle.slug,
        "title": topic.title,
        "pinned": topic.pinned,
        "locked": topic.locked,
        "hidden": topic.hidden,
        "reply_count": topic.reply_count,
        "unread": bool(getattr(topic, "unread", False)),
        "anonymous": bool(opening and opening.anonymous),
        "content_note": opening.content_note if opening else "",
        "author": None,
        "created_at": topic.created_at,
        "last_activity_at": topic.last_activity_at,
    }
    if opening is not None:
        data.update(_authors(viewer, opening, facilitators))
    return data


def topic_out(
    viewer: Any, topic: Topic, opening: Post | None, *, my_reactions: Collection[str], facilitators: Collection[int]
) -> dict[str, Any]:
    return {
        "id": topic.pk,
        "url": topic.get_absolute_url(),
        "circle": circle_ref(topic.circle),
        "title": topic.title,
        "pinned": topic.pinned,
        "locked": topic.locked,
        "hidden": topic.hidden,
        "reply_count": topic.reply_count,
        "created_at": topic.created_at,
        "last_activity_at": topic.last_activity_at,
        "opening_post": (
            post_out(viewer, opening, my_reactions=my_reactions, facilitators=facilitators) if opening else None
        ),
        "can_reply": access.can_reply(viewer, topic),
        "can_moderate": access.can_moderate_topic(viewer, topic),
    }
