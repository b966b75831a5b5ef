from django.contrib import admin

from kinship.core.admin import ReadOnlyAdmin
from kinship.safety.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Staff read the audit log here; nobody edits or deletes it."""

    list_display = ["created_at", "actor", "action", "target_type", "target_id", "detail"]
    list_filter = ["action", "target_type"]
    search_fields = ["action", "target_type", "detail"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"
