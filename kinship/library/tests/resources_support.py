"""Test helpers for the resource directory."""

import itertools
from typing import Any

from kinship.library.models import OpeningHours, Resource

_seq = itertools.count(1)

WEEKDAYS_9_TO_5 = [{"weekday": d, "opens": "09:00", "closes": "17:00"} for d in range(5)]


def make_resource(*, hours: list[tuple[int, str, str]] | None = None, **fields: Any) -> Resource:
    """A resource written straight to the database (the services have their own tests)."""
    n = next(_seq)
    fields.setdefault("kind", Resource.HELPLINE)
    fields.setdefault("name", f"Test Helpline {n:03d}")
    fields.setdefault("description", "Specialist nurses answer questions about bone tumours.")
    fields.setdefault("phone", "01632 960000")
    fields.setdefault("region", "National")
    fields.setdefault("languages", "en")
    fields.setdefault("timezone", "Europe/London")
    resource = Resource.objects.create(**fields)
    for weekday, opens, closes in hours or []:
        OpeningHours.objects.create(resource=resource, weekday=weekday, opens=opens, closes=closes)
    return resource


def make_resources(count: int, **fields: Any) -> list[Resource]:
    return [make_resource(hours=[(d, "09:00", "17:00") for d in range(7)], **fields) for _ in range(count)]
