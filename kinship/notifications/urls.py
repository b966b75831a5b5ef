from django.urls import path

from kinship.notifications import views

app_name = "notifications"
urlpatterns = [
    path("me/email/", views.preferences, name="preferences"),
    path("email/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
