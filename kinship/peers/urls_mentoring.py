from django.urls import path

from kinship.peers import mentoring_views

urlpatterns = [
    path("mentoring/", mentoring_views.mentoring_overview, name="mentoring"),
    path("mentoring/apply/", mentoring_views.mentor_apply, name="mentor-apply"),
    path("mentoring/find/", mentoring_views.mentor_find, name="mentor-find"),
    path("mentoring/request/<id:user_id>/", mentoring_views.mentor_request, name="mentor-request"),
    path("mentorships/<id:mentorship_id>/", mentoring_views.mentorship_detail, name="mentorship-detail"),
    path("staff/mentoring/", mentoring_views.mentoring_staff, name="mentoring-staff"),
]
