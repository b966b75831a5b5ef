from django.urls import path

from kinship.library import referral_views

urlpatterns = [
    path("referrals/", referral_views.referral_list, name="referral-list"),
    path("referrals/dashboard/", referral_views.referral_dashboard, name="referral-dashboard"),
    path("referrals/new/", referral_views.referral_new, name="referral-new"),
    path("referrals/<id:referral_id>/", referral_views.referral_detail, name="referral-detail"),
]
