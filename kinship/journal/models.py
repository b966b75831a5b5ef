"""The recovery journal (milestones, goals) and wellbeing check-ins: each row is its owner's own.

Nothing here is registered in the admin, indexed for search or shown to anyone but its owner,
except what the owner chose to share: a milestone shared to a circle (it becomes a celebration
topic there), a summary of scores shared with a circle's facilitators, or a request for support.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from kinship.circles.models import Circle
from kinship.core.models import TimestampedModel
from kinship.discussions.models import Topic

TITLE_MAX = 200
NOTE_MAX = 2000


class Milestone(TimestampedModel):
    """A moment in recovery worth remembering, from a template or in the member's own words."""

    OWN = "own"
    KIND_CHOICES = [
        ("standing", "First time standing"),
        ("crutches", "Walking with crutches"),
        ("one_crutch", "Walking with one crutch"),
        ("full_weight", "Full weight bearing"),
        ("prosthesis_fitted", "Prosthesis fitted"),
        ("prosthesis_steps", "First steps with a prosthesis"),
        ("chemo_done", "Finished chemotherapy"),
        ("clear_scan", "Clear scan"),
        ("back_to_school_work", "Back at school or work"),
        ("driving", "Driving again"),
        ("first_outing", "First outing"),
        ("one_year", "One year since surgery"),
        ("goal_reached", "Goal reached"),
        (OWN, "In my own words"),
    ]
    KINDS = [k for k, _ in KIND_CHOICES]
    # Offered in the "add a milestone" form; goal_reached is made only by finishing a goal.
    TEMPLATE_KINDS = [k for k in KINDS if k != "goal_reached"]

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(max_length=24, choices=KIND_CHOICES, default=OWN)
    title = models.CharField(max_length=TITLE_MAX)
    happened_on = models.DateField()
    # Private, always: never part of what is shared to a circle.
    note = models.TextField(max_length=NOTE_MAX, blank=True)
    goal = models.OneToOneField("Goal", null=True, blank=True, on_delete=models.SET_NULL, related_name="milestone")
    # Sharing: the celebration topic in a circle; unsharing deletes the topic.
    shared_topic = models.OneToOneField(
        Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="milestone"
    )

    class Meta:
        indexes = [models.Index(fields=["owner", "-happened_on", "-id"], name="journal_milestone_order")]
        constraints = [models.CheckConstraint(condition=~Q(title=""), name="journal_milestone_titled")]

    def __str__(self) -> str:
        return f"milestone {self.pk} of {self.owner_id}"

    def get_absolute_url(self) -> str:
        return f"/journal/milestones/{self.pk}/"


class Goal(TimestampedModel):
    """Something the member is working towards ("walk 1 km without crutches"), with progress."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(max_length=TITLE_MAX)
    target_date = models.DateField(null=True, blank=True)
    # 0-100, the latest update's figure; kept in the same transaction as the update.
    progress = models.PositiveSmallIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["owner", "done_at", "-id"], name="journal_goal_order")]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="journal_goal_progress_range"),
            models.CheckConstraint(condition=~Q(title=""), name="journal_goal_titled"),
        ]

    def __str__(self) -> str:
        return f"goal {self.pk} of {self.owner_id}"

    def get_absolute_url(self) -> str:
        return f"/journal/goals/{self.pk}/"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class GoalUpdate(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="updates")
    progress = models.PositiveSmallIntegerField()
    note = models.TextField(max_length=NOTE_MAX, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["goal", "-created_at", "-id"], name="journal_goal_update_order")]
        constraints = [models.CheckConstraint(condition=Q(progress__lte=100), name="journal_update_progress_range")]

    def __str__(self) -> str:
        return f"update {self.pk} on goal {self.goal_id}"


class CheckIn(models.Model):
    """The distress thermometer (0-10) with its problem list, pain (0-10) and an optional note."""

    SCORE_MAX = 10
    # At this distress score or more the member is offered help at once.
    HELP_FROM = 4

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkins")
    distress = models.PositiveSmallIntegerField()
    pain = models.PositiveSmallIntegerField()
    # Item codes from journal.problems, sorted, no repeats.
    problems = models.JSONField(default=list, blank=True)
    note = models.TextField(max_length=NOTE_MAX, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["owner", "-created_at", "-id"], name="journal_checkin_order")]
        constraints = [
            models.CheckConstraint(condition=Q(distress__lte=10), name="journal_distress_range"),
            models.CheckConstraint(condition=Q(pain__lte=10), name="journal_pain_range"),
        ]

    def __str__(self) -> str:
        return f"check-in {self.pk} of {self.owner_id}"

    def get_absolute_url(self) -> str:
        return f"/journal/checkins/{self.pk}/"

    @property
    def offers_help(self) -> bool:
        return self.distress >= self.HELP_FROM


class SummaryShare(models.Model):
    """A member lets one circle's facilitators see their latest scores and trend (never notes)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="summary_shares")
    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="summary_shares")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "circle"], name="journal_one_share_per_circle")]
        indexes = [models.Index(fields=["circle", "-created_at"], name="journal_share_by_circle")]

    def __str__(self) -> str:
        return f"{self.owner_id} shares a summary with {self.circle_id}"


class SupportRequest(models.Model):
    """ "Let my facilitator know": the member asked a circle's facilitators to reach out.

    Facilitators see who asked, when, and the distress score of that check-in; never the note or
    the problem list.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="support_requests")
    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="support_requests")
    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="support_requests")
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["checkin", "circle"], name="journal_one_request_per_checkin_circle")
        ]
        indexes = [models.Index(fields=["circle", "acknowledged_at", "-created_at"], name="journal_request_queue")]

    def __str__(self) -> str:
        return f"support request {self.pk} from {self.owner_id}"


class ReminderMark(models.Model):
    """When the weekly check-in reminder last went to a member who opted in."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkin_reminder")
    sent_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"check-in reminder of {self.user_id}"
