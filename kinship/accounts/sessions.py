"""Where a member is signed in: browser sessions and API tokens, each of which they may end.

A row is written when a browser signs in and removed when it signs out; sessions that expired or
were flushed (a password change, a sign-out elsewhere) are left out when listing and tidied then.
"""

from dataclasses import dataclass
from datetime import datetime
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from kinship.accounts.models import ApiToken, SignInSession, User
from kinship.core.converters import parse_id
from kinship.core.errors import Invalid


@dataclass(frozen=True)
class SessionRow:
    id: int
    device: str
    signed_in_at: datetime
    current: bool


def _store() -> Any:
    return import_module(settings.SESSION_ENGINE).SessionStore


def remember(*, user: User, request: HttpRequest) -> None:
    """Name the browser session that just signed in (called on sign-in)."""
    key = request.session.session_key
    if not key:
        request.session.save()
        key = request.session.session_key
    agent = str(request.META.get("HTTP_USER_AGENT", ""))[: SignInSession.AGENT_MAX]
    SignInSession.objects.update_or_create(session_key=key, defaults={"user": user, "user_agent": agent})


def forget(*, session_key: str | None) -> None:
    if session_key:
        SignInSession.objects.filter(session_key=session_key).delete()


def describe(agent: str) -> str:
    """A short, human name for a browser, from its user agent ("Firefox on Android")."""
    browsers = [("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari")]
    systems = [("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows")]
    systems += [("Mac OS X", "Mac"), ("Linux", "Linux")]
    browser = next((name for mark, name in browsers if mark in agent), "A browser")
    system = next((name for mark, name in systems if mark in agent), "")
    return f"{browser} on {system}" if system else browser


def list_sessions(*, user: User, current_key: str | None) -> list[SessionRow]:
    """The member's live browser sessions, newest first: two queries whatever their number."""
    rows = list(SignInSession.objects.filter(user=user).order_by("-created_at", "-id"))
    live = set(
        Session.objects.filter(
            session_key__in=[r.session_key for r in rows], expire_date__gt=timezone.now()
        ).values_list("session_key", flat=True)
    )
    gone = [r.pk for r in rows if r.session_key not in live and r.session_key != current_key]
    if gone:
        SignInSession.objects.filter(pk__in=gone).delete()
    return [
        SessionRow(
            id=r.pk, device=describe(r.user_agent), signed_in_at=r.created_at, current=r.session_key == current_key
        )
        for r in rows
        if r.pk not in gone
    ]


@transaction.atomic
def end_session(*, user: User, session_id: Any) -> None:
    """Sign one of the member's own browsers out; someone else's session id is simply not found."""
    pk = parse_id(session_id)
    row = SignInSession.objects.filter(user=user, pk=pk).first() if pk else None
    if row is None:
        raise Invalid("That session has already ended.", errors={"session": ["That session has already ended."]})
    _store()(session_key=row.session_key).delete()
    row.delete()


@transaction.atomic
def end_other_sessions(*, user: User, current_key: str | None) -> int:
    """Sign out every other browser and revoke every API token; the current browser stays signed in."""
    rows = list(SignInSession.objects.filter(user=user).exclude(session_key=current_key or ""))
    store = _store()
    for row in rows:
        store(session_key=row.session_key).delete()
    SignInSession.objects.filter(pk__in=[r.pk for r in rows]).delete()
    tokens, _ = ApiToken.objects.filter(user=user).delete()
    return len(rows) + tokens


def list_tokens(*, user: User) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user).order_by("-created_at", "-id"))


@transaction.atomic
def revoke_token(*, user: User, token_id: Any) -> None:
    pk = parse_id(token_id)
    deleted, _ = ApiToken.objects.filter(user=user, pk=pk).delete() if pk else (0, {})
    if not deleted:
        raise Invalid("That app is already signed out.", errors={"token": ["That app is already signed out."]})
