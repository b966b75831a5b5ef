"""Pages of the resource directory. Thin: library.directory for rules, reads and writes; csv_io for files."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from kinship.accounts.auth import signed_in
from kinship.core.errors import Invalid, NotAllowed
from kinship.core.forms import show_errors
from kinship.core.htmx import is_htmx
from kinship.library import csv_io, directory
from kinship.library.forms_resources import (
    ImportForm,
    ResourceEditForm,
    ResourceFilterForm,
    ResourceForm,
    hours_formset,
    hours_values,
    resource_initial,
)

PAGE_SIZE = 20
CURATORS_ONLY = "Only staff and facilitators curate the directory."


def _require_curator(request: HttpRequest) -> None:
    if not directory.can_curate(request.user):
        raise NotAllowed(CURATORS_ONLY)


@require_GET
def resource_list(request: HttpRequest) -> HttpResponse:
    """The directory with its filters; a plain GET form, so it works without JavaScript."""
    regions, languages = directory.filter_choices()
    # Unbound, with the query as initial values: parse_filters is what checks them, and says so once.
    initial: dict[str, Any] = request.GET.dict()
    initial["open_now"] = initial.get("open_now", "").strip().lower() in directory.TRUE_WORDS
    form = ResourceFilterForm(initial=initial, regions=regions, languages=languages)
    ctx: dict[str, Any] = {
        "form": form,
        "can_curate": directory.can_curate(request.user),
        "filter_errors": [],
        "resources": [],
        "next_url": "",
        "filtered": False,
    }
    status = 200
    try:
        filters = directory.parse_filters(request.GET)
        page = directory.resource_page(request.user, filters, cursor=request.GET.get("cursor") or None, limit=PAGE_SIZE)
    except Invalid as error:
        ctx["filter_errors"] = [m for messages_ in error.errors.values() for m in messages_] or [error.detail]
        status = 422
    else:
        ctx["resources"] = page.items
        ctx["filtered"] = filters.any
        if page.next:
            query = request.GET.copy()
            query["cursor"] = page.next
            ctx["next_url"] = f"{reverse('library:resource-list')}?{query.urlencode()}"
        ctx["first_url"] = _without_cursor(request)
    template = "library/resource_list.html#results" if is_htmx(request) else "library/resource_list.html"
    return render(request, template, ctx, status=status)


def _without_cursor(request: HttpRequest) -> str:
    if not request.GET.get("cursor"):
        return ""
    query = request.GET.copy()
    query.pop("cursor")
    return f"{reverse('library:resource-list')}?{query.urlencode()}"


@require_GET
def resource_detail(request: HttpRequest, resource_id: int) -> HttpResponse:
    resource = directory.get_resource_for(request.user, resource_id)
    [resource] = directory.with_display([resource], viewer=request.user)
    ctx = {"resource": resource, "can_curate": directory.can_curate(request.user)}
    return render(request, "library/resource_detail.html", ctx)


def _form_page(request: HttpRequest, ctx: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, "library/resource_form.html", ctx, status=status)


def _hours_errors(error: Invalid) -> list[str]:
    return list(error.errors.pop("hours", []))


@login_required
def resource_create(request: HttpRequest) -> HttpResponse:
    _require_curator(request)
    data = request.POST if request.method == "POST" else None
    form = ResourceForm(data)
    formset = hours_formset(data)
    ctx: dict[str, Any] = {"form": form, "hours": formset, "hours_errors": [], "creating": True}
    if request.method != "POST":
        return _form_page(request, ctx)
    if not (form.is_valid() & formset.is_valid()):
        return _form_page(request, ctx, 422)
    try:
        resource = directory.create_resource(actor=signed_in(request), **form.values(), hours=hours_values(formset))
    except Invalid as error:
        ctx["hours_errors"] = _hours_errors(error)
        show_errors(form, error)
        return _form_page(request, ctx, 422)
    messages.success(request, "The entry is in the directory.")
    return redirect(resource)


@login_required
def resource_edit(request: HttpRequest, resource_id: int) -> HttpResponse:
    resource = directory.get_resource_for(request.user, resource_id)
    _require_curator(request)
    data = request.POST if request.method == "POST" else None
    form = ResourceEditForm(data, initial=resource_initial(resource))
    formset = hours_formset(data, resource=resource)
    ctx: dict[str, Any] = {
        "form": form,
        "hours": formset,
        "hours_errors": [],
        "creating": False,
        "resource": resource,
    }
    if request.method != "POST":
        return _form_page(request, ctx)
    if not (form.is_valid() & formset.is_valid()):
        return _form_page(request, ctx, 422)
    try:
        directory.update_resource(
            actor=signed_in(request),
            resource=resource,
            changes={**form.values(), "hours": hours_values(formset)},
        )
    except Invalid as error:
        ctx["hours_errors"] = _hours_errors(error)
        show_errors(form, error)
        return _form_page(request, ctx, 422)
    messages.success(request, "Your changes are saved.")
    return redirect(resource)


@require_POST
@login_required
def resource_review(request: HttpRequest, resource_id: int) -> HttpResponse:
    """Mark reviewed now, or verified (reviewed too, with the curator as verifier)."""
    resource = directory.get_resource_for(request.user, resource_id)
    _require_curator(request)
    action = request.POST.get("action")
    if action not in ("reviewed", "verified"):
        raise Invalid("Choose 'Mark reviewed' or 'Mark verified'.", errors={"action": ["Unknown action."]})
    directory.mark_reviewed(actor=signed_in(request), resource=resource, verified=action == "verified")
    messages.success(request, f"{resource.name} is marked {'verified' if action == 'verified' else 'reviewed'} today.")
    if request.POST.get("back") == "stale":
        return redirect("library:resource-stale")
    return redirect(resource)


@require_GET
@login_required
def resource_export(request: HttpRequest) -> HttpResponse:
    body = csv_io.export_csv(actor=request.user)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kinship-resources-{timezone.localdate():%Y-%m-%d}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def resource_import(request: HttpRequest) -> HttpResponse:
    _require_curator(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    ctx: dict[str, Any] = {"form": form, "report": None, "columns": csv_io.COLUMNS}
    if request.method != "POST":
        return render(request, "library/resource_import.html", ctx)
    if not form.is_valid():
        return render(request, "library/resource_import.html", ctx, status=422)
    upload = form.cleaned_data["file"]
    if upload.size > csv_io.MAX_BYTES:
        report = csv_io.ImportReport(
            errors=[csv_io.RowError(0, "", f"The file is {upload.size:,} bytes; the limit is {csv_io.MAX_BYTES:,}.")]
        )
    else:
        report = csv_io.import_csv(
            actor=signed_in(request), data=upload.read(csv_io.MAX_BYTES + 1), check_only=form.cleaned_data["check_only"]
        )
    ctx["report"] = report
    if report.saved:
        messages.success(request, f"Imported: {report.created} new, {report.updated} updated.")
    return render(request, "library/resource_import.html", ctx, status=200 if report.ok else 422)


@require_GET
@login_required
def resource_stale(request: HttpRequest) -> HttpResponse:
    """Staff and facilitators: entries not reviewed for a year (never reviewed first), then deactivated ones."""
    ctx = {
        "resources": directory.needs_review(request.user),
        "deactivated": directory.deactivated(request.user),
        "stale_days": directory.STALE_AFTER.days,
        "limit": directory.STALE_PAGE_MAX,
    }
    return render(request, "library/resource_stale.html", ctx)
