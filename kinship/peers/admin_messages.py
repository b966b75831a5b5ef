"""Admin for messages: staff must never browse message text here.

Conversations, participants, messages and blocks are not registered at all. Reports are listed
read-only, without the message or the reporter's words; staff read a reported message on the
report page (/staff/message-reports/<id>/), where the look is written to the audit log.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from kinship.core.admin import ReadOnlyAdmin
from kinship.peers.models import MessageReport


@admin.register(MessageReport)
class MessageReportAdmin(ReadOnlyAdmin):
    list_display = ["id", "status", "reporter", "created_at", "closed_at", "open_report"]
    list_filter = ["status"]
    # Only these columns: the message and the reason stay out of the admin.
    fields = ["status", "reporter", "created_at", "closed_at", "closed_by"]
    readonly_fields = ["status", "reporter", "created_at", "closed_at", "closed_by"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("reporter").defer("reason")

    @admin.display(description="Read (audited)")
    def open_report(self, report: MessageReport) -> str:
        return format_html('<a href="{}">Open the report</a>', reverse("peers:message-report-detail", args=[report.pk]))
