from django.urls import path

from kinship.discussions import views

app_name = "discussions"
urlpatterns = [
    path("c/<slug:slug>/new/", views.topic_create, name="topic-create"),
    path("t/<id:topic_id>/", views.topic_detail, name="topic-detail"),
    path("t/<id:topic_id>/reply/", views.reply_create, name="reply-create"),
    path("t/<id:topic_id>/moderate/", views.topic_moderate, name="topic-moderate"),
    path("p/<id:post_id>/", views.post_detail, name="post-detail"),
    path("p/<id:post_id>/edit/", views.post_edit, name="post-edit"),
    path("p/<id:post_id>/delete/", views.post_delete, name="post-delete"),
    path("p/<id:post_id>/react/", views.post_react, name="post-react"),
    path("p/<id:post_id>/hide/", views.post_hide, name="post-hide"),
]
