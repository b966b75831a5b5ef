"""Peer mentoring (mentor profiles, mentorships) and private one-to-one messages.

Two areas share this module; each keeps to its own section below.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from kinship.accounts.models import User
from kinship.core.models import TimestampedModel

# ---------------------------------------------------------------------------------------------
# Mentoring
# ---------------------------------------------------------------------------------------------

AGE_BAND_CHOICES = [
    ("13-17", "13 to 17"),
    ("18-24", "18 to 24"),
    ("25-39", "25 to 39"),
    ("40-59", "40 to 59"),
    ("60+", "60 or over"),
]
GENDER_CHOICES = [
    ("woman", "Woman"),
    ("man", "Man"),
    ("nonbinary", "Non-binary"),
    ("", "Prefer not to say"),
]


class MentorProfile(TimestampedModel):
    """A member's application to mentor, and, once staff approve it, their mentor profile.

    The recovery context is the mentor's own statement for matching, copied from their profile when
    they apply and theirs to change; it is shown to mentees looking for a mentor, never elsewhere.
    """

    APPLIED = "applied"
    APPROVED = "approved"
    PAUSED = "paused"
    RETIRED = "retired"
    DECLINED = "declined"
    STATUS_CHOICES = [
        (APPLIED, "Waiting for approval"),
        (APPROVED, "Mentoring"),
        (PAUSED, "Paused"),
        (RETIRED, "Retired"),
        (DECLINED, "Not approved"),
    ]
    CAPACITY_MAX = 5

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentor_profile")
    diagnosis = models.CharField(max_length=120, blank=True)
    surgery_type = models.CharField(max_length=16, choices=User.SURGERY_CHOICES, blank=True)
    body_site = models.CharField(max_length=80, blank=True)
    surgery_date = models.DateField(null=True, blank=True)
    # ISO 639-1 codes, comma-separated without spaces ("en,es").
    languages = models.CharField(max_length=100, blank=True)
    age_band = models.CharField(max_length=5, choices=AGE_BAND_CHOICES, blank=True)
    gender = models.CharField(max_length=10, choices=GENDER_CHOICES, blank=True)
    topics = models.TextField(max_length=1000, blank=True)  # what they can talk about
    availability = models.CharField(max_length=300, blank=True)
    capacity = models.PositiveSmallIntegerField(default=1)
    guidelines_accepted_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default=APPLIED)
    # Paused by the mentor themselves (they may resume) or by staff (only staff resume).
    paused_by_self = models.BooleanField(default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1, capacity__lte=5), name="peers_mentor_capacity"),
        ]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"Mentor profile of {self.user}"

    @property
    def language_list(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]


class Mentorship(TimestampedModel):
    """A mentee's request to one mentor, and the mentorship it becomes when accepted."""

    REQUESTED = "requested"
    ACTIVE = "active"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    ENDED = "ended"
    STATUS_CHOICES = [
        (REQUESTED, "Waiting for the mentor"),
        (ACTIVE, "Active"),
        (DECLINED, "Declined"),
        (EXPIRED, "No answer in time"),
        (WITHDRAWN, "Withdrawn"),
        (ENDED, "Ended"),
    ]
    # Requests and active mentorships hold a place in the mentor's capacity.
    HOLDING = [REQUESTED, ACTIVE]
    MESSAGE_MAX = 1000

    mentee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentorships_as_mentee")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentorships_as_mentor")
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default=REQUESTED)
    # What the mentee asked for when requesting (required and preferred criteria), and their note.
    preferences = models.JSONField(default=dict, blank=True)
    message = models.TextField(max_length=MESSAGE_MAX, blank=True)
    respond_by = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Optional and private: read by staff only, never by the other side.
    feedback = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(mentee=F("mentor")), name="peers_no_self_mentoring"),
            # At most one open request or active mentorship between the same two people.
            models.UniqueConstraint(
                fields=["mentee", "mentor"],
                condition=Q(status__in=["requested", "active"]),
                name="peers_one_open_mentorship_per_pair",
            ),
        ]
        indexes = [
            models.Index(fields=["mentor", "status"]),
            models.Index(fields=["mentee", "status"]),
            models.Index(fields=["respond_by"], condition=Q(status="requested"), name="peers_request_due"),
        ]

    def __str__(self) -> str:
        return f"{self.mentee} with {self.mentor} ({self.status})"

    def get_absolute_url(self) -> str:
        return f"/mentorships/{self.pk}/"


# ---------------------------------------------------------------------------------------------
# Private messages
# ---------------------------------------------------------------------------------------------


class Conversation(models.Model):
    """Two members talking; `low` has the smaller user id, so a pair has one conversation."""

    low = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    high = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["low", "high"], name="peers_one_conversation_per_pair"),
            models.CheckConstraint(condition=Q(low__lt=F("high")), name="peers_conversation_ordered_pair"),
        ]

    def __str__(self) -> str:
        return f"Conversation {self.pk}"

    def get_absolute_url(self) -> str:
        return f"/messages/{self.pk}/"


class Participant(models.Model):
    """One side of a conversation: their read mark and when they were last emailed about it."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversation_sides")
    last_read_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    # Denormalised for the inbox: messages from the other side since last_read_at.
    unread_count = models.PositiveIntegerField(default=0)
    last_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["conversation", "user"], name="peers_one_side_per_user")]
        indexes = [models.Index(fields=["user", "-last_message_at"])]

    def __str__(self) -> str:
        return f"{self.user} in {self.conversation_id}"


class Message(models.Model):
    BODY_MAX = 5000

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(max_length=BODY_MAX)
    body_html = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["conversation", "created_at", "id"])]

    def __str__(self) -> str:
        return f"Message {self.pk}"

    @property
    def rendered(self) -> str:
        """The stored HTML, sanitised when the message was written (kinship.core.markdown)."""
        from django.utils.safestring import mark_safe

        return mark_safe(self.body_html)  # sanitised by nh3 before it was stored


class Block(models.Model):
    blocker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_made")
    blocked = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="peers_one_block_per_pair"),
            models.CheckConstraint(condition=~Q(blocker=F("blocked")), name="peers_no_self_block"),
        ]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"


class MessageReport(models.Model):
    """A participant reports a message to staff; staff see that one message, and the look is audited."""

    OPEN = "open"
    CLOSED = "closed"
    STATUS_CHOICES = [(OPEN, "Open"), (CLOSED, "Closed")]
    REASON_MAX = 1000

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(max_length=REASON_MAX)
    status = models.CharField(max_length=6, choices=STATUS_CHOICES, default=OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "reporter"], name="peers_one_report_per_message")]

    def __str__(self) -> str:
        return f"Report {self.pk} on message {self.message_id}"
