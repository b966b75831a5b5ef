from django.urls import path

from kinship.journal import views_checkins

urlpatterns = [
    path("journal/checkins/", views_checkins.checkin_list, name="checkins"),
    path("journal/checkins/new/", views_checkins.checkin_new, name="checkin-new"),
    path("journal/checkins/<id:checkin_id>/", views_checkins.checkin_detail, name="checkin-detail"),
    path("journal/checkins/<id:checkin_id>/delete/", views_checkins.checkin_delete, name="checkin-delete"),
    path("journal/checkins/<id:checkin_id>/support/", views_checkins.support_request, name="support-request"),
    path("journal/sharing/", views_checkins.sharing, name="sharing"),
    path("journal/sharing/revoke/", views_checkins.sharing_revoke, name="sharing-revoke"),
    path(
        "journal/support/<id:request_id>/acknowledge/", views_checkins.support_acknowledge, name="support-acknowledge"
    ),
    path("c/<slug:slug>/wellbeing/", views_checkins.circle_wellbeing, name="circle-wellbeing"),
]
