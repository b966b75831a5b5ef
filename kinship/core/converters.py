from typing import Any

from django.http import Http404


def parse_id(value: Any) -> int | None:
    """A database id from a form or path (ASCII digits) or JSON (an integer); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text.isascii() or not text.isdigit() or len(text) > 19:
            return None
        value = int(text)
    if isinstance(value, int) and 0 < value < 2**63:
        return value
    return None


def id_or_404(value: Any) -> int:
    """A database id from anywhere (path, query, JSON): anything but a positive 64-bit int is a 404."""
    # parse_id, not int(): int() also reads other scripts' digits (Arabic-Indic one is 1) and surrounding spaces.
    number = parse_id(value)
    if number is None:
        raise Http404("Not found.")
    return number


class IdConverter:
    """A database id: positive and within 64 bits, so an absurd number is a 404, not a crash."""

    regex = "[1-9][0-9]{0,18}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number >= 2**63:
            raise ValueError("out of range")
        return number

    def to_url(self, value: int) -> str:
        return str(value)


class InviteCodeConverter:
    """An invitation code: the URL-safe alphabet only, so odd bytes never reach the database."""

    regex = "[-_A-Za-z0-9]{1,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class OccurrenceKeyConverter:
    """An occurrence's original start in UTC, as in iCalendar: 20261201T180000Z.

    Kept as text: the view checks it is a real date of the event (a 404 otherwise).
    """

    regex = "[0-9]{8}T[0-9]{6}Z"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
