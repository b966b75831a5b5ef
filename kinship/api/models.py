from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q


class IdempotencyKey(models.Model):
    """The first answer to a creating request sent with an Idempotency-Key, replayed to its retries."""

    # Null for requests made before signing in (sign-up): the key alone identifies them.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=255)
    # "POST /api/v1/circles/x/join": the same key on another endpoint is another request.
    request_line = models.CharField(max_length=600)
    # SHA-256 of the request body, so a key reused for different content is refused, not replayed.
    body_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    response = models.JSONField(encoder=DjangoJSONEncoder, null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # Two partial constraints, because NULLs never collide in a plain unique constraint.
            models.UniqueConstraint(
                fields=["user", "key", "request_line"],
                condition=Q(user__isnull=False),
                name="idempotency_once_per_user",
            ),
            models.UniqueConstraint(
                fields=["key", "request_line"],
                condition=Q(user__isnull=True),
                name="idempotency_once_signed_out",
            ),
        ]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.request_line} ({self.key})"
