from django.urls import path

from kinship.journal import views_progress

urlpatterns = [
    path("journal/", views_progress.journal_home, name="home"),
    path("journal/progress/", views_progress.progress, name="progress"),
]
