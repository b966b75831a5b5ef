"""The resource directory: who may see and curate it, its reads (fixed query counts) and every write.

Rules:
- Anyone, signed out too, sees active resources.
- Curators — staff, and anyone who facilitates a circle (an active facilitator membership anywhere) —
  create, edit, deactivate, mark reviewed or verified, import and export CSV. They also open
  deactivated entries (marked so, from the staff page) and see which entries are stale.
- Stale: `reviewed_at` empty or older than 365 days. Shown to curators only, never to members.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kinship.accounts.models import User
from kinship.core.converters import id_or_404
from kinship.core.errors import Invalid, NotAllowed
from kinship.core.forms import GENERIC
from kinship.core.pagination import Page, paginate
from kinship.core.text import check_inline, clean_line, clean_text
from kinship.events import recurrence
from kinship.library import access as library_access
from kinship.library import hours as hours_mod
from kinship.library.models import OpeningHours, Resource

STALE_AFTER = timedelta(days=365)
LIST_ORDER = ["name", "id"]
# The staff page lists every entry needing review; a directory this size is a few hundred at most.
STALE_PAGE_MAX = 500
Q_MAX = 200
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
PHONE = re.compile(r"^\+?[0-9(][0-9 ()./-]*$")
EDITABLE = [
    "kind", "name", "description", "website", "phone", "address", "region", "languages", "eligibility",
    "cost", "timezone", "always_open", "is_example", "active", "hours",
]  # fmt: skip

# Names for the language codes the directory is likely to hold; any other code shows as itself.
LANGUAGE_NAMES = {
    "ar": "Arabic",
    "bfi": "British Sign Language",
    "bn": "Bengali",
    "cy": "Welsh",
    "de": "German",
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "ga": "Irish",
    "gd": "Scottish Gaelic",
    "gu": "Gujarati",
    "hi": "Hindi",
    "it": "Italian",
    "nl": "Dutch",
    "pa": "Punjabi",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "so": "Somali",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "zh": "Chinese",
}


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


# Access -------------------------------------------------------------------------------------


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


is_curator = library_access.is_curator


def can_curate(user: Any) -> bool:
    """Create, edit, deactivate, mark reviewed or verified, import CSV: curators."""
    return is_curator(user)


def can_export(user: Any) -> bool:
    """The CSV export holds deactivated entries and review dates: curators."""
    return is_curator(user)


def can_see_staleness(user: Any) -> bool:
    """Which entries are overdue for review is a curator's to-do list, never shown to members."""
    return is_curator(user)


def listed_resources() -> QuerySet[Resource]:
    """What the directory lists, to everyone: active entries. Deactivated ones are reached from the staff page."""
    return Resource.objects.filter(active=True)


def get_resource_for(user: Any, resource_id: Any) -> Resource:
    """The resource with its hours and verifier; Http404 when missing, or deactivated and the user no curator."""
    resources = Resource.objects.all() if is_curator(user) else listed_resources()
    found = resources.select_related("verified_by").prefetch_related("hours").filter(pk=id_or_404(resource_id)).first()
    if found is None:
        raise Http404("No such resource.")
    return found


def is_stale(resource: Resource, *, now: datetime | None = None) -> bool:
    """Never reviewed, or last reviewed over 365 days ago."""
    now = now or timezone.now()
    return resource.reviewed_at is None or resource.reviewed_at < now - STALE_AFTER


# Filters ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    kind: str = ""
    region: str = ""
    language: str = ""
    open_now: bool = False
    q: str = ""

    @property
    def any(self) -> bool:
        return bool(self.kind or self.region or self.language or self.open_now or self.q)


TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"", "0", "false", "no", "off"}


def parse_filters(data: Mapping[str, Any]) -> Filters:
    """The filters from a query string or form; Invalid (422) naming each bad one."""
    errors: dict[str, list[str]] = {}

    def text(name: str, max_length: int) -> str:
        value = data.get(name) or ""
        try:
            return clean_line(value, field=name, label=name, max_length=max_length)
        except Invalid as error:
            errors.update(error.errors)
            return ""

    kind = text("kind", 32)
    if kind and kind not in Resource.KINDS:
        errors["kind"] = [f"Unknown kind '{kind[:32]}'; choose one of {', '.join(Resource.KINDS)}."]
    region = text("region", 100)
    language = text("language", 8).lower()
    if language and not LANGUAGE_CODE.match(language):
        errors["language"] = ["Give a language as its ISO 639 code, e.g. en or es."]
    raw_open = data.get("open_now")
    open_now = False
    if raw_open is not None:
        word = str(raw_open).strip().lower() if isinstance(raw_open, (str, bool)) else None
        if word in TRUE_WORDS:
            open_now = True
        elif word not in FALSE_WORDS:
            errors["open_now"] = ["Use true or false."]
    q = text("q", Q_MAX)
    if errors:
        raise Invalid(
            "Some filters are not valid: " + "; ".join(f"{k}: {v[0]}" for k, v in errors.items()), errors=errors
        )
    return Filters(kind=kind, region=region, language=language, open_now=open_now, q=q)


def _language_q(code: str) -> Q:
    """Whole codes only: 'en' matches 'en', 'es,en' and 'en,es', never 'eng' or 'ben'."""
    return (
        Q(languages=code)
        | Q(languages__startswith=f"{code},")
        | Q(languages__endswith=f",{code}")
        | Q(languages__contains=f",{code},")
    )


def filtered(filters: Filters) -> QuerySet[Resource]:
    resources = listed_resources()
    if filters.kind:
        resources = resources.filter(kind=filters.kind)
    if filters.region:
        resources = resources.filter(region=filters.region)
    if filters.language:
        resources = resources.filter(_language_q(filters.language))
    if filters.q:
        resources = resources.filter(Q(name__icontains=filters.q) | Q(description__icontains=filters.q))
    return resources


def open_ids(resources: QuerySet[Resource], *, now: datetime) -> list[int]:
    """Ids of the resources open at `now`, in two queries whatever their number (computed in Python)."""
    rows = list(resources.values_list("pk", "timezone", "always_open"))
    periods: dict[int, list[hours_mod.Period]] = {}
    for rid, weekday, opens, closes in OpeningHours.objects.filter(
        resource__in=resources.filter(always_open=False).values("pk")
    ).values_list("resource_id", "weekday", "opens", "closes"):
        periods.setdefault(rid, []).append(hours_mod.Period(weekday=weekday, opens=opens, closes=closes))
    found = []
    for rid, zone_name, always in rows:
        if always or _open_at(periods.get(rid, []), zone_name, now):
            found.append(rid)
    return found


def _open_at(periods: list[hours_mod.Period], zone_name: str, now: datetime) -> bool:
    if not periods:
        return False
    return bool(hours_mod.is_open(periods, always_open=False, tz=_zone_or_utc(zone_name), at=now))


def _zone_or_utc(name: str) -> Any:
    # Stored zones were checked when saved; one made unknown by a tzdata update reads as UTC, not a 500.
    try:
        return recurrence.zone(name)
    except Invalid:
        return recurrence.zone("UTC")


# Reads --------------------------------------------------------------------------------------


def with_display(resources: Iterable[Resource], *, viewer: Any, now: datetime | None = None) -> list[Resource]:
    """Attach what pages and the API show: open status, stale flag (curators only), tel: link, languages.

    Needs `hours` prefetched; runs no query.
    """
    now = now or timezone.now()
    curator = can_see_staleness(viewer)
    shown = []
    for resource in resources:
        rows = list(resource.hours.all())
        r: Any = resource
        r.status = hours_mod.status(rows, always_open=resource.always_open, tz=_zone_or_utc(resource.timezone), at=now)
        r.stale = curator and is_stale(resource, now=now)
        r.tel_url = tel_url(resource.phone)
        r.language_names = [language_name(code) for code in resource.language_list]
        r.hours_text = hours_mod.format_hours(rows, always_open=resource.always_open)
        r.weekly = hours_mod.weekly_table(rows)
        r.zone_label = zone_label(resource.timezone)
        shown.append(resource)
    return shown


def resource_page(
    user: Any, filters: Filters, *, cursor: str | None, limit: int, now: datetime | None = None
) -> Page[Resource]:
    """A page of the directory, by name: 2 queries (resources, hours), 4 with open_now, at any size."""
    now = now or timezone.now()
    resources = filtered(filters)
    if filters.open_now:
        resources = resources.filter(pk__in=open_ids(resources, now=now))
    page = paginate(
        resources.select_related("verified_by").prefetch_related("hours"), LIST_ORDER, cursor=cursor, limit=limit
    )
    page.items = with_display(page.items, viewer=user, now=now)
    return page


def filter_choices() -> tuple[list[str], list[tuple[str, str]]]:
    """Regions and language codes in use among listed resources, for the filter form (one query)."""
    regions: set[str] = set()
    codes: set[str] = set()
    for region, languages in listed_resources().values_list("region", "languages").distinct():
        if region:
            regions.add(region)
        codes.update(c for c in languages.split(",") if c)
    return sorted(regions, key=str.lower), sorted(((c, language_name(c)) for c in codes), key=lambda p: p[1])


def needs_review(user: Any, *, now: datetime | None = None) -> list[Resource]:
    """Curators' to-do list: active stale entries, never reviewed first, then the longest unreviewed."""
    if not can_see_staleness(user):
        raise NotAllowed("Only staff and facilitators review the directory.")
    now = now or timezone.now()
    stale = (
        Resource.objects.filter(active=True)
        .filter(Q(reviewed_at__isnull=True) | Q(reviewed_at__lt=now - STALE_AFTER))
        .select_related("verified_by")
        .prefetch_related("hours")
        .order_by(F("reviewed_at").asc(nulls_first=True), "name", "id")
    )
    return with_display(stale[:STALE_PAGE_MAX], viewer=user, now=now)


def deactivated(user: Any) -> list[Resource]:
    if not can_curate(user):
        raise NotAllowed("Only staff and facilitators curate the directory.")
    return list(Resource.objects.filter(active=False).order_by("name", "id")[:STALE_PAGE_MAX])


def zone_label(name: str) -> str:
    """'New York' for America/New_York: how people name the clock a service keeps."""
    return name.rsplit("/", 1)[-1].replace("_", " ")


def tel_url(phone: str) -> str:
    """'tel:+441632960123' from '+44 1632 960123'; '' when there is no number."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if not digits:
        return ""
    return "tel:" + ("+" if phone.strip().startswith("+") else "") + digits


# Validation ---------------------------------------------------------------------------------


def _bool(field: str) -> Callable[[Any], bool]:
    def check(value: Any) -> bool:
        if isinstance(value, bool):
            return value
        raise Invalid(GENERIC, errors={field: ["Must be true or false."]})

    return check


def _kind(value: Any) -> str:
    if value not in Resource.KINDS:
        raise Invalid(GENERIC, errors={"kind": ["Choose one of the kinds in the list."]})
    return str(value)


def _name(value: Any) -> str:
    text = clean_line(value, field="name", label="Name", max_length=Resource.NAME_MAX, required=True)
    return check_inline(text, field="name", label="Name")


def _website(value: Any) -> str:
    link = clean_line(value, field="website", label="Website", max_length=300)
    if not link:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(link)
    except ValidationError:
        raise Invalid(GENERIC, errors={"website": ["Enter a web address starting with https:// or http://."]}) from None
    return link


def _phone(value: Any) -> str:
    phone = clean_line(value, field="phone", label="Phone", max_length=40)
    if phone and (not PHONE.match(phone) or sum(ch.isdigit() for ch in phone) < 3):
        raise Invalid(
            GENERIC,
            errors={"phone": ["Digits, spaces and + ( ) - . only, e.g. 01632 960123 or +44 1632 960123."]},
        )
    return phone


def clean_languages(value: Any) -> str:
    """'en, ES  fr' or ['en', 'es'] -> 'en,es,fr': lower case ISO 639 codes, no repeats."""
    if isinstance(value, (list, tuple)):
        if not all(isinstance(v, str) for v in value):
            raise Invalid(GENERIC, errors={"languages": ["Give language codes as text, e.g. en, es."]})
        value = ",".join(value)
    text = clean_line(value, field="languages", label="Languages", max_length=200)
    codes: list[str] = []
    for code in re.split(r"[,\s;]+", text.lower()):
        if not code:
            continue
        if not LANGUAGE_CODE.match(code):
            raise Invalid(
                GENERIC,
                errors={"languages": [f"'{code[:12]}' is not a language code; use ISO 639 codes such as en, es, pl."]},
            )
        if code not in codes:
            codes.append(code)
    joined = ",".join(codes)
    if len(joined) > 100:
        raise Invalid(GENERIC, errors={"languages": ["At most 100 characters of language codes."]})
    return joined


def _time(value: Any, what: str) -> time:
    if isinstance(value, time):
        if value.second or value.microsecond or value.tzinfo is not None:
            raise hours_mod.HoursSyntaxError(f"{what} is a time to the minute, e.g. 09:00.")
        return value
    if isinstance(value, str) and len(value) <= 8:
        return hours_mod.parse_time(value.strip())
    raise hours_mod.HoursSyntaxError(f"{what} must be a time such as 09:00.")


def clean_hours(value: Any) -> list[hours_mod.Period]:
    """Weekly periods from a list of {weekday, opens, closes} (or Periods); Invalid naming the bad row."""
    if isinstance(value, str):
        try:
            always, periods = hours_mod.parse(value)
        except hours_mod.HoursSyntaxError as error:
            raise Invalid(GENERIC, errors={"hours": [str(error)]}) from None
        if always:
            raise Invalid(GENERIC, errors={"hours": ["Tick 'Open 24/7' instead of writing 24/7 as hours."]})
        value = periods
    if not isinstance(value, (list, tuple)):
        raise Invalid(GENERIC, errors={"hours": ["Give the hours as a list of weekday, opens and closes."]})
    if len(value) > hours_mod.MAX_PERIODS:
        raise Invalid(GENERIC, errors={"hours": [f"At most {hours_mod.MAX_PERIODS} opening periods a week."]})
    periods = []
    for n, item in enumerate(value, start=1):
        try:
            if isinstance(item, hours_mod.Period):
                weekday, opens, closes = item.weekday, item.opens, item.closes
            elif isinstance(item, Mapping) and set(item) == {"weekday", "opens", "closes"}:
                weekday, opens, closes = item["weekday"], item["opens"], item["closes"]
            else:
                raise hours_mod.HoursSyntaxError("give weekday, opens and closes.")
            if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
                raise hours_mod.HoursSyntaxError("weekday is 0 (Monday) to 6 (Sunday).")
            periods.append(
                hours_mod.Period(weekday=weekday, opens=_time(opens, "Opens"), closes=_time(closes, "Closes"))
            )
        except hours_mod.HoursSyntaxError as error:
            message = str(error)
            raise Invalid(GENERIC, errors={"hours": [f"Period {n}: {message[:1].lower()}{message[1:]}"]}) from None
    clashes = hours_mod.overlaps(periods)
    if clashes:
        messages = [f"{a} overlaps {b}." for a, b in clashes[:5]]
        raise Invalid(GENERIC, errors={"hours": messages})
    return sorted(set(periods))


def clean_values(values: Mapping[str, Any], *, current: Resource | None = None) -> dict[str, Any]:
    """Every field checked together, so one answer names every problem; fields left out keep their value."""
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise Invalid(f"Unknown fields: {', '.join(sorted(unknown))}.")
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}

    def take(field: str, check: Callable[[Any], Any]) -> None:
        if field not in values:
            return
        try:
            out[field] = check(values[field])
        except Invalid as error:
            errors.update(error.errors or {field: [error.detail]})

    take("kind", _kind)
    take("name", _name)
    take("description", lambda v: clean_text(v, field="description", label="Description", max_length=5000))
    take("website", _website)
    take("phone", _phone)
    take("address", lambda v: clean_line(v, field="address", label="Address", max_length=300))
    take("region", lambda v: clean_line(v, field="region", label="Region", max_length=100))
    take("languages", clean_languages)
    take("eligibility", lambda v: clean_text(v, field="eligibility", label="Eligibility", max_length=2000))
    take("cost", lambda v: clean_line(v, field="cost", label="Cost", max_length=200))
    take("timezone", lambda v: recurrence.zone(v).key)
    for flag in ("always_open", "is_example", "active"):
        take(flag, _bool(flag))
    take("hours", clean_hours)
    if current is None:
        for field in ("kind", "name"):
            if field not in values and field not in errors:
                errors[field] = ["This field is required."]
    if errors:
        raise Invalid(GENERIC, errors=errors)
    return out


# Writes -------------------------------------------------------------------------------------


def _check_curator(actor: Any) -> None:
    if not can_curate(actor):
        raise NotAllowed("Only staff and facilitators curate the directory.")


def _save_hours(resource: Resource, periods: list[hours_mod.Period]) -> None:
    OpeningHours.objects.filter(resource=resource).delete()
    OpeningHours.objects.bulk_create(
        [OpeningHours(resource=resource, weekday=p.weekday, opens=p.opens, closes=p.closes) for p in periods]
    )


@transaction.atomic
def create_resource(*, actor: User, **values: Any) -> Resource:
    """Add an entry (curators). A new entry counts as reviewed now; 24/7 entries keep no hours."""
    _check_curator(actor)
    data = clean_values(values)
    periods = data.pop("hours", [])
    if data.get("always_open"):
        periods = []
    resource = Resource.objects.create(created_by=actor, reviewed_at=timezone.now(), **data)
    _save_hours(resource, periods)
    return resource


@transaction.atomic
def update_resource(*, actor: User, resource: Resource, changes: Mapping[str, Any]) -> Resource:
    """Change an entry's fields (curators); `hours` replaces the weekly hours; 24/7 clears them."""
    _check_curator(actor)
    data = clean_values(changes, current=resource)
    periods = data.pop("hours", None)
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    for field, value in data.items():
        setattr(resource, field, value)
    if resource.always_open:
        periods = []
    resource.save()
    if periods is not None:
        _save_hours(resource, periods)
    return resource


@transaction.atomic
def deactivate_resource(*, actor: User, resource: Resource) -> Resource:
    """Take an entry out of the directory (curators); it stays for referrals made to it and can come back."""
    _check_curator(actor)
    Resource.objects.filter(pk=resource.pk).update(active=False, updated_at=timezone.now())
    resource.refresh_from_db()
    return resource


@transaction.atomic
def mark_reviewed(*, actor: User, resource: Resource, verified: bool = False) -> Resource:
    """Record that a curator checked the entry now; `verified` also records them as its verifier."""
    _check_curator(actor)
    now = timezone.now()
    fields: dict[str, Any] = {"reviewed_at": now, "updated_at": now}
    if verified:
        fields.update(verified_by=actor, verified_at=now)
    Resource.objects.filter(pk=resource.pk).update(**fields)
    resource.refresh_from_db()
    return resource
