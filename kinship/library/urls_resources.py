"""Routes of the resource directory (namespace `library`)."""

from django.urls import path

from kinship.library import resource_views as views

urlpatterns = [
    path("resources/", views.resource_list, name="resource-list"),
    path("resources/new/", views.resource_create, name="resource-new"),
    path("resources/export.csv", views.resource_export, name="resource-export"),
    path("resources/import/", views.resource_import, name="resource-import"),
    path("resources/<id:resource_id>/", views.resource_detail, name="resource-detail"),
    path("resources/<id:resource_id>/edit/", views.resource_edit, name="resource-edit"),
    path("resources/<id:resource_id>/review/", views.resource_review, name="resource-review"),
    path("staff/resources/", views.resource_stale, name="resource-stale"),
]
