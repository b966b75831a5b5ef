"""The peers app's pages: each area keeps its routes in its own urls_<area>.py."""

from kinship.peers import urls_mentoring, urls_messages

app_name = "peers"
urlpatterns = [*urls_mentoring.urlpatterns, *urls_messages.urlpatterns]
