"""Admin for referrals: staff read them and their history; they are made and moved on the site.

Referrals are made through referrals.refer (which checks the circle, the membership and the
resource) and moved through the referral page (which writes the history and restarts the
follow-up clock), so here every field is read-only and nothing is added. Staff may delete one,
say on the member's request.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kinship.library.models import Referral, ReferralUpdate

UPDATE_FIELDS = ("status", "by", "created_at")
REFERRAL_FIELDS = (
    "resource", "member", "referred_by", "circle", "note", "status", "follow_up_days", "follow_up_at",
    "reminded_at", "closed_at", "created_at", "updated_at",
)  # fmt: skip


class ReferralUpdateInline(admin.TabularInline):
    model = ReferralUpdate
    extra = 0
    can_delete = False
    fields = UPDATE_FIELDS
    readonly_fields = UPDATE_FIELDS

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    list_display = ["resource", "member", "referred_by", "circle", "status", "follow_up_at", "reminded_at", "closed_at"]
    list_filter = ["status", ("closed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["resource", "member", "referred_by", "circle"]
    search_fields = ["resource__name", "member__display_name", "referred_by__display_name", "circle__name"]
    date_hierarchy = "created_at"
    inlines = [ReferralUpdateInline]
    fields = REFERRAL_FIELDS
    readonly_fields = REFERRAL_FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
