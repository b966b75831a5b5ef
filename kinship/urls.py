from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path, register_converter
from django.views.static import serve

from kinship.api.urls import api
from kinship.core.converters import IdConverter, InviteCodeConverter, OccurrenceKeyConverter
from kinship.events import feeds

register_converter(IdConverter, "id")
register_converter(InviteCodeConverter, "invite")
register_converter(OccurrenceKeyConverter, "occurrence")

urlpatterns = [
    path("", include("kinship.core.urls")),
    path("accounts/", include("kinship.accounts.urls")),
    path("accounts/", include("kinship.safety.urls_data_rights")),
    path("", include("kinship.circles.urls")),
    path("", include("kinship.discussions.urls")),
    path("", include("kinship.events.urls")),
    path("", include("kinship.qa.urls")),
    path("", include("kinship.library.urls")),
    path("", include("kinship.search.urls")),
    path("", include("kinship.peers.urls")),
    path("", include("kinship.journal.urls")),
    path("", include("kinship.notifications.urls")),
    path("", include("kinship.safety.urls_crisis")),
    path("", include("kinship.safety.urls")),
    # Calendar feeds are iCalendar, not JSON: plain views, mounted where API.md lists them.
    path("api/v1/circles/<slug:slug>/calendar.ics", feeds.circle_feed, name="api-circle-feed"),
    path("api/v1/me/calendar.ics", feeds.member_feed, name="api-member-feed"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    # Avatars and partner logos only, one file name deep (no "..", no subfolders); served by the app so the
    # single-machine mode needs nothing else. Library PDFs are never here: library's material-file serves them.
    re_path(
        r"^media/(?P<path>(?:avatars|organisations)/[^/\\.][^/\\]*)$", serve, {"document_root": settings.MEDIA_ROOT}
    ),
]

handler404 = "kinship.core.views.not_found"
handler500 = "kinship.core.views.server_error"
