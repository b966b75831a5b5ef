from django.urls import path

from kinship.library import tip_views

urlpatterns = [
    path("tips/", tip_views.tip_list, name="tip-list"),
    path("tips/<id:tip_id>/", tip_views.tip_detail, name="tip-detail"),
    path("tips/<id:tip_id>/helpful/", tip_views.tip_helpful, name="tip-helpful"),
    path("tips/<id:tip_id>/feature/", tip_views.tip_feature, name="tip-feature"),
    path("tips/<id:tip_id>/hide/", tip_views.tip_hide, name="tip-hide"),
    path("tips/<id:tip_id>/edit/", tip_views.tip_edit, name="tip-edit"),
    path("tips/<id:tip_id>/delete/", tip_views.tip_delete, name="tip-delete"),
]
