from datetime import UTC, datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from kinship.core.models import TimestampedModel

TITLE_MAX = 200
DESCRIPTION_MAX = 20_000
RULE_MAX = 500


def occurrence_key(original_start: datetime) -> str:
    """An occurrence's name in URLs and feeds: its original start in UTC, as in RECURRENCE-ID."""
    return original_start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def parse_occurrence_key(key: str) -> datetime | None:
    try:
        return datetime.strptime(key, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except (TypeError, ValueError):
        return None


class Organisation(TimestampedModel):
    """A partner that co-hosts events: a hospital, an advocacy group, a charity."""

    HOSPITAL = "hospital"
    ADVOCACY = "advocacy"
    CHARITY = "charity"
    UNIVERSITY = "university"
    OTHER = "other"
    KIND_CHOICES = [
        (HOSPITAL, "Hospital or clinic"),
        (ADVOCACY, "Advocacy group"),
        (CHARITY, "Charity"),
        (UNIVERSITY, "University or research centre"),
        (OTHER, "Other"),
    ]

    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=12, choices=KIND_CHOICES, default=OTHER)
    website = models.URLField(max_length=300, blank=True)
    logo = models.ImageField(upload_to="organisations/", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Event(TimestampedModel):
    """A meeting, single or recurring; `starts_at`/`ends_at` are its first occurrence."""

    SUPPORT_MEETING = "support_meeting"
    WORKSHOP = "workshop"
    SEMINAR = "seminar"
    SOCIAL = "social"
    OUTING = "outing"
    KIND_CHOICES = [
        (SUPPORT_MEETING, "Support meeting"),
        (WORKSHOP, "Workshop"),
        (SEMINAR, "Seminar"),
        (SOCIAL, "Social event"),
        (OUTING, "Outing"),
    ]
    KINDS = [k for k, _ in KIND_CHOICES]

    circle = models.ForeignKey("circles.Circle", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=KIND_CHOICES, default=SUPPORT_MEETING)
    title = models.CharField(max_length=TITLE_MAX)
    description = models.TextField(max_length=DESCRIPTION_MAX, blank=True)
    description_html = models.TextField(blank=True)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="hosted_events"
    )
    speakers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="speaking_at")
    partners = models.ManyToManyField(Organisation, blank=True, related_name="events")
    timezone = models.CharField(max_length=64)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # An RFC 5545 RRULE value ("FREQ=WEEKLY;BYDAY=TU"); blank for a single event.
    rrule = models.CharField(max_length=RULE_MAX, blank=True)
    in_person = models.BooleanField(default=True)
    address = models.CharField(max_length=500, blank=True)
    step_free = models.BooleanField(default=False)
    accessible_toilet = models.BooleanField(default=False)
    parking = models.BooleanField(default=False)
    accessibility_notes = models.CharField(max_length=1000, blank=True)
    online = models.BooleanField(default=False)
    meeting_link = models.URLField(max_length=500, blank=True)
    capacity = models.PositiveIntegerField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Bumped on every change: the feeds' SEQUENCE, so calendar apps take the new version.
    sequence = models.PositiveIntegerField(default=0)
    # Questions for the speaker wait for a facilitator's approval before members see them.
    questions_moderated = models.BooleanField(default=False)
    # Bumped on every change to the questions: live pages compare it to know when to redraw.
    questions_version = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["circle", "starts_at"], name="event_circle_start")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__isnull=True) | models.Q(capacity__gte=1), name="event_capacity_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:event-detail", args=[self.pk])

    @property
    def rendered(self) -> SafeString:
        # description_html was sanitised by nh3 when the event was saved.
        return mark_safe(self.description_html)

    @property
    def is_recurring(self) -> bool:
        return bool(self.rrule)

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class Occurrence(TimestampedModel):
    """One date of an event, stored once it has RSVPs or an exception (cancelled, moved, edited).

    `original_start` is where the rule put it (the feed's RECURRENCE-ID); `starts_at` and
    `ends_at` are where it is now. `going_count` counts the seats taken (waitlist excluded),
    kept exact under the row lock every RSVP takes.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="occurrences")
    original_start = models.DateTimeField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    cancelled = models.BooleanField(default=False)
    title = models.CharField(max_length=TITLE_MAX, blank=True)
    note = models.CharField(max_length=1000, blank=True)
    going_count = models.PositiveIntegerField(default=0)
    sequence = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "original_start"], name="one_occurrence_per_date"),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="occurrence_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["starts_at"], name="occurrence_start")]

    def __str__(self) -> str:
        return f"{self.event} on {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def key(self) -> str:
        return occurrence_key(self.original_start)

    def get_absolute_url(self) -> str:
        return reverse("events:occurrence-detail", args=[self.event_id, self.key])


class Rsvp(TimestampedModel):
    GOING = "going"
    MAYBE = "maybe"
    NOT_GOING = "not_going"
    ANSWER_CHOICES = [(GOING, "Going"), (MAYBE, "Maybe"), (NOT_GOING, "Not going")]
    ANSWERS = [a for a, _ in ANSWER_CHOICES]

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="rsvps")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rsvps")
    answer = models.CharField(max_length=10, choices=ANSWER_CHOICES)
    waitlisted = models.BooleanField(default=False)
    # When the member last said "going": the waitlist's order, first come first served.
    answered_at = models.DateTimeField()
    # Set when a seat opened up for them, so the page can say so.
    promoted_at = models.DateTimeField(null=True, blank=True)
    attended = models.BooleanField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["occurrence", "member"], name="one_rsvp_per_member")]
        indexes = [models.Index(fields=["occurrence", "waitlisted", "answered_at", "id"], name="rsvp_waitlist_order")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.answer} {self.occurrence_id}"

    @property
    def has_seat(self) -> bool:
        return self.answer == self.GOING and not self.waitlisted


class ReminderSent(models.Model):
    """One reminder email per member, occurrence and kind, ever: written in the same transaction as the send."""

    DAY_BEFORE = "day"
    HOUR_BEFORE = "hour"
    KIND_CHOICES = [(DAY_BEFORE, "24 hours before"), (HOUR_BEFORE, "1 hour before")]

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="reminders")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=4, choices=KIND_CHOICES)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["occurrence", "member", "kind"], name="one_reminder_per_kind")]

    def __str__(self) -> str:
        return f"{self.kind} reminder for {self.member_id} at {self.occurrence_id}"


class CalendarToken(models.Model):
    """The secret in a member's private calendar feed address; only its SHA-256 is stored."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"calendar feed of {self.user_id}"
