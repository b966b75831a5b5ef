from django.conf import settings
from django.db import models

from kinship.core.models import TimestampedModel


class EmailPreference(TimestampedModel):
    """Which optional emails a member gets; the row is made on first need, with each field's default."""

    REMINDER_DAY = "reminder_day"
    REMINDER_HOUR = "reminder_hour"
    SEAT_OPENED = "seat_opened"
    REFERRAL_SUGGESTED = "referral_suggested"
    REFERRAL_FOLLOW_UP = "referral_follow_up"
    MENTOR_REQUEST = "mentor_request"
    MENTORSHIP_UPDATE = "mentorship_update"
    NEW_MESSAGES = "new_messages"
    SUPPORT_REQUEST = "support_request"
    CHECKIN_REMINDER = "checkin_reminder"
    CRISIS_ALERT = "crisis_alert"
    KIND_CHOICES = [
        (REMINDER_DAY, "Reminder 24 hours before a meeting I'm going to"),
        (REMINDER_HOUR, "Reminder 1 hour before a meeting I'm going to"),
        (SEAT_OPENED, "A seat opened up for me on a waitlist"),
        (REFERRAL_SUGGESTED, "A facilitator suggested a resource for me"),
        (REFERRAL_FOLLOW_UP, "A referral I made is due for follow-up"),
        (MENTOR_REQUEST, "A member asked me to be their mentor"),
        (MENTORSHIP_UPDATE, "News about my request for a mentor (accepted, declined or no answer)"),
        (NEW_MESSAGES, "New private messages (one email after a quiet moment, never the text)"),
        (SUPPORT_REQUEST, "A member of a circle I lead asked me to reach out after a check-in"),
        (CHECKIN_REMINDER, "A weekly reminder to check in, in weeks without a check-in"),
        (CRISIS_ALERT, "A member of a circle I lead wrote words that suggest they may be in crisis"),
    ]
    KINDS = [k for k, _ in KIND_CHOICES]

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preference")
    reminder_day = models.BooleanField(default=True)
    reminder_hour = models.BooleanField(default=True)
    seat_opened = models.BooleanField(default=True)
    referral_suggested = models.BooleanField(default=True)
    referral_follow_up = models.BooleanField(default=True)
    mentor_request = models.BooleanField(default=True)
    mentorship_update = models.BooleanField(default=True)
    new_messages = models.BooleanField(default=True)
    support_request = models.BooleanField(default=True)
    # The one kind a member opts in to rather than out of.
    checkin_reminder = models.BooleanField(default=False)
    crisis_alert = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"email preferences of {self.user_id}"

    def wants(self, kind: str) -> bool:
        return bool(getattr(self, kind)) if kind in self.KINDS else False


class Notice(models.Model):
    """An in-app notice to one member: a report's outcome, why a post was hidden, a warning."""

    TEXT_MAX = 500

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=30)
    text = models.CharField(max_length=TEXT_MAX)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at", "-id"], name="notice_inbox_order")]

    def __str__(self) -> str:
        return f"notice {self.pk} to {self.user_id}"
