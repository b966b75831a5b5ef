"""Members report a post or another member; the report waits in a moderation queue.

A post report goes to that circle's facilitators (and staff); a member report to staff only. The
person reported is never told who reported them. Messages keep their own report (peers.messaging).
"""

from typing import Any

from django.db import IntegrityError, transaction
from django.http import Http404

from kinship.accounts.models import User
from kinship.circles import access as circle_access
from kinship.core import ratelimit
from kinship.core.converters import parse_id
from kinship.core.errors import Conflict, Invalid
from kinship.core.text import clean_text
from kinship.discussions.models import Post
from kinship.peers import messaging
from kinship.safety.models import Report

REPORTS_PER_HOUR = 20
ALREADY = "You already reported this. The moderators will look at it; you will hear the outcome here."


def _clean(reason: Any, detail: Any) -> tuple[str, str]:
    errors: dict[str, list[str]] = {}
    if not isinstance(reason, str) or reason not in Report.REASONS:
        errors["reason"] = ["Choose one of the reasons."]
    text = ""
    try:
        text = clean_text(detail, field="detail", label="Details", max_length=Report.DETAIL_MAX)
    except Invalid as exc:
        errors.update(exc.errors)
    if errors:
        raise Invalid("Please correct the highlighted fields.", errors=errors)
    return reason, text


def _pace(reporter: User) -> None:
    ratelimit.check(
        "report",
        str(reporter.pk),
        limit=REPORTS_PER_HOUR,
        window=3600,
        message=f"You have sent {REPORTS_PER_HOUR} reports in an hour. Please wait a little before the next.",
    )


def _create(**fields: Any) -> Report:
    if Report.objects.filter(
        reporter=fields["reporter"],
        target_type=fields["target_type"],
        target_id=fields["target_id"],
        status=Report.OPEN,
    ).exists():
        raise Conflict(ALREADY)
    try:
        with transaction.atomic():
            return Report.objects.create(**fields)
    except IntegrityError:  # the same report sent twice at once
        raise Conflict(ALREADY) from None


@transaction.atomic
def report_post(*, reporter: User, post: Post, reason: Any, detail: Any = "") -> Report:
    """Report a post the reporter can read (the caller got it through discussions.access); never their own.

    Raises Invalid for one's own post or a bad reason or detail, Conflict when an open report of theirs
    already names the post, RateLimited past 20 reports an hour.
    """
    if post.author_id == reporter.pk:
        raise Invalid("You can report other people's posts, not your own.")
    clean_reason, clean_detail = _clean(reason, detail)
    _pace(reporter)
    return _create(
        reporter=reporter,
        target_type=Report.POST,
        target_id=post.pk,
        circle=post.topic.circle,
        subject_id=post.author_id,
        reason=clean_reason,
        detail=clean_detail,
    )


def can_report_person(reporter: Any, person: User | None) -> bool:
    """Someone the reporter meets on the site: a shared circle or a conversation; never themselves."""
    if person is None or not person.is_active or not getattr(reporter, "is_authenticated", False):
        return False
    if person.pk == reporter.pk:
        return False
    if getattr(reporter, "is_staff", False) or circle_access.shares_a_circle(reporter, person):
        return True
    return messaging.find_conversation(reporter, person) is not None


def get_reportable_person(reporter: Any, user_id: Any) -> User:
    """The member to report, or Http404 when the reporter does not meet them (no existence leak)."""
    pk = parse_id(user_id)
    person = User.objects.filter(pk=pk, is_active=True).first() if pk else None
    if person is None or not can_report_person(reporter, person):
        raise Http404("No such member.")
    return person


@transaction.atomic
def report_user(*, reporter: User, person: User, reason: Any, detail: Any = "") -> Report:
    """Report a member's behaviour to staff. Raises Http404 for someone the reporter does not meet,
    Invalid for bad input, Conflict for a second open report, RateLimited past 20 an hour."""
    if not can_report_person(reporter, person):
        raise Http404("No such member.")
    clean_reason, clean_detail = _clean(reason, detail)
    _pace(reporter)
    return _create(
        reporter=reporter,
        target_type=Report.USER,
        target_id=person.pk,
        circle=None,
        subject=person,
        reason=clean_reason,
        detail=clean_detail,
    )
