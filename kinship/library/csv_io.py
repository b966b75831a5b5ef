"""CSV export and import of the resource directory (curators only).

Columns, in this order (the export writes them all; the import needs `kind` and `name`, takes any
of the others, and ignores the three review columns, which only a curator's action changes):

| column | what |
| --- | --- |
| id | empty for a new entry; the id of an existing entry to update it |
| kind | helpline, financial, specialist, physiotherapy, prosthetics, counselling, education, transport, |
| | legal, peer (or the label as on the pages, e.g. "Financial assistance") |
| name, description, website, phone, address, region, eligibility, cost | as on the form |
| languages | ISO 639 codes separated by commas: "en,es" |
| timezone | IANA name: Europe/London (empty: Europe/London for a new entry, unchanged for an update) |
| hours | "24/7", empty for unknown, or periods separated by ";": "Mon 09:00-17:00; Sat 22:00-02:00" |
| | (closes before opens runs past midnight; a range of days, "Mon-Fri 09:00-17:00", is read too) |
| is_example, active | yes or no (empty: is_example no, active yes) |
| reviewed_at, verified_at, verified_by | export only: ISO 8601 UTC times and the verifier's display name |

An import is all or nothing: every row is checked first, and one bad row (named by its row number
in the spreadsheet, the header being row 1, with the column and the problem) means nothing is
saved. Files: UTF-8 (with or without BOM) or UTF-16 with BOM, comma, semicolon or tab separated,
at most 1 MB and 2,000 rows.

Spreadsheets run a cell that starts with = + - or @ as a formula, so the export puts an apostrophe
before such text in free-text columns, and the import takes it off again.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import transaction

from kinship.accounts.models import User
from kinship.core.errors import Invalid, NotAllowed
from kinship.library import directory
from kinship.library import hours as hours_mod
from kinship.library.models import Resource

COLUMNS = [
    "id", "kind", "name", "description", "website", "phone", "address", "region", "languages", "eligibility",
    "cost", "timezone", "hours", "is_example", "active", "reviewed_at", "verified_at", "verified_by",
]  # fmt: skip
EXPORT_ONLY = {"reviewed_at", "verified_at", "verified_by"}
REQUIRED = {"kind", "name"}
TEXT_COLUMNS = {"name", "description", "address", "region", "eligibility", "cost", "verified_by"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_BYTES = 1_000_000
MAX_ROWS = 2_000
# csv refuses a field over its limit (131,072 by default) with an error we report; the file limit is lower anyway.
KIND_BY_LABEL = {label.lower(): value for value, label in Resource.KIND_CHOICES}
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}


@dataclass
class RowError:
    row: int  # the spreadsheet row (header = 1); 0 for the file as a whole
    field: str
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    checked_only: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def saved(self) -> bool:
        return self.ok and not self.checked_only and (self.created + self.updated) > 0


# Export -------------------------------------------------------------------------------------


def _guard(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


def _unguard(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_START) else value


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else ""


def export_rows(resources: Iterable[Resource]) -> Iterable[list[str]]:
    yield COLUMNS
    for r in resources:
        row = {
            "id": str(r.pk),
            "kind": r.kind,
            "name": r.name,
            "description": r.description,
            "website": r.website,
            "phone": r.phone,
            "address": r.address,
            "region": r.region,
            "languages": r.languages,
            "eligibility": r.eligibility,
            "cost": r.cost,
            "timezone": r.timezone,
            "hours": hours_mod.format_hours(r.hours.all(), always_open=r.always_open),
            "is_example": "yes" if r.is_example else "no",
            "active": "yes" if r.active else "no",
            "reviewed_at": _when(r.reviewed_at),
            "verified_at": _when(r.verified_at),
            # A display name, never an email.
            "verified_by": r.verified_by.display_name if r.verified_by else "",
        }
        yield [_guard(row[c]) if c in TEXT_COLUMNS else row[c] for c in COLUMNS]


def export_csv(*, actor: Any) -> bytes:
    """The whole directory, deactivated entries too, as UTF-8 CSV with a BOM (spreadsheets then read it right)."""
    if not directory.can_export(actor):
        raise NotAllowed("Only staff and facilitators export the directory.")
    resources = Resource.objects.select_related("verified_by").prefetch_related("hours").order_by("id")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows(export_rows(resources))
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


# Import -------------------------------------------------------------------------------------


class FileRefused(Exception):
    """The file as a whole cannot be read; the message says what to do."""


def decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise FileRefused(f"The file is {len(data):,} bytes; the limit is {MAX_BYTES:,} (about 1 MB).")
    if not data.strip():
        raise FileRefused("The file is empty.")
    if data.startswith(b"PK\x03\x04"):
        raise FileRefused("This looks like an Excel or zip file. Save the sheet as 'CSV UTF-8' and upload that.")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise FileRefused(
                "The file starts like UTF-16 text but is not. Save it as 'CSV UTF-8' and try again."
            ) from None
    elif b"\x00" in data:
        raise FileRefused("This does not look like a CSV text file (it holds binary data).")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise FileRefused(
                "The file is not UTF-8 text. In your spreadsheet choose 'Save as' > 'CSV UTF-8' and upload that file."
            ) from None
    if "\x00" in text:
        raise FileRefused("This does not look like a CSV text file (it holds binary data).")
    return text


def _delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _rows(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """(header, [(spreadsheet row number, cells)]); FileRefused when the CSV cannot be parsed."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows: list[tuple[int, list[str]]] = []
    try:
        header = next(reader, None)
        if header is None:
            raise FileRefused("The file is empty.")
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            rows.append((number, cells))
            if len(rows) > MAX_ROWS:
                raise FileRefused(f"The file has more than {MAX_ROWS:,} rows; split it into smaller files.")
    except csv.Error as error:
        raise FileRefused(f"The file could not be read as CSV (near row {reader.line_num}): {error}.") from None
    return [h.strip().lstrip("\ufeff").lower() for h in header], rows


def _check_header(header: list[str]) -> list[RowError]:
    errors = []
    seen: set[str] = set()
    for name in header:
        if name in seen:
            errors.append(RowError(1, name, f"The column '{name}' appears twice."))
        seen.add(name)
        if name not in COLUMNS:
            errors.append(
                RowError(1, name[:40], f"Unknown column '{name[:40]}'. The columns are: {', '.join(COLUMNS)}.")
            )
    for name in sorted(REQUIRED - seen):
        errors.append(RowError(1, name, f"The column '{name}' is missing."))
    return errors


def _flag(cell: str, *, default: bool) -> bool:
    word = cell.strip().lower()
    if not word:
        return default
    if word in YES:
        return True
    if word in NO:
        return False
    raise ValueError("Write yes or no.")


def _values(cells: dict[str, str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The service's values from one row's cells, and the cell problems found on the way."""
    values: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for name, raw in cells.items():
        if name in EXPORT_ONLY or name == "id":
            continue
        cell = _unguard(raw) if name in TEXT_COLUMNS else raw
        if name == "kind":
            key = cell.strip().lower()
            kind = KIND_BY_LABEL.get(key, key)
            if kind not in Resource.KINDS:
                problems.append(
                    ("kind", f"'{cell.strip()[:40]}' is not a kind; use one of {', '.join(Resource.KINDS)}.")
                )
                continue
            values["kind"] = kind
        elif name in ("is_example", "active"):
            try:
                values[name] = _flag(cell, default=name == "active")
            except ValueError as error:
                problems.append((name, str(error)))
        elif name == "timezone" and not cell.strip():
            continue  # the default (Europe/London) for a new entry; unchanged for an update
        elif name == "hours":
            try:
                always, periods = hours_mod.parse(cell)
            except hours_mod.HoursSyntaxError as error:
                problems.append(("hours", str(error)))
                continue
            values["always_open"] = always
            values["hours"] = periods
        else:
            values[name] = cell
    return values, problems


def import_csv(*, actor: User, data: bytes, check_only: bool = False) -> ImportReport:
    """Check every row, then save all of them in one transaction, or none when any row has a problem."""
    if not directory.can_curate(actor):
        raise NotAllowed("Only staff and facilitators import into the directory.")
    report = ImportReport(checked_only=check_only)
    try:
        header, rows = _rows(decode(data))
    except FileRefused as error:
        report.errors.append(RowError(0, "", str(error)))
        return report
    report.rows = len(rows)
    report.errors.extend(_check_header(header))
    if report.errors:
        return report
    if not rows:
        report.errors.append(RowError(0, "", "The file has a header but no rows."))
        return report

    wanted: dict[int, int] = {}  # id -> first row naming it
    plans: list[tuple[int, Resource | None, dict[str, Any]]] = []
    parsed: list[tuple[int, int | None, dict[str, str]]] = []
    for number, cells in rows:
        if len(cells) > len(header):
            report.errors.append(RowError(number, "", f"The row has {len(cells)} cells; the header has {len(header)}."))
            continue
        by_name = dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=True))
        raw_id = by_name.get("id", "").strip()
        resource_id: int | None = None
        if raw_id:
            # ASCII digits only: "²".isdigit() is true, yet int("²") fails.
            if not (raw_id.isascii() and raw_id.isdigit()) or not 0 < int(raw_id) < 2**63:
                report.errors.append(
                    RowError(number, "id", "The id is a whole number; leave it empty for a new entry.")
                )
                continue
            resource_id = int(raw_id)
            if resource_id in wanted:
                report.errors.append(
                    RowError(number, "id", f"The id {resource_id} is already used on row {wanted[resource_id]}.")
                )
                continue
            wanted[resource_id] = number
        parsed.append((number, resource_id, by_name))

    existing = Resource.objects.in_bulk(list(wanted)) if wanted else {}
    for number, resource_id, by_name in parsed:
        current = None
        if resource_id is not None:
            current = existing.get(resource_id)
            if current is None:
                report.errors.append(RowError(number, "id", f"There is no entry with id {resource_id}."))
                continue
        values, problems = _values(by_name)
        report.errors.extend(RowError(number, name, message) for name, message in problems)
        try:
            directory.clean_values(values, current=current)
        except Invalid as error:
            for name, messages in (error.errors or {"": [error.detail]}).items():
                if any(name == p[0] for p in problems):
                    continue
                report.errors.extend(RowError(number, name, m) for m in messages)
            continue
        if not problems:
            plans.append((number, current, values))

    report.errors.sort(key=lambda e: (e.row, COLUMNS.index(e.field) if e.field in COLUMNS else len(COLUMNS)))
    if report.errors or check_only:
        if not report.errors:
            report.created = sum(1 for _, current, _ in plans if current is None)
            report.updated = len(plans) - report.created
        return report
    return _save(actor, plans, report)


def _save(actor: User, plans: list[tuple[int, Resource | None, dict[str, Any]]], report: ImportReport) -> ImportReport:
    row = 0
    try:
        with transaction.atomic():
            for number, current, values in plans:
                row = number
                if current is None:
                    directory.create_resource(actor=actor, **values)
                    report.created += 1
                else:
                    directory.update_resource(actor=actor, resource=current, changes=values)
                    report.updated += 1
    except Invalid as error:
        # Checked above, so only a change made meanwhile lands here; the transaction saved nothing.
        report.created = report.updated = 0
        report.errors.append(RowError(row, "", error.detail))
    return report
