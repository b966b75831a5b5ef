"""Admin for mentoring: staff read mentor profiles and mentorships and decide on mentors.

Decisions go through mentoring.decide (audited, and retiring declines waiting requests), so the
status is read-only here and the actions call the service. Mentorships are read-only; opening one
(its message and private feedback) is written to the audit log like a look on the site.
"""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from kinship.core.errors import KinshipError
from kinship.peers import mentoring
from kinship.peers.models import MentorProfile, Mentorship

MENTORSHIP_FIELDS = (
    "mentee", "mentor", "status", "preferences", "message", "respond_by", "responded_at", "ended_at",
    "ended_by", "feedback", "created_at", "updated_at",
)  # fmt: skip


def _decide(action: str) -> Any:
    def run(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[MentorProfile]) -> None:
        done = 0
        for profile in queryset:
            try:
                mentoring.decide(staff=request.user, profile=profile, action=action)  # type: ignore[arg-type]
                done += 1
            except KinshipError as error:
                modeladmin.message_user(request, f"{profile.user}: {error.detail}", messages.WARNING)
        modeladmin.message_user(request, f"{done} mentor profile(s): {action}.")

    run.__name__ = f"{action}_mentors"
    return admin.action(description=f"{action.capitalize()} the selected mentors")(run)


@admin.register(MentorProfile)
class MentorProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "status", "paused_by_self", "surgery_type", "body_site", "capacity", "created_at"]
    list_filter = ["status", "surgery_type", "age_band"]
    list_select_related = ["user"]
    search_fields = ["user__display_name", "diagnosis", "body_site"]
    readonly_fields = ["user", "status", "paused_by_self", "decided_by", "decided_at", "guidelines_accepted_at"]
    actions = [_decide(a) for a in mentoring.STAFF_ACTIONS]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Mentorship)
class MentorshipAdmin(admin.ModelAdmin):
    list_display = ["mentee", "mentor", "status", "created_at", "respond_by", "responded_at", "ended_at"]
    list_filter = ["status"]
    list_select_related = ["mentee", "mentor"]
    search_fields = ["mentee__display_name", "mentor__display_name"]
    date_hierarchy = "created_at"
    fields = MENTORSHIP_FIELDS
    readonly_fields = MENTORSHIP_FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        found = Mentorship.objects.filter(pk=object_id).first() if str(object_id).isdigit() else None
        if found is not None and request.method == "GET":
            mentoring.look_at(request.user, found)  # type: ignore[arg-type]
        return super().change_view(request, object_id, form_url, extra_context)
