from django.urls import path

from kinship.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("terms/", views.terms, name="terms"),
    path("privacy/", views.privacy, name="privacy"),
    path("healthz", views.healthz, name="healthz"),
    path("floor/", views.floor, name="floor"),
]
