from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from kinship.accounts import admin_guard
from kinship.accounts.models import ApiToken, User
from kinship.safety import audit

# Site-wide roles: a change to any of them is written to the audit log.
ROLE_FLAGS = ("is_staff", "is_superuser", "is_active")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "role", "is_staff", "email_verified_at", "date_joined"]
    list_filter = ["role", "is_staff", "is_active"]
    search_fields = ["email", "display_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["display_name", "role", "bio", "avatar"]}),
        (
            "Recovery context",
            {
                "fields": [
                    "diagnosis",
                    "diagnosis_visibility",
                    "surgery_type",
                    "surgery_type_visibility",
                    "body_site",
                    "body_site_visibility",
                    "surgery_date",
                    "surgery_date_visibility",
                ]
            },
        ),
        (
            "Status",
            {
                "fields": [
                    "email_verified_at",
                    "terms_accepted_at",
                    "terms_version",
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                    "last_login",
                    "date_joined",
                ]
            },
        ),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "display_name", "password1", "password2"]})]

    def save_model(self, request: Any, obj: User, form: Any, change: bool) -> None:
        changed = [flag for flag in ROLE_FLAGS if flag in getattr(form, "changed_data", [])]
        super().save_model(request, obj, form, change)
        if changed:
            detail = ", ".join(f"{flag} {getattr(obj, flag)}" for flag in changed)
            audit.record(actor=request.user, action="role_change", target=obj, detail=detail)

    readonly_fields = ["terms_accepted_at", "terms_version", "last_login", "date_joined"]

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        # An account goes only by erasure (safety.data_rights), which keeps the circles' member counts,
        # the topics' reply counts and the moderation record right; a cascade delete would break them.
        # Staff switch an account off with "active" instead.
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "last_used_at"]
    readonly_fields = ["user", "key_hash", "created_at", "last_used_at"]

    def has_add_permission(self, request):  # tokens are issued through the API only
        return False


admin_guard.guard(admin.site)
