"""Write to the audit log: call `record` in the same transaction as the look or action it describes."""

from typing import Any

from django.db.models import Model

from kinship.safety.models import AuditEntry


def record(*, actor: Any, action: str, target: Model, detail: str = "") -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=target.pk,
        detail=detail[:500],
    )
