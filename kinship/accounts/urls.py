from django.contrib.auth import views as auth_views
from django.urls import path

from kinship.accounts import views

app_name = "accounts"
urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("verify/sent/", views.verify_sent, name="verify-sent"),
    path("verify/<str:token>/", views.verify, name="verify"),
    path("login/", views.signin, name="login"),
    path("logout/", views.signout, name="logout"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password-reset-done",
    ),
    path("password-reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password-reset-confirm"),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password-reset-complete",
    ),
    path("profile/", views.profile_edit, name="profile-edit"),
    path("password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("email/", views.email_change, name="email-change"),
    path("email/confirm/<str:token>/", views.email_confirm, name="email-confirm"),
    path("people/<id:user_id>/", views.profile, name="profile"),
]
