from django.urls import path

from kinship.peers import message_views

urlpatterns = [
    path("messages/", message_views.inbox, name="inbox"),
    path("messages/new/<id:user_id>/", message_views.conversation_new, name="conversation-new"),
    path("messages/<id:conversation_id>/", message_views.conversation, name="conversation"),
    path("messages/<id:conversation_id>/report/<id:message_id>/", message_views.message_report, name="message-report"),
    path("people/<id:user_id>/block/", message_views.block, name="block"),
    path("staff/message-reports/", message_views.message_reports, name="message-reports"),
    path("staff/message-reports/<id:report_id>/", message_views.message_report_detail, name="message-report-detail"),
]
