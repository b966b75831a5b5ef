"""Demo data for messages (called by seed_demo)."""

from typing import Any


def seed(people: dict[str, Any], circles: dict[str, Any]) -> int:
    """Add example messages; returns how many were made."""
    return 0
