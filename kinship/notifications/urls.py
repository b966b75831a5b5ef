from django.urls import path

from kinship.notifications import notice_views, views

app_name = "notifications"
urlpatterns = [
    path("me/email/", views.preferences, name="preferences"),
    path("email/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("notifications/", notice_views.notice_list, name="notices"),
    path("notifications/read/", notice_views.notice_read, name="notices-read"),
]
