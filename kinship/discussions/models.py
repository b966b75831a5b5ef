from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from kinship.circles.models import Circle

TITLE_MAX = 200
BODY_MAX = 20_000
CONTENT_NOTE_MAX = 120


class Topic(models.Model):
    """A conversation in a circle; its opening words are its first Post."""

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="topics")
    title = models.CharField(max_length=TITLE_MAX)
    pinned = models.BooleanField(default=False)
    locked = models.BooleanField(default=False)
    hidden = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # A member's milestone shared to the circle, to be celebrated (journal.sharing makes these).
    is_celebration = models.BooleanField(default=False)
    # Kept exact by the services in the same transaction as the reply they count.
    reply_count = models.PositiveIntegerField(default=0)
    last_activity_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["circle", "-pinned", "-last_activity_at", "-id"], name="topic_list_order"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("discussions:topic-detail", args=[self.pk])

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Post(models.Model):
    """The opening post of a topic or a reply to it."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts")
    is_opening = models.BooleanField(default=False)
    body = models.TextField(max_length=BODY_MAX)
    body_html = models.TextField()
    anonymous = models.BooleanField(default=False)
    content_note = models.CharField(max_length=CONTENT_NOTE_MAX, blank=True)
    hidden = models.BooleanField(default=False)
    # Pre-moderation: a new member's post shown only to them and the circle's moderators until approved.
    awaiting_approval = models.BooleanField(default=False)
    # Why a moderator hid or edited out part of this post, shown to its author.
    moderation_note = models.CharField(max_length=500, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Reaction counts, kept exact by the reaction services with F() in the same transaction.
    strength_count = models.PositiveIntegerField(default=0)
    me_too_count = models.PositiveIntegerField(default=0)
    celebrate_count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["topic", "created_at", "id"], name="post_thread_order")]
        constraints = [
            models.UniqueConstraint(
                fields=["topic"], condition=models.Q(is_opening=True), name="one_opening_post_per_topic"
            )
        ]

    def __str__(self) -> str:
        return f"post {self.pk} in topic {self.topic_id}"

    def get_absolute_url(self) -> str:
        return reverse("discussions:post-detail", args=[self.pk])

    @property
    def rendered(self) -> SafeString:
        # body_html was sanitised by nh3 when the post was written.
        return mark_safe(self.body_html)

    def reaction_counts(self) -> dict[str, int]:
        return {kind: getattr(self, f"{kind}_count") for kind in Reaction.KINDS}

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Reaction(models.Model):
    SENDING_STRENGTH = "strength"
    ME_TOO = "me_too"
    CELEBRATE = "celebrate"
    KIND_CHOICES = [
        (SENDING_STRENGTH, "Sending strength"),
        (ME_TOO, "Me too"),
        (CELEBRATE, "Celebrate"),
    ]
    KINDS = [k for k, _ in KIND_CHOICES]

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reactions")
    kind = models.CharField(max_length=12, choices=KIND_CHOICES)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "user", "kind"], name="one_reaction_of_a_kind"),
            models.CheckConstraint(
                condition=models.Q(kind__in=["strength", "me_too", "celebrate"]), name="reaction_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.post_id}"


class TopicRead(models.Model):
    """When a member last read a topic, for the unread marker."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="reads")
    read_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "topic"], name="one_read_mark_per_topic")]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.topic_id}"
