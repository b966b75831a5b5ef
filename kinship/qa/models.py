"""Guest speakers and the questions members put to them."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from kinship.core.models import TimestampedModel

QUESTION_MAX = 1_000
ANSWER_MAX = 20_000
PROFESSION_MAX = 120
ORGANISATION_MAX = 200


class SpeakerProfile(TimestampedModel):
    """What a speaker says they are; staff check it and record how before the badge shows."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="speaker_profile")
    profession = models.CharField(max_length=PROFESSION_MAX)
    organisation = models.CharField(max_length=ORGANISATION_MAX, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verification_note = models.CharField(max_length=1000, blank=True)

    def __str__(self) -> str:
        return f"{self.profession} ({self.user_id})"

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class SpeakerInvitation(TimestampedModel):
    """An emailed link that makes whoever accepts it, signed in, a speaker of one event."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="speaker_invitations")
    # The name the facilitator gave; the address is kept for staff only and never shown on a page.
    name = models.CharField(max_length=120)
    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    expires_at = models.DateTimeField()
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} → {self.event_id}"


class Question(TimestampedModel):
    PENDING = "pending"  # waits for a facilitator when the event pre-moderates questions
    OPEN = "open"
    ANSWERED = "answered"
    DISMISSED = "dismissed"
    MERGED = "merged"
    STATUS_CHOICES = [
        (PENDING, "Waiting for approval"),
        (OPEN, "Open"),
        (ANSWERED, "Answered"),
        (DISMISSED, "Dismissed"),
        (MERGED, "Merged into another question"),
    ]

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="questions")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="questions_asked"
    )
    # Shown to facilitators and staff only; members and speakers see no author.
    anonymous = models.BooleanField(default=False)
    body = models.TextField(max_length=QUESTION_MAX)
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default=OPEN)
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_questions"
    )
    # Kept equal to the number of Vote rows in the same transaction as each vote.
    vote_count = models.PositiveIntegerField(default=0)
    pinned = models.BooleanField(default=False)
    answer = models.TextField(max_length=ANSWER_MAX, blank=True)
    answer_html = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["event", "status", "-vote_count", "created_at"], name="question_queue_order"),
            models.Index(fields=["event", "author"], name="question_event_author"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["event"], condition=models.Q(pinned=True), name="one_pinned_question"),
        ]

    def __str__(self) -> str:
        return self.body[:60]

    def get_absolute_url(self) -> str:
        return reverse("qa:questions", args=[self.event_id]) + f"#question-{self.pk}"

    @property
    def answer_rendered(self) -> SafeString:
        # answer_html was sanitised by nh3 when the answer was saved.
        return mark_safe(self.answer_html)

    @property
    def is_answered(self) -> bool:
        return self.status == self.ANSWERED


class Vote(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["question", "voter"], name="one_vote_per_member")]
        indexes = [models.Index(fields=["voter", "question"], name="vote_voter_question")]

    def __str__(self) -> str:
        return f"{self.voter_id} → {self.question_id}"
