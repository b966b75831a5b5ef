"""Admin for library materials: staff review, edit, unpublish and delete; uploads go through the library pages.

Every change goes through kinship.library.materials, so the admin keeps the same rules as the pages
(a link or a PDF, never both; a deleted material's file is removed from storage).
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from kinship.core.errors import Invalid
from kinship.library import materials
from kinship.library.models import Material

TEXT_FIELDS = ("title", "description", "theme", "source", "url")


def _formfield(field: models.Field, **kwargs: Any) -> forms.Field | None:
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class MaterialAdminForm(forms.ModelForm):
    class Meta:
        model = Material
        formfield_callback = _formfield
        fields = ["title", "theme", "description", "source", "url", "published"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        values = {name: data.get(name, "") for name in TEXT_FIELDS if name in self.fields}
        try:
            materials.clean_fields(values, self.instance)
        except Invalid as error:
            for field, problems in error.errors.items():
                self.add_error(field if field in self.fields else None, problems)
        return data


@admin.register(Material)
class MaterialAdmin(admin.ModelAdmin):
    form = MaterialAdminForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["title", "theme", "kind", "published", "created_at", "added_by"]
    list_filter = ["theme", "kind", "published"]
    search_fields = ["title", "description", "source"]
    list_select_related = ["added_by"]
    actions = ["publish", "unpublish"]
    readonly_fields = ["kind", "download", "original_name", "file_size", "added_by", "created_at", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # New material, PDFs above all, comes in through /library/new/, where the upload checks live.
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Material | None = None) -> list[str]:
        fields = list(self.readonly_fields)
        if obj is not None and obj.kind == Material.PDF:
            fields.append("url")  # a PDF has no link; replace the file on the material's edit page
        return fields

    @admin.display(description="File")
    def download(self, obj: Material) -> str:
        url = materials.file_url(obj)
        return format_html('<a href="{}">Download</a>', url) if url else "-"

    def save_model(self, request: HttpRequest, obj: Material, form: Any, change: bool) -> None:
        curator: Any = request.user
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in TEXT_FIELDS}
        if changes:
            materials.update_material(curator=curator, material=obj, changes=changes)
        if "published" in form.changed_data:
            materials.set_published(curator=curator, material=obj, published=bool(form.cleaned_data["published"]))

    def delete_model(self, request: HttpRequest, obj: Material) -> None:
        materials.delete_material(curator=request.user, material=obj)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Material]) -> None:
        for material in queryset:
            materials.delete_material(curator=request.user, material=material)  # type: ignore[arg-type]

    @admin.action(description="Publish the selected material")
    def publish(self, request: HttpRequest, queryset: QuerySet[Material]) -> None:
        for material in queryset:
            materials.set_published(curator=request.user, material=material, published=True)  # type: ignore[arg-type]
        messages.success(request, "Published.")

    @admin.action(description="Unpublish the selected material")
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Material]) -> None:
        for material in queryset:
            materials.set_published(curator=request.user, material=material, published=False)  # type: ignore[arg-type]
        messages.success(request, "Unpublished: only staff and facilitators see it now.")
