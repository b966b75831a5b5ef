"""Model instances from hand-written SQL, for the few reads the ORM composes too slowly (docs/performance.md).

Columns of whole models come from the models themselves, so a new field needs no change in a statement.
"""

import datetime as dt
from typing import Any

from django.db.models import DateTimeField, Model
from django.utils import timezone


def aware(value: Any) -> Any:
    # SQLite hands back datetimes as naive UTC (the ORM converts them the same way).
    if isinstance(value, dt.datetime) and timezone.is_naive(value):
        return timezone.make_aware(value, dt.UTC)
    return value


def model_columns(model: type[Model], alias: str) -> tuple[list[str], list[bool], str]:
    """The model's attribute names, which of them are datetimes, and its columns as `alias."column", …`."""
    fields = model._meta.concrete_fields
    return (
        [f.attname for f in fields],
        [isinstance(f, DateTimeField) for f in fields],
        ", ".join(f'{alias}."{f.column}"' for f in fields),
    )


def instance(db: str, model: type[Model], names: list[str], dates: list[bool], values: Any) -> Any:
    """A model instance from one row's values, as the ORM would build it on database alias `db`."""
    return model.from_db(db, names, [aware(v) if d else v for v, d in zip(values, dates, strict=True)])
