"""Keyset pagination: pages follow a key, never a growing OFFSET."""

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, DateTimeField, F, Field, Model, Q, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.utils.dateparse import parse_datetime

from kinship.core.errors import Invalid

M = TypeVar("M", bound=Model)

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


@dataclass
class Page(Generic[M]):
    items: list[M]
    next: str | None


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps([v.isoformat() if isinstance(v, dt.datetime) else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


MAX_CURSOR = 2048


def decode_cursor(cursor: str, count: int) -> list[Any]:
    """The values of a cursor made by encode_cursor; anything else is a broken link (422), never a crash."""
    if len(cursor) > MAX_CURSOR:
        raise Invalid("That page link is broken.", errors={"cursor": ["Not a valid cursor."]})
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError, RecursionError):
        raise Invalid("That page link is broken.", errors={"cursor": ["Not a valid cursor."]}) from None
    if not isinstance(values, list) or len(values) != count:
        raise Invalid("That page link is broken.", errors={"cursor": ["Not a valid cursor."]})
    return values


def coerce(model: type[Model], name: str, value: Any) -> Any:
    """The cursor value as the field's Python type; anything odd is a broken link, not a crash."""
    broken = Invalid("That page link is broken.", errors={"cursor": ["Not a valid cursor."]})
    # 255: room for the longest text key paged on (Circle.name is 120), still small.
    if not isinstance(value, (int, bool, str)) or (isinstance(value, str) and ("\x00" in value or len(value) > 255)):
        raise broken
    field = cast(Field, model._meta.get_field(name))
    try:
        coerced = field.to_python(value)
        if isinstance(coerced, dt.datetime):
            # Dates at the calendar's edge parse but overflow when the query converts them to UTC.
            coerced.astimezone(dt.UTC)
    except (ValidationError, TypeError, ValueError, OverflowError):
        raise broken from None
    if isinstance(field, (DateTimeField,)) and isinstance(value, str) and parse_datetime(value) is None:
        raise broken
    if isinstance(coerced, int) and not isinstance(coerced, bool) and abs(coerced) >= 2**63:
        raise broken
    if isinstance(field, BooleanField) and not isinstance(value, bool):
        raise broken
    return coerced


def parse_limit(raw: Any, default: int = DEFAULT_LIMIT) -> int:
    if raw in (None, ""):
        return default
    # ASCII digits only: int() would also read other scripts' digits and signs.
    text = raw if isinstance(raw, str) else None
    if isinstance(raw, bool) or not (isinstance(raw, int) or (text and text.isascii() and text.isdigit())):
        raise Invalid("limit must be a whole number.", errors={"limit": ["Must be a whole number."]})
    # Thousands of digits would make int() itself refuse; anything that long is out of range anyway.
    limit = int(raw) if text is None or len(text) <= 6 else MAX_LIMIT + 1
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid(f"limit must be between 1 and {MAX_LIMIT}.", errors={"limit": [f"Between 1 and {MAX_LIMIT}."]})
    return limit


def _after(ordering: list[str], fields: list[str], values: list[Any]) -> Q | TupleGreaterThan | TupleLessThan:
    """Rows after the cursor's in `ordering`."""
    directions = {f.startswith("-") for f in ordering}
    if len(directions) == 1:
        # One direction: a row-value comparison, which PostgreSQL answers as one range of the
        # ordering's index (Django writes it out as the OR form below where rows cannot compare).
        lookup = TupleLessThan if directions == {True} else TupleGreaterThan
        return lookup(Tuple(*(F(f) for f in fields)), values)
    after = Q()
    for i in reversed(range(len(fields))):
        op = "lt" if ordering[i].startswith("-") else "gt"
        step = Q(**{f"{fields[i]}__{op}": values[i]})
        if i < len(fields) - 1:
            step |= Q(**{fields[i]: values[i]}) & after
        after = step
    return after


def paginate(queryset: QuerySet[M], ordering: list[str], *, cursor: str | None, limit: int) -> Page[M]:
    """One page of `queryset` in `ordering` (fields, '-' for descending; the last must be unique)."""
    fields = [f.lstrip("-") for f in ordering]
    queryset = queryset.order_by(*ordering)
    if cursor:
        values = [coerce(queryset.model, f, v) for v, f in zip(decode_cursor(cursor, len(fields)), fields, strict=True)]
        queryset = queryset.filter(_after(ordering, fields, values))
    items = list(queryset[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    next_cursor = encode_cursor([getattr(items[-1], f) for f in fields]) if more else None
    return Page(items=items, next=next_cursor)
