"""Library pages: the list by theme, a material, its PDF download, and the curators' add, edit and unpublish.

Uploads are limited before they are read: a body past MAX_REQUEST_BYTES is refused unread, and a
file that grows past MAX_FILE_BYTES while it streams in is skipped (the rest is read and dropped,
never kept). The CSRF check then runs on the parsed form, which is why the two upload views are
exempted from the middleware's check and protected inside instead.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from kinship.accounts.auth import signed_in
from kinship.core.errors import Invalid, NotAllowed
from kinship.core.forms import show_errors
from kinship.library import materials
from kinship.library.forms_materials import MaterialForm
from kinship.library.models import THEME_CHOICES, Material

PAGE_SIZE = 20
FORM = "library/material_form.html"
NOT_CURATOR = "Only staff and facilitators can add and change library material."


class SizeLimit(FileUploadHandler):
    """Skips a file as soon as it passes the limit, so nothing past it is kept in memory or on disk."""

    def __init__(self, request: HttpRequest | None = None, *, limit: int = materials.MAX_FILE_BYTES) -> None:
        super().__init__(request)
        self.limit = limit
        self.exceeded = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            self.exceeded = True
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def _too_large_page(request: HttpRequest, ctx: dict[str, Any], form: MaterialForm) -> HttpResponse:
    refused = materials.too_large()
    if form.is_bound:
        form.is_valid()
        form.add_error("file", refused.errors["file"])
        form.add_error(None, refused.detail)
        return render(request, FORM, {**ctx, "form": form}, status=413)
    # The body was never read, so there is nothing to show again but the message.
    return render(request, FORM, {**ctx, "form": form, "refused": refused.detail}, status=413)


def _form_page(request: HttpRequest, material: Material | None) -> HttpResponse:
    """GET shows the form; POST checks the size first, then CSRF, then the service does the rest."""
    ctx: dict[str, Any] = {"material": material, "creating": material is None}
    initial = {}
    if material is not None:
        initial = {f: getattr(material, f) for f in ("title", "theme", "description", "source", "url")}
    if request.method != "POST":
        return render(request, FORM, {**ctx, "form": MaterialForm(initial=initial, material=material)})
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > materials.MAX_REQUEST_BYTES:
        # Refused before a byte of the body is read.
        return _too_large_page(request, ctx, MaterialForm(initial=initial, material=material))
    limit = SizeLimit(request)
    request.upload_handlers.insert(0, limit)
    return _save(request, ctx, material, limit)


@csrf_protect
def _save(request: HttpRequest, ctx: dict[str, Any], material: Material | None, limit: SizeLimit) -> HttpResponse:
    form = MaterialForm(request.POST, request.FILES, material=material)
    ctx = {**ctx, "form": form}
    if limit.exceeded:
        return _too_large_page(request, ctx, form)
    if not form.is_valid():
        return render(request, FORM, ctx, status=422)
    curator = signed_in(request)
    try:
        if material is None:
            material = materials.add_material(curator=curator, **form.values())
            messages.success(request, "Added to the library.")
        else:
            material = materials.update_material(curator=curator, material=material, changes=form.values())
            messages.success(request, "Your changes are saved.")
    except Invalid as error:
        show_errors(form, error)
        return render(request, FORM, ctx, status=error.status)
    return redirect(material)


def _refuse_unless_curator(request: HttpRequest) -> None:
    if not materials.can_curate(request.user):
        raise NotAllowed(NOT_CURATOR)


@require_http_methods(["GET", "HEAD"])
def material_list(request: HttpRequest) -> HttpResponse:
    theme = request.GET.get("theme", "")
    ctx: dict[str, Any] = {
        "themes": THEME_CHOICES,
        "theme": theme if theme in materials.THEME_LABELS else "",
        "theme_label": materials.THEME_LABELS.get(theme, ""),
        "can_curate": materials.can_curate(request.user),
    }
    try:
        page = materials.material_page(
            request.user, theme=theme, cursor=request.GET.get("cursor") or None, limit=PAGE_SIZE
        )
    except Invalid as error:
        return render(request, "library/material_list.html", {**ctx, "error": error.detail}, status=422)
    return render(request, "library/material_list.html", {**ctx, "page": page})


@require_http_methods(["GET", "HEAD"])
def material_detail(request: HttpRequest, material_id: int) -> HttpResponse:
    material = materials.get_material_for(request.user, material_id)
    ctx = {
        "material": material,
        "file_url": materials.file_url(material),
        "can_curate": materials.can_curate(request.user),
    }
    return render(request, "library/material_detail.html", ctx)


@require_http_methods(["GET", "HEAD"])
def material_file(request: HttpRequest, material_id: int) -> FileResponse:
    """The PDF as a download that no browser will render as a page or run as a script."""
    material = materials.get_material_for(request.user, material_id)
    if not materials.can_download(request.user, material):
        raise Http404("This material has no file.")
    try:
        handle = materials.storage().open(material.file.name or "", "rb")
    except OSError:
        raise Http404("The file is missing.") from None
    response = FileResponse(handle, content_type="application/pdf")
    response["Content-Disposition"] = materials.content_disposition(material.original_name or "document.pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    # Unpublishing must take effect at once: shared caches never keep a copy.
    response["Cache-Control"] = "private, no-cache"
    return response


@csrf_exempt  # checked in _save, after the size limit is in place (the check reads the body)
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def material_new(request: HttpRequest) -> HttpResponse:
    _refuse_unless_curator(request)
    return _form_page(request, None)


@csrf_exempt  # checked in _save, after the size limit is in place (the check reads the body)
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def material_edit(request: HttpRequest, material_id: int) -> HttpResponse:
    material = materials.get_material_for(request.user, material_id)
    _refuse_unless_curator(request)
    return _form_page(request, material)


def _publish(request: HttpRequest, material_id: int, *, published: bool) -> HttpResponse:
    material = materials.get_material_for(request.user, material_id)
    materials.set_published(curator=signed_in(request), material=material, published=published)
    if published:
        messages.success(request, "Published: everyone can see it again.")
    else:
        messages.success(request, "Unpublished: only staff and facilitators can see it now.")
    return redirect(material)


@require_POST
@login_required
def material_unpublish(request: HttpRequest, material_id: int) -> HttpResponse:
    return _publish(request, material_id, published=False)


@require_POST
@login_required
def material_publish(request: HttpRequest, material_id: int) -> HttpResponse:
    return _publish(request, material_id, published=True)
