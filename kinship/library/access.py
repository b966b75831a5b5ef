"""Who curates what everyone shares (the directory, the library, tips) and refers members: one rule."""

from typing import Any

from kinship.circles import access as circle_access


def is_curator(user: Any) -> bool:
    """Staff, and whoever leads a circle as an active facilitator (any visibility)."""
    # A deactivated account keeps its memberships but has no powers left.
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if getattr(user, "is_staff", False):
        return True
    return bool(circle_access.led_circle_ids(user))
