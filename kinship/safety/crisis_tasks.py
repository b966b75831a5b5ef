"""The crisis alert email, run by the task worker: one task per facilitator, enqueued when the alert commits
(safety.crisis_alerts). It names the member and the circle and links to the circle's crisis alerts page;
it never carries the words, nor where they were written.
"""

import logging

from django_tasks import task

from kinship.circles.models import Membership
from kinship.events.tasks import TRANSIENT, retry_later
from kinship.notifications import services as notifications
from kinship.notifications.models import EmailPreference
from kinship.safety.crisis_alerts import alerts_url
from kinship.safety.models import CrisisAlert

logger = logging.getLogger(__name__)


@task()
def send_crisis_alert(alert_id: int, facilitator_id: int, attempt: int = 0) -> bool:
    """Email one facilitator that a member of their circle may need support: who and where to look, no words.

    Skipped when the alert is gone or already acknowledged, or they no longer lead the circle.
    """
    alert = (
        CrisisAlert.objects.select_related("writer", "circle")
        .filter(pk=alert_id, acknowledged_at__isnull=True, writer__is_active=True)
        .first()
    )
    if alert is None or alert.circle is None:
        return False
    lead = (
        Membership.objects.select_related("user")
        .filter(circle=alert.circle, user_id=facilitator_id, role=Membership.FACILITATOR, status=Membership.ACTIVE)
        .first()
    )
    if lead is None:
        return False
    # Only what the email shows: no source object, so no template can reach the words.
    context = {
        "member_name": alert.writer.display_name,
        "circle_name": alert.circle.name,
        "url": notifications.site_url(alerts_url(alert.circle)),
    }
    try:
        return notifications.send(
            EmailPreference.CRISIS_ALERT,
            lead.user,
            f"{alert.writer.display_name} from {alert.circle.name} may need support",
            "safety/email/crisis_alert.txt",
            "safety/email/crisis_alert.html",
            context,
        )
    except TRANSIENT:
        if retry_later(send_crisis_alert, attempt, alert_id, facilitator_id):
            logger.warning("Crisis alert email %s failed (attempt %s); retrying later", alert_id, attempt + 1)
        raise
