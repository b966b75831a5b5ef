from django.contrib import admin

from kinship.circles.models import Circle, Membership
from kinship.circles.services import recount_members


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]
    readonly_fields = ["guidelines_accepted_at"]


@admin.register(Circle)
class CircleAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "visibility", "join_policy", "member_count", "created_at"]
    list_filter = ["visibility", "join_policy"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["invite_code", "created_by", "member_count"]
    inlines = [MembershipInline]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Memberships added, changed or deleted in the inline skip the services that count them.
        recount_members([form.instance])
