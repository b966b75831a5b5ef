from django.urls import path

from kinship.journal import views_milestones as views

urlpatterns = [
    path("journal/milestones/", views.milestone_list, name="milestones"),
    path("journal/milestones/<id:milestone_id>/", views.milestone_detail, name="milestone-detail"),
    path("journal/milestones/<id:milestone_id>/delete/", views.milestone_delete, name="milestone-delete"),
    path("journal/milestones/<id:milestone_id>/share/", views.milestone_share, name="milestone-share"),
    path("journal/milestones/<id:milestone_id>/unshare/", views.milestone_unshare, name="milestone-unshare"),
    path("journal/goals/", views.goal_list, name="goals"),
    path("journal/goals/<id:goal_id>/", views.goal_detail, name="goal-detail"),
    path("journal/goals/<id:goal_id>/update/", views.goal_update, name="goal-update"),
    path("journal/goals/<id:goal_id>/done/", views.goal_done, name="goal-done"),
    path("journal/goals/<id:goal_id>/delete/", views.goal_delete, name="goal-delete"),
]
