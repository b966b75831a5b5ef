"""Admin for member tips: staff read tips and their votes, and feature or hide them through the services."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from kinship.accounts.auth import signed_in
from kinship.core.admin import ReadOnlyAdmin
from kinship.core.errors import KinshipError
from kinship.library import tips
from kinship.library.models import Tip, TipVote


class FeaturedFilter(admin.SimpleListFilter):
    title = "featured"
    parameter_name = "featured"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Featured"), ("no", "Not featured")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(featured_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(featured_at__isnull=True)
        return queryset


def _each(request: HttpRequest, queryset: QuerySet[Tip], act: Any, done: str) -> None:
    changed = 0
    for tip in queryset.filter(deleted_at__isnull=True):
        try:
            act(tip)
        except KinshipError as refused:
            messages.warning(request, f"Tip {tip.pk}: {refused.detail}")
        else:
            changed += 1
    messages.success(request, f"{done}: {changed} tip{'s' if changed != 1 else ''}.")


@admin.register(Tip)
class TipAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "theme",
        "__str__",
        "author",
        "helpful_count",
        "featured_at",
        "hidden",
        "deleted_at",
        "created_at",
    ]
    list_filter = ["theme", "hidden", FeaturedFilter, ("deleted_at", admin.EmptyFieldListFilter)]
    search_fields = ["body"]
    list_select_related = ["author"]
    # Words are the member's own, and the count must match the votes: staff read here and act
    # through the actions below, which call the same services as the pages.
    readonly_fields = [
        "author", "theme", "body", "body_html", "helpful_count", "featured_at", "featured_by", "hidden",
        "deleted_at", "created_at", "updated_at",
    ]  # fmt: skip
    actions = ["feature", "unfeature", "hide", "unhide"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Feature the selected tips")
    def feature(self, request: HttpRequest, queryset: QuerySet[Tip]) -> None:
        user = signed_in(request)
        _each(request, queryset, lambda tip: tips.feature_tip(curator=user, tip=tip, featured=True), "Featured")

    @admin.action(description="Unfeature the selected tips")
    def unfeature(self, request: HttpRequest, queryset: QuerySet[Tip]) -> None:
        user = signed_in(request)
        _each(request, queryset, lambda tip: tips.feature_tip(curator=user, tip=tip, featured=False), "Unfeatured")

    @admin.action(description="Hide the selected tips from members")
    def hide(self, request: HttpRequest, queryset: QuerySet[Tip]) -> None:
        user = signed_in(request)
        _each(request, queryset, lambda tip: tips.hide_tip(curator=user, tip=tip, hidden=True), "Hidden")

    @admin.action(description="Unhide the selected tips")
    def unhide(self, request: HttpRequest, queryset: QuerySet[Tip]) -> None:
        user = signed_in(request)
        _each(request, queryset, lambda tip: tips.hide_tip(curator=user, tip=tip, hidden=False), "Unhidden")


@admin.register(TipVote)
class TipVoteAdmin(ReadOnlyAdmin):
    list_display = ["tip", "voter", "created_at"]
    raw_id_fields = ["tip", "voter"]
    readonly_fields = ["tip", "voter", "created_at"]
