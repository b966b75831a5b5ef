"""Crisis alerts: when a member writes words that suggest a crisis, the facilitators who can help are told.

`core.signals.alert_if_crisis` sends `crisis_words` after the write commits; `record_crisis_words` (connected
in apps.py) makes one CrisisAlert per circle involved and emails that circle's active facilitators. No
alert and no email ever holds the words: facilitators learn who and when, and open the post themselves
(which they may read anyway) or simply reach out.

Which circles are told, by source:
- post or reply: its topic's circle;
- question to a speaker: the event's circle;
- private message: every circle where the writer and the other person are both active members. The
  alert and the email say only that the member may need support: never where, never a link to the
  message, which stays visible to its two participants only;
- check-in note: the circles the member shares check-in summaries with (and still belongs to). The
  member chose to let those facilitators follow their wellbeing; the journal stays private otherwise,
  so without a share nobody is told and the member sees the helplines alone. As with messages, the
  alert never says it came from the journal.

Facilitators see a circle's alerts on /c/<slug>/crisis-alerts/ (and on its moderation queue, which
includes `_crisis_alerts.html` with `circle_alerts`) and mark "I reached out". Staff see a circle's
post and question alerts there too, never those from messages or check-ins (private to the member, as
everywhere else).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from kinship.accounts.models import User
from kinship.circles import access as circle_access
from kinship.circles.models import Membership
from kinship.core.converters import id_or_404
from kinship.core.errors import NotAllowed
from kinship.discussions.models import Post
from kinship.journal.models import SummaryShare
from kinship.peers.models import Message
from kinship.qa.models import Question
from kinship.safety import audit
from kinship.safety.models import CrisisAlert

POST, MESSAGE, QUESTION, CHECKIN = "post", "message", "question", "checkin"
# Sources whose place is private to the member: the alert shows neither where nor a link.
PRIVATE_SOURCES = {MESSAGE, CHECKIN}
OPEN_SHOWN = 100
ACKNOWLEDGED_SHOWN = 20


def alerts_url(circle: Any) -> str:
    """The circle's crisis alerts page; its moderation queue shows the same list (_crisis_alerts.html)."""
    return reverse("crisis:circle-alerts", args=[circle.slug])


# Who is told ---------------------------------------------------------------------------------


def _active_member_circles(user_id: int) -> Any:
    return Membership.objects.filter(user_id=user_id, status=Membership.ACTIVE).values("circle_id")


def circle_ids_for(*, writer: User, source_type: str, source_id: int) -> list[int]:
    """The circles whose facilitators hear of crisis words in this source (see the module's rules)."""
    if source_type == POST:
        found = Post.objects.filter(pk=source_id).values_list("topic__circle_id", flat=True).first()
        return [found] if found else []
    if source_type == QUESTION:
        found = Question.objects.filter(pk=source_id).values_list("event__circle_id", flat=True).first()
        return [found] if found else []
    if source_type == MESSAGE:
        pair = Message.objects.filter(pk=source_id).values_list("conversation__low_id", "conversation__high_id").first()
        if pair is None:
            return []
        other = pair[1] if pair[0] == writer.pk else pair[0]
        return list(
            Membership.objects.filter(user_id=writer.pk, status=Membership.ACTIVE)
            .filter(circle_id__in=_active_member_circles(other))
            .order_by("circle_id")
            .values_list("circle_id", flat=True)
        )
    if source_type == CHECKIN:
        return list(
            SummaryShare.objects.filter(owner=writer, circle_id__in=_active_member_circles(writer.pk))
            .order_by("circle_id")
            .values_list("circle_id", flat=True)
        )
    return []


def facilitator_ids(circle_id: int, *, besides: int) -> list[int]:
    """The circle's active facilitators with active accounts, not the writer."""
    return list(
        Membership.objects.filter(
            circle_id=circle_id, role=Membership.FACILITATOR, status=Membership.ACTIVE, user__is_active=True
        )
        .exclude(user_id=besides)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )


def _tell(alert_id: int, facilitators: list[int]) -> None:
    from kinship.safety import crisis_tasks

    # One task per facilitator, after commit: a retry never emails the others twice.
    for facilitator_id in facilitators:
        transaction.on_commit(
            lambda fid=facilitator_id: crisis_tasks.send_crisis_alert.enqueue(alert_id, fid)  # type: ignore[misc]
        )


@transaction.atomic
def record_crisis_words(
    sender: Any, *, writer: User, source_type: str, source_id: int, **kwargs: Any
) -> list[CrisisAlert]:
    """Receiver of core.signals.crisis_words: one alert per circle told, and one email per facilitator.

    An edit that keeps crisis words makes no second alert while the first is still open.
    """
    if source_type not in dict(CrisisAlert.SOURCE_CHOICES):
        return []
    made = []
    for circle_id in circle_ids_for(writer=writer, source_type=source_type, source_id=source_id):
        already = CrisisAlert.objects.filter(
            circle_id=circle_id, source_type=source_type, source_id=source_id, acknowledged_at__isnull=True
        ).exists()
        if already:
            continue
        alert = CrisisAlert.objects.create(
            writer=writer, circle_id=circle_id, source_type=source_type, source_id=source_id
        )
        made.append(alert)
        _tell(alert.pk, facilitator_ids(circle_id, besides=writer.pk))
    return made


# What facilitators see -----------------------------------------------------------------------


@dataclass(frozen=True)
class AlertRow:
    """One alert as the moderation page shows it: who, when, where (a link only for circle posts)."""

    id: int
    writer_name: str
    created_at: datetime
    where: str
    url: str
    acknowledged_at: datetime | None
    acknowledged_by_name: str


def _is_facilitator(user: Any, circle: Any) -> bool:
    found = circle_access.membership(user, circle)
    return found is not None and found.is_facilitator


def can_see_alerts(user: Any, circle: Any) -> bool:
    """The circle's facilitators and staff (staff only those from posts and questions)."""
    return circle_access.can_moderate(user, circle)


def _visible(user: Any, circle: Any) -> Any:
    alerts = CrisisAlert.objects.filter(circle=circle, writer__is_active=True).exclude(writer_id=user.pk)
    if not _is_facilitator(user, circle):
        alerts = alerts.exclude(source_type__in=PRIVATE_SOURCES)
    return alerts.select_related("writer", "acknowledged_by")


def _row(alert: CrisisAlert) -> AlertRow:
    if alert.source_type == POST:
        where, url = "A post in this circle", reverse("discussions:post-detail", args=[alert.source_id])
    elif alert.source_type == QUESTION:
        where, url = "A question to a meeting's speaker", ""
    else:
        where, url = "Something private they wrote (not shown)", ""
    return AlertRow(
        id=alert.pk,
        writer_name=alert.writer.display_name,
        created_at=alert.created_at,
        where=where,
        url=url,
        acknowledged_at=alert.acknowledged_at,
        acknowledged_by_name=alert.acknowledged_by.display_name if alert.acknowledged_by else "",
    )


def circle_alerts(viewer: Any, circle: Any) -> list[AlertRow]:
    """Open alerts (oldest first), then recently acknowledged ones; two queries at any size.

    Raises NotAllowed for anyone but the circle's facilitators and staff.
    """
    if not can_see_alerts(viewer, circle):
        raise NotAllowed("Only the circle's facilitators see crisis alerts.")
    waiting = _visible(viewer, circle).filter(acknowledged_at__isnull=True).order_by("created_at", "pk")
    done = _visible(viewer, circle).filter(acknowledged_at__isnull=False).order_by("-acknowledged_at", "-pk")
    return [_row(a) for a in [*waiting[:OPEN_SHOWN], *done[:ACKNOWLEDGED_SHOWN]]]


def get_alert_for(user: Any, alert_id: Any) -> CrisisAlert:
    """An alert, for those who may see it on its circle's page; Http404 for everyone else."""
    pk = id_or_404(alert_id)
    if not getattr(user, "is_authenticated", False):
        raise Http404
    found = CrisisAlert.objects.filter(pk=pk).select_related("circle").first()
    if found is None or found.circle is None or not can_see_alerts(user, found.circle):
        raise Http404
    if not _visible(user, found.circle).filter(pk=found.pk).exists():
        raise Http404
    return found


@transaction.atomic
def acknowledge(*, facilitator: User, alert: CrisisAlert) -> CrisisAlert:
    """Mark "I reached out"; doing it again keeps the first. Raises NotAllowed for anyone who may not see it."""
    if alert.circle is None or not can_see_alerts(facilitator, alert.circle):
        raise NotAllowed("Only the circle's facilitators acknowledge crisis alerts.")
    locked = CrisisAlert.objects.select_for_update().get(pk=alert.pk)
    if locked.acknowledged_at is None:
        locked.acknowledged_at = timezone.now()
        locked.acknowledged_by = facilitator
        locked.save(update_fields=["acknowledged_at", "acknowledged_by"])
        audit.record(actor=facilitator, action="crisis_alert_acknowledged", target=locked)
    alert.acknowledged_at, alert.acknowledged_by_id = locked.acknowledged_at, locked.acknowledged_by_id
    return locked
