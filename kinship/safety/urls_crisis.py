"""Crisis alert pages for facilitators (mounted in kinship/urls.py)."""

from django.urls import path

from kinship.safety import views_crisis as views

app_name = "crisis"
urlpatterns = [
    path("c/<slug:slug>/crisis-alerts/", views.circle_alerts, name="circle-alerts"),
    path("crisis-alerts/<id:alert_id>/reached-out/", views.alert_acknowledge, name="alert-acknowledge"),
]
