"""Reads from a PostgreSQL read replica (DATABASE_REPLICA_URL), for the few pages that can bear it.

A replica trails the primary by a moment, so it is used only where a page a moment old harms
nobody, and only in a scope a request enters on purpose: everything else reads the primary.

- Pages: a GET or HEAD of a view named in REPLICA_VIEWS, through `ReplicaReadsMiddleware`.
  Code may also open the scope itself with `reads_from_replica()` (a context manager or decorator).
- Read your writes: the first write in a scope pins the rest of it to the primary, and any
  unsafe request (POST, PUT, PATCH, DELETE) sets a short-lived cookie that keeps its sender's
  next pages on the primary until the replica has caught up (REPLICA_PIN_SECONDS).
- Never inside a transaction (a read there may decide a write), and never for sessions,
  accounts and sign-in, tasks or idempotency keys: who someone is and what was already done
  must always be the latest answer. Rate limits live in the cache, not in the database.
- Migrations run on the primary only; the replica copies them.

Without DATABASE_REPLICA_URL none of this is installed and there is one database, `default`.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
PIN_COOKIE = "kinship_primary"
SAFE_METHODS = frozenset({"GET", "HEAD"})
# Read-only pages where a copy a moment old is fine: what anyone reads, never what they just did.
REPLICA_VIEWS = frozenset(
    {
        "discussions:topic-detail",
        "circles:circle-detail",
        "events:event-detail",
        "search:search",
        "library:material-list",
        "library:material-detail",
        "library:resource-list",
        "library:resource-detail",
    }
)
# Apps whose rows are read from the primary even inside a replica scope (by app label).
PRIMARY_ONLY_APPS = frozenset(
    {
        "sessions",  # the session store behind the cache (cached_db)
        "auth",
        "contenttypes",
        "admin",
        "accounts",  # members, sign-in sessions, API tokens, two-step devices: who someone is
        "api",  # idempotency keys: a retry must find the first answer
        "django_tasks_database",  # the task queue the workers claim rows from
    }
)


@dataclass
class _Scope:
    wrote: bool = False


_scope: ContextVar[_Scope | None] = ContextVar("kinship_replica_scope", default=None)


@contextmanager
def reads_from_replica() -> Iterator[None]:
    """Reads in this block (or decorated function) may use the replica; nested blocks share one scope."""
    if _scope.get() is not None:
        yield
        return
    token = _scope.set(_Scope())
    try:
        yield
    finally:
        _scope.reset(token)


def read_connection(model: type[Model]) -> BaseDatabaseWrapper:
    """The connection for raw SQL reading `model`'s rows: raw SQL on `django.db.connection` skips the router."""
    return connections[router.db_for_read(model)]


def _in_transaction() -> bool:
    return connections[DEFAULT_DB_ALIAS].in_atomic_block


class ReplicaRouter:
    """Sends reads to the replica only inside a replica scope, and everything else to the primary."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        scope = _scope.get()
        if scope is None or scope.wrote or model._meta.app_label in PRIMARY_ONLY_APPS or _in_transaction():
            # Explicitly the primary, even for an object loaded from the replica before a write.
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        scope = _scope.get()
        if scope is not None:
            # From here on this request reads what it wrote: the replica may not have it yet.
            scope.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        # Both aliases hold the same rows.
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


class ReplicaReadsMiddleware:
    """Runs the views in REPLICA_VIEWS in a replica scope, unless the visitor has just written.

    Last in MIDDLEWARE, so the scope holds only the view (and its template), never the session,
    sign-in or CSRF checks around it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _scope.set(None)
        try:
            response = self.get_response(request)
        finally:
            _scope.reset(token)
        if request.method not in SAFE_METHODS:
            # The next few pages this browser asks for come from the primary: it sees its own post.
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def process_view(self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any) -> None:
        match = request.resolver_match
        if (
            request.method in SAFE_METHODS
            and match is not None
            and match.view_name in REPLICA_VIEWS
            and PIN_COOKIE not in request.COOKIES
        ):
            # Reset in __call__ once the response is made, whatever happens in the view.
            _scope.set(_Scope())
