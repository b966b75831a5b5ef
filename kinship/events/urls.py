from django.urls import path

from kinship.events import feeds, views

app_name = "events"
urlpatterns = [
    path("c/<slug:slug>/events/", views.circle_calendar, name="circle-calendar"),
    path("c/<slug:slug>/events/new/", views.event_create, name="event-create"),
    path("c/<slug:slug>/attendance/", views.circle_attendance, name="circle-attendance"),
    path("c/<slug:slug>/attendance/<id:user_id>/", views.member_attendance, name="member-attendance"),
    path("c/<slug:slug>/calendar.ics", feeds.circle_feed, name="circle-feed"),
    path("events/<id:event_id>/", views.event_detail, name="event-detail"),
    path("events/<id:event_id>/edit/", views.event_edit, name="event-edit"),
    path("events/<id:event_id>/cancel/", views.event_cancel, name="event-cancel"),
    path("events/<id:event_id>/<occurrence:key>/", views.occurrence_detail, name="occurrence-detail"),
    path("events/<id:event_id>/<occurrence:key>/rsvp/", views.rsvp_update, name="rsvp-update"),
    path("events/<id:event_id>/<occurrence:key>/edit/", views.occurrence_edit, name="occurrence-edit"),
    path("events/<id:event_id>/<occurrence:key>/attendance/", views.attendance, name="attendance"),
    path("me/calendar/", feeds.calendar_settings, name="calendar-settings"),
    path("me/calendar.ics", feeds.member_feed, name="member-feed"),
]
