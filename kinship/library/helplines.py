"""Crisis helplines to show a member at once: from the directory when it lists any, else a built-in list.

Used when words suggesting a crisis are written (posts, replies, messages, questions, check-in notes) and
by the help a check-in of 4 or more offers (kinship.journal.help). Directory helplines are ranked:
those speaking the member's language first (the language the words were written in), then those for the
member's region (or nationwide ones, region "National" or blank, when no region is known), then open now
before unknown hours before closed, then by name. Members have no region on their profile today, so the
region is whatever the caller knows; without one, nationwide lines come first.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from kinship.library import directory
from kinship.library.models import Resource

HELPLINES_SHOWN = 4
# A directory this size lists a few dozen helplines at most; the cap keeps one read bounded.
DIRECTORY_READ_MAX = 400
NATIONWIDE = {"", "national"}


@dataclass(frozen=True)
class BuiltInHelpline:
    """A helpline shown when the directory has none; real numbers, checked when this list was written."""

    name: str
    phone: str
    tel_url: str
    hours_text: str
    description: str
    website: str = ""
    languages: tuple[str, ...] = ("en",)
    id: None = None
    url: None = None


BUILT_IN_HELPLINES = (
    BuiltInHelpline(
        name="Emergency services",
        phone="999 or 112",
        tel_url="tel:999",
        hours_text="Always open",
        description="If you or someone else is in danger right now.",
        languages=("en", "es"),
    ),
    BuiltInHelpline(
        name="Samaritans",
        phone="116 123",
        tel_url="tel:116123",
        hours_text="Always open, free to call",
        description="Someone to talk to about anything that is troubling you, day or night (UK and Ireland).",
        website="https://www.samaritans.org/",
    ),
    BuiltInHelpline(
        name="NHS 111",
        phone="111",
        tel_url="tel:111",
        hours_text="Always open",
        description="Urgent medical help or advice that is not an emergency (England).",
        website="https://111.nhs.uk/",
    ),
)


@dataclass(frozen=True)
class Helpline:
    """One helpline as the crisis panel and the API show it, from the directory or the built-in list."""

    name: str
    phone: str
    tel_url: str
    hours: str
    description: str
    open_now: bool | None
    id: int | None = None
    url: str | None = None
    website: str = ""
    is_example: bool = False


def _open_rank(resource: Any) -> int:
    # Open now, then unknown hours, then closed: a closed line is still worth knowing about.
    return {True: 0, None: 1, False: 2}[resource.status.open]


def _region_rank(resource: Resource, region: str) -> int:
    own = resource.region.strip().casefold()
    if region and own == region.casefold():
        return 0
    return 1 if own in NATIONWIDE else 2


def rank(helplines: list[Resource], *, language: str = "", region: str = "") -> list[Resource]:
    """Directory helplines (after directory.with_display) in the order a member in crisis should see them."""
    return sorted(
        helplines,
        key=lambda r: (
            0 if not language or language in r.language_list else 1,
            _region_rank(r, region.strip()),
            _open_rank(r),
            r.name.casefold(),
            r.pk,
        ),
    )


def built_in(language: str = "") -> list[BuiltInHelpline]:
    """The built-in list, lines speaking the language first (stable, so emergency services lead)."""
    return sorted(BUILT_IN_HELPLINES, key=lambda line: 0 if not language or language in line.languages else 1)


def _from_directory(resource: Any) -> Helpline:
    return Helpline(
        name=resource.name,
        phone=resource.phone,
        tel_url=resource.tel_url,
        hours=resource.status.text,
        description=resource.description,
        open_now=resource.status.open,
        id=resource.pk,
        url=resource.get_absolute_url(),
        website=resource.website,
        is_example=resource.is_example,
    )


def _from_built_in(line: BuiltInHelpline) -> Helpline:
    return Helpline(
        name=line.name,
        phone=line.phone,
        tel_url=line.tel_url,
        hours=line.hours_text,
        description=line.description,
        open_now=True,
        website=line.website,
    )


def crisis_helplines(user: Any, *, language: str = "", region: str = "", now: datetime | None = None) -> list[Helpline]:
    """Up to HELPLINES_SHOWN helplines for this member; the built-in list when the directory has none.

    Two queries (helplines, opening hours) whatever the directory's size. `user` may be None (signed out).
    """
    now = now or timezone.now()
    entries = list(
        directory.listed_resources()
        .filter(kind=Resource.HELPLINE)
        .prefetch_related("hours")
        .order_by("name", "pk")[:DIRECTORY_READ_MAX]
    )
    shown = rank(directory.with_display(entries, viewer=user, now=now), language=language, region=region)
    if shown:
        return [_from_directory(r) for r in shown[:HELPLINES_SHOWN]]
    return [_from_built_in(line) for line in built_in(language)]
