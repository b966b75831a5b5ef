"""Demo data for the resources area (called by seed_demo through library.demo)."""

from typing import Any


def seed(people: dict[str, Any], circles: dict[str, Any]) -> int:
    """Add example resources; returns how many were made. Must be safe to run on an empty database only."""
    return 0
