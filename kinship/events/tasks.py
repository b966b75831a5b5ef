"""Background work for events: run by the task worker, safe to run twice."""

from django.core.mail import send_mail
from django_tasks import task

from kinship.events.models import Rsvp


@task()
def send_seat_opened(rsvp_id: int) -> bool:
    """Tell a member that a seat opened up for them; skipped if they no longer have it."""
    rsvp = Rsvp.objects.select_related("occurrence__event", "member").filter(pk=rsvp_id).first()
    if rsvp is None or not rsvp.has_seat or rsvp.promoted_at is None:
        return False
    event = rsvp.occurrence.event
    send_mail(
        f"A seat opened up: {event.title}",
        f"Hello {rsvp.member.display_name},\n\nA seat opened up and you are now going to {event.title}.\n",
        None,
        [rsvp.member.email],
    )
    return True
