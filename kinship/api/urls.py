"""The JSON API, version 1, mounted at /api/v1/ (kinship/urls.py)."""

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Router

from kinship.api import (
    accounts,
    circles,
    data_rights,
    discussions,
    errors,
    events,
    journal_checkins,
    journal_milestones,
    journal_progress,
    library,
    mentoring,
    messages,
    moderation,
    notifications,
    qa,
    referrals,
    resources,
    search,
    tips,
)
from kinship.api.parser import JsonParser

api = NinjaAPI(
    title="Kinship API",
    version="1",
    urls_namespace="api",
    parser=JsonParser(),
    description=(
        "The JSON API of Kinship, over the same services as the pages. "
        "Authenticate with `Authorization: Bearer <token>` from `POST /auth/token`. "
        "Errors are application/problem+json. Lists are cursor-paginated: "
        '`{"items": [...], "next": cursor-or-null}` with `?cursor=` and `?limit=` (default 20, max 100). '
        "Creating requests accept an `Idempotency-Key` header."
    ),
)
errors.install(api)
api.add_router("", accounts.router)
api.add_router("", data_rights.router)
api.add_router("", circles.router)
api.add_router("", discussions.router)
api.add_router("", events.router)
api.add_router("", qa.router)
api.add_router("", resources.router)
api.add_router("", library.router)
api.add_router("", tips.router)
api.add_router("", referrals.router)
api.add_router("", search.router)
api.add_router("", mentoring.router)
api.add_router("", messages.router)
api.add_router("", moderation.router)
api.add_router("", notifications.router)
api.add_router("", journal_milestones.router)
api.add_router("", journal_checkins.router)
api.add_router("", journal_progress.router)

# Last, so it only catches what no route above matched: an unknown API path is a problem+json 404 too.
fallback = Router()


@fallback.api_operation(["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", auth=None, include_in_schema=False)
def unknown_path(request: HttpRequest, rest: str) -> HttpResponse:
    return errors.problem(404, "There is no such API endpoint.")


api.add_router("", fallback)
