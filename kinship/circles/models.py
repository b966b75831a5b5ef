import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse

from kinship.core.models import TimestampedModel


def new_invite_code() -> str:
    return secrets.token_urlsafe(12)


class Circle(TimestampedModel):
    PUBLIC = "public"
    PRIVATE = "private"
    HIDDEN = "hidden"
    VISIBILITY_CHOICES = [
        (PUBLIC, "Public: anyone signed in reads it"),
        (PRIVATE, "Private: listed, content for members only"),
        (HIDDEN, "Hidden: invisible to non-members"),
    ]

    OPEN = "open"
    APPROVAL = "approval"
    INVITE = "invite"
    JOIN_POLICY_CHOICES = [
        (OPEN, "Open: anyone may join"),
        (APPROVAL, "Approval: a facilitator approves each request"),
        (INVITE, "Invite link only"),
    ]

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.TextField(max_length=4000)
    guidelines = models.TextField(max_length=8000)
    visibility = models.CharField(max_length=8, choices=VISIBILITY_CHOICES, default=PUBLIC)
    join_policy = models.CharField(max_length=8, choices=JOIN_POLICY_CHOICES, default=OPEN)
    invite_code = models.CharField(max_length=32, unique=True, default=new_invite_code)
    # The first N posts of a new member wait for a facilitator's approval; 0 switches it off.
    premoderate_posts = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Active memberships, kept exact by circles.services in the transaction that changes one, so
    # listing circles reads no membership rows (a count per circle grew with the members).
    member_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("circles:circle-detail", args=[self.slug])


class Membership(TimestampedModel):
    MEMBER = "member"
    FACILITATOR = "facilitator"
    ROLE_CHOICES = [(MEMBER, "Member"), (FACILITATOR, "Facilitator")]

    PENDING = "pending"
    ACTIVE = "active"
    # Kept, not deleted, so a removed person cannot simply join again.
    REMOVED = "removed"
    STATUS_CHOICES = [(PENDING, "Waiting for approval"), (ACTIVE, "Active"), (REMOVED, "Removed by a facilitator")]

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=12, choices=ROLE_CHOICES, default=MEMBER)
    status = models.CharField(max_length=8, choices=STATUS_CHOICES, default=PENDING)
    guidelines_accepted_at = models.DateTimeField()
    # Muted by a facilitator: may read but not post or react in this circle until then.
    muted_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["circle", "user"], name="membership_once_per_circle")]
        indexes = [models.Index(fields=["user", "status"]), models.Index(fields=["circle", "status", "role"])]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.circle_id} ({self.role}, {self.status})"

    @property
    def is_active(self) -> bool:
        return self.status == self.ACTIVE

    @property
    def is_facilitator(self) -> bool:
        return self.is_active and self.role == self.FACILITATOR
