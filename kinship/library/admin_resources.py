"""Admin for the resource directory: entries with their weekly hours, filters, and the stale flag."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from kinship.core.errors import Invalid
from kinship.library import directory
from kinship.library.models import OpeningHours, Resource


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 1
    max_num = 28
    fields = ["weekday", "opens", "closes"]


class StaleFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "stale"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Needs review (over 365 days or never)"), ("no", "Reviewed in the last 365 days")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Resource]) -> QuerySet[Resource]:
        cutoff = timezone.now() - directory.STALE_AFTER
        stale = Q(reviewed_at__isnull=True) | Q(reviewed_at__lt=cutoff)
        if self.value() == "yes":
            return queryset.filter(stale)
        if self.value() == "no":
            return queryset.exclude(stale)
        return queryset


class ResourceAdminForm(forms.ModelForm):
    """The same checks as the pages for the fields the admin would otherwise take as typed."""

    website = forms.URLField(max_length=300, required=False, assume_scheme="https")

    class Meta:
        model = Resource
        fields = [
            "kind", "name", "description", "website", "phone", "address", "region", "languages", "eligibility",
            "cost", "timezone", "always_open", "verified_by", "verified_at", "reviewed_at", "is_example", "active",
            "created_by",
        ]  # fmt: skip

    def _check(self, name: str) -> Any:
        try:
            return directory.clean_values({name: self.cleaned_data.get(name)}, current=self.instance)[name]
        except Invalid as error:
            raise forms.ValidationError(error.errors.get(name) or [error.detail]) from None

    def clean_timezone(self) -> Any:
        return self._check("timezone")

    def clean_languages(self) -> Any:
        return self._check("languages")

    def clean_phone(self) -> Any:
        return self._check("phone")

    def clean_name(self) -> Any:
        return self._check("name")

    def clean_website(self) -> Any:
        return self._check("website")


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    form = ResourceAdminForm
    inlines = [OpeningHoursInline]
    list_display = [
        "name",
        "kind",
        "region",
        "languages",
        "always_open",
        "active",
        "is_example",
        "reviewed_at",
        "stale",
    ]
    list_filter = [StaleFilter, "kind", "active", "is_example", "always_open", "region"]
    search_fields = ["name", "description", "region"]
    raw_id_fields = ["verified_by", "created_by"]
    readonly_fields = ["created_at", "updated_at"]
    actions = ["mark_reviewed", "mark_verified", "deactivate"]

    @admin.display(boolean=True, description="Needs review")
    def stale(self, obj: Resource) -> bool:
        return directory.is_stale(obj)

    @admin.action(description="Mark reviewed today")
    def mark_reviewed(self, request: HttpRequest, queryset: QuerySet[Resource]) -> None:
        for resource in queryset:
            directory.mark_reviewed(actor=request.user, resource=resource)  # type: ignore[arg-type]
        messages.success(request, f"{queryset.count()} marked reviewed.")

    @admin.action(description="Mark verified by me")
    def mark_verified(self, request: HttpRequest, queryset: QuerySet[Resource]) -> None:
        for resource in queryset:
            directory.mark_reviewed(actor=request.user, resource=resource, verified=True)  # type: ignore[arg-type]
        messages.success(request, f"{queryset.count()} marked verified.")

    @admin.action(description="Deactivate (take out of the directory)")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Resource]) -> None:
        for resource in queryset:
            directory.deactivate_resource(actor=request.user, resource=resource)  # type: ignore[arg-type]
        messages.success(request, f"{queryset.count()} deactivated.")
