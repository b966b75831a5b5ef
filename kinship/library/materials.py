"""The library of vetted material: who may see and curate it, every write, and the reads pages and API share.

Links and PDF files, tagged by theme. Anyone, signed out too, reads published material; staff and
the facilitators of any circle add, edit and unpublish it (adding is the vetting: there is no queue).

Uploaded PDFs are the risky part, so a file is kept only when its bytes are a PDF (not its name),
it is at most MAX_FILE_BYTES, and it is stored under a random name (`library/<uuid4 hex>.pdf`) that
no page or response shows. It is served only by the `material-file` view, as an attachment with
headers that stop a browser from running or sniffing it; `/media/` does not serve `library/` at all.
The uploader's file name is kept, cleaned, for display and for the download's name.
"""

import re
import unicodedata
import uuid
from typing import Any, cast
from urllib.parse import quote, urlsplit

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import Storage
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404

from kinship.accounts.models import User
from kinship.core import ratelimit
from kinship.core.converters import id_or_404
from kinship.core.errors import Invalid, NotAllowed
from kinship.core.pagination import Page, paginate
from kinship.core.text import check_inline, clean_line, clean_text
from kinship.library import access as library_access
from kinship.library.models import THEME_CHOICES, THEMES, Material

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILE_LABEL = "10 MB"
# Room for the form's other fields around the file in a multipart body; past this the body is refused unread.
MAX_REQUEST_BYTES = MAX_FILE_BYTES + 256 * 1024
UPLOADS_PER_HOUR = 30
ORDER = ["-created_at", "-id"]
THEME_LABELS = dict(THEME_CHOICES)
FIELDS = {"title", "description", "theme", "source", "url", "upload"}
GENERIC = "Please correct the highlighted fields."

# A PDF starts with its header (%PDF-1.x or %PDF-2.0) and ends with %%EOF, give or take trailing whitespace
# or a few bytes of junk some writers leave after it; 1 KB from the end is the usual tolerance.
_PDF_HEADER = re.compile(rb"%PDF-[12]\.[0-9]")
_PDF_TAIL_BYTES = 1024
_URLS = URLValidator(schemes=["http", "https"])
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")


class TooLarge(Invalid):
    """An upload past the size limit: 413, with a message naming the limit."""

    status = 413
    title = "File too large"


def too_large() -> TooLarge:
    return TooLarge(
        f"That file is too large: a PDF can be at most {MAX_FILE_LABEL}.",
        errors={"file": [f"At most {MAX_FILE_LABEL}. Try a smaller or compressed copy."]},
    )


def storage() -> Storage:
    """The storage the file field uses (the default storage)."""
    return cast(Any, Material._meta.get_field("file")).storage


# Access -------------------------------------------------------------------------------------


def can_curate(user: Any) -> bool:
    """Add, edit, unpublish and publish again: curators (staff and facilitators)."""
    return library_access.is_curator(user)


def visible_materials(user: Any) -> QuerySet[Material]:
    """Published material for everyone; curators also see what was unpublished, to edit or restore it."""
    materials = Material.objects.select_related("added_by")
    if can_curate(user):
        return materials
    return materials.filter(published=True)


def get_material_for(user: Any, material_id: Any) -> Material:
    """The material, or Http404 when it is missing or unpublished and the user does not curate."""
    material = visible_materials(user).filter(pk=id_or_404(material_id)).first()
    if material is None:
        raise Http404("No such material.")
    return material


def can_download(user: Any, material: Material) -> bool:
    """A PDF's file, for whoever may see the material (visible_materials decided that)."""
    return material.kind == Material.PDF and bool(material.file)


# Input checks -------------------------------------------------------------------------------


def parse_theme(raw: Any) -> str | None:
    """A theme filter: empty means all; anything not in THEMES is a clear 422."""
    if raw in (None, ""):
        return None
    if not isinstance(raw, str) or raw not in THEMES:
        raise Invalid("There is no such theme.", errors={"theme": [f"Choose one of: {', '.join(THEMES)}."]})
    return raw


def _theme(value: Any) -> str:
    if not isinstance(value, str) or value not in THEMES:
        raise Invalid(GENERIC, errors={"theme": ["Choose a theme."]})
    return value


def _title(value: Any) -> str:
    title = clean_line(value, field="title", label="Title", max_length=Material.TITLE_MAX, required=True)
    return check_inline(title, field="title", label="Title")


def _url(value: Any) -> str:
    url = clean_line(value, field="url", label="Link", max_length=500)
    if not url:
        return ""
    try:
        _URLS(url)
    except ValidationError:
        raise Invalid(GENERIC, errors={"url": ["Give the full address, starting with https://."]}) from None
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise Invalid(GENERIC, errors={"url": ["Give the address without a user name or password in it."]})
    return url


def display_name(raw: Any) -> str:
    """The uploader's file name, for display only: no folders, no control or direction characters, ends in .pdf."""
    name = raw if isinstance(raw, str) else ""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    # Control, format (direction overrides, zero-width) and unassigned characters have no place in a name.
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] not in "CZ" or ch == " ")
    name = " ".join(name.split())
    stem = name[:-4] if name.lower().endswith(".pdf") else name
    room = Material._meta.get_field("original_name").max_length - 4  # type: ignore[operator]
    stem = stem.strip(" .")[:room].rstrip(" .")
    return f"{stem or 'document'}.pdf"


def ascii_name(name: str) -> str:
    """A plain ASCII stand-in for a download name: accents dropped, anything odd an underscore."""
    stem = name[:-4] if name.lower().endswith(".pdf") else name
    folded = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    folded = _UNSAFE_NAME.sub("_", folded).strip(" ._")
    folded = re.sub(r"_{2,}", "_", folded)[:100]
    return f"{folded or 'document'}.pdf"


def content_disposition(name: str) -> str:
    """attachment; filename="<ascii>" (RFC 6266), plus filename*=UTF-8''... (RFC 5987) when the name is not ASCII."""
    fallback = ascii_name(name)
    header = f'attachment; filename="{fallback}"'
    if name != fallback:
        header += f"; filename*=UTF-8''{quote(name, safe='')}"
    return header


def check_pdf(upload: Any) -> int:
    """The upload's size when its bytes are a PDF within the limit; Invalid (TooLarge past the limit) if not."""
    if not isinstance(upload, File):
        raise Invalid(GENERIC, errors={"file": ["Choose a PDF file."]})
    size = upload.size
    if not size:
        raise Invalid("That file is empty.", errors={"file": ["The file is empty. Choose the PDF again."]})
    if size > MAX_FILE_BYTES:
        raise too_large()
    not_pdf = Invalid(
        "That file is not a PDF.",
        errors={"file": ["Only PDF documents can be uploaded (the file's contents are checked, not its name)."]},
    )
    upload.seek(0)
    head = upload.read(16)
    if not _PDF_HEADER.match(head or b""):
        raise not_pdf
    upload.seek(max(0, size - _PDF_TAIL_BYTES))
    tail = upload.read(_PDF_TAIL_BYTES)
    if b"%%EOF" not in (tail or b""):
        raise Invalid(
            "That PDF looks damaged or cut short.",
            errors={"file": ["The PDF is incomplete (it has no end marker). Try saving or downloading it again."]},
        )
    upload.seek(0)
    return int(size)


def clean_fields(values: dict[str, Any], current: Material | None) -> dict[str, Any]:
    """Every field checked together, so one answer names every problem; a missing field keeps its value."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    checks: dict[str, Any] = {
        "title": _title,
        "description": lambda v: clean_text(
            v, field="description", label="Description", max_length=Material.DESCRIPTION_MAX
        ),
        "theme": _theme,
        "source": lambda v: clean_line(v, field="source", label="Source", max_length=200),
        "url": _url,
    }
    for field, check in checks.items():
        if field not in values and current is not None:
            out[field] = getattr(current, field)
            continue
        try:
            out[field] = check(values.get(field))
        except Invalid as error:
            errors.update(error.errors or {field: [error.detail]})
    upload = values.get("upload")
    if upload is not None and "url" not in values:
        out["url"] = ""  # a new file replaces the link unless a link is given too
    too_big: TooLarge | None = None
    if upload is not None:
        try:
            out["file_size"] = check_pdf(upload)
        except TooLarge as error:
            too_big = error
        except Invalid as error:
            errors.update(error.errors)
    # Exactly one of a link and a file. Editing a PDF with the link left empty keeps its file.
    keeps_file = current is not None and current.kind == Material.PDF
    if "url" not in errors:
        if upload is not None and out["url"]:
            errors["file"] = ["Give a link or a PDF file, not both: empty the link field to upload a file."]
        elif upload is None and not out["url"] and not keeps_file:
            errors["url"] = ["Give a link or upload a PDF file."]
    if too_big is not None:
        too_big.errors = {**errors, **too_big.errors}
        raise too_big
    if errors:
        raise Invalid(GENERIC, errors=errors)
    return out


def _store(upload: File) -> str:
    """Save the upload under a fresh random name; the name it came with is never used on disk."""
    return storage().save(f"library/{uuid.uuid4().hex}.pdf", upload)


def _delete_file_later(name: str) -> None:
    """Remove a stored file once the change that dropped it is committed (a rollback keeps it)."""
    if name:
        transaction.on_commit(lambda: storage().delete(name))


def _refuse_unless_curator(user: Any) -> None:
    if not can_curate(user):
        raise NotAllowed("Only staff and facilitators can add and change library material.")


def _count_upload(user: User) -> None:
    ratelimit.check(
        "library-upload",
        str(user.pk),
        limit=UPLOADS_PER_HOUR,
        window=3600,
        message=f"At most {UPLOADS_PER_HOUR} files an hour can be uploaded. Please try again later.",
    )


# Services -----------------------------------------------------------------------------------


def add_material(*, curator: User, **values: Any) -> Material:
    """A new published link or PDF (exactly one); staff and facilitators only. Raises NotAllowed, Invalid, TooLarge."""
    _refuse_unless_curator(curator)
    unknown = set(values) - FIELDS
    if unknown:
        raise Invalid(f"Unknown fields: {', '.join(sorted(unknown))}.")
    fields = clean_fields(values, None)
    upload = values.get("upload")
    if upload is not None:
        _count_upload(curator)
    stored = _store(upload) if upload is not None else ""
    try:
        with transaction.atomic():
            return Material.objects.create(
                kind=Material.PDF if stored else Material.LINK,
                title=fields["title"],
                description=fields["description"],
                theme=fields["theme"],
                source=fields["source"],
                url="" if stored else fields["url"],
                file=stored,
                file_size=fields.get("file_size", 0),
                original_name=display_name(getattr(upload, "name", "")) if stored else "",
                added_by=curator,
            )
    except BaseException:
        if stored:
            storage().delete(stored)
        raise


def update_material(*, curator: User, material: Material, changes: dict[str, Any]) -> Material:
    """Change what is given; a new file or link replaces the old one (a replaced file is deleted)."""
    _refuse_unless_curator(curator)
    unknown = set(changes) - FIELDS
    if unknown:
        raise Invalid(f"Unknown fields: {', '.join(sorted(unknown))}.")
    fields = clean_fields(changes, material)
    upload = changes.get("upload")
    if upload is not None:
        _count_upload(curator)
    stored = _store(upload) if upload is not None else ""
    try:
        with transaction.atomic():
            material = Material.objects.select_for_update().get(pk=material.pk)
            old_file = material.file.name or ""
            for name in ("title", "description", "theme", "source"):
                setattr(material, name, fields[name])
            if stored:
                material.kind, material.url, material.file = Material.PDF, "", stored
                material.file_size = fields["file_size"]
                material.original_name = display_name(getattr(upload, "name", ""))
            elif fields["url"]:
                material.kind, material.url, material.file = Material.LINK, fields["url"], ""
                material.file_size, material.original_name = 0, ""
            material.save()
            if old_file and old_file != material.file.name:
                _delete_file_later(old_file)
    except BaseException:
        if stored:
            storage().delete(stored)
        raise
    return Material.objects.select_related("added_by").get(pk=material.pk)


@transaction.atomic
def set_published(*, curator: User, material: Material, published: bool) -> Material:
    """Unpublish (only curators see it then, and its file) or publish again; staff and facilitators only."""
    _refuse_unless_curator(curator)
    if not isinstance(published, bool):
        raise Invalid(GENERIC, errors={"published": ["Must be true or false."]})
    Material.objects.filter(pk=material.pk).update(published=published)
    material.published = published
    return material


@transaction.atomic
def delete_material(*, curator: User, material: Material) -> None:
    """Remove the row and, once that is committed, its stored file (the admin's delete)."""
    _refuse_unless_curator(curator)
    name = material.file.name or ""
    material.delete()
    _delete_file_later(name)


# Queries ------------------------------------------------------------------------------------


def material_page(user: Any, *, theme: Any = None, cursor: str | None = None, limit: int = 20) -> Page[Material]:
    """One page of what the user may see, newest first, optionally one theme; one query."""
    materials = visible_materials(user)
    chosen = parse_theme(theme)
    if chosen:
        materials = materials.filter(theme=chosen)
    return paginate(materials, ORDER, cursor=cursor, limit=limit)


def file_url(material: Material) -> str | None:
    """The download path of a PDF (the safe view), or None for a link."""
    if material.kind != Material.PDF or not material.file:
        return None
    return f"/library/{material.pk}/file/"
