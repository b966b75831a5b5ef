from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from kinship.core.admin import ReadOnlyAdmin
from kinship.qa.models import Question, SpeakerInvitation, SpeakerProfile, Vote


class VerifiedFilter(admin.SimpleListFilter):
    title = "verified"
    parameter_name = "verified"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Verified"), ("no", "Not verified")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(verified_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(verified_at__isnull=True)
        return queryset


@admin.register(SpeakerProfile)
class SpeakerProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "profession", "organisation", "verified_at", "verified_by"]
    list_filter = [VerifiedFilter]
    search_fields = ["profession", "organisation"]
    # Verifying needs a note of what was checked, and new words must clear it: both happen
    # on /staff/speakers/ and /me/speaker/ through the services, so here staff only read.
    readonly_fields = [
        "user", "profession", "organisation", "verified_at", "verified_by", "verification_note",
        "created_at", "updated_at",
    ]  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(SpeakerInvitation)
class SpeakerInvitationAdmin(admin.ModelAdmin):
    # The address is shown here, to staff, and on no page of the site.
    list_display = ["name", "email", "event", "invited_by", "expires_at", "accepted_by", "accepted_at", "revoked_at"]
    list_filter = [("accepted_at", admin.EmptyFieldListFilter), ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "email"]
    raw_id_fields = ["event", "invited_by", "accepted_by"]
    # Only the hash of the link is stored; editing it could only break the link. Invitations are
    # made, accepted and revoked on the site (revoking also removes the speaker); staff may only
    # give a link more time.
    exclude = ["token_hash"]
    readonly_fields = [
        "event", "name", "email", "invited_by", "accepted_by", "accepted_at", "revoked_at", "created_at", "updated_at",
    ]  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["pk", "event", "status", "anonymous", "vote_count", "pinned", "answered_at", "created_at"]
    list_filter = ["status", "anonymous", "pinned"]
    search_fields = ["body"]
    raw_id_fields = ["event", "author", "answered_by", "merged_into"]
    # Facilitators moderate on the site, where each change bumps the live version; here staff read.
    readonly_fields = [
        "event", "author", "anonymous", "body", "status", "merged_into", "vote_count", "pinned", "answer",
        "answer_html", "answered_by", "answered_at", "created_at", "updated_at",
    ]  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin):
    list_display = ["question", "voter", "created_at"]
    raw_id_fields = ["question", "voter"]
    readonly_fields = ["question", "voter", "created_at"]
