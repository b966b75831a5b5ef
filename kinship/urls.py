from django.conf import settings
from django.contrib import admin
from django.urls import include, path, register_converter
from django.views.static import serve

from kinship.api.urls import api
from kinship.core.converters import IdConverter, InviteCodeConverter

register_converter(IdConverter, "id")
register_converter(InviteCodeConverter, "invite")

urlpatterns = [
    path("", include("kinship.core.urls")),
    path("accounts/", include("kinship.accounts.urls")),
    path("", include("kinship.circles.urls")),
    path("", include("kinship.discussions.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    # Avatars only; served by the app so the single-machine mode needs nothing else.
    path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}),
]

handler404 = "kinship.core.views.not_found"
handler500 = "kinship.core.views.server_error"
