"""Demo data for the tips area (called by seed_demo through library.demo)."""

from typing import Any


def seed(people: dict[str, Any], circles: dict[str, Any]) -> int:
    """Add example tips; returns how many were made. Must be safe to run on an empty database only."""
    return 0
