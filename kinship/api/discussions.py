"""Topics, replies, post edits and reactions."""

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Status

from kinship.api import shapes
from kinship.api.crisis_help import PostWrittenOut, TopicWrittenOut, crisis_help_out
from kinship.api.idempotency import idempotent
from kinship.api.schemas import PageOut, PostOut, PostPatch, ReplyIn, TopicIn, TopicOut, TopicPatch, TopicSummaryOut
from kinship.api.security import bearer
from kinship.circles import access as circle_access
from kinship.core.pagination import parse_limit
from kinship.discussions import access, queries, services
from kinship.discussions.models import Post, Reaction, Topic

router = Router(tags=["discussions"], auth=bearer)


def _my_reactions(user: Any, post: Post) -> set[str]:
    return set(Reaction.objects.filter(post=post, user=user).values_list("kind", flat=True))


def _topic_out(user: Any, topic: Topic) -> dict[str, Any]:
    opening = queries.opening_post(user, topic)
    mine = _my_reactions(user, opening) if opening else set()
    return shapes.topic_out(user, topic, opening, my_reactions=mine, facilitators=shapes.facilitator_ids(topic.circle))


def _post_out(user: Any, post: Post) -> dict[str, Any]:
    return shapes.post_out(
        user, post, my_reactions=_my_reactions(user, post), facilitators=shapes.facilitator_ids(post.topic.circle)
    )


@router.get("/circles/{slug}/topics", response=PageOut[TopicSummaryOut], exclude_unset=True)
def topic_list(request: HttpRequest, slug: str, cursor: str | None = None, limit: str | None = None) -> dict[str, Any]:
    """Pinned first, then by latest activity. A private circle's topics are 404 to non-members."""
    user = request.auth  # type: ignore[attr-defined]
    circle = circle_access.get_circle_for(user, slug)
    if not circle_access.can_read(user, circle):
        raise Http404("No such circle.")
    page = queries.topic_list(user, circle, cursor=cursor, limit=parse_limit(limit))
    facilitators = shapes.facilitator_ids(circle)
    return {
        "items": [shapes.topic_summary_out(user, t, facilitators=facilitators) for t in page.items],
        "next": page.next,
    }


@router.post("/circles/{slug}/topics", response={201: TopicWrittenOut}, exclude_unset=True)
def topic_create(request: HttpRequest, slug: str, payload: TopicIn) -> Status[Any]:
    """Verified active members start a topic with its opening post. Honours Idempotency-Key."""
    user = request.auth  # type: ignore[attr-defined]

    def create() -> Status[Any]:
        circle = circle_access.get_circle_for(user, slug)
        topic = services.start_topic(author=user, circle=circle, **payload.model_dump())
        help_now = crisis_help_out(user, payload.title, payload.body)
        return Status(201, {**_topic_out(user, topic), "crisis_help": help_now})

    return idempotent(request, create)


@router.get("/topics/{topic_id}", response=TopicOut, exclude_unset=True)
def topic_detail(request: HttpRequest, topic_id: int) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    return _topic_out(user, access.get_topic_for(user, topic_id))


@router.patch("/topics/{topic_id}", response=TopicOut, exclude_unset=True)
def topic_moderate(request: HttpRequest, topic_id: int, payload: TopicPatch) -> dict[str, Any]:
    """Facilitators and staff pin, lock or hide a topic."""
    user = request.auth  # type: ignore[attr-defined]
    topic = access.get_topic_for(user, topic_id)
    topic = services.moderate_topic(moderator=user, topic=topic, changes=payload.model_dump(exclude_unset=True))
    return _topic_out(user, topic)


@router.get("/topics/{topic_id}/replies", response=PageOut[PostOut], exclude_unset=True)
def reply_list(
    request: HttpRequest, topic_id: int, cursor: str | None = None, limit: str | None = None
) -> dict[str, Any]:
    """Replies, oldest first (the opening post is on GET /topics/{id})."""
    user = request.auth  # type: ignore[attr-defined]
    topic = access.get_topic_for(user, topic_id)
    thread = queries.topic_thread(user, topic, cursor=cursor, limit=parse_limit(limit), replies_only=True)
    facilitators = shapes.facilitator_ids(topic.circle)
    mine: dict[int, set[str]] = {}
    for post_id, kind in thread.my_reactions:
        mine.setdefault(post_id, set()).add(kind)
    return {
        "items": [
            shapes.post_out(user, p, my_reactions=mine.get(p.pk, set()), facilitators=facilitators)
            for p in thread.posts
        ],
        "next": thread.next,
    }


@router.post("/topics/{topic_id}/replies", response={201: PostWrittenOut}, exclude_unset=True)
def reply_create(request: HttpRequest, topic_id: int, payload: ReplyIn) -> Status[Any]:
    """Verified active members reply; a locked topic takes replies from facilitators only.
    Honours Idempotency-Key."""
    user = request.auth  # type: ignore[attr-defined]

    def create() -> Status[Any]:
        topic = access.get_topic_for(user, topic_id)
        reply = services.post_reply(author=user, topic=topic, **payload.model_dump())
        return Status(201, {**_post_out(user, reply), "crisis_help": crisis_help_out(user, payload.body)})

    return idempotent(request, create)


@router.patch("/posts/{post_id}", response=PostWrittenOut, exclude_unset=True)
def post_update(request: HttpRequest, post_id: int, payload: PostPatch) -> dict[str, Any]:
    """Authors edit their own posts; facilitators and staff any in their circles."""
    user = request.auth  # type: ignore[attr-defined]
    post = access.get_post_for(user, post_id)
    changes = payload.model_dump(exclude_unset=True)
    post = services.edit_post(editor=user, post=post, changes=changes)
    return {**_post_out(user, post), "crisis_help": crisis_help_out(user, changes.get("title"), changes.get("body"))}


@router.delete("/posts/{post_id}", response={204: None})
def post_delete(request: HttpRequest, post_id: int) -> Status[None]:
    """Deleting an opening post removes its topic."""
    user = request.auth  # type: ignore[attr-defined]
    services.delete_post(actor=user, post=access.get_post_for(user, post_id))
    return Status(204, None)


def _react(request: HttpRequest, post_id: int, kind: str, *, add: bool) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    post = access.get_post_for(user, post_id)
    if add:
        services.react(member=user, post=post, kind=kind)
    else:
        services.unreact(member=user, post=post, kind=kind)
    # The services move the counters with F(); read back the numbers they left.
    post.refresh_from_db(fields=[f"{k}_count" for k in Reaction.KINDS])
    return _post_out(user, post)


@router.put("/posts/{post_id}/reactions/{kind}", response=PostOut, exclude_unset=True)
def reaction_add(request: HttpRequest, post_id: int, kind: str) -> dict[str, Any]:
    """kind: strength, me_too or celebrate. Reacting twice changes nothing."""
    return _react(request, post_id, kind, add=True)


@router.delete("/posts/{post_id}/reactions/{kind}", response=PostOut, exclude_unset=True)
def reaction_remove(request: HttpRequest, post_id: int, kind: str) -> dict[str, Any]:
    return _react(request, post_id, kind, add=False)
