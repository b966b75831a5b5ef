"""The audit log: append-only, so a staff look at private data always leaves a trace."""

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """Who did what to which object, and when. Never edited or deleted through the application."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=40)
    target_type = models.CharField(max_length=40)
    target_id = models.BigIntegerField()
    detail = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.actor_id} {self.action} {self.target_type} {self.target_id}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise PermissionError("Audit entries are never changed.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit entries are never deleted.")


class Report(models.Model):
    """A member reports a post or another member; it waits in a moderation queue until decided.

    Reports on a post go to that circle's facilitators (and staff); reports on a member go to staff.
    Messages keep their own report (peers.MessageReport): only staff may look at a message.
    """

    POST = "post"
    USER = "user"
    TARGET_CHOICES = [(POST, "Post"), (USER, "Member")]
    REASON_CHOICES = [
        ("harassment", "Harassment or bullying"),
        ("hate", "Hate or discrimination"),
        ("spam", "Spam or advertising"),
        ("medical", "Harmful medical claims"),
        ("privacy", "Shares someone's private information"),
        ("crisis", "Someone may be in danger"),
        ("other", "Something else"),
    ]
    REASONS = [r for r, _ in REASON_CHOICES]
    OPEN = "open"
    ACTIONED = "actioned"
    DISMISSED = "dismissed"
    STATUS_CHOICES = [(OPEN, "Waiting"), (ACTIONED, "Action taken"), (DISMISSED, "No action needed")]
    DETAIL_MAX = 1000

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_type = models.CharField(max_length=8, choices=TARGET_CHOICES)
    target_id = models.BigIntegerField()
    # Where it happened: a post's circle. None for a member report, which only staff decide.
    circle = models.ForeignKey(
        "circles.Circle", null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    # Whose words or behaviour: the post's author or the reported member.
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=12, choices=REASON_CHOICES)
    detail = models.TextField(max_length=DETAIL_MAX, blank=True)
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default=OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the reporter is told when it is decided.
    outcome = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "target_type", "target_id"],
                condition=models.Q(status="open"),
                name="safety_one_open_report_per_reporter",
            ),
        ]
        indexes = [
            models.Index(fields=["circle", "status", "-created_at"], name="safety_report_circle_queue"),
            models.Index(fields=["status", "-created_at"], name="safety_report_site_queue"),
            models.Index(fields=["target_type", "target_id"], name="safety_report_target"),
        ]

    def __str__(self) -> str:
        return f"report {self.pk} on {self.target_type} {self.target_id}"


class ModerationAction(models.Model):
    """One decision of a facilitator or staff member; every one is also written to the audit log."""

    HIDE = "hide"
    RESTORE = "restore"
    EDIT_OUT = "edit_out"
    WARN = "warn"
    MUTE = "mute"
    REMOVE = "remove"
    SUSPEND = "suspend"
    UNSUSPEND = "unsuspend"
    DISMISS = "dismiss"
    APPROVE = "approve"
    REJECT = "reject"
    ACTION_CHOICES = [
        (HIDE, "Hide"),
        (RESTORE, "Restore"),
        (EDIT_OUT, "Edit out part of a post"),
        (WARN, "Warn"),
        (MUTE, "Mute in the circle"),
        (REMOVE, "Remove from the circle"),
        (SUSPEND, "Suspend site-wide"),
        (UNSUSPEND, "Lift a suspension"),
        (DISMISS, "No action needed"),
        (APPROVE, "Approve a waiting post"),
        (REJECT, "Turn down a waiting post"),
    ]
    ACTIONS = [a for a, _ in ACTION_CHOICES]
    # Taken on the topic page or through the API, not from a queue; recorded all the same.
    PIN, UNPIN, LOCK, UNLOCK = "pin", "unpin", "lock", "unlock"
    TOPIC_CHOICES = [(PIN, "Pin a topic"), (UNPIN, "Unpin a topic"), (LOCK, "Lock a topic"), (UNLOCK, "Unlock a topic")]

    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=10, choices=ACTION_CHOICES + TOPIC_CHOICES)
    target_type = models.CharField(max_length=8)
    target_id = models.BigIntegerField()
    circle = models.ForeignKey("circles.Circle", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    report = models.ForeignKey(Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions")
    # The reason given; the author is told it when their words are hidden, edited out or they are warned.
    note = models.CharField(max_length=500, blank=True)
    days = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["subject", "-created_at"], name="safety_action_subject")]

    def __str__(self) -> str:
        return f"{self.action} on {self.target_type} {self.target_id}"


class CrisisAlert(models.Model):
    """Words that suggested a crisis were written where a circle's facilitators can help.

    Holds where and when, never the words themselves: facilitators open the post (which they may
    read anyway) or reach out to the member.
    """

    SOURCE_CHOICES = [
        ("post", "Post"),
        ("message", "Private message"),
        ("question", "Question to a speaker"),
        ("checkin", "Check-in note"),
    ]

    writer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    circle = models.ForeignKey("circles.Circle", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    source_type = models.CharField(max_length=10, choices=SOURCE_CHOICES)
    source_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["circle", "acknowledged_at", "-created_at"], name="safety_crisis_queue")]

    def __str__(self) -> str:
        return f"crisis alert {self.pk} ({self.source_type} {self.source_id})"
