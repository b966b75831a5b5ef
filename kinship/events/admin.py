from django.contrib import admin

from kinship.events.models import Event, Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "website"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "circle", "kind", "starts_at", "rrule", "cancelled_at"]
    list_filter = ["kind", "circle"]
    search_fields = ["title"]
    raw_id_fields = ["circle", "facilitator", "speakers"]
    filter_horizontal = ["partners"]
    # Description HTML is made from the Markdown by the service; never typed by hand.
    readonly_fields = ["description_html", "sequence"]
