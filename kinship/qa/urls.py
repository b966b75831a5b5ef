from django.urls import path

from kinship.qa import live_views, speaker_views, views

app_name = "qa"
urlpatterns = [
    path("events/<id:event_id>/questions/", views.questions, name="questions"),
    path("events/<id:event_id>/questions/board/", views.board, name="board"),
    path("events/<id:event_id>/questions/stream/", live_views.stream, name="stream"),
    path("questions/<id:question_id>/vote/", views.vote, name="vote"),
    path("questions/<id:question_id>/moderate/", views.moderate, name="moderate"),
    path("questions/<id:question_id>/answer/", views.answer, name="answer"),
    path("events/<id:event_id>/speakers/", speaker_views.invitations, name="speakers"),
    path("speaker-invitations/<id:invitation_id>/revoke/", speaker_views.revoke, name="invitation-revoke"),
    path("speak/<str:token>/", speaker_views.accept, name="accept"),
    path("me/speaker/", speaker_views.profile, name="speaker-profile"),
    path("staff/speakers/", speaker_views.verification, name="verification"),
    path("staff/speakers/<id:profile_id>/verify/", speaker_views.verify, name="verify"),
]
