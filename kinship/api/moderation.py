"""API: reports (POST /reports) and moderation (GET /moderation/queue, POST /moderation/actions).

A report of a post goes to that circle's facilitators and staff; of a member or a message, to staff.
Reports and actions a caller may not decide answer 404, like ones that do not exist. The rules live in
kinship.safety (access, reports, moderation) and kinship.peers.messaging, shared with the pages.
"""

from typing import Any

from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Router, Status

from kinship.api import shapes
from kinship.api.idempotency import idempotent
from kinship.api.moderation_schemas import ActionIn, ActionOut, QueueOut, ReportIn, ReportOut
from kinship.api.security import bearer
from kinship.core.errors import Invalid
from kinship.core.pagination import parse_limit
from kinship.discussions import access as post_access
from kinship.discussions.models import Post
from kinship.peers import messaging
from kinship.peers.models import Message
from kinship.safety import access, moderation, reports
from kinship.safety.models import ModerationAction, Report

router = Router(tags=["moderation"], auth=bearer)
TARGETS = ("post", "message", "user")


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _report_out(report: Any) -> dict[str, Any]:
    return {
        "id": report.pk,
        "target_type": "message" if hasattr(report, "message_id") else report.target_type,
        "target_id": report.message_id if hasattr(report, "message_id") else report.target_id,
        "status": report.status,
        "created_at": report.created_at,
    }


@router.post("/reports", response={201: ReportOut})
def report_create(request: HttpRequest, payload: ReportIn) -> Status[Any]:
    """Report a post you can read, a message someone sent you, or a member you meet in a circle or a
    conversation. The person reported is not told who reported them; you hear the outcome in
    GET /notifications. 404 for what you cannot see; 422 for your own post or message, an unknown
    target_type or reason; 409 if your report of it is still open; 429 past 20 reports an hour.
    Honours Idempotency-Key."""
    user = _user(request)
    if payload.target_type not in TARGETS:
        message = 'target_type must be "post", "message" or "user".'
        raise Invalid(message, errors={"target_type": [message]})
    if payload.target_type == "message":
        found = Message.objects.select_related("conversation").filter(pk=payload.target_id).first()
        if found is None:
            raise Http404("No such message.")
        messaging.get_conversation_for(user, found.conversation_id)

        def create_message_report() -> Status[Any]:
            report = messaging.report_message(
                reporter=user, message=found, reason=payload.reason, detail=payload.detail
            )
            return Status(201, _report_out(report))

        return idempotent(request, create_message_report)
    if payload.target_type == "post":
        post = post_access.get_post_for(user, payload.target_id)

        def create_post_report() -> Status[Any]:
            report = reports.report_post(reporter=user, post=post, reason=payload.reason, detail=payload.detail)
            return Status(201, _report_out(report))

        return idempotent(request, create_post_report)
    person = reports.get_reportable_person(user, payload.target_id)

    def create_user_report() -> Status[Any]:
        report = reports.report_user(reporter=user, person=person, reason=payload.reason, detail=payload.detail)
        return Status(201, _report_out(report))

    return idempotent(request, create_user_report)


def _post_out(post: Post) -> dict[str, Any]:
    return {
        "id": post.pk,
        "url": post.get_absolute_url(),
        "topic_id": post.topic_id,
        "topic_title": post.topic.title,
        "circle": post.topic.circle.slug,
        "author": shapes.user_out(post.author),
        "anonymous": post.anonymous,
        "hidden": post.hidden,
        "awaiting_approval": post.awaiting_approval,
        "body": post.body,
        "body_html": post.body_html,
        "created_at": post.created_at,
    }


def _queue_report_out(report: Report) -> dict[str, Any]:
    post = getattr(report, "post", None)
    if post is not None and post.deleted_at is not None:
        post = None
    if post is not None:
        post.topic.circle = report.circle  # type: ignore[assignment]
    return {
        "id": report.pk,
        "url": reverse("safety:report-decide", args=[report.pk]),
        "target_type": report.target_type,
        "target_id": report.target_id,
        "circle": report.circle.slug if report.circle else None,
        "reason": report.reason,
        "detail": report.detail,
        "reporter": shapes.user_out(report.reporter) if report.reporter else None,
        "subject": shapes.user_out(report.subject) if report.subject else None,
        "post": _post_out(post) if post is not None else None,
        "created_at": report.created_at,
    }


@router.get("/moderation/queue", response=QueueOut)
def queue(
    request: HttpRequest,
    type: str = "reports",
    circle: str | None = None,
    cursor: str | None = None,
    limit: str | None = None,
) -> dict[str, Any]:
    """Open reports (`type=reports`) or posts waiting for approval (`type=waiting`) the caller may decide,
    oldest first: a facilitator's circles (or `?circle=<slug>`), everything for staff. 403 for a caller who
    moderates nothing; 404 for a circle hidden from them. Message reports stay in the staff message queue."""
    user = _user(request)
    if type not in ("reports", "waiting"):
        raise Invalid('type must be "reports" or "waiting".', errors={"type": ['"reports" or "waiting".']})
    size = parse_limit(limit)
    place = access.get_moderated_circle_for(user, circle) if circle else None
    if place is None and not access.is_site_moderator(user) and not moderation.moderated_circle_ids(user):
        access.check_site_moderator(user)
    if type == "waiting":
        page = moderation.waiting_page(user, circle=place, cursor=cursor, limit=size)
        return {"items": [_post_out(p) for p in page.items], "next": page.next}
    reports_page = moderation.report_page(user, circle=place, cursor=cursor, limit=size)
    return {"items": [_queue_report_out(r) for r in reports_page.items], "next": reports_page.next}


@router.post("/moderation/actions", response={201: ActionOut})
def action_create(request: HttpRequest, payload: ActionIn) -> Status[Any]:
    """Take a moderation action: on a report (`report_id`), a post (`target_type: "post"`) or a member
    (`target_type: "user"`, with `circle` for warn, mute and remove in a circle; staff otherwise). Hiding and
    editing out tell the author why; every reporter of the same post or member hears the outcome; each action
    is written to the audit log. 404 for what the caller may not see, 403 beyond their powers, 422 for bad
    input or an action that does not fit the target."""
    user = _user(request)
    target = moderation.find_target(
        user,
        report_id=payload.report_id,
        target_type=payload.target_type,
        target_id=payload.target_id,
        circle=payload.circle,
    )

    def create() -> Status[Any]:
        record = moderation.act(
            moderator=user,
            target=target,
            action=payload.action,
            note=payload.note,
            days=payload.days,
            body=payload.body,
        )
        return Status(201, _action_out(record))

    return idempotent(request, create)


def _action_out(record: ModerationAction) -> dict[str, Any]:
    return {
        "id": record.pk,
        "action": record.action,
        "target_type": record.target_type,
        "target_id": record.target_id,
        "circle": record.circle.slug if record.circle else None,
        "subject": shapes.user_out(record.subject) if record.subject else None,
        "report_id": record.report_id,
        "note": record.note,
        "days": record.days,
        "created_at": record.created_at,
    }
