"""Who curates what everyone shares (the directory, the library, tips) and refers members: one rule."""

from typing import Any

from kinship.accounts.two_factor import has_two_factor
from kinship.circles import access as circle_access


def is_curator(user: Any) -> bool:
    """Staff, and whoever leads a circle as an active facilitator (any visibility)."""
    # A deactivated account keeps its memberships but has no powers left.
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    # Curating is a power: staff and facilitators need two-step sign-in for it (led_circle_ids asks too).
    if getattr(user, "is_staff", False) and has_two_factor(user):
        return True
    return bool(circle_access.led_circle_ids(user))
