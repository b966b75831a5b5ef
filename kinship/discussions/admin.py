from django.contrib import admin

from kinship.discussions.models import Post, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["title", "circle", "reply_count", "pinned", "locked", "hidden", "deleted_at", "last_activity_at"]
    list_filter = ["pinned", "locked", "hidden"]
    search_fields = ["title"]
    raw_id_fields = ["circle"]
    readonly_fields = ["reply_count", "last_activity_at", "created_at"]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["pk", "topic", "anonymous", "hidden", "deleted_at", "created_at"]
    list_filter = ["anonymous", "hidden"]
    raw_id_fields = ["topic", "author"]
    readonly_fields = ["body_html", "strength_count", "me_too_count", "celebrate_count", "created_at", "edited_at"]
