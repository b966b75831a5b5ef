"""The library of vetted material: /library/ (namespace `library`, included by library/urls.py)."""

from django.urls import path

from kinship.library import material_views as views

urlpatterns = [
    path("library/", views.material_list, name="material-list"),
    path("library/new/", views.material_new, name="material-new"),
    path("library/<id:material_id>/", views.material_detail, name="material-detail"),
    path("library/<id:material_id>/file/", views.material_file, name="material-file"),
    path("library/<id:material_id>/edit/", views.material_edit, name="material-edit"),
    path("library/<id:material_id>/unpublish/", views.material_unpublish, name="material-unpublish"),
    path("library/<id:material_id>/publish/", views.material_publish, name="material-publish"),
]
