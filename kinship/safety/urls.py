from django.urls import path

from kinship.safety import views_moderation as views

app_name = "safety"
urlpatterns = [
    path("posts/<id:post_id>/report/", views.post_report, name="post-report"),
    path("posts/<id:post_id>/moderate/", views.post_moderate, name="post-moderate"),
    path("accounts/people/<id:user_id>/report/", views.person_report, name="person-report"),
    path("c/<slug:slug>/moderation/", views.circle_queue, name="circle-queue"),
    path("staff/moderation/", views.site_queue, name="site-queue"),
    path("staff/moderation/reports/<id:report_id>/", views.report_decide, name="report-decide"),
    path("staff/moderation/people/<id:user_id>/", views.person_moderate, name="person-moderate"),
]
