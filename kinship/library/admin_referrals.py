"""Admin for referrals: staff read them and their history; they are made and moved on the site.

Referrals are made through referrals.refer (which checks the circle, the membership and the
resource) and moved through the referral page (which writes the history and restarts the
follow-up clock), so here every field is read-only and nothing is added. Staff may delete one,
say on the member's request.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from kinship.core.converters import parse_id
from kinship.library import referrals
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

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        # The page shows the private note: a staff look here is audited like one on the site.
        pk = parse_id(object_id)
        found = Referral.objects.filter(pk=pk).first() if pk is not None else None
        if found is not None and request.method == "GET":
            referrals.look_at(request.user, found)
        return super().change_view(request, object_id, form_url, extra_context)
