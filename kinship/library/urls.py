"""The library app's pages: each area keeps its routes in its own urls_<area>.py."""

from kinship.library import urls_materials, urls_referrals, urls_resources, urls_tips

app_name = "library"
urlpatterns = [
    *urls_resources.urlpatterns,
    *urls_materials.urlpatterns,
    *urls_tips.urlpatterns,
    *urls_referrals.urlpatterns,
]
