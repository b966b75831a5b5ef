"""Demo data for mentoring (called by seed_demo)."""

from typing import Any


def seed(people: dict[str, Any], circles: dict[str, Any]) -> int:
    """Add example mentoring; returns how many were made."""
    return 0
