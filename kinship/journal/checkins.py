"""Wellbeing check-ins: recording and deleting one, the checks on its input, and the member's own list.

A check-in is its owner's alone (journal.access). Pages and API call these same functions, so a
score of 11, an unknown problem code or an oversize note is refused the same way everywhere, and a
refused check-in changes nothing (not even the reminder choice sent with it).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from kinship.accounts.models import User
from kinship.core import ratelimit
from kinship.core.errors import Invalid, NotAllowed
from kinship.core.forms import GENERIC
from kinship.core.pagination import Page, paginate
from kinship.core.signals import alert_if_crisis
from kinship.core.text import clean_text
from kinship.journal import access, problems
from kinship.journal.models import NOTE_MAX, CheckIn
from kinship.notifications import services as notifications
from kinship.notifications.models import EmailPreference

LIST_ORDER = ["-created_at", "-id"]
# Generous for someone checking in as often as they like; stops a script filling the journal.
CHECKINS_PER_HOUR = 30
REMINDER = EmailPreference.CHECKIN_REMINDER


def clean_score(value: Any, *, field: str, label: str) -> int:
    """A whole number 0-10 from a form ("7") or JSON (7); anything else is Invalid naming the field."""
    message = f"Choose {label.lower()} from 0 to {CheckIn.SCORE_MAX}."
    if isinstance(value, str):
        text = value.strip()
        value = int(text) if text.isascii() and text.isdigit() and len(text) <= 2 else None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= CheckIn.SCORE_MAX:
        raise Invalid(message, errors={field: [message]})
    return value


def clean_problems(value: Any) -> list[str]:
    """Codes from journal.problems, sorted, no repeats; an unknown code or a non-list is Invalid."""
    message = "Choose concerns from the problem list."
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or len(value) > len(problems.ALL_ITEMS) * 2:
        raise Invalid(message, errors={"problems": [message]})
    codes: set[str] = set()
    for code in value:
        if not isinstance(code, str) or code not in problems.ALL_ITEMS:
            raise Invalid(message, errors={"problems": [message]})
        codes.add(code)
    return sorted(codes)


def clean_checkin(data: dict[str, Any]) -> dict[str, Any]:
    """Every field checked together, so one answer names every problem."""
    cleaners = {
        "distress": lambda v: clean_score(v, field="distress", label="Distress"),
        "pain": lambda v: clean_score(v, field="pain", label="Pain"),
        "problems": clean_problems,
        "note": lambda v: clean_text(v, field="note", label="Note", max_length=NOTE_MAX),
    }
    clean: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    details: list[str] = []
    for name, check in cleaners.items():
        try:
            clean[name] = check(data.get(name))
        except Invalid as error:
            errors.update(error.errors)
            details.append(error.detail)
    if errors:
        raise Invalid(details[0] if len(details) == 1 else GENERIC, errors=errors)
    return clean


def clean_flag(value: Any, *, field: str) -> bool:
    """A JSON boolean or a checkbox value ("on", "true", "1")."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("on", "true", "1", "yes"):
        return True
    if value in (None, "", "off", "false", "0", "no"):
        return False
    raise Invalid("Must be true or false.", errors={field: ["Must be true or false."]})


@transaction.atomic
def record_checkin(
    *,
    member: User,
    distress: Any,
    pain: Any,
    problems: Any = None,
    note: Any = "",
    weekly_reminder: Any = None,
) -> CheckIn:
    """Record a check-in; `weekly_reminder` (when given) also sets the opt-in weekly reminder email.

    Raises NotAllowed for inactive accounts, Invalid naming each bad field, RateLimited past
    CHECKINS_PER_HOUR an hour.
    """
    if not access.can_keep_journal(member):
        raise NotAllowed("Sign in to keep a journal.")
    clean = clean_checkin({"distress": distress, "pain": pain, "problems": problems, "note": note})
    wants_reminder = None if weekly_reminder is None else clean_flag(weekly_reminder, field="weekly_reminder")
    ratelimit.check(
        "journal-checkin",
        str(member.pk),
        limit=CHECKINS_PER_HOUR,
        window=3600,
        message=f"You have checked in {CHECKINS_PER_HOUR} times this hour. Please wait a little.",
    )
    checkin = CheckIn.objects.create(owner=member, **clean)
    # Only facilitators the member shares check-in summaries with are told (safety.crisis_alerts), never the note.
    alert_if_crisis(writer=member, source_type="checkin", source_id=checkin.pk, text=clean["note"])
    if wants_reminder is not None:
        set_weekly_reminder(member=member, weekly=wants_reminder)
    return checkin


@transaction.atomic
def delete_checkin(*, member: User, checkin: CheckIn) -> None:
    """The owner deletes a check-in, and any request for support made with it. NotAllowed for anyone else."""
    if checkin.owner_id != member.pk:
        raise NotAllowed("Only the member who checked in can delete a check-in.")
    CheckIn.objects.filter(pk=checkin.pk, owner=member).delete()


def weekly_reminder_on(user: User) -> bool:
    return bool(getattr(notifications.preferences_for(user), REMINDER))


@transaction.atomic
def set_weekly_reminder(*, member: User, weekly: Any) -> bool:
    """Opt in to (or out of) the weekly check-in reminder email; returns the new choice."""
    if not access.can_keep_journal(member):
        raise NotAllowed("Sign in to keep a journal.")
    if not isinstance(weekly, bool):
        raise Invalid("Must be true or false.", errors={"weekly": ["Must be true or false."]})
    notifications.update_preferences(user=member, changes={REMINDER: weekly})
    return weekly


# Reads --------------------------------------------------------------------------------------


def own_checkins(user: User) -> QuerySet[CheckIn]:
    return CheckIn.objects.filter(owner=user)


def checkin_page(user: User, *, cursor: str | None, limit: int) -> Page[CheckIn]:
    """The member's own check-ins, newest first: one query at any size."""
    return paginate(own_checkins(user), LIST_ORDER, cursor=cursor, limit=limit)


@dataclass(frozen=True)
class ProblemGroup:
    code: str
    label: str
    items: list[tuple[str, str]]


def problem_groups(codes: Iterable[str]) -> list[ProblemGroup]:
    """The ticked concerns by group, in the problem list's order (codes no longer known are skipped)."""
    ticked = set(codes)
    found = []
    for group, label, items in problems.GROUPS:
        chosen = [(code, text) for code, text in items if code in ticked]
        if chosen:
            found.append(ProblemGroup(code=group, label=label, items=chosen))
    return found


def problem_out(codes: Iterable[str]) -> list[dict[str, str]]:
    return [
        {"code": code, "label": problems.ITEM_LABELS[code], "group": problems.ITEM_GROUP[code]}
        for code in codes
        if code in problems.ALL_ITEMS
    ]
