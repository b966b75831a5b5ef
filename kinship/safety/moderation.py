"""Moderation: the actions facilitators and staff take, and the queues they take them from.

Every action writes a ModerationAction and an audit entry in the same transaction. The author is told
why their words were hidden or edited out (and of a warning, a mute, a removal or a suspension); each
reporter hears the outcome of their report. A reporter's name is never given to the person reported.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from kinship.accounts import sessions
from kinship.accounts.models import User
from kinship.circles import access as circle_access
from kinship.circles import services as circle_services
from kinship.circles.models import Circle, Membership
from kinship.core.converters import parse_id
from kinship.core.errors import Invalid, NotAllowed
from kinship.core.markdown import render_markdown
from kinship.core.pagination import Page, paginate
from kinship.core.text import clean_line, clean_text
from kinship.discussions import access as post_access
from kinship.discussions.models import BODY_MAX, Post, Topic
from kinship.notifications.notices import notify
from kinship.peers import messaging
from kinship.peers.models import MessageReport
from kinship.safety import access, audit
from kinship.safety.models import ModerationAction, Report

A = ModerationAction
POST_ACTIONS = {A.HIDE, A.RESTORE, A.EDIT_OUT, A.APPROVE, A.REJECT}
PERSON_ACTIONS = {A.WARN, A.MUTE, A.REMOVE, A.SUSPEND, A.UNSUSPEND}
CIRCLE_PERSON_ACTIONS = {A.MUTE, A.REMOVE}
SITE_ACTIONS = {A.SUSPEND, A.UNSUSPEND}
NOTE_REQUIRED = {A.HIDE, A.EDIT_OUT, A.WARN}
MUTE_DAYS = (1, 90)
SUSPEND_DAYS = (1, 365)
NOTE_MAX = 500
QUEUE_LIMIT = 100
QUEUE_ORDER = ["created_at", "id"]
LABELS = dict(A.ACTION_CHOICES)

# What each reporter is told; never who was acted on or how, beyond what they saw themselves.
OUTCOMES = {
    A.HIDE: "The moderators hid the post you reported.",
    A.EDIT_OUT: "The moderators edited out part of the post you reported.",
    A.REJECT: "The moderators took down the post you reported.",
    A.WARN: "The moderators took action about what you reported.",
    A.MUTE: "The moderators took action about what you reported.",
    A.REMOVE: "The moderators took action about what you reported.",
    A.SUSPEND: "The moderators took action about what you reported.",
    A.DISMISS: "The moderators looked at your report and decided that no action was needed.",
}


@dataclass
class Target:
    """What an action is about, worked out once from a report, a post or a member (and a circle)."""

    report: Report | None = None
    post: Post | None = None
    person: User | None = None
    circle: Circle | None = None


def _date(when: Any) -> str:
    return date_format(timezone.localtime(when), "j F Y")


# Finding the target -----------------------------------------------------------------------------


def find_target(
    moderator: Any, *, report_id: Any = None, target_type: Any = None, target_id: Any = None, circle: Any = None
) -> Target:
    """The report, post or member an action names, or Http404 when this moderator may not know of it.

    `circle` (a slug) places a member action (warn, mute, remove) in a circle; without it a member action
    is site-wide (staff). Posts are found through discussions.access, so a post the moderator cannot see is
    not found; one they see but may not moderate is refused when acting.
    """
    if report_id not in (None, ""):
        report = access.get_report_for(moderator, report_id)
        target = Target(report=report, circle=report.circle)
        if report.target_type == Report.POST:
            target.post = _post_of_report(report)
            target.person = target.post.author if target.post is not None else report.subject
        else:
            target.person = report.subject
        return target
    if target_type == Report.POST:
        post = post_access.get_post_for(moderator, target_id)
        return Target(post=post, person=post.author, circle=post.topic.circle)
    if target_type == Report.USER:
        pk = parse_id(target_id)
        person = User.objects.filter(pk=pk).first() if pk else None
        place = None
        if circle not in (None, ""):
            place = circle_access.get_circle_for(moderator, circle) if isinstance(circle, str) else None
            if place is None:
                raise Http404("No such circle.")
        if person is None or not _may_know_person(moderator, person, place):
            raise Http404("No such member.")
        return Target(person=person, circle=place)
    raise Invalid(
        'Name a report, or a target_type of "post" or "user".',
        errors={"target_type": ['Must be "post" or "user" (or give report_id).']},
    )


def _post_of_report(report: Report) -> Post | None:
    # A post deleted since it was reported leaves nothing to act on but the report itself.
    return (
        Post.objects.select_related("topic__circle", "author")
        .filter(pk=report.target_id, deleted_at__isnull=True)
        .first()
    )


def _may_know_person(moderator: Any, person: User, circle: Circle | None) -> bool:
    if access.is_site_moderator(moderator):
        return True
    if circle is None or not access.can_moderate_circle(moderator, circle):
        return False
    return Membership.objects.filter(circle=circle, user=person).exclude(status=Membership.PENDING).exists()


# Checking the input -----------------------------------------------------------------------------


def _clean(action: Any, note: Any, days: Any, body: Any) -> tuple[str, str, int | None, str | None]:
    errors: dict[str, list[str]] = {}
    if not isinstance(action, str) or action not in A.ACTIONS:
        errors["action"] = [f"One of: {', '.join(A.ACTIONS)}."]
    text = ""
    try:
        text = clean_line(note, field="note", label="Note", max_length=NOTE_MAX, required=action in NOTE_REQUIRED)
    except Invalid as exc:
        errors.update(exc.errors)
    number = None
    if action in (A.MUTE, A.SUSPEND):
        low, high = MUTE_DAYS if action == A.MUTE else SUSPEND_DAYS
        number = _whole(days)
        if number is None or not low <= number <= high:
            errors["days"] = [f"A whole number of days from {low} to {high}."]
            number = None
    new_body = None
    if action == A.EDIT_OUT:
        try:
            new_body = clean_text(
                body, field="body", label="The post as it should read", max_length=BODY_MAX, required=True
            )
        except Invalid as exc:
            errors.update(exc.errors)
    if errors:
        raise Invalid("Please correct the highlighted fields.", errors=errors)
    return action, text, number, new_body


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value.strip()) < 6:
        return int(value.strip())
    return None


def _check_allowed(moderator: Any, action: str, target: Target) -> None:
    if action in SITE_ACTIONS:
        if not access.is_site_moderator(moderator):
            raise NotAllowed("Only staff suspend accounts.")
    elif target.report is not None:
        pass  # get_report_for already held the moderator to the report's queue
    elif target.circle is None:
        if not access.is_site_moderator(moderator):
            raise NotAllowed("Only staff act outside a circle.")
    elif not access.can_moderate_circle(moderator, target.circle):
        raise NotAllowed("Only the circle's facilitators can do that.")
    if action in POST_ACTIONS and target.post is None:
        raise Invalid(f"{LABELS[action]} needs a post.", errors={"target_type": ["Must be a post for this action."]})
    if action in PERSON_ACTIONS and target.person is None:
        raise Invalid(f"{LABELS[action]} needs a member.", errors={"target_type": ["Names nobody."]})
    if action == A.DISMISS and target.report is None:
        raise Invalid("Only a report can be dismissed.", errors={"report_id": ["Required to dismiss."]})
    if action in PERSON_ACTIONS and target.person is not None and target.person.pk == moderator.pk:
        raise Invalid("You cannot do that to yourself.")
    if action in CIRCLE_PERSON_ACTIONS and target.circle is None:
        raise Invalid(f"{LABELS[action]} needs a circle.", errors={"circle": ["Required for this action."]})


# Acting ----------------------------------------------------------------------------------------


@transaction.atomic
def act(
    *, moderator: User, target: Target, action: Any, note: Any = "", days: Any = None, body: Any = None
) -> ModerationAction:
    """Take one moderation action on a found target (find_target).

    Raises NotAllowed for a moderator outside their powers, Invalid for bad input or an action that does
    not fit the target (a post action on a member, a mute without a circle), and changes nothing then.
    """
    action, note, days, new_body = _clean(action, note, days, body)
    _check_allowed(moderator, action, target)
    if target.report is not None and target.report.status != Report.OPEN and action == A.DISMISS:
        raise Invalid("This report is already decided.")
    post, person, circle = target.post, target.person, target.circle
    handler = _HANDLERS[action]
    detail = handler(moderator=moderator, target=target, note=note, days=days, body=new_body)
    record = ModerationAction.objects.create(
        moderator=moderator,
        action=action,
        target_type=Report.POST if post is not None and action not in PERSON_ACTIONS else Report.USER,
        target_id=post.pk if post is not None and action not in PERSON_ACTIONS else (person.pk if person else 0),
        circle=circle,
        subject=person,
        report=target.report,
        note=note,
        days=days,
    )
    audited = post if post is not None and action not in PERSON_ACTIONS else person
    audit.record(
        actor=moderator,
        action=f"moderation.{action}",
        target=audited if audited is not None else record,
        detail=f"{detail}{' Note: ' + note if note else ''}",
    )
    _resolve_reports(moderator, target, action, record)
    return record


def _resolve_reports(moderator: User, target: Target, action: str, record: ModerationAction) -> None:
    """Decide the named report and every other open report of the same post or member; tell each reporter."""
    if target.report is not None:
        kind, pk = target.report.target_type, target.report.target_id
    elif action in PERSON_ACTIONS and target.person is not None:
        kind, pk = Report.USER, target.person.pk
    elif target.post is not None:
        kind, pk = Report.POST, target.post.pk
    else:
        return
    if action in OUTCOMES:
        found = Report.objects.select_for_update(of=("self",)).filter(
            status=Report.OPEN, target_type=kind, target_id=pk
        )
        reports = [r for r in found.select_related("circle", "reporter") if access.can_decide_report(moderator, r)]
    elif target.report is not None and target.report.status == Report.OPEN:
        reports = [target.report]
    else:
        return
    outcome = OUTCOMES.get(action, "The moderators took action about what you reported.")
    now = timezone.now()
    status = Report.DISMISSED if action == A.DISMISS else Report.ACTIONED
    for report in reports:
        report.status, report.resolved_at, report.resolved_by, report.outcome = status, now, moderator, outcome
        report.save(update_fields=["status", "resolved_at", "resolved_by", "outcome"])
        if report.reporter is not None:
            notify(report.reporter, "report_outcome", f"{outcome} Thank you for telling us.")


def need_post(target: Target) -> Post:
    if target.post is None:
        raise Invalid("This action needs a post.")
    return target.post


def need_person(target: Target) -> User:
    if target.person is None:
        raise Invalid("This action needs a member.")
    return target.person


def need_circle(target: Target) -> Circle:
    if target.circle is None:
        raise Invalid("This action needs a circle.")
    return target.circle


def _topic_url(post: Post) -> str:
    return reverse("discussions:topic-detail", args=[post.topic_id])


def _hide(*, moderator: User, target: Target, note: str, **_: Any) -> str:
    post = need_post(target)
    post.hidden, post.moderation_note = True, note
    post.save(update_fields=["hidden", "moderation_note"])
    if post.is_opening:
        Topic.objects.filter(pk=post.topic_id).update(hidden=True)
    notify(
        post.author, "post_hidden", f"A moderator hid your post in “{post.topic.title}”. Why: {note}", _topic_url(post)
    )
    return f"Hid post {post.pk}."


def _restore(*, moderator: User, target: Target, **_: Any) -> str:
    post = need_post(target)
    if post.awaiting_approval:
        raise Invalid("This post is waiting for approval: approve it instead.")
    post.hidden, post.moderation_note = False, ""
    post.save(update_fields=["hidden", "moderation_note"])
    if post.is_opening:
        Topic.objects.filter(pk=post.topic_id).update(hidden=False)
    notify(post.author, "post_restored", f"Your post in “{post.topic.title}” is shown again.", _topic_url(post))
    return f"Restored post {post.pk}."


def _edit_out(*, moderator: User, target: Target, note: str, body: str, **_: Any) -> str:
    post = need_post(target)
    post.body, post.body_html, post.moderation_note = body, render_markdown(body), note
    post.edited_at = timezone.now()
    post.save(update_fields=["body", "body_html", "moderation_note", "edited_at"])
    notify(
        post.author,
        "post_edited_out",
        f"A moderator edited out part of your post in “{post.topic.title}”. Why: {note}",
        _topic_url(post),
    )
    return f"Edited out part of post {post.pk}."


def _approve(*, moderator: User, target: Target, **_: Any) -> str:
    post = need_post(target)
    if not post.awaiting_approval:
        raise Invalid("This post is not waiting for approval.")
    now = timezone.now()
    Post.objects.filter(pk=post.pk).update(awaiting_approval=False, hidden=False)
    post.awaiting_approval = post.hidden = False
    if post.is_opening:
        Topic.objects.filter(pk=post.topic_id).update(hidden=False, last_activity_at=now)
    else:
        # A waiting reply was not counted; it counts from now.
        Topic.objects.filter(pk=post.topic_id).update(reply_count=F("reply_count") + 1, last_activity_at=now)
    notify(post.author, "post_approved", f"Your post in “{post.topic.title}” is approved and shown.", _topic_url(post))
    return f"Approved post {post.pk}."


def _reject(*, moderator: User, target: Target, note: str, **_: Any) -> str:
    post = need_post(target)
    if not post.awaiting_approval:
        raise Invalid("This post is not waiting for approval; hide it instead.")
    now = timezone.now()
    Post.objects.filter(pk=post.pk).update(deleted_at=now, body="", body_html="", content_note="", moderation_note=note)
    post.deleted_at = now
    if post.is_opening:
        Topic.objects.filter(pk=post.topic_id).update(deleted_at=now)
    why = f" Why: {note}" if note else ""
    notify(post.author, "post_rejected", f"A moderator did not approve your post in “{post.topic.title}”.{why}", "")
    return f"Turned down waiting post {post.pk}."


def _warn(*, moderator: User, target: Target, note: str, **_: Any) -> str:
    person = need_person(target)
    where = f" in {target.circle.name}" if target.circle is not None else ""
    notify(person, "warning", f"A warning from the moderators{where}: {note}", "")
    return f"Warned member {person.pk}."


def _membership(target: Target) -> Membership:
    found = Membership.objects.select_for_update().filter(circle=target.circle, user=target.person).first()
    if found is None or not found.is_active:
        raise Invalid("That person is not an active member of this circle.")
    return found


def _check_not_facilitator(moderator: User, found: Membership) -> None:
    if found.is_facilitator and not moderator.is_staff:
        raise NotAllowed("Only staff mute or remove a facilitator.")


def _mute(*, moderator: User, target: Target, note: str, days: int, **_: Any) -> str:
    found = _membership(target)
    _check_not_facilitator(moderator, found)
    found.muted_until = timezone.now() + timedelta(days=days)
    found.save(update_fields=["muted_until", "updated_at"])
    circle, person = need_circle(target), need_person(target)
    why = f" Why: {note}" if note else ""
    until = _date(found.muted_until)
    notify(
        person,
        "muted",
        f"You are muted in {circle.name} until {until}: you can read but not post or react.{why}",
        circle.get_absolute_url(),
    )
    return f"Muted member {found.user_id} in circle {found.circle_id} for {days} days."


def _remove(*, moderator: User, target: Target, note: str, **_: Any) -> str:
    circle_services.lock_circles([need_circle(target).pk])  # the circle before the membership, as circles does
    found = _membership(target)
    _check_not_facilitator(moderator, found)
    found.status, found.role = Membership.REMOVED, Membership.MEMBER
    found.save(update_fields=["status", "role", "updated_at"])
    circle_services.count_members([found.circle_id], -1)
    circle, person = need_circle(target), need_person(target)
    why = f" Why: {note}" if note else ""
    notify(person, "removed", f"The moderators removed you from {circle.name}.{why}")
    return f"Removed member {found.user_id} from circle {found.circle_id}."


def _suspend(*, moderator: User, target: Target, note: str, days: int, **_: Any) -> str:
    person = need_person(target)
    if person.is_staff:
        raise NotAllowed("Staff accounts are not suspended here; change them in the admin.")
    person.suspended_until = timezone.now() + timedelta(days=days)
    person.save(update_fields=["suspended_until"])
    # Every browser and app of theirs is signed out at once, not at their next sign-in.
    ended = sessions.end_other_sessions(user=person, current_key=None)
    why = f" Why: {note}" if note else ""
    notify(person, "suspended", f"Your account is suspended until {_date(person.suspended_until)}.{why}", "")
    return f"Suspended member {person.pk} for {days} days; ended {ended} sessions and tokens."


def _unsuspend(*, moderator: User, target: Target, **_: Any) -> str:
    person = need_person(target)
    person.suspended_until = None
    person.save(update_fields=["suspended_until"])
    notify(person, "unsuspended", "Your suspension is lifted. Welcome back.", "")
    return f"Lifted the suspension of member {person.pk}."


def _dismiss(*, moderator: User, target: Target, **_: Any) -> str:
    report = target.report
    return f"No action needed on report {report.pk if report else ''}."


_HANDLERS: dict[str, Callable[..., str]] = {
    A.HIDE: _hide,
    A.RESTORE: _restore,
    A.EDIT_OUT: _edit_out,
    A.APPROVE: _approve,
    A.REJECT: _reject,
    A.WARN: _warn,
    A.MUTE: _mute,
    A.REMOVE: _remove,
    A.SUSPEND: _suspend,
    A.UNSUSPEND: _unsuspend,
    A.DISMISS: _dismiss,
}


def record_discussion_moderation(sender: Any, *, moderator: User, action: str, target: Topic | Post, **_: Any) -> None:
    """Receiver of core.signals.moderated: a pin, lock, hide or restore from the topic page or the API.

    Runs inside the discussions write's transaction, so the ModerationAction and the audit entry stand or
    fall with the change itself.
    """
    if isinstance(target, Topic):
        topic, kind = target, "topic"
        post = Post.objects.filter(topic=topic, is_opening=True).select_related("topic").first()
    else:
        topic, kind, post = target.topic, Report.POST, target
    author_id = post.author_id if post is not None else None
    record = ModerationAction.objects.create(
        moderator=moderator,
        action=action,
        target_type=kind,
        target_id=target.pk,
        circle_id=topic.circle_id,
        subject_id=author_id,
    )
    audit.record(
        actor=moderator,
        action=f"moderation.{action}",
        target=target,
        detail=f"{action.capitalize()} {kind} {target.pk} from the topic page or the API.",
    )
    if action == A.HIDE and post is not None:
        # Hidden from the topic page: the reports about it are decided too, as from the queue.
        _resolve_reports(moderator, Target(post=post, circle=topic.circle), A.HIDE, record)


# Queues ----------------------------------------------------------------------------------------


@dataclass
class Queue:
    reports: list[Report] = field(default_factory=list)
    waiting: list[Post] = field(default_factory=list)
    message_reports: list[MessageReport] = field(default_factory=list)


def _with_posts(reports: list[Report]) -> list[Report]:
    """Attach each post report's post (author and topic) with one query for the whole list."""
    ids = [r.target_id for r in reports if r.target_type == Report.POST]
    posts = {p.pk: p for p in Post.objects.filter(pk__in=ids).select_related("topic", "author")} if ids else {}
    for report in reports:
        report.post = posts.get(report.target_id) if report.target_type == Report.POST else None  # type: ignore[attr-defined]
    return reports


def open_reports(user: Any, *, circle: Circle | None = None) -> QuerySet[Report]:
    """Open reports this user may decide: one circle's post reports, or (staff) every open report."""
    reports = Report.objects.filter(status=Report.OPEN).select_related("circle", "reporter", "subject")
    if circle is not None:
        if not access.can_moderate_circle(user, circle):
            return reports.none()
        return reports.filter(circle=circle, target_type=Report.POST)
    if access.is_site_moderator(user):
        return reports
    return reports.filter(circle_id__in=moderated_circle_ids(user), target_type=Report.POST)


def waiting_posts(user: Any, *, circle: Circle | None = None) -> QuerySet[Post]:
    """Posts waiting for approval in the circles this user moderates (or one of them)."""
    posts = Post.objects.filter(awaiting_approval=True, deleted_at__isnull=True).select_related(
        "topic__circle", "author"
    )
    if circle is not None:
        return posts.filter(topic__circle=circle) if access.can_moderate_circle(user, circle) else posts.none()
    if access.is_site_moderator(user):
        return posts
    return posts.filter(topic__circle_id__in=moderated_circle_ids(user))


def moderated_circle_ids(user: Any) -> list[int]:
    """Circles the user leads and may moderate now (the facilitator gate holds here too)."""
    led = circle_access.led_circle_ids(user)
    if not led:
        return []
    return [c.pk for c in Circle.objects.filter(pk__in=led) if access.can_moderate_circle(user, c)]


def circle_queue(user: Any, circle: Circle) -> Queue:
    """A circle's queue, oldest first: open post reports and waiting posts. A fixed number of queries."""
    reports = list(open_reports(user, circle=circle).order_by(*QUEUE_ORDER)[:QUEUE_LIMIT])
    waiting = list(waiting_posts(user, circle=circle).order_by(*QUEUE_ORDER)[:QUEUE_LIMIT])
    return Queue(reports=_with_posts(reports), waiting=waiting)


def site_queue(user: Any) -> Queue:
    """Staff: every open report, waiting posts everywhere, and open message reports (never the message text)."""
    access.check_site_moderator(user)
    reports = list(open_reports(user).order_by(*QUEUE_ORDER)[:QUEUE_LIMIT])
    waiting = list(waiting_posts(user).order_by(*QUEUE_ORDER)[:QUEUE_LIMIT])
    return Queue(
        reports=_with_posts(reports), waiting=waiting, message_reports=list(messaging.open_reports()[:QUEUE_LIMIT])
    )


def report_page(user: Any, *, circle: Circle | None, cursor: str | None, limit: int) -> Page[Report]:
    page: Page[Report] = paginate(open_reports(user, circle=circle), QUEUE_ORDER, cursor=cursor, limit=limit)
    _with_posts(page.items)
    return page


def waiting_page(user: Any, *, circle: Circle | None, cursor: str | None, limit: int) -> Page[Post]:
    return paginate(waiting_posts(user, circle=circle), QUEUE_ORDER, cursor=cursor, limit=limit)


def recent_actions(user: Any, *, circle: Circle | None) -> list[ModerationAction]:
    """The latest decisions shown under a queue, so moderators see what their colleagues did."""
    actions = ModerationAction.objects.select_related("moderator", "subject")
    actions = actions.filter(circle=circle) if circle is not None else actions
    return list(actions[:20])
