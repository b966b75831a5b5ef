"""The journal's pages: each area keeps its routes in its own urls_<area>.py."""

from kinship.journal import urls_checkins, urls_milestones, urls_progress

app_name = "journal"
urlpatterns = [*urls_milestones.urlpatterns, *urls_checkins.urlpatterns, *urls_progress.urlpatterns]
