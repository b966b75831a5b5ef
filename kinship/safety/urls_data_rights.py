"""The member's data pages, under /accounts/ beside their other settings (mounted in kinship/urls.py)."""

from django.urls import path

from kinship.safety import views_data_rights as views

app_name = "data_rights"
urlpatterns = [
    path("data/", views.data_overview, name="data"),
    path("data/download/", views.data_download, name="data-download"),
    path("delete/", views.account_delete, name="delete"),
]
