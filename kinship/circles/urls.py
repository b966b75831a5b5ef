from django.urls import path

from kinship.circles import views

app_name = "circles"
urlpatterns = [
    path("circles/", views.circle_list, name="circle-list"),
    path("circles/new/", views.circle_create, name="circle-create"),
    path("c/<slug:slug>/", views.circle_detail, name="circle-detail"),
    path("c/<slug:slug>/edit/", views.circle_edit, name="circle-edit"),
    path("c/<slug:slug>/join/", views.circle_join, name="circle-join"),
    path("c/<slug:slug>/leave/", views.circle_leave, name="circle-leave"),
    path("c/<slug:slug>/invite/new/", views.invite_regenerate, name="invite-regenerate"),
    path("c/<slug:slug>/members/", views.member_list, name="member-list"),
    path(
        "c/<slug:slug>/members/<id:user_id>/<str:action>/",
        views.member_action,
        name="member-action",
    ),
    path("join/<invite:code>/", views.invite_join, name="invite-join"),
]
